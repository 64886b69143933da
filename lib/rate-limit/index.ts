import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rateLimitBuckets } from "@/db/schema";
import { env } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

/**
 * Counts one hit on `key` in a fixed window of `windowSeconds`. A single upsert, so concurrent
 * requests (and several app instances) count exactly.
 */
export async function hitRateLimit(
  db: DbOrTx,
  { key, limit, windowSeconds }: { key: string; limit: number; windowSeconds: number },
): Promise<RateLimitResult> {
  const windowExpired = sql`${rateLimitBuckets.windowStart} <= now() - make_interval(secs => ${windowSeconds})`;
  const [row] = await db
    .insert(rateLimitBuckets)
    .values({ key, windowStart: sql`now()`, count: 1 })
    .onConflictDoUpdate({
      target: rateLimitBuckets.key,
      set: {
        count: sql`case when ${windowExpired} then 1 else ${rateLimitBuckets.count} + 1 end`,
        windowStart: sql`case when ${windowExpired} then now() else ${rateLimitBuckets.windowStart} end`,
      },
    })
    .returning({
      count: rateLimitBuckets.count,
      resetIn: sql<number>`ceil(extract(epoch from (${rateLimitBuckets.windowStart} + make_interval(secs => ${windowSeconds}) - now())))::int`,
    });
  const count = row?.count ?? 1;
  return {
    allowed: count <= limit,
    remaining: Math.max(0, limit - count),
    retryAfter: Math.max(1, Number(row?.resetIn ?? windowSeconds)),
  };
}

/** Whether `key` is already at its limit in the current window, without counting a hit. */
export async function peekRateLimit(
  db: DbOrTx,
  { key, limit, windowSeconds }: { key: string; limit: number; windowSeconds: number },
): Promise<RateLimitResult> {
  const [row] = await db
    .select({
      count: rateLimitBuckets.count,
      resetIn: sql<number>`ceil(extract(epoch from (${rateLimitBuckets.windowStart} + make_interval(secs => ${windowSeconds}) - now())))::int`,
    })
    .from(rateLimitBuckets)
    .where(eq(rateLimitBuckets.key, key));
  const resetIn = Number(row?.resetIn ?? 0);
  if (!row || resetIn <= 0) return { allowed: true, remaining: limit, retryAfter: 0 };
  return {
    allowed: row.count < limit,
    remaining: Math.max(0, limit - row.count),
    retryAfter: Math.max(1, resetIn),
  };
}

/**
 * The chat endpoints' limits (the materials API: RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW
 * seconds per IP), plus one per user so a student cannot multiply their share by changing
 * networks. Counted in Postgres: every app instance shares them. 429 "Rate limit exceeded".
 */
export async function enforceChatRateLimit(db: DbOrTx, { ip, userId }: { ip: string; userId: string }) {
  const e = env();
  for (const limit of [
    { key: `chat:ip:${ip}`, limit: e.RATE_LIMIT_REQUESTS, windowSeconds: e.RATE_LIMIT_WINDOW },
    { key: `chat:user:${userId}`, limit: e.RATE_LIMIT_USER_REQUESTS, windowSeconds: e.RATE_LIMIT_WINDOW },
  ]) {
    const r = await hitRateLimit(db, limit);
    if (!r.allowed) {
      throw new ApiError("RATE_LIMITED", "Rate limit exceeded", {
        headers: { "Retry-After": String(r.retryAfter) },
      });
    }
  }
}
