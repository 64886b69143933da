import { getDb } from "@/db/client";
import { ingestReference, ingestUploadedDocument } from "@/lib/curriculum/ingest";
import { claimNextJob, completeJob, countRunnableJobs, failJob, heartbeat, type IngestionJob } from "./jobs";
import { IngestError, ingestMaterial, type StageTimings } from "./pipeline";

/**
 * The handler of each job kind: a student's material, a portal reference, an uploaded textbook.
 * It records each stage's time in `hooks.timings` as it goes (kept if it throws) and resolves
 * with the timings of the finished job.
 */
export type JobHandler = (
  job: IngestionJob,
  hooks: {
    signal: AbortSignal;
    onProgress: (p: { stage: string; done: number; total: number | null }) => Promise<boolean>;
    timings: StageTimings;
  },
) => Promise<StageTimings>;

const handlers: Record<string, JobHandler> = {
  material: async (job, hooks) => {
    if (!job.materialId) throw new IngestError("Job has no material", true);
    const db = await getDb();
    return ingestMaterial(db, job.materialId, hooks);
  },
  reference: async (job, hooks) => ingestReference(await getDb(), job, hooks),
  document: async (job, hooks) => ingestUploadedDocument(await getDb(), job, hooks),
};

export function registerJobHandler(kind: string, handler: JobHandler): void {
  handlers[kind] = handler;
}

/** Runs one claimed job to its end: completed, retried later, or failed with a readable message. */
export async function runJob(job: IngestionJob): Promise<"succeeded" | "retry" | "failed" | "lost"> {
  const db = await getDb();
  const controller = new AbortController();
  const handler = handlers[job.kind];
  if (!handler) {
    return failJob(db, job, { message: `Unknown job kind "${job.kind}"`, permanent: true });
  }
  // The stages this attempt reached, with their times: a failed job keeps them.
  const reached: StageTimings = {};
  try {
    const timings = await handler(job, {
      timings: reached,
      signal: controller.signal,
      onProgress: async (p) => {
        const stillOurs = await heartbeat(db, job, { stage: p.stage, done: p.done, total: p.total });
        if (!stillOurs) controller.abort();
        return stillOurs;
      },
    });
    return (await completeJob(db, job, timings)) ? "succeeded" : "lost";
  } catch (err) {
    // Errors that know they cannot succeed on retry (a misconfigured embedding model) say so.
    const known =
      err instanceof IngestError ||
      (err instanceof Error && (err as { permanent?: unknown }).permanent === true);
    const permanent = err instanceof IngestError ? err.permanent : known;
    const message = known ? (err as Error).message : "Processing failed unexpectedly; it will be retried";
    if (!(err instanceof IngestError)) console.error(`[ingest] job ${job.id} failed:`, err);
    return failJob(db, job, { message, permanent, timings: reached });
  }
}

/**
 * Claims and runs jobs one after the other until the queue is empty or the time budget is spent;
 * reports how many ran and how many are still runnable.
 */
export async function drainQueue({ budgetMs = 60_000 }: { budgetMs?: number } = {}): Promise<{
  processed: number;
  remaining: number;
}> {
  const deadline = Date.now() + budgetMs;
  const db = await getDb();
  let processed = 0;
  while (Date.now() < deadline) {
    const job = await claimNextJob(db);
    if (!job) break;
    await runJob(job);
    processed += 1;
  }
  return { processed, remaining: await countRunnableJobs(db) };
}

/**
 * An admin's "dispatch": claims the oldest queued job now (even one waiting for a retry delay)
 * and runs it in the background, then lets the runner carry on with the rest of the queue.
 * Null when nothing is queued.
 */
export async function dispatchOldestJob(): Promise<{ job: IngestionJob; done: Promise<unknown> } | null> {
  const db = await getDb();
  const job = await claimNextJob(db, { dispatch: true });
  if (!job) return null;
  const done = runJob(job)
    .catch((err) => console.error(`[ingest] dispatched job ${job.id} stopped:`, err))
    .finally(() => void kickIngestion());
  return { job, done };
}

const state = globalThis as unknown as { __bacmrIngest?: { running?: Promise<unknown>; again: boolean } };

/**
 * Starts the in-process runner unless it is already running in this process (one at a time:
 * OCR already uses every core). A kick during a run makes the runner look again when it ends,
 * so a job queued just as the queue looked empty is not left waiting. Never throws.
 */
export function kickIngestion(): Promise<unknown> {
  state.__bacmrIngest ??= { again: false };
  const s = state.__bacmrIngest;
  if (s.running) {
    s.again = true;
    return s.running;
  }
  s.again = false;
  s.running = drainQueue({ budgetMs: 10 * 60_000 })
    .catch((err) => console.error("[ingest] runner stopped:", err))
    .finally(() => {
      s.running = undefined;
      if (s.again) void kickIngestion();
    });
  return s.running;
}
