import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { resolveLocale } from "@/lib/i18n/config";
import { MESSAGES } from "@/lib/i18n/messages";

describe("env", () => {
  it("has embedded defaults for everything", () => {
    const e = parseEnv({});
    expect(e).toMatchObject({
      PORT: 3000,
      DATA_DIR: ".data",
      DATABASE_PREPARE: true,
      ACCESS_TOKEN_TTL_SECONDS: 3600,
      RATE_LIMIT_REQUESTS: 10,
      RATE_LIMIT_WINDOW: 60,
    });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.SUPABASE_URL).toBeUndefined();
    expect(e.ADMIN_API_KEY).toBeUndefined();
  });

  it("treats empty strings as unset and parses booleans", () => {
    const e = parseEnv({ DATABASE_URL: "", DATABASE_PREPARE: "false", COOKIE_SECURE: "1" });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.DATABASE_PREPARE).toBe(false);
    expect(e.COOKIE_SECURE).toBe(true);
  });

  it.each([
    [{ JWT_SECRET: "short" }, "JWT_SECRET"],
    [{ ADMIN_API_KEY: "short" }, "ADMIN_API_KEY"],
    [{ PORT: "abc" }, "PORT"],
    [{ SUPABASE_URL: "https://x.supabase.co" }, "SUPABASE_URL"],
    [{ ADMIN_EMAIL: "admin@example.com" }, "ADMIN_PASSWORD"],
    [{ DATABASE_PREPARE: "maybe" }, "DATABASE_PREPARE"],
    [{ SCRAPER_CONCURRENCY: "0" }, "SCRAPER_CONCURRENCY"],
    [{ SCRAPER_CONCURRENCY: "9" }, "SCRAPER_CONCURRENCY"],
    [{ SCRAPER_CONCURRENCY: "1.5" }, "SCRAPER_CONCURRENCY"],
  ])("refuses %j naming %s", (source, name) => {
    expect(() => parseEnv(source)).toThrow(new RegExp(`${name}:`));
  });

  it("trusts X-Forwarded-For on Vercel unless told otherwise, and nowhere else by default", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(false);
    expect(parseEnv({ VERCEL: "1" }).TRUST_PROXY).toBe(true);
    expect(parseEnv({ VERCEL: "1", TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
    expect(parseEnv({ REQUEST_TIMEOUT_SECONDS: "3600" }).REQUEST_TIMEOUT_SECONDS).toBe(3600);
    expect(() => parseEnv({ REQUEST_TIMEOUT_SECONDS: "3601" })).toThrow(/REQUEST_TIMEOUT_SECONDS/);
  });

  it("keeps the crawler's concurrency within 1 to 8", () => {
    expect(parseEnv({}).SCRAPER_CONCURRENCY).toBe(2);
    expect(parseEnv({ SCRAPER_CONCURRENCY: "1" }).SCRAPER_CONCURRENCY).toBe(1);
    expect(parseEnv({ SCRAPER_CONCURRENCY: "8" }).SCRAPER_CONCURRENCY).toBe(8);
  });
});

describe("locale", () => {
  it.each([
    [undefined, null, "fr"],
    [undefined, "ar-MR,ar;q=0.9,fr;q=0.8", "ar"],
    [undefined, "en-US,en;q=0.9", "en"],
    [undefined, "de-DE,de;q=0.9,en;q=0.5", "en"],
    [undefined, "es", "fr"],
    ["ar", "en", "ar"],
    ["xx", "en", "en"],
    [undefined, "fr;q=0.1,ar;q=0.5", "ar"],
  ])("cookie %s, Accept-Language %s → %s", (cookie, accept, expected) => {
    expect(resolveLocale(cookie, accept)).toBe(expected);
  });

  it("every language has every message", () => {
    const keys = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    const fr = keys(MESSAGES.fr).sort();
    expect(keys(MESSAGES.ar).sort()).toStrictEqual(fr);
    expect(keys(MESSAGES.en).sort()).toStrictEqual(fr);
  });
});

describe(".env.example", () => {
  it("documents every variable, and its values are the defaults", async () => {
    const { readFileSync } = await import("node:fs");
    const { ENV_NAMES } = await import("@/lib/config/env");
    const vars = Object.fromEntries(
      readFileSync(new URL("../.env.example", import.meta.url), "utf8")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(Object.keys(vars).sort()).toStrictEqual(ENV_NAMES.filter((n) => n !== "NODE_ENV").sort());
    expect(parseEnv(vars)).toEqual(parseEnv({}));
  });
});
