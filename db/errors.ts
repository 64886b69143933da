/** Whether a Postgres error of this SQLSTATE is anywhere in the chain (drizzle, PGlite, postgres.js wrap it). */
function hasCode(err: unknown, code: string): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}

/** unique_violation (23505). */
export const isUniqueViolation = (err: unknown): boolean => hasCode(err, "23505");

/** foreign_key_violation (23503): the row points to something that does not exist. */
export const isForeignKeyViolation = (err: unknown): boolean => hasCode(err, "23503");
