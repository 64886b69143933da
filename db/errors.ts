/** Postgres' unique_violation (23505), whatever the driver (PGlite, postgres.js, drizzle) wraps it in. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
