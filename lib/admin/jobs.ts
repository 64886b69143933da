import { count, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { curriculumReferences, documents, ingestionJobs, type JobStatus, materials } from "@/db/schema";
import { conflict, notFound } from "@/lib/http/errors";
import { type IngestionJob, requeueFailedJob } from "@/lib/ingest/jobs";

/** A job with a human name for what it processes (a textbook's or a file's title). */
export type JobView = IngestionJob & { title: string | null };

const columns = {
  job: ingestionJobs,
  title: sql<string | null>`coalesce(${documents.title}, ${curriculumReferences.title}, ${materials.name})`,
};

function joined(db: DbOrTx) {
  return db
    .select(columns)
    .from(ingestionJobs)
    .leftJoin(documents, eq(documents.id, ingestionJobs.documentId))
    .leftJoin(curriculumReferences, eq(curriculumReferences.id, ingestionJobs.referenceId))
    .leftJoin(materials, eq(materials.id, ingestionJobs.materialId));
}

export async function listJobs(
  db: DbOrTx,
  { status, limit, offset }: { status?: JobStatus; limit: number; offset: number },
): Promise<{ jobs: JobView[]; total: number }> {
  const where = status ? eq(ingestionJobs.status, status) : undefined;
  const [rows, [totalRow]] = await Promise.all([
    joined(db)
      .where(where)
      .orderBy(desc(ingestionJobs.createdAt), desc(ingestionJobs.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(ingestionJobs).where(where),
  ]);
  return { jobs: rows.map((r) => ({ ...r.job, title: r.title })), total: Number(totalRow?.n ?? 0) };
}

export async function getJobOrThrow(db: DbOrTx, jobId: string): Promise<JobView> {
  const [row] = await joined(db).where(eq(ingestionJobs.id, jobId));
  if (!row) throw notFound("Job not found");
  return { ...row.job, title: row.title };
}

/** Only a failed job goes back to the queue (409 for the others: they are live or done). */
export async function requeueJob(db: DbOrTx, jobId: string): Promise<JobView> {
  const requeued = await requeueFailedJob(db, jobId).catch((err: unknown) => {
    // Another job for the same reference or document is already queued or running.
    if (isUniqueViolation(err)) throw conflict("Another job for the same item is already queued or running");
    throw err;
  });
  if (!requeued) {
    const job = await getJobOrThrow(db, jobId);
    throw conflict(`Only failed jobs can be requeued; this one is ${job.status}`);
  }
  return getJobOrThrow(db, jobId);
}
