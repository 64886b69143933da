import { sql } from "drizzle-orm";
import { type DbOrTx, dropIfStalled } from "@/db/client";
import { unlessLate } from "@/lib/deadline";

/** How long the health check waits for `select 1`: a database that says nothing is down. */
export const HEALTH_QUERY_TIMEOUT_MS = 3_000;

/**
 * Whether the database answers `select 1` in time. One that does not (a server frozen, or gone
 * with its connection left open) is reported down at once, and a postgres.js pool whose server
 * does not answer a fresh connection either is dropped so that the next request reconnects.
 */
export async function isDatabaseReachable(db: DbOrTx, timeoutMs = HEALTH_QUERY_TIMEOUT_MS): Promise<boolean> {
  try {
    const outcome = await unlessLate(
      db.execute(sql`select 1`).then(() => "ok" as const),
      timeoutMs,
      () => "silent" as const,
    );
    if (outcome === "silent") await dropIfStalled();
    return outcome === "ok";
  } catch {
    return false;
  }
}
