import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { chunks, documents, materials } from "@/db/schema";
import { getEmbedder } from "@/lib/ai/embeddings";
import { env } from "@/lib/config/env";
import { getStorage } from "@/lib/storage";
import { foldForSearch, searchConfigFor } from "@/lib/text/fold";
import { chunkPages } from "./chunk";
import { extractPages } from "./extract";
import type { Chunk } from "./types";
import { ExtractionError } from "./types";

/** Milliseconds per stage, reported on the job: while it runs (and if it fails), the stages reached. */
export type StageTimings = Record<string, number>;

/** The stages of reading a file; a finished job reports each of them, 0 for one it did not need. */
export const PIPELINE_STAGES = ["extract", "ocr", "chunk", "embed", "store"] as const;

/** Adds time to a stage; a stage appears in the timings once it has been reached. */
export function addStageTime(timings: StageTimings, stage: string, ms: number): void {
  timings[stage] = (timings[stage] ?? 0) + Math.round(ms);
}

/** Runs one stage and records its time, also when it throws: a failed job shows where it got to. */
export async function timeStage<T>(timings: StageTimings, stage: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    addStageTime(timings, stage, performance.now() - started);
  }
}

/** The timings of a finished job: every stage named, 0 for those it skipped (OCR of a text PDF). */
export function finishedTimings(timings: StageTimings, stages: readonly string[]): StageTimings {
  return { ...Object.fromEntries(stages.map((stage) => [stage, 0])), ...timings };
}

export interface PipelineHooks {
  signal?: AbortSignal;
  /** Called as pages are read; returning false stops the work (the job is no longer ours). */
  onProgress?: (p: { stage: string; done: number; total: number | null }) => Promise<boolean>;
  /**
   * Where the stages' times are recorded as they end (the runner's record of the job); what it
   * holds when the work throws is kept on the failed job. A fresh record when absent.
   */
  timings?: StageTimings;
}

/** A failure with a message fit for the user, and whether retrying could help. */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "IngestError";
  }
}

const INSERT_BATCH = 200;

export interface ChunkOwner {
  materialId?: string;
  documentId?: string;
}

/**
 * Text of a file → chunks with embeddings, ready to store (the job still ours). Shared by
 * materials and library documents.
 */
export async function buildChunks(
  bytes: Uint8Array,
  mimeType: string,
  hooks: PipelineHooks,
  timings: StageTimings,
): Promise<{ pageCount: number; chunks: (Chunk & { embedding: number[] })[]; model: string }> {
  const pages: { page: number; text: string }[] = [];
  let total: number | null = null;
  const started = performance.now();
  let pageMs = 0;
  try {
    for await (const page of extractPages(bytes, mimeType, {
      signal: hooks.signal,
      maxPages: env().INGEST_MAX_PAGES,
      onTotal: (n) => {
        total = n;
      },
    })) {
      pages.push({ page: page.page, text: page.text });
      addStageTime(timings, page.method === "ocr" ? "ocr" : "extract", page.ms);
      pageMs += page.ms;
      // The stage names how the last page was read, so a student sees when pages need OCR.
      const stage = page.method === "ocr" ? "ocr" : "extract";
      if (hooks.onProgress && !(await hooks.onProgress({ stage, done: pages.length, total }))) {
        throw new IngestError("Processing was taken over by another worker", false);
      }
    }
  } catch (err) {
    // The attempt that failed (opening a damaged file, a page that broke) is extraction time too.
    addStageTime(timings, "extract", Math.max(0, performance.now() - started - pageMs));
    if (err instanceof ExtractionError) throw new IngestError(extractionMessage(err), err.permanent);
    throw err;
  }

  const t = performance.now();
  const pieces = chunkPages(pages);
  addStageTime(timings, "chunk", performance.now() - t);
  if (pieces.length === 0) {
    throw new IngestError("No readable text was found in this file", true);
  }

  await hooks.onProgress?.({ stage: "embed", done: pages.length, total });
  const embedder = getEmbedder();
  const vectors = await timeStage(timings, "embed", () =>
    embedder.embed(
      pieces.map((c) => c.content),
      { signal: hooks.signal },
    ),
  );
  // Last check before the caller writes: a job taken over by another worker must write nothing.
  if (
    hooks.onProgress &&
    !(await hooks.onProgress({ stage: "store", done: pages.length, total: pages.length }))
  ) {
    throw new IngestError("Processing was taken over by another worker", false);
  }
  return {
    pageCount: pages.length,
    model: embedder.model,
    chunks: pieces.map((c, i) => ({ ...c, embedding: vectors[i] ?? [] })),
  };
}

function extractionMessage(err: ExtractionError): string {
  switch (err.code) {
    case "ENCRYPTED":
      return "This PDF is password-protected; upload a version without a password";
    case "CORRUPT":
      return "This file is damaged or is not a valid PDF/image";
    case "TOO_MANY_PAGES":
      return err.message;
    case "UNSUPPORTED":
      return "This file type cannot be read";
    default:
      return err.message;
  }
}

/** Replaces all chunks of one owner in one transaction: readers see the old set or the new one. */
export async function storeChunks(
  tx: DbOrTx,
  owner: ChunkOwner,
  built: { chunks: (Chunk & { embedding: number[] })[]; model: string },
): Promise<void> {
  const where = owner.materialId
    ? eq(chunks.materialId, owner.materialId)
    : owner.documentId
      ? eq(chunks.documentId, owner.documentId)
      : undefined;
  if (!where) throw new Error("storeChunks needs a material or a document");
  await tx.delete(chunks).where(where);
  for (let i = 0; i < built.chunks.length; i += INSERT_BATCH) {
    await tx.insert(chunks).values(
      built.chunks.slice(i, i + INSERT_BATCH).map((c) => ({
        materialId: owner.materialId ?? null,
        documentId: owner.documentId ?? null,
        chunkIndex: c.index,
        pageStart: c.pageStart,
        pageEnd: c.pageEnd,
        content: c.content,
        searchText: foldForSearch(c.content),
        searchConfig: searchConfigFor(c.content),
        embedding: c.embedding.length ? c.embedding : null,
        embeddingModel: c.embedding.length ? built.model : null,
      })),
    );
  }
  if (owner.documentId) {
    await tx
      .update(documents)
      .set({ chunkCount: built.chunks.length })
      .where(eq(documents.id, owner.documentId));
  }
}

/** Processes one material: read its file, build chunks, store them and mark it completed. */
export async function ingestMaterial(
  db: DbOrTx,
  materialId: string,
  hooks: PipelineHooks,
): Promise<StageTimings> {
  const timings = hooks.timings ?? {};
  const [material] = await db.select().from(materials).where(eq(materials.id, materialId));
  if (!material) throw new IngestError("The material was deleted", true);
  const bytes = await getStorage().getBytes(material.storageKey);
  if (!bytes) throw new IngestError("The uploaded file is missing from storage", true);

  const built = await buildChunks(bytes, material.fileType, hooks, timings);
  const t = performance.now();
  // Chunks and the material's state change together: never "completed" without its chunks.
  await db.transaction(async (tx) => {
    await storeChunks(tx, { materialId }, built);
    await tx
      .update(materials)
      .set({
        processingStatus: "completed",
        processedAt: sql`now()`,
        errorMessage: null,
        hasEmbedding: built.chunks.every((c) => c.embedding.length > 0),
        pageCount: built.pageCount,
        updatedAt: sql`now()`,
      })
      .where(eq(materials.id, materialId));
  });
  addStageTime(timings, "store", performance.now() - t);
  return finishedTimings(timings, PIPELINE_STAGES);
}
