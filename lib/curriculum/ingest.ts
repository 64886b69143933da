import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { curriculumReferences, documents, ingestionJobs } from "@/db/schema";
import { env } from "@/lib/config/env";
import type { IngestionJob } from "@/lib/ingest/jobs";
import {
  addStageTime,
  buildChunks,
  finishedTimings,
  IngestError,
  PIPELINE_STAGES,
  type PipelineHooks,
  type StageTimings,
  storeChunks,
  timeStage,
} from "@/lib/ingest/pipeline";
import { DownloadError, downloadPdf, parseHostList } from "@/lib/net/safe-download";
import { getStorage } from "@/lib/storage";
import { curriculumKey } from "@/lib/storage/keys";
import { type Document, maxCurriculumBytes } from "./documents";
import { gradeOf } from "./grades";

/** A library job downloads its PDF first (an uploaded one reports 0 for it). */
const LIBRARY_STAGES = ["download", ...PIPELINE_STAGES];

/** The admin-facing reason a reference's PDF could not be fetched; retried unless it cannot help. */
async function download(url: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const e = env();
  try {
    const { bytes } = await downloadPdf(url, {
      allowedHosts: parseHostList(e.KOUTOUBI_PDF_HOSTS),
      maxBytes: maxCurriculumBytes(),
      timeoutMs: e.DOWNLOAD_TIMEOUT_SECONDS * 1000,
      signal,
    });
    return bytes;
  } catch (err) {
    if (err instanceof DownloadError) throw new IngestError(err.message, err.permanent);
    throw err;
  }
}

/**
 * The document of a reference, created on its first ingestion from what the portal said about
 * it; a re-ingestion keeps the document (its id, its admin-edited metadata) and replaces its text.
 */
async function documentForReference(db: DbOrTx, job: IngestionJob, referenceId: string): Promise<Document> {
  const [ref] = await db.select().from(curriculumReferences).where(eq(curriculumReferences.id, referenceId));
  if (!ref) throw new IngestError("The reference was deleted", true);
  const [existing] = await db.select().from(documents).where(eq(documents.referenceId, referenceId));
  const doc =
    existing ??
    (
      await db
        .insert(documents)
        .values({
          referenceId,
          title: ref.title,
          educationLevel: ref.educationLevel,
          grade: gradeOf(ref.educationLevel, ref.year),
          subject: ref.subject,
          language: ref.language,
          series: ref.series,
          edition: ref.edition,
          namespace: ref.source,
          pdfSource: ref.pdfUrl,
          status: "processing",
        })
        .returning()
    )[0];
  if (!doc) throw new Error("document insert returned no row");
  if (job.documentId !== doc.id) {
    await db.update(ingestionJobs).set({ documentId: doc.id }).where(eq(ingestionJobs.id, job.id));
  }
  return doc;
}

async function pdfUrlOf(db: DbOrTx, referenceId: string): Promise<string> {
  const [ref] = await db
    .select({ pdfUrl: curriculumReferences.pdfUrl })
    .from(curriculumReferences)
    .where(eq(curriculumReferences.id, referenceId));
  if (!ref) throw new IngestError("The reference was deleted", true);
  return ref.pdfUrl;
}

/**
 * Reads a library PDF into chunks and makes the document ready in one transaction: the old
 * chunks (a forced re-ingestion) are replaced atomically, readers see one set or the other.
 */
async function ingestBytes(
  db: DbOrTx,
  doc: Document,
  bytes: Uint8Array,
  newKey: string | null,
  hooks: PipelineHooks,
  timings: StageTimings,
): Promise<void> {
  const built = await buildChunks(bytes, "application/pdf", hooks, timings);
  const t = performance.now();
  await db.transaction(async (tx) => {
    const [still] = await tx
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.id, doc.id))
      .for("update");
    if (!still) throw new IngestError("The document was deleted while it was being processed", true);
    await storeChunks(tx, { documentId: doc.id }, built);
    await tx
      .update(documents)
      .set({
        status: "ready",
        errorMessage: null,
        pageCount: built.pageCount,
        ingestedAt: sql`now()`,
        updatedAt: sql`now()`,
        ...(newKey ? { storageKey: newKey, fileSize: bytes.byteLength } : {}),
      })
      .where(eq(documents.id, doc.id));
    if (doc.referenceId) {
      await tx
        .update(curriculumReferences)
        .set({ status: "ready", errorMessage: null, updatedAt: sql`now()` })
        .where(eq(curriculumReferences.id, doc.referenceId));
    }
  });
  // Added to the time spent putting the file in storage.
  addStageTime(timings, "store", performance.now() - t);
}

/** Job kind "reference": download the PDF (safely), store it, read it, replace the chunks. */
export async function ingestReference(
  db: DbOrTx,
  job: IngestionJob,
  hooks: PipelineHooks,
): Promise<StageTimings> {
  const timings = hooks.timings ?? {};
  if (!job.referenceId) throw new IngestError("Job has no reference", true);
  await hooks.onProgress?.({ stage: "download", done: 0, total: null });
  const url = await pdfUrlOf(db, job.referenceId);
  const bytes = await timeStage(timings, "download", () => download(url, hooks.signal));
  // Still ours (an admin may have deleted the document, and its jobs, meanwhile): only then
  // may a document be created for it.
  if (hooks.onProgress && !(await hooks.onProgress({ stage: "extract", done: 0, total: null }))) {
    throw new IngestError("The job was cancelled or taken over by another worker", false);
  }
  const doc = await documentForReference(db, job, job.referenceId);
  const storage = getStorage();
  const key = curriculumKey({ documentId: doc.id, fileName: `${doc.title}.pdf` });
  await timeStage(timings, "store", () => storage.put(key, bytes, "application/pdf"));
  try {
    await ingestBytes(db, doc, bytes, key, hooks, timings);
  } catch (err) {
    await storage.delete(key).catch(() => undefined);
    throw err;
  }
  // The previous download is no longer referenced once the new chunks are committed.
  if (doc.storageKey && doc.storageKey !== key) {
    await storage
      .delete(doc.storageKey)
      .catch((e: unknown) => console.error(`[curriculum] could not delete file ${doc.storageKey}:`, e));
  }
  return finishedTimings(timings, LIBRARY_STAGES);
}

/** Job kind "document": an admin's uploaded PDF, already in storage. */
export async function ingestUploadedDocument(
  db: DbOrTx,
  job: IngestionJob,
  hooks: PipelineHooks,
): Promise<StageTimings> {
  const timings = hooks.timings ?? {};
  if (!job.documentId) throw new IngestError("Job has no document", true);
  const [doc] = await db.select().from(documents).where(eq(documents.id, job.documentId));
  if (!doc) throw new IngestError("The document was deleted", true);
  const bytes = doc.storageKey ? await getStorage().getBytes(doc.storageKey) : null;
  if (!bytes) throw new IngestError("The uploaded file is missing from storage", true);
  await ingestBytes(db, doc, bytes, null, hooks, timings);
  return finishedTimings(timings, LIBRARY_STAGES);
}
