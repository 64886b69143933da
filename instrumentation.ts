// Runs once when the server starts. In the embedded setup the ingestion queue is served by this
// process: uploads kick the runner at once, and this tick picks up what is left (jobs retried
// after a backoff, jobs whose worker died, jobs queued while the server was down).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { env } = await import("./lib/config/env");
  const seconds = env().INGEST_POLL_SECONDS;
  if (seconds <= 0) return;
  const { kickIngestion } = await import("./lib/ingest/runner");
  const timer = setInterval(() => void kickIngestion(), seconds * 1000);
  timer.unref();
}
