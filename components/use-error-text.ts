"use client";

import type { ApiFailure } from "./api-client";
import { useI18n } from "./i18n";

/**
 * A localized sentence for an API failure: known codes are translated, validation details shown
 * as is. With `detail`, any other server detail is shown too (admin screens: a 409's reason).
 */
export function useErrorText({ detail = false }: { detail?: boolean } = {}): (e: ApiFailure) => string {
  const { m } = useI18n();
  return (e) => {
    if (e.code === "NETWORK") return m.errors.network;
    const known = m.errors[e.code];
    if (known) return known;
    if ((e.status === 400 || detail) && e.detail) return e.detail;
    return m.errors.generic;
  };
}
