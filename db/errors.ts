/**
 * An error and its causes, outermost first (drizzle, PGlite and postgres.js wrap each other's),
 * at most 16 and each once: a cause pointing back up the chain cannot hang an error handler.
 */
export function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err; e && out.length < 16 && !out.includes(e); e = (e as { cause?: unknown }).cause) {
    out.push(e);
  }
  return out;
}

/** Whether a Postgres error of this SQLSTATE is anywhere in the chain. */
function hasCode(err: unknown, code: string): boolean {
  return causes(err).some((e) => (e as { code?: unknown }).code === code);
}

/** unique_violation (23505). */
export const isUniqueViolation = (err: unknown): boolean => hasCode(err, "23505");

/** foreign_key_violation (23503): the row points to something that does not exist. */
export const isForeignKeyViolation = (err: unknown): boolean => hasCode(err, "23503");

/**
 * postgres.js's own codes for a connection that failed, and the SQLSTATEs of a connection lost
 * or refused (class 08 but not 08P01, a protocol violation) or of a server shutting down (57P0x).
 */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "57P01",
  "57P02",
  "57P03",
]);
/** Socket errors: the database's only when a query was being made (drizzle's "Failed query"). */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/**
 * The database could not be reached (refused, closed, reset, timed out, shutting down): a
 * passing outage worth a 503, not a bug. Other errors, network ones of other services included,
 * are not.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  let inQuery = false;
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof (e as { message?: unknown }).message === "string" &&
      (e as Error).message.startsWith("Failed query:")
    ) {
      inQuery = true;
    }
    if (typeof code !== "string") continue;
    if (CONNECTION_CODES.has(code)) return true;
    if (inQuery && SOCKET_CODES.has(code)) return true;
  }
  return false;
}
