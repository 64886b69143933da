import { intlTag, type Locale } from "@/lib/i18n/config";

// Locale-aware formatting shared by server pages and client components.

const tag = intlTag;

export function formatDateTime(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: "short", timeStyle: "short" }).format(
    new Date(iso),
  );
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(tag(locale)).format(n);
}

/** 850 → "850 ms", 12_300 → "12.3 s", 125_000 → "2.1 min". */
export function formatDuration(locale: Locale, ms: number): string {
  const [value, unit] =
    ms < 1000 ? [ms, "millisecond"] : ms < 60_000 ? [ms / 1000, "second"] : [ms / 60_000, "minute"];
  return new Intl.NumberFormat(tag(locale), {
    style: "unit",
    unit,
    unitDisplay: "narrow",
    maximumFractionDigits: unit === "millisecond" ? 0 : 1,
  }).format(value);
}

/** 42 → "42 %" (fr), "42%" (en). */
export function formatPercent(locale: Locale, percent: number): string {
  return new Intl.NumberFormat(tag(locale), { style: "percent", maximumFractionDigits: 0 }).format(
    percent / 100,
  );
}

/**
 * A UTC calendar day ("2025-03-07"): short "7 mars" for axis ticks, long "7 mars 2025" for tables.
 * Formatted in UTC so the day never shifts with the server's or the browser's time zone.
 */
export function formatDay(locale: Locale, isoDay: string, style: "short" | "long" = "long"): string {
  const options: Intl.DateTimeFormatOptions =
    style === "short"
      ? { day: "numeric", month: "short" }
      : { day: "numeric", month: "short", year: "numeric" };
  return new Intl.DateTimeFormat(tag(locale), { ...options, timeZone: "UTC" }).format(
    new Date(`${isoDay}T00:00:00Z`),
  );
}
