import "server-only";
import { cookies, headers } from "next/headers";
import { dirOf, LOCALE_COOKIE, type Locale, resolveLocale } from "./config";
import { MESSAGES, type Messages } from "./messages";

/** The request's locale (cookie, then Accept-Language, then French) and its messages. */
export async function getI18n(): Promise<{ locale: Locale; dir: "rtl" | "ltr"; m: Messages }> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  const locale = resolveLocale(c.get(LOCALE_COOKIE)?.value, h.get("accept-language"));
  return { locale, dir: dirOf(locale), m: MESSAGES[locale] };
}
