"use client";

import type { ApiFailure } from "./api-client";
import { formatNumber } from "./format";
import { useI18n } from "./i18n";
import { useErrorText } from "./use-error-text";

/**
 * The sentence for a failed chat request, shared by the tutor and the course chat: an empty
 * wallet (402, with what is left), the rate limit (429, with the wait), the model being down
 * (503/500, or an error inside a stream that had started: status 200), else the usual texts.
 */
export function useChatErrorText(): (failure: ApiFailure, available: number | null) => string {
  const { m, f, locale } = useI18n();
  const errorText = useErrorText();
  return (failure, available) => {
    if (failure.status === 402 || failure.code === "INSUFFICIENT_BALANCE")
      return f(m.chat.outOfTokens, { n: formatNumber(locale, Math.max(0, available ?? 0)) });
    if (failure.status === 429) return f(m.chat.rateLimited, { s: failure.retryAfter ?? 60 });
    if (failure.status === 200 || failure.status >= 500) return m.chat.unavailable;
    return errorText(failure);
  };
}
