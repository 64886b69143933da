// Runs once when the server starts. In the embedded setup the ingestion queue is served by this
// process: uploads kick the runner at once, and this tick picks up what is left (jobs retried
// after a backoff, jobs whose worker died, jobs queued while the server was down). The same tick
// gives back the tokens of reservations that expired (a chat whose stream was lost).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { env } = await import("./lib/config/env");
  const seconds = env().INGEST_POLL_SECONDS;
  if (seconds <= 0) return;
  const { kickIngestion } = await import("./lib/ingest/runner");
  const { sweepExpiredReservations } = await import("./lib/wallet/sweep");
  const timer = setInterval(() => {
    void kickIngestion();
    void sweepExpiredReservations();
  }, seconds * 1000);
  timer.unref();
}
