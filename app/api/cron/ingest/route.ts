// GET /api/cron/ingest – Vercel Cron: process queued ingestion jobs within the time budget
import { cronIngest } from "@/lib/api/jobs";
import { route } from "@/lib/http/route";
import { drainQueue } from "@/lib/ingest/runner";

export const maxDuration = 300;

// Leave headroom under maxDuration for the job in hand to finish its transaction.
export const GET = route(cronIngest, async () => drainQueue({ budgetMs: (maxDuration - 60) * 1000 }));
