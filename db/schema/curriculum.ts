import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const REFERENCE_STATUSES = ["discovered", "queued", "processing", "ready", "failed"] as const;
export type ReferenceStatus = (typeof REFERENCE_STATUSES)[number];
export const referenceStatus = pgEnum("reference_status", REFERENCE_STATUSES);

export const SCRAPE_RUN_STATUSES = ["running", "success", "partial", "failed"] as const;
export type ScrapeRunStatus = (typeof SCRAPE_RUN_STATUSES)[number];
export const scrapeRunStatus = pgEnum("scrape_run_status", SCRAPE_RUN_STATUSES);

export const DOCUMENT_STATUSES = ["pending", "processing", "ready", "failed"] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const documentStatus = pgEnum("document_status", DOCUMENT_STATUSES);

/** What a scrape run recorded about one page it could not use (404, 5xx after retries, timeout). */
export interface ScrapePageError {
  url: string;
  status: "not_found" | "error";
  http_status: number | null;
  error: string | null;
  /** Milliseconds spent on the page, retries and waits included; absent on older runs. */
  ms?: number;
}

/**
 * One run of a scraper over a portal. At most one run per source is `running` at a time (a
 * partial unique index): a second sync while one runs is refused, and a run whose process died
 * is recognised by its stale heartbeat and closed.
 */
export const scrapeRuns = pgTable(
  "scrape_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    source: text().notNull(),
    status: scrapeRunStatus().notNull().default("running"),
    foundCount: integer().notNull().default(0),
    newCount: integer().notNull().default(0),
    pagesTotal: integer(),
    pagesDone: integer().notNull().default(0),
    errors: jsonb().$type<ScrapePageError[]>().notNull().default([]),
    /**
     * Milliseconds: { sitemap, pages, store, total }; a run that failed before crawling, { total }.
     * Each page's own time is on its entry in `errors` (pages that went well are only summed).
     */
    timings: jsonb().$type<Record<string, number>>().notNull().default({}),
    errorMessage: text(),
    triggeredBy: uuid(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("scrape_runs_one_running").on(t.source).where(sql`${t.status} = 'running'`),
    index("scrape_runs_source_idx").on(t.source, t.startedAt),
  ],
);

/**
 * A curriculum file discovered on a portal (or, later, elsewhere): unique by its PDF URL. Its
 * document, once ingested, points back to it. Named curriculum_references because REFERENCES is
 * an SQL keyword.
 */
export const curriculumReferences = pgTable(
  "curriculum_references",
  {
    id: uuid().primaryKey().defaultRandom(),
    source: text().notNull(),
    title: text().notNull(),
    pdfUrl: text().notNull(),
    sourcePage: text(),
    educationLevel: text(),
    year: integer(),
    subject: text(),
    series: text(),
    edition: text(),
    language: text().notNull().default("fr"),
    status: referenceStatus().notNull().default("discovered"),
    errorMessage: text(),
    lastRunId: uuid().references(() => scrapeRuns.id, { onDelete: "set null" }),
    firstSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("curriculum_references_pdf_url").on(t.pdfUrl),
    index("curriculum_references_source_status_idx").on(t.source, t.status, t.createdAt),
    index("curriculum_references_status_idx").on(t.status, t.createdAt),
  ],
);

/**
 * A textbook of the library: a reference that was ingested, or a PDF an admin uploaded. Its
 * text lives in `chunks`; `status` is `ready` only when its chunks are stored.
 */
export const documents = pgTable(
  "documents",
  {
    id: uuid().primaryKey().defaultRandom(),
    referenceId: uuid().references(() => curriculumReferences.id, { onDelete: "set null" }),
    title: text().notNull(),
    /** fondamentals | secondaire1 | secondaire2 (from the grade). */
    educationLevel: text(),
    /** A class code: 1AF–6AF (fundamental), 1AS–7AS (secondary; 7AS is the bac year). */
    grade: text(),
    subject: text(),
    language: text().notNull().default("fr"),
    series: text(),
    edition: text(),
    namespace: text().notNull().default("curriculum"),
    /** Where the PDF came from: the portal URL, or what the admin said when uploading. */
    pdfSource: text(),
    storageKey: text(),
    fileSize: bigint({ mode: "number" }),
    pageCount: integer(),
    /** Passages stored for it (storeChunks keeps it): how retrieval sizes a filtered search. */
    chunkCount: integer().notNull().default(0),
    status: documentStatus().notNull().default("pending"),
    errorMessage: text(),
    major: text(),
    weight: doublePrecision(),
    category: text(),
    ingestedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("documents_reference_idx").on(t.referenceId),
    index("documents_status_idx").on(t.status, t.educationLevel, t.subject),
    check("documents_weight_range", sql`${t.weight} is null or (${t.weight} >= 0 and ${t.weight} <= 100)`),
  ],
);
