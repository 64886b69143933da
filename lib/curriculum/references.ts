import { and, count, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { curriculumReferences, documents, ingestionJobs, type ReferenceStatus } from "@/db/schema";
import { conflict, notFound } from "@/lib/http/errors";
import { enqueueLibraryJob, type IngestionJob } from "@/lib/ingest/jobs";

export type Reference = typeof curriculumReferences.$inferSelect;
export type ReferenceWithDocument = Reference & { documentId: string | null };

export async function listReferences(
  db: DbOrTx,
  {
    source,
    status,
    limit,
    offset,
  }: { source?: string; status?: ReferenceStatus; limit: number; offset: number },
): Promise<{ references: ReferenceWithDocument[]; total: number }> {
  const conditions: SQL[] = [];
  if (source) conditions.push(eq(curriculumReferences.source, source));
  if (status) conditions.push(eq(curriculumReferences.status, status));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [totalRow]] = await Promise.all([
    db
      .select({ ref: curriculumReferences, documentId: documents.id })
      .from(curriculumReferences)
      .leftJoin(documents, eq(documents.referenceId, curriculumReferences.id))
      .where(where)
      .orderBy(desc(curriculumReferences.firstSeenAt), curriculumReferences.title, curriculumReferences.id)
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(curriculumReferences).where(where),
  ]);
  return {
    references: rows.map((r) => ({ ...r.ref, documentId: r.documentId })),
    total: Number(totalRow?.n ?? 0),
  };
}

/**
 * Queues a reference for ingestion. Refused (409) while a job for it is queued or running, and
 * when it is already ingested unless `force` (which re-ingests and replaces its chunks).
 */
export async function queueReferenceIngestion(
  db: DbOrTx,
  { referenceId, force }: { referenceId: string; force: boolean },
): Promise<IngestionJob> {
  try {
    return await db.transaction(async (tx) => {
      const [ref] = await tx
        .select()
        .from(curriculumReferences)
        .where(eq(curriculumReferences.id, referenceId))
        .for("update");
      if (!ref) throw notFound("Reference not found");
      const [live] = await tx
        .select({ id: ingestionJobs.id, status: ingestionJobs.status })
        .from(ingestionJobs)
        .where(
          and(
            eq(ingestionJobs.referenceId, referenceId),
            inArray(ingestionJobs.status, ["queued", "running"]),
          ),
        );
      if (live) {
        throw conflict(
          `This reference is already ${live.status === "running" ? "being ingested" : "queued"} (job ${live.id})`,
        );
      }
      const [doc] = await tx
        .select({ id: documents.id, status: documents.status })
        .from(documents)
        .where(eq(documents.referenceId, referenceId));
      if (doc?.status === "ready" && !force) {
        throw conflict("This reference is already ingested; use force=true to ingest it again");
      }
      return enqueueLibraryJob(tx, { kind: "reference", referenceId, documentId: doc?.id ?? null });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("This reference is already queued for ingestion");
    throw err;
  }
}
