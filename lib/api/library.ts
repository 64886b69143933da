import { z } from "zod";
import {
  DOCUMENT_STATUSES,
  type DocumentStatus,
  JOB_STATUSES,
  REFERENCE_STATUSES,
  SCRAPE_RUN_STATUSES,
} from "@/db/schema";
import type { JobView } from "@/lib/admin/jobs";
import { env } from "@/lib/config/env";
import type { Document, Textbook } from "@/lib/curriculum/documents";
import { EDUCATION_LEVELS, GRADES, normaliseGrade } from "@/lib/curriculum/grades";
import { PAGE_WIDTH } from "@/lib/curriculum/page-width";
import type { PageView } from "@/lib/curriculum/pages";
import type { ReferenceWithDocument } from "@/lib/curriculum/references";
import type { ScrapeRun } from "@/lib/scraping";
import { defineEndpoint, NO_DEADLINE } from "./define";
import { pagination, uuidParam } from "./schemas";

// The curriculum library: the koutoubi scraper, references, library documents and their
// ingestion jobs (admin), and textbook browsing (public).

const iso = (d: Date | null) => d?.toISOString() ?? null;
const LANGUAGES = ["fr", "ar", "en"] as const;

/** "true"/"false" (and 1/0) in a query string; z.coerce.boolean would read "false" as true. */
const queryFlag = (name: string) =>
  z
    .enum(["true", "false", "1", "0"], `${name} must be true or false`)
    .default("false")
    .transform((v) => v === "true" || v === "1");

const sourceParam = z.object({ source: z.string().max(100) });

// --- Scraping ---

export const ScrapeRunResponse = z
  .object({
    id: z.uuid(),
    source: z.string(),
    status: z.enum(SCRAPE_RUN_STATUSES),
    found_count: z.number().int(),
    new_count: z.number().int(),
    pages_total: z.number().int().nullable(),
    pages_done: z.number().int(),
    errors: z.array(
      z.object({
        url: z.string(),
        status: z.enum(["not_found", "error"]),
        http_status: z.number().int().nullable(),
        error: z.string().nullable(),
        ms: z.number().int().nullable().meta({ description: "Time spent on the page, retries included" }),
      }),
    ),
    timings: z.record(z.string(), z.number()),
    error_message: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "ScrapeRun" });

export function toScrapeRunResponse(r: ScrapeRun): z.input<typeof ScrapeRunResponse> {
  return {
    id: r.id,
    source: r.source,
    status: r.status,
    found_count: r.foundCount,
    new_count: r.newCount,
    pages_total: r.pagesTotal,
    pages_done: r.pagesDone,
    errors: r.errors.map((e) => ({ ...e, ms: e.ms ?? null })),
    timings: r.timings,
    error_message: r.errorMessage,
    started_at: r.startedAt.toISOString(),
    finished_at: iso(r.finishedAt),
  };
}

export const ReferenceResponse = z
  .object({
    id: z.uuid(),
    source: z.string(),
    title: z.string(),
    pdf_url: z.string(),
    source_page: z.string().nullable(),
    education_level: z.string().nullable(),
    year: z.number().int().nullable(),
    subject: z.string().nullable(),
    series: z.string().nullable(),
    edition: z.string().nullable(),
    language: z.string(),
    status: z.enum(REFERENCE_STATUSES),
    document_id: z.uuid().nullable(),
    error_message: z.string().nullable(),
    first_seen_at: z.string(),
    last_seen_at: z.string(),
  })
  .meta({ id: "Reference" });

export function toReferenceResponse(r: ReferenceWithDocument): z.input<typeof ReferenceResponse> {
  return {
    id: r.id,
    source: r.source,
    title: r.title,
    pdf_url: r.pdfUrl,
    source_page: r.sourcePage,
    education_level: r.educationLevel,
    year: r.year,
    subject: r.subject,
    series: r.series,
    edition: r.edition,
    language: r.language,
    status: r.status,
    document_id: r.documentId,
    error_message: r.errorMessage,
    first_seen_at: r.firstSeenAt.toISOString(),
    last_seen_at: r.lastSeenAt.toISOString(),
  };
}

const referenceQuery = z.object({
  status: z.enum(REFERENCE_STATUSES, `status must be one of: ${REFERENCE_STATUSES.join(", ")}`).optional(),
  ...pagination,
});
const ReferenceList = z.object({
  references: z.array(ReferenceResponse),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
const RunList = z.object({
  runs: z.array(ScrapeRunResponse),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const listSources = defineEndpoint({
  method: "GET",
  path: "/api/scraping/sources",
  tag: "Scraping",
  summary: "List supported scraper sources",
  auth: "none",
  response: z.object({ sources: z.array(z.string()) }),
});

export const syncSource = defineEndpoint({
  method: "POST",
  path: "/api/scraping/{source}/sync",
  deadline: NO_DEADLINE,
  tag: "Scraping",
  summary: "Crawl a portal for textbooks and record the run",
  description:
    "Answers when the crawl is done; its progress can be followed meanwhile in GET " +
    "/api/scraping/{source}/runs. status: success, or partial when some pages failed after " +
    "retries (a 404 page is recorded but not an error). 409 while a sync of the same source " +
    "runs; 502 (with run_id) when the portal's sitemap cannot be read. `?ingest=true` queues the " +
    "references found for the first time.",
  auth: "admin",
  params: sourceParam,
  query: z.object({ ingest: queryFlag("ingest") }),
  response: z.object({
    run_id: z.uuid(),
    status: z.enum(SCRAPE_RUN_STATUSES),
    found_count: z.number().int(),
    new_count: z.number().int(),
    queued_count: z.number().int(),
    error_count: z.number().int(),
  }),
  errors: [404, 409, 502],
});

export const listSourceRuns = defineEndpoint({
  method: "GET",
  path: "/api/scraping/{source}/runs",
  tag: "Scraping",
  summary: "Recent scrape runs of a source, newest first",
  auth: "none",
  params: sourceParam,
  query: z.object(pagination),
  response: RunList,
  errors: [404],
});

export const listSourceReferences = defineEndpoint({
  method: "GET",
  path: "/api/scraping/{source}/references",
  tag: "Scraping",
  summary: "Curriculum files discovered on a source",
  auth: "none",
  params: sourceParam,
  query: referenceQuery,
  response: ReferenceList,
  errors: [404],
});

// --- Admin: library content and ingestion ---

const counts = <K extends readonly [string, ...string[]]>(keys: K) =>
  z.object({ total: z.number().int(), ...Object.fromEntries(keys.map((k) => [k, z.number().int()])) });

export const adminStats = defineEndpoint({
  method: "GET",
  path: "/api/admin/stats",
  tag: "Admin library",
  summary: "Dashboard statistics: documents, chunks, references, users, jobs",
  auth: "admin",
  response: z.object({
    documents: counts(DOCUMENT_STATUSES),
    chunks: z.object({ total: z.number().int(), documents: z.number().int(), materials: z.number().int() }),
    references: counts(REFERENCE_STATUSES),
    users: counts(["student", "teacher", "admin"] as const),
    jobs: counts(JOB_STATUSES),
    courses: z.number().int(),
    materials: z.number().int(),
  }),
});

export const adminReferences = defineEndpoint({
  method: "GET",
  path: "/api/admin/references",
  tag: "Admin library",
  summary: "List references across all sources, newest first",
  auth: "admin",
  query: referenceQuery,
  response: ReferenceList,
});

export const adminScrapeRuns = defineEndpoint({
  method: "GET",
  path: "/api/admin/scrape-runs",
  tag: "Admin library",
  summary: "List scrape runs across all sources, newest first",
  auth: "admin",
  query: z.object(pagination),
  response: RunList,
});

export const DocumentResponse = z
  .object({
    id: z.uuid(),
    reference_id: z.uuid().nullable(),
    title: z.string(),
    education_level: z.string().nullable(),
    grade: z.string().nullable(),
    subject: z.string().nullable(),
    language: z.string(),
    series: z.string().nullable(),
    edition: z.string().nullable(),
    namespace: z.string(),
    pdf_source: z.string().nullable(),
    status: z.enum(DOCUMENT_STATUSES),
    error_message: z.string().nullable(),
    page_count: z.number().int().nullable(),
    file_size: z.number().int().nullable(),
    major: z.string().nullable(),
    weight: z.number().nullable(),
    category: z.string().nullable(),
    ingested_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Document" });

export function toDocumentResponse(d: Document): z.input<typeof DocumentResponse> {
  return {
    id: d.id,
    reference_id: d.referenceId,
    title: d.title,
    education_level: d.educationLevel,
    grade: d.grade,
    subject: d.subject,
    language: d.language,
    series: d.series,
    edition: d.edition,
    namespace: d.namespace,
    pdf_source: d.pdfSource,
    status: d.status,
    error_message: d.errorMessage,
    page_count: d.pageCount,
    file_size: d.fileSize,
    major: d.major,
    weight: d.weight,
    category: d.category,
    ingested_at: iso(d.ingestedAt),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}

const requiredText = (name: string, max: number) =>
  z
    .string(`${name} is required`)
    .trim()
    .min(1, `${name} is required`)
    .max(max, `${name} must be at most ${max} characters`);

export const uploadCurriculum = defineEndpoint({
  method: "POST",
  path: "/api/admin/upload-curriculum",
  deadline: NO_DEADLINE,
  tag: "Admin library",
  summary: "Upload a textbook PDF to the library and queue its ingestion",
  description:
    `multipart/form-data: file (PDF, at most CURRICULUM_MAX_MB), grade (a class code: ${GRADES.join(", ")}), ` +
    "subject, language (fr, ar or en), namespace (default curriculum), pdf_source (where it came " +
    "from; optional), title (optional; the file name otherwise).",
  auth: "admin",
  bodyKind: "multipart",
  maxBodyBytes: () => ({
    bytes: env().CURRICULUM_MAX_MB * 1024 * 1024 + 64 * 1024,
    detail: `File too large: maximum is ${env().CURRICULUM_MAX_MB} MB`,
  }),
  body: z.object({
    file: z
      .instanceof(File, { message: 'file: a file is required (multipart field "file")' })
      .meta({ type: "string", format: "binary" }),
    grade: z
      .string("grade is required")
      .transform((v, ctx) => {
        const grade = normaliseGrade(v);
        if (!grade) {
          ctx.addIssue({ code: "custom", message: `grade must be a class code: ${GRADES.join(", ")}` });
          return z.NEVER;
        }
        return grade;
      })
      .meta({ type: "string", enum: [...GRADES] }),
    subject: requiredText("subject", 100),
    language: z.enum(LANGUAGES, "language must be fr, ar or en"),
    namespace: z
      .string()
      .trim()
      .max(100)
      .optional()
      .transform((v) => v || "curriculum"),
    pdf_source: z
      .string()
      .trim()
      .max(2000)
      .optional()
      .transform((v) => v || null),
    title: z.string().trim().max(300).optional(),
  }),
  status: 201,
  response: z.object({
    status: z.literal("queued"),
    job_id: z.uuid(),
    document_id: z.uuid(),
    document: DocumentResponse,
  }),
  errors: [413],
});

const QueuedResponse = z.object({ status: z.literal("queued"), job_id: z.uuid(), reference_id: z.uuid() });

export const ingestReference = defineEndpoint({
  method: "POST",
  path: "/api/admin/ingest/{reference_id}",
  tag: "Admin library",
  summary: "Queue the ingestion of a reference (download, read, chunk, embed)",
  description:
    "409 while a job for it is queued or running, and when it is already ingested unless " +
    "force=true (which re-ingests it and replaces its chunks in one transaction).",
  auth: "admin",
  params: uuidParam("reference_id"),
  query: z.object({ force: queryFlag("force") }),
  response: QueuedResponse,
  errors: [404, 409],
});

export const vectorEmbedding = defineEndpoint({
  method: "POST",
  path: "/api/admin/vector-embedding",
  tag: "Admin library",
  summary: "Legacy: queue the ingestion of a reference and return at once",
  description: "Same as POST /api/admin/ingest/{reference_id}.",
  auth: "admin",
  body: z.object({
    reference_id: z.uuid("reference_id must be a UUID"),
    force: z.boolean("force must be true or false").default(false),
  }),
  response: QueuedResponse,
  errors: [404, 409],
});

export const JobResponse = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: z.enum(JOB_STATUSES),
    title: z.string().nullable(),
    reference_id: z.uuid().nullable(),
    document_id: z.uuid().nullable(),
    material_id: z.uuid().nullable(),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    stage: z.string().nullable(),
    progress: z.object({
      done: z.number().int(),
      total: z.number().int().nullable(),
      percent: z.number().nullable(),
    }),
    timings: z.record(z.string(), z.number()),
    error_message: z.string().nullable(),
    run_after: z.string(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    updated_at: z.string(),
  })
  .meta({ id: "IngestionJob" });

export function toJobResponse(j: JobView): z.input<typeof JobResponse> {
  const total = j.progressTotal;
  const percent =
    j.status === "succeeded" ? 100 : total ? Math.min(100, Math.round((j.progressDone / total) * 100)) : null;
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    title: j.title,
    reference_id: j.referenceId,
    document_id: j.documentId,
    material_id: j.materialId,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    stage: j.stage,
    progress: { done: j.progressDone, total, percent },
    timings: j.timings,
    error_message: j.lastError,
    run_after: j.runAfter.toISOString(),
    created_at: j.createdAt.toISOString(),
    started_at: iso(j.startedAt),
    finished_at: iso(j.finishedAt),
    updated_at: j.updatedAt.toISOString(),
  };
}

const jobIdParam = uuidParam("job_id");

export const dispatchJob = defineEndpoint({
  method: "POST",
  path: "/api/admin/jobs/dispatch",
  tag: "Admin library",
  summary: "Start the oldest queued ingestion job now, in the background",
  description: 'With nothing queued: 200 with status "idle" and null ids.',
  auth: "admin",
  response: z.object({
    status: z.enum(["dispatched", "idle"]),
    job_id: z.uuid().nullable(),
    reference_id: z.uuid().nullable(),
    document_id: z.uuid().nullable(),
    detail: z.string(),
  }),
});

export const listJobs = defineEndpoint({
  method: "GET",
  path: "/api/admin/jobs",
  tag: "Admin library",
  summary: "List ingestion jobs (library and course materials), newest first",
  auth: "admin",
  query: z.object({
    status: z.enum(JOB_STATUSES, `status must be one of: ${JOB_STATUSES.join(", ")}`).optional(),
    ...pagination,
  }),
  response: z.object({
    jobs: z.array(JobResponse),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
});

export const getJob = defineEndpoint({
  method: "GET",
  path: "/api/admin/jobs/{job_id}",
  tag: "Admin library",
  summary: "One ingestion job with its progress and per-stage timings",
  auth: "admin",
  params: jobIdParam,
  response: JobResponse,
  errors: [404],
});

export const requeueJob = defineEndpoint({
  method: "POST",
  path: "/api/admin/jobs/{job_id}/requeue",
  tag: "Admin library",
  summary: "Put a failed job back in the queue with fresh attempts (409 for other jobs)",
  auth: "admin",
  params: jobIdParam,
  response: JobResponse,
  errors: [404, 409],
});

const documentIdParam = uuidParam("document_id");

export const listDocuments = defineEndpoint({
  method: "GET",
  path: "/api/admin/documents",
  tag: "Admin library",
  summary: "List library documents in any state, newest first",
  auth: "admin",
  query: z.object({
    status: z.enum(DOCUMENT_STATUSES, `status must be one of: ${DOCUMENT_STATUSES.join(", ")}`).optional(),
    ...pagination,
  }),
  response: z.object({
    documents: z.array(DocumentResponse.extend({ chunk_count: z.number().int() })),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
});

const optionalLabel = (name: string) =>
  z
    .string(`${name} must be a string or null`)
    .trim()
    .max(200, `${name} must be at most 200 characters`)
    .transform((v) => v || null)
    .nullable()
    .optional();

export const updateDocument = defineEndpoint({
  method: "PATCH",
  path: "/api/admin/documents/{document_id}",
  tag: "Admin library",
  summary: "Update a document's metadata (title, major, weight, category)",
  auth: "admin",
  params: documentIdParam,
  body: z.strictObject({
    title: requiredText("title", 300).optional(),
    major: optionalLabel("major"),
    weight: z
      .number("weight must be a number from 0 to 100")
      .min(0, "weight must be a number from 0 to 100")
      .max(100, "weight must be a number from 0 to 100")
      .nullable()
      .optional(),
    category: optionalLabel("category"),
  }),
  response: DocumentResponse,
  errors: [404],
});

export const deleteDocument = defineEndpoint({
  method: "DELETE",
  path: "/api/admin/documents/{document_id}",
  tag: "Admin library",
  summary: "Delete a document, its chunks and vectors; its reference goes back to discovered",
  auth: "admin",
  params: documentIdParam,
  response: z.object({ message: z.string(), document_id: z.uuid(), reference_id: z.uuid().nullable() }),
  errors: [404],
});

// --- Curriculum (public browsing of ready textbooks) ---

export const TextbookResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    education_level: z.string().nullable(),
    grade: z.string().nullable(),
    subject: z.string().nullable(),
    language: z.string(),
    series: z.string().nullable(),
    edition: z.string().nullable(),
    major: z.string().nullable(),
    category: z.string().nullable(),
    page_count: z.number().int().nullable(),
    page_start: z.number().int().nullable(),
    page_end: z.number().int().nullable(),
    chunk_count: z.number().int(),
    file_url: z.string(),
    source_url: z.string().nullable(),
    ingested_at: z.string().nullable(),
  })
  .meta({ id: "Textbook" });

export function toTextbookResponse(t: Textbook): z.input<typeof TextbookResponse> {
  return {
    id: t.id,
    title: t.title,
    education_level: t.educationLevel,
    grade: t.grade,
    subject: t.subject,
    language: t.language,
    series: t.series,
    edition: t.edition,
    major: t.major,
    category: t.category,
    page_count: t.pageCount,
    page_start: t.pageStart,
    page_end: t.pageEnd,
    chunk_count: t.chunkCount,
    file_url: `/api/curriculum/textbooks/${t.id}/file`,
    source_url: t.pdfSource && /^https?:\/\//i.test(t.pdfSource) ? t.pdfSource : null,
    ingested_at: iso(t.ingestedAt),
  };
}

export const listSubjects = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/subjects",
  tag: "Curriculum",
  summary: "Distinct subjects of the ready textbooks",
  auth: "none",
  response: z.object({ subjects: z.array(z.string()), total: z.number().int() }),
});

export const listTextbooks = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/textbooks",
  tag: "Curriculum",
  summary: "Ready textbooks grouped by education level (fondamentals, secondaire1, secondaire2)",
  auth: "none",
  query: z.object({
    grade: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === "") return undefined;
        const grade = normaliseGrade(v);
        if (!grade) {
          ctx.addIssue({ code: "custom", message: `grade must be a class code: ${GRADES.join(", ")}` });
          return z.NEVER;
        }
        return grade;
      }),
    subject: z
      .string()
      .trim()
      .max(100)
      .optional()
      .transform((v) => v || undefined),
    // An empty value is no filter, as for grade and subject (a form's "any" option sends it).
    language: z
      .enum([...LANGUAGES, ""], "language must be fr, ar or en")
      .optional()
      .transform((v) => v || undefined),
  }),
  response: z.object({
    levels: z.array(
      z.object({
        education_level: z.string().nullable(),
        textbooks: z.array(TextbookResponse),
      }),
    ),
    total: z.number().int(),
  }),
});

/**
 * A textbook id in a public path: any text, so that a malformed id answers 404 "Textbook not
 * found" exactly like an unknown one (the lookup checks its shape) instead of a 400.
 */
const textbookId = z.string().meta({ format: "uuid" });
const textbookIdParam = z.object({ id: textbookId });

export const getTextbook = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/textbooks/{id}",
  tag: "Curriculum",
  summary: "One ready textbook with its page range (from its chunks)",
  auth: "none",
  params: textbookIdParam,
  response: TextbookResponse,
  errors: [404],
});

export const textbookFile = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/textbooks/{id}/file",
  tag: "Curriculum",
  summary: "The textbook's PDF, inline (open it at a cited page with #page=N)",
  auth: "none",
  params: textbookIdParam,
  responseContentType: "application/pdf",
  errors: [404],
});

const pageParams = z.object({
  id: textbookId,
  page: z
    .string()
    .regex(/^\d{1,6}$/, "page must be a page number")
    .transform(Number)
    .meta({ type: "integer", minimum: 1 }),
});

const Box = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }).meta({
  id: "PageBox",
  description: "A box on the page as fractions (0..1) of its width and height, from the top-left corner",
});

export const PageViewResponse = z
  .object({
    document_id: z.uuid(),
    title: z.string(),
    page: z.number().int(),
    page_count: z.number().int(),
    width: z.number().meta({ description: "Page width in points (rotation applied)" }),
    height: z.number().meta({ description: "Page height in points (rotation applied)" }),
    text: z.string().meta({ description: "The page's text layer; empty for a scanned page" }),
    highlights: z.array(Box).meta({ description: "Where the passage q is on the page" }),
    text_highlights: z
      .array(z.object({ start: z.number().int(), end: z.number().int() }))
      .meta({ description: "Where the passage q is in text (UTF-16 offsets, end exclusive)" }),
  })
  .meta({ id: "TextbookPage" });

export function toPageViewResponse(v: PageView): z.input<typeof PageViewResponse> {
  return {
    document_id: v.documentId,
    title: v.title,
    page: v.page,
    page_count: v.pageCount,
    width: v.width,
    height: v.height,
    text: v.text,
    highlights: v.highlights,
    text_highlights: v.textHighlights,
  };
}

export const textbookPage = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/textbooks/{id}/pages/{page}",
  tag: "Curriculum",
  summary: "One page of a textbook: its text layer and where a cited passage is on it",
  description:
    "q: the passage to find (a citation's excerpt; case, accents, spaces and line breaks do not " +
    "matter). highlights are empty for a scanned page (no text layer) or when nothing matches. " +
    "404 for an unknown or not-ready textbook and a page outside 1..page_count.",
  auth: "none",
  params: pageParams,
  query: z.object({
    q: z.string().max(1000, "q must be at most 1000 characters").optional(),
  }),
  response: PageViewResponse,
  errors: [404],
});

export const textbookPageImage = defineEndpoint({
  method: "GET",
  path: "/api/curriculum/textbooks/{id}/pages/{page}/image",
  tag: "Curriculum",
  summary: "One page of a textbook rendered as a PNG",
  description:
    `width: in pixels, default ${PAGE_WIDTH.default}, brought within ${PAGE_WIDTH.min}..${PAGE_WIDTH.max}. ` +
    "Rendered once and kept; answered with an ETag and long-lived caching (304 to a matching " +
    "If-None-Match). 404 for an unknown or not-ready textbook and a page outside 1..page_count.",
  auth: "none",
  params: pageParams,
  query: z.object({
    width: z
      .string()
      .regex(/^\d{1,5}$/, "width must be a whole number of pixels")
      .transform(Number)
      .optional()
      .meta({ type: "integer", minimum: PAGE_WIDTH.min, maximum: PAGE_WIDTH.max }),
  }),
  responseContentType: "image/png",
  errors: [404],
});

export { type DocumentStatus, EDUCATION_LEVELS };
