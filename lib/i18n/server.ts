import "server-only";
import { cookies, headers } from "next/headers";
import { getCurrentUser } from "@/lib/http/page-auth";
import { dirOf, isLocale, LOCALE_COOKIE, type Locale, resolveLocale } from "./config";
import { MESSAGES, type Messages } from "./messages";

/**
 * The request's locale and its messages: the signed-in user's chosen language (remembered in the
 * profile, so it follows them to a new browser), else this browser's choice (cookie), else the
 * best Accept-Language match, else French.
 */
export async function getI18n(): Promise<{ locale: Locale; dir: "rtl" | "ltr"; m: Messages }> {
  const [c, h, user] = await Promise.all([cookies(), headers(), getCurrentUser()]);
  const chosen = isLocale(user?.preferredLanguage) ? user.preferredLanguage : c.get(LOCALE_COOKIE)?.value;
  const locale = resolveLocale(chosen, h.get("accept-language"));
  return { locale, dir: dirOf(locale), m: MESSAGES[locale] };
}
