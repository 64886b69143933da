import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "@/db/client";
import { curriculumReferences, documents, ingestionJobs, materials } from "@/db/schema";
import { env } from "@/lib/config/env";

export type IngestionJob = typeof ingestionJobs.$inferSelect;

/** A name for this process's worker, recorded on the jobs it holds. */
export const WORKER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

export async function enqueueMaterialJob(
  db: DbOrTx,
  { materialId }: { materialId: string },
): Promise<IngestionJob> {
  const [job] = await db
    .insert(ingestionJobs)
    .values({ kind: "material", materialId, maxAttempts: env().INGEST_MAX_ATTEMPTS })
    .returning();
  if (!job) throw new Error("job insert returned no row");
  return job;
}

/**
 * Queues the ingestion of a library item: kind "reference" (download the PDF, then read it) or
 * "document" (an uploaded PDF already in storage). A second live job for the same item violates
 * a unique index: callers check first and map a race to 409.
 */
export async function enqueueLibraryJob(
  db: DbOrTx,
  job: { kind: "reference" | "document"; referenceId?: string | null; documentId?: string | null },
): Promise<IngestionJob> {
  const [row] = await db
    .insert(ingestionJobs)
    .values({
      kind: job.kind,
      referenceId: job.referenceId ?? null,
      documentId: job.documentId ?? null,
      maxAttempts: env().INGEST_MAX_ATTEMPTS,
    })
    .returning();
  if (!row) throw new Error("job insert returned no row");
  await markOwner(db, row, { status: "queued" });
  return row;
}

/**
 * Jobs whose worker vanished (lease expired) after their last allowed attempt: failed, with the
 * material told why. Without this sweep they would be claimed forever.
 */
async function failAbandonedJobs(db: DbOrTx): Promise<void> {
  const message = "Processing stopped responding too many times; upload the file again or ask an admin";
  const failed = await db
    .update(ingestionJobs)
    .set({
      status: "failed",
      lastError: message,
      finishedAt: sql`now()`,
      updatedAt: sql`now()`,
      lockedBy: null,
    })
    .where(
      and(
        eq(ingestionJobs.status, "running"),
        sql`${ingestionJobs.leaseExpiresAt} < now()`,
        sql`${ingestionJobs.attempts} >= ${ingestionJobs.maxAttempts}`,
      ),
    )
    .returning();
  for (const job of failed) await markOwner(db, job, { status: "failed", error: message });
}

/**
 * Claims the oldest runnable job: queued and due, or running with an expired lease (its worker
 * crashed). FOR UPDATE SKIP LOCKED lets any number of workers claim concurrently without ever
 * taking the same job; the lease makes the claim expire unless renewed by heartbeats.
 */
export async function claimNextJob(
  db: DbOrTx,
  {
    workerId = WORKER_ID,
    leaseSeconds = env().INGEST_LEASE_SECONDS,
    dispatch = false,
  }: {
    workerId?: string;
    leaseSeconds?: number;
    /** An admin's "dispatch": the oldest queued job, even one waiting for its retry delay. */
    dispatch?: boolean;
  } = {},
): Promise<IngestionJob | null> {
  await failAbandonedJobs(db);
  const result = await db.execute(sql`
    update ingestion_jobs set
      status = 'running',
      attempts = attempts + 1,
      locked_by = ${workerId},
      lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
      started_at = now(),
      finished_at = null,
      progress_done = 0,
      stage = 'queued',
      updated_at = now()
    where id = (
      select id from ingestion_jobs
      where (status = 'queued' and (${dispatch} or run_after <= now()))
         or (not ${dispatch} and status = 'running' and lease_expires_at < now() and attempts < max_attempts)
      order by created_at
      for update skip locked
      limit 1
    )
    returning id`);
  const id = rowsOf<{ id: string }>(result)[0]?.id;
  if (!id) return null;
  const [job] = await db.select().from(ingestionJobs).where(eq(ingestionJobs.id, id));
  if (job) await markOwner(db, job, { status: "processing" });
  return job ?? null;
}

/**
 * Renews the lease and records progress. Returns false when the job is no longer this worker's
 * (its lease expired and another worker took it): the caller must stop and write nothing.
 */
export async function heartbeat(
  db: DbOrTx,
  job: { id: string; workerId?: string },
  progress: { stage?: string; done?: number; total?: number | null } = {},
): Promise<boolean> {
  const rows = await db
    .update(ingestionJobs)
    .set({
      leaseExpiresAt: sql`now() + make_interval(secs => ${env().INGEST_LEASE_SECONDS})`,
      ...(progress.stage !== undefined ? { stage: progress.stage } : {}),
      ...(progress.done !== undefined ? { progressDone: progress.done } : {}),
      ...(progress.total !== undefined ? { progressTotal: progress.total } : {}),
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(ingestionJobs.id, job.id),
        eq(ingestionJobs.status, "running"),
        eq(ingestionJobs.lockedBy, job.workerId ?? WORKER_ID),
      ),
    )
    .returning({ id: ingestionJobs.id });
  return rows.length === 1;
}

export async function completeJob(
  db: DbOrTx,
  job: { id: string; workerId?: string },
  timings: Record<string, number>,
): Promise<boolean> {
  const rows = await db
    .update(ingestionJobs)
    .set({
      status: "succeeded",
      stage: "done",
      timings,
      lastError: null,
      finishedAt: sql`now()`,
      leaseExpiresAt: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(ingestionJobs.id, job.id), eq(ingestionJobs.lockedBy, job.workerId ?? WORKER_ID)))
    .returning({ id: ingestionJobs.id });
  return rows.length === 1;
}

/** Backoff before attempt n+1: 5 s, 20 s, 80 s… capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 5 * 4 ** Math.max(0, attempts - 1));
}

/**
 * Records a failure: a transient one is retried later while attempts remain; a permanent one
 * (unreadable file) or the last attempt fails the job and its material with a readable message.
 */
export async function failJob(
  db: DbOrTx,
  job: IngestionJob & { workerId?: string },
  { message, permanent, timings }: { message: string; permanent: boolean; timings?: Record<string, number> },
): Promise<"retry" | "failed"> {
  const final = permanent || job.attempts >= job.maxAttempts;
  // The row as it is now: a handler may have attached a document to the job while working.
  const [row] = await db
    .update(ingestionJobs)
    .set({
      status: final ? "failed" : "queued",
      lastError: message,
      runAfter: final ? sql`now()` : sql`now() + make_interval(secs => ${retryDelaySeconds(job.attempts)})`,
      finishedAt: final ? sql`now()` : null,
      leaseExpiresAt: null,
      lockedBy: null,
      ...(timings ? { timings } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(ingestionJobs.id, job.id), eq(ingestionJobs.lockedBy, job.workerId ?? WORKER_ID)))
    .returning();
  // No row: the job is gone (its document was deleted) or another worker holds it now; either
  // way its owner's state is not this worker's to change.
  if (row) await markOwner(db, row, final ? { status: "failed", error: message } : { status: "queued" });
  return final ? "failed" : "retry";
}

/** Puts a failed job back in the queue with fresh attempts; false when the job is not failed. */
export async function requeueFailedJob(db: DbOrTx, jobId: string): Promise<IngestionJob | null> {
  const [job] = await db
    .update(ingestionJobs)
    .set({
      status: "queued",
      attempts: 0,
      runAfter: sql`now()`,
      lastError: null,
      stage: null,
      progressDone: 0,
      progressTotal: null,
      timings: {},
      startedAt: null,
      finishedAt: null,
      leaseExpiresAt: null,
      lockedBy: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(ingestionJobs.id, jobId), eq(ingestionJobs.status, "failed")))
    .returning();
  if (job) await markOwner(db, job, { status: "queued" });
  return job ?? null;
}

type OwnerState = { status: "queued" | "processing" } | { status: "failed"; error: string };

/**
 * Mirrors a job's state on what it processes, so a material, a document or a reference never
 * claims to be processing when its job has failed. A library document that already has its
 * chunks (a forced re-ingestion that failed) stays ready: it is still searchable as it was.
 */
async function markOwner(db: DbOrTx, job: IngestionJob, state: OwnerState): Promise<void> {
  const failed = state.status === "failed";
  const error = failed ? state.error : null;
  if (job.materialId) {
    await db
      .update(materials)
      .set({
        processingStatus: state.status === "queued" ? "pending" : state.status,
        ...(failed ? { errorMessage: error, hasEmbedding: false } : {}),
        ...(state.status === "processing" ? { errorMessage: null } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(materials.id, job.materialId));
  }
  if (job.documentId) {
    await db
      .update(documents)
      .set({
        status: sql`case when ${documents.status} = 'ready' then 'ready'::document_status
          else ${state.status === "queued" ? "pending" : state.status}::document_status end`,
        errorMessage: error,
        updatedAt: sql`now()`,
      })
      .where(eq(documents.id, job.documentId));
  }
  if (job.referenceId) {
    // Ready while its document is ready, whatever happens to a re-ingestion.
    await db
      .update(curriculumReferences)
      .set({
        status: sql`case when exists (select 1 from ${documents} d
            where d.reference_id = ${curriculumReferences.id} and d.status = 'ready')
          then 'ready'::reference_status else ${state.status}::reference_status end`,
        errorMessage: error,
        updatedAt: sql`now()`,
      })
      .where(eq(curriculumReferences.id, job.referenceId));
  }
}

export async function countRunnableJobs(
  db: DbOrTx,
  { dueOnly = false }: { dueOnly?: boolean } = {},
): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from ingestion_jobs
      where (status = 'queued' and (${!dueOnly} or run_after <= now()))
         or (status = 'running' and lease_expires_at < now())`),
  );
  return Number(rows[0]?.n ?? 0);
}
