import { describe, expect, it } from "vitest";
import { causes, isDatabaseUnreachable, isUniqueViolation } from "@/db/errors";

/** What drizzle throws around a driver error. */
const failedQuery = (cause: unknown) =>
  Object.assign(new Error("Failed query: select 1\nparams: "), { cause });
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("isDatabaseUnreachable", () => {
  it("recognises an outage through postgres.js: refused, closed, timed out, shutting down", () => {
    expect(
      isDatabaseUnreachable(failedQuery(coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"))),
    ).toBe(true);
    expect(isDatabaseUnreachable(failedQuery(coded("CONNECTION_CLOSED")))).toBe(true);
    // A transaction's BEGIN is not wrapped by drizzle: postgres.js's own codes are enough.
    expect(isDatabaseUnreachable(coded("CONNECT_TIMEOUT"))).toBe(true);
    expect(isDatabaseUnreachable(coded("CONNECTION_ENDED"))).toBe(true);
    expect(isDatabaseUnreachable(failedQuery(coded("57P01", "terminating connection")))).toBe(true);
    expect(isDatabaseUnreachable(failedQuery(coded("08006", "connection failure")))).toBe(true);
  });

  it("does not take a query error or another service's network error for an outage", () => {
    expect(isDatabaseUnreachable(failedQuery(coded("23505", "duplicate key")))).toBe(false);
    expect(isUniqueViolation(failedQuery(coded("23505", "duplicate key")))).toBe(true);
    expect(isDatabaseUnreachable(failedQuery(coded("42P01", "relation does not exist")))).toBe(false);
    expect(isDatabaseUnreachable(failedQuery(coded("08P01", "bind message supplies 4 parameters")))).toBe(
      false,
    );
    // fetch() to a model or a portal that refuses: TypeError("fetch failed") caused by ECONNREFUSED.
    expect(isDatabaseUnreachable(new TypeError("fetch failed", { cause: coded("ECONNREFUSED") }))).toBe(
      false,
    );
    expect(isDatabaseUnreachable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnreachable(null)).toBe(false);
  });
});

describe("causes", () => {
  it("walks an error's causes outermost first, each once, so a loop cannot hang a handler", () => {
    const inner = coded("ECONNRESET");
    const outer = failedQuery(inner);
    expect(causes(outer)).toStrictEqual([outer, inner]);
    const loop = coded("X") as Error & { cause?: unknown };
    loop.cause = failedQuery(loop);
    expect(causes(loop)).toHaveLength(2);
    expect(isDatabaseUnreachable(loop)).toBe(false);
    expect(isUniqueViolation(loop)).toBe(false);
  });
});
