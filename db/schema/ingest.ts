import { type SQL, sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  vector,
} from "drizzle-orm/pg-core";
import { materials } from "./courses";
import { curriculumReferences, documents } from "./curriculum";

/** Every vector has this many dimensions (OpenAI models are asked for 512; shorter ones are zero-padded). */
export const EMBEDDING_DIMENSIONS = 512;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const regconfig = customType<{ data: string }>({ dataType: () => "regconfig" });

/**
 * A citable passage of a material or of a library document: its text, its pages, a
 * full-text vector in the passage's language and an embedding with the model that made it.
 */
export const chunks = pgTable(
  "chunks",
  {
    id: uuid().primaryKey().defaultRandom(),
    materialId: uuid().references(() => materials.id, { onDelete: "cascade" }),
    /** Exactly one owner per chunk: a student's material or a library document. */
    documentId: uuid().references(() => documents.id, { onDelete: "cascade" }),
    chunkIndex: integer().notNull(),
    pageStart: integer().notNull(),
    pageEnd: integer().notNull(),
    content: text().notNull(),
    /** `content` folded for search (lib/text/fold.ts): no accents, Arabic letters unified, no harakat. */
    searchText: text().notNull(),
    /** The text-search configuration of the passage's language: french, arabic or simple. */
    searchConfig: regconfig().notNull(),
    tsv: tsvector().generatedAlwaysAs((): SQL => sql`to_tsvector(search_config, search_text)`),
    embedding: vector({ dimensions: EMBEDDING_DIMENSIONS }),
    embeddingModel: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("chunks_one_owner", sql`num_nonnulls(${t.materialId}, ${t.documentId}) = 1`),
    check("chunks_pages", sql`${t.pageStart} >= 1 and ${t.pageEnd} >= ${t.pageStart}`),
    index("chunks_material_idx").on(t.materialId, t.chunkIndex),
    index("chunks_document_idx").on(t.documentId, t.chunkIndex),
    index("chunks_tsv_idx").using("gin", t.tsv),
    index("chunks_embedding_hnsw").using("hnsw", t.embedding.op("vector_cosine_ops")),
  ],
);

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const jobStatus = pgEnum("job_status", JOB_STATUSES);

/**
 * The ingestion queue. A worker claims a job with FOR UPDATE SKIP LOCKED and holds it by a
 * lease it renews while working; a job whose lease expired (crashed worker) is claimable again.
 */
export const ingestionJobs = pgTable(
  "ingestion_jobs",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().notNull(),
    materialId: uuid().references(() => materials.id, { onDelete: "cascade" }),
    documentId: uuid().references(() => documents.id, { onDelete: "cascade" }),
    referenceId: uuid().references(() => curriculumReferences.id, { onDelete: "cascade" }),
    status: jobStatus().notNull().default("queued"),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull().default(3),
    runAfter: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseExpiresAt: timestamp({ withTimezone: true }),
    lockedBy: text(),
    stage: text(),
    progressDone: integer().notNull().default(0),
    progressTotal: integer(),
    /** Milliseconds per stage of the last attempt: { extract, ocr, chunk, embed, store }. */
    timings: jsonb().$type<Record<string, number>>().notNull().default({}),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ingestion_jobs_claim_idx").on(t.status, t.runAfter, t.createdAt),
    index("ingestion_jobs_material_idx").on(t.materialId),
    index("ingestion_jobs_document_idx").on(t.documentId),
    index("ingestion_jobs_reference_idx").on(t.referenceId),
    // One live job per library item: a second "ingest" while one is queued or running is refused.
    uniqueIndex("ingestion_jobs_one_live_reference")
      .on(t.referenceId)
      .where(sql`${t.status} in ('queued', 'running')`),
    uniqueIndex("ingestion_jobs_one_live_document")
      .on(t.documentId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);
