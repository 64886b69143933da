import { and, asc, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { chunks, curriculumReferences, type DocumentStatus, documents, ingestionJobs } from "@/db/schema";
import { env } from "@/lib/config/env";
import { ApiError, notFound } from "@/lib/http/errors";
import { isUuid } from "@/lib/ids";
import { enqueueLibraryJob, type IngestionJob } from "@/lib/ingest/jobs";
import { getStorage } from "@/lib/storage";
import { checkUpload } from "@/lib/storage/file-type";
import { curriculumKey } from "@/lib/storage/keys";
import { EDUCATION_LEVELS, educationLevelOf } from "./grades";

export type Document = typeof documents.$inferSelect;

const documentNotFound = () => notFound("Document not found");

export function maxCurriculumBytes(): number {
  return Math.floor(env().CURRICULUM_MAX_MB * 1024 * 1024);
}

export async function getDocumentOrThrow(db: DbOrTx, documentId: string): Promise<Document> {
  const [doc] = await db.select().from(documents).where(eq(documents.id, documentId));
  if (!doc) throw documentNotFound();
  return doc;
}

export async function listDocuments(
  db: DbOrTx,
  { status, limit, offset }: { status?: DocumentStatus; limit: number; offset: number },
): Promise<{ documents: Document[]; total: number }> {
  const where = status ? eq(documents.status, status) : undefined;
  const [rows, [totalRow]] = await Promise.all([
    db
      .select()
      .from(documents)
      .where(where)
      .orderBy(desc(documents.createdAt), desc(documents.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(documents).where(where),
  ]);
  return { documents: rows, total: Number(totalRow?.n ?? 0) };
}

export interface UploadCurriculumInput {
  file: { name: string; type: string; bytes: Uint8Array };
  title?: string;
  grade: string;
  subject: string;
  language: string;
  namespace: string;
  pdfSource?: string | null;
}

/**
 * An admin's PDF for the library: stored, recorded as a pending document and queued for the
 * same ingestion as everything else. The file is written first and removed again if the rows
 * cannot be written, so no document points to a missing file.
 */
export async function uploadCurriculum(
  db: DbOrTx,
  input: UploadCurriculumInput,
): Promise<{ document: Document; job: IngestionJob }> {
  const check = checkUpload({
    bytes: input.file.bytes,
    declaredType: input.file.type,
    fileName: input.file.name,
    maxBytes: maxCurriculumBytes(),
  });
  if (!check.ok) throw new ApiError(check.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", check.detail);
  if (check.mimeType !== "application/pdf") {
    throw new ApiError("BAD_REQUEST", `File type ${check.mimeType} not allowed: textbooks are PDF files`);
  }
  const documentId = crypto.randomUUID();
  const name = input.file.name.trim() || "textbook.pdf";
  const key = curriculumKey({ documentId, fileName: name });
  const storage = getStorage();
  await storage.put(key, input.file.bytes, check.mimeType);
  try {
    return await db.transaction(async (tx) => {
      const [document] = await tx
        .insert(documents)
        .values({
          id: documentId,
          title: input.title?.trim() || name.replace(/\.pdf$/i, ""),
          grade: input.grade,
          educationLevel: educationLevelOf(input.grade),
          subject: input.subject,
          language: input.language,
          namespace: input.namespace,
          pdfSource: input.pdfSource ?? null,
          storageKey: key,
          fileSize: input.file.bytes.byteLength,
        })
        .returning();
      if (!document) throw new Error("document insert returned no row");
      const job = await enqueueLibraryJob(tx, { kind: "document", documentId });
      return { document, job };
    });
  } catch (err) {
    await storage.delete(key).catch((e: unknown) => console.error(`[curriculum] orphan file ${key}:`, e));
    throw err;
  }
}

export async function updateDocument(
  db: DbOrTx,
  documentId: string,
  patch: { title?: string; major?: string | null; weight?: number | null; category?: string | null },
): Promise<Document> {
  const [doc] = await db
    .update(documents)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(documents.id, documentId))
    .returning();
  if (!doc) throw documentNotFound();
  return doc;
}

/**
 * Deletes a document with its chunks, vectors and jobs (one statement, cascades), sends its
 * reference back to `discovered` so it can be ingested again, then removes the file.
 */
export async function deleteDocument(
  db: DbOrTx,
  documentId: string,
): Promise<{ documentId: string; referenceId: string | null }> {
  const doc = await db.transaction(async (tx) => {
    const [deleted] = await tx.delete(documents).where(eq(documents.id, documentId)).returning();
    if (!deleted) throw documentNotFound();
    if (deleted.referenceId) {
      // Its reference's own live jobs would re-create the document: they go too.
      await tx.delete(ingestionJobs).where(eq(ingestionJobs.referenceId, deleted.referenceId));
      await tx
        .update(curriculumReferences)
        .set({ status: "discovered", errorMessage: null, updatedAt: sql`now()` })
        .where(eq(curriculumReferences.id, deleted.referenceId));
    }
    return deleted;
  });
  if (doc.storageKey) {
    await getStorage()
      .delete(doc.storageKey)
      .catch((e: unknown) => console.error(`[curriculum] could not delete file ${doc.storageKey}:`, e));
  }
  return { documentId: doc.id, referenceId: doc.referenceId };
}

// --- Public browsing (ready documents only) ---

export interface Textbook extends Document {
  pageStart: number | null;
  pageEnd: number | null;
}

/** Ready documents with their page range, from their chunks (their passage count is their own). */
function selectTextbooks(db: DbOrTx, where: SQL | undefined) {
  return db
    .select({
      doc: documents,
      pageStart: sql<number | null>`min(${chunks.pageStart})`,
      pageEnd: sql<number | null>`max(${chunks.pageEnd})`,
    })
    .from(documents)
    .leftJoin(chunks, eq(chunks.documentId, documents.id))
    .where(and(eq(documents.status, "ready"), where))
    .groupBy(documents.id);
}

function toTextbook(r: { doc: Document; pageStart: unknown; pageEnd: unknown }): Textbook {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { ...r.doc, pageStart: n(r.pageStart), pageEnd: n(r.pageEnd) };
}

/** Distinct subjects of ready documents, alphabetical. */
export async function listSubjects(db: DbOrTx): Promise<string[]> {
  const rows = await db
    .selectDistinct({ subject: documents.subject })
    .from(documents)
    .where(and(eq(documents.status, "ready"), sql`${documents.subject} is not null`))
    .orderBy(asc(documents.subject));
  return rows.flatMap((r) => (r.subject ? [r.subject] : []));
}

/** Ready textbooks matching the filters, grouped by education level (fundamental → upper secondary). */
export async function listTextbooks(
  db: DbOrTx,
  filters: { grade?: string; subject?: string; language?: string },
): Promise<{ levels: { educationLevel: string | null; textbooks: Textbook[] }[]; total: number }> {
  const conditions: SQL[] = [];
  if (filters.grade) conditions.push(eq(documents.grade, filters.grade));
  if (filters.subject) conditions.push(sql`lower(${documents.subject}) = lower(${filters.subject})`);
  if (filters.language) conditions.push(eq(documents.language, filters.language));
  const rows = await selectTextbooks(db, and(...conditions)).orderBy(
    asc(documents.grade),
    asc(documents.subject),
    asc(documents.title),
  );
  const order = (level: string | null) => {
    const i = EDUCATION_LEVELS.indexOf(level as (typeof EDUCATION_LEVELS)[number]);
    return i === -1 ? EDUCATION_LEVELS.length : i;
  };
  const groups = new Map<string | null, Textbook[]>();
  for (const row of rows) {
    const book = toTextbook(row);
    const list = groups.get(book.educationLevel) ?? [];
    list.push(book);
    groups.set(book.educationLevel, list);
  }
  const levels = [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([educationLevel, textbooks]) => ({ educationLevel, textbooks }));
  return { levels, total: rows.length };
}

/** A ready textbook with its page range; anything else (unknown, still processing) is 404. */
export async function getTextbookOrThrow(db: DbOrTx, id: string): Promise<Textbook> {
  // Not an id at all (a mistyped link): as unknown as any other; Postgres would refuse it.
  if (!isUuid(id)) throw notFound("Textbook not found");
  const [row] = await selectTextbooks(db, eq(documents.id, id));
  if (!row) throw notFound("Textbook not found");
  return toTextbook(row);
}

/** The PDF of a ready textbook, for reading it at a cited page. */
export async function openTextbookFile(
  db: DbOrTx,
  id: string,
): Promise<{ textbook: Textbook; stream: ReadableStream<Uint8Array> }> {
  const textbook = await getTextbookOrThrow(db, id);
  const stream = textbook.storageKey ? await getStorage().getStream(textbook.storageKey) : null;
  if (!stream) throw notFound("Textbook file not found");
  return { textbook, stream };
}
