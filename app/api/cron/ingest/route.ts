// GET /api/cron/ingest – Vercel Cron: process queued ingestion jobs within the time budget
import { cronIngest } from "@/lib/api/jobs";
import { route } from "@/lib/http/route";
import { countRunnableJobs } from "@/lib/ingest/jobs";
import { drainQueue } from "@/lib/ingest/runner";

export const maxDuration = 300;

export const GET = route(cronIngest, async ({ db }) => {
  // Leave headroom under maxDuration for the job in hand to finish its transaction.
  const { processed } = await drainQueue({ budgetMs: (maxDuration - 60) * 1000 });
  return { processed, remaining: await countRunnableJobs(db) };
});
