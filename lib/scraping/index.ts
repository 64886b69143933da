import { and, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { curriculumReferences, type ScrapePageError, scrapeRuns } from "@/db/schema";
import { env } from "@/lib/config/env";
import { queueReferenceIngestion } from "@/lib/curriculum/references";
import { ApiError, conflict, notFound } from "@/lib/http/errors";
import { type CrawlResult, crawlKoutoubi, ScrapeError } from "./koutoubi";

export type ScrapeRun = typeof scrapeRuns.$inferSelect;

/** The portals a scraper exists for. */
export const SOURCES = ["koutoubi"] as const;
export type Source = (typeof SOURCES)[number];

/** A run whose heartbeat is older than this belonged to a process that died: it is closed. */
const ABANDONED_AFTER_SECONDS = 600;

export function assertSource(source: string): asserts source is Source {
  if (!(SOURCES as readonly string[]).includes(source)) throw notFound(`Unknown source "${source}"`);
}

async function closeAbandonedRuns(db: DbOrTx, source: string): Promise<void> {
  await db
    .update(scrapeRuns)
    .set({
      status: "failed",
      errorMessage: "The run stopped responding (the server restarted?)",
      finishedAt: sql`now()`,
    })
    .where(
      and(
        eq(scrapeRuns.source, source),
        eq(scrapeRuns.status, "running"),
        sql`${scrapeRuns.heartbeatAt} < now() - make_interval(secs => ${ABANDONED_AFTER_SECONDS})`,
      ),
    );
}

async function startRun(db: DbOrTx, source: string, triggeredBy: string | null): Promise<ScrapeRun> {
  await closeAbandonedRuns(db, source);
  try {
    const [run] = await db.insert(scrapeRuns).values({ source, triggeredBy }).returning();
    if (!run) throw new Error("scrape run insert returned no row");
    return run;
  } catch (err) {
    // One running run per source (partial unique index): the loser of a race gets the 409 too.
    if (isUniqueViolation(err)) throw conflict(`A ${source} sync is already running`);
    throw err;
  }
}

/** Upserts what a crawl found: new references are inserted, known ones get `last_seen_at` = now. */
async function storeReferences(
  db: DbOrTx,
  source: string,
  runId: string,
  crawl: CrawlResult,
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const newIds: string[] = [];
    for (const r of crawl.references) {
      const [row] = await tx
        .insert(curriculumReferences)
        .values({
          source,
          title: r.title,
          pdfUrl: r.pdfUrl,
          sourcePage: r.sourcePage,
          educationLevel: r.educationLevel,
          year: r.year,
          subject: r.subject,
          series: r.series,
          edition: r.edition,
          language: r.language,
          lastRunId: runId,
        })
        .onConflictDoUpdate({
          target: curriculumReferences.pdfUrl,
          set: { lastSeenAt: sql`now()`, lastRunId: runId, updatedAt: sql`now()` },
        })
        .returning({ id: curriculumReferences.id, inserted: sql<boolean>`(xmax = 0)` });
      if (row?.inserted) newIds.push(row.id);
    }
    return newIds;
  });
}

function pageErrors(crawl: CrawlResult): ScrapePageError[] {
  return crawl.pages.flatMap((p) =>
    p.status === "not_found" || p.status === "error"
      ? [{ url: p.url, status: p.status, http_status: p.httpStatus, error: p.error, ms: p.ms }]
      : [],
  );
}

/**
 * Crawls a portal and records the run: counts, per-page errors (a 404 page is recorded and
 * skipped), timings. At most one run per source at a time (409 otherwise). With `ingest`, the
 * references found for the first time are queued for ingestion. A portal whose sitemap cannot
 * be read fails the run (502, with its id).
 */
export async function syncSource(
  db: DbOrTx,
  {
    source,
    ingest = false,
    triggeredBy = null,
  }: { source: string; ingest?: boolean; triggeredBy?: string | null },
): Promise<{ run: ScrapeRun; queued: number }> {
  assertSource(source);
  const run = await startRun(db, source, triggeredBy);
  const started = performance.now();
  const e = env();
  let crawl: CrawlResult;
  try {
    crawl = await crawlKoutoubi({
      baseUrl: e.KOUTOUBI_BASE_URL,
      concurrency: e.SCRAPER_CONCURRENCY,
      delayMs: e.SCRAPER_DELAY_MS,
      timeoutMs: e.SCRAPER_TIMEOUT_SECONDS * 1000,
      retries: e.SCRAPER_RETRIES,
      onProgress: async (p) => {
        await db
          .update(scrapeRuns)
          .set({ pagesDone: p.done, pagesTotal: p.total, foundCount: p.found, heartbeatAt: sql`now()` })
          .where(eq(scrapeRuns.id, run.id));
      },
    });
  } catch (err) {
    const message =
      err instanceof ScrapeError ? err.message : `The crawl stopped unexpectedly: ${(err as Error).message}`;
    if (!(err instanceof ScrapeError)) console.error(`[scraping] ${source} run ${run.id} failed:`, err);
    await db
      .update(scrapeRuns)
      .set({
        status: "failed",
        errorMessage: message,
        finishedAt: sql`now()`,
        timings: { total: Math.round(performance.now() - started) },
      })
      .where(eq(scrapeRuns.id, run.id));
    throw new ApiError("BAD_GATEWAY", message, { extra: { run_id: run.id } });
  }
  try {
    return await finishRun(db, { source, run, crawl, started, ingest });
  } catch (err) {
    // Whatever failed after the crawl, the run must not stay "running" (it would block syncs).
    await db
      .update(scrapeRuns)
      .set({ status: "failed", errorMessage: "Storing the references failed", finishedAt: sql`now()` })
      .where(and(eq(scrapeRuns.id, run.id), eq(scrapeRuns.status, "running")))
      .catch(() => undefined);
    throw err;
  }
}

async function finishRun(
  db: DbOrTx,
  {
    source,
    run,
    crawl,
    started,
    ingest,
  }: { source: string; run: ScrapeRun; crawl: CrawlResult; started: number; ingest: boolean },
): Promise<{ run: ScrapeRun; queued: number }> {
  const crawled = performance.now();
  const newIds = await storeReferences(db, source, run.id, crawl);
  const stored = performance.now();
  const errors = pageErrors(crawl);
  const fetched = crawl.pages.filter((p) => p.status !== "skipped").length;
  const [finished] = await db
    .update(scrapeRuns)
    .set({
      status: errors.some((x) => x.status === "error") ? "partial" : "success",
      foundCount: crawl.references.length,
      newCount: newIds.length,
      // Pages fetched (the sitemap's other entries are skipped without a request), as in progress.
      pagesTotal: fetched,
      pagesDone: fetched,
      errors,
      timings: {
        ...crawl.timings,
        store: Math.round(stored - crawled),
        total: Math.round(stored - started),
      },
      finishedAt: sql`now()`,
      heartbeatAt: sql`now()`,
    })
    .where(eq(scrapeRuns.id, run.id))
    .returning();
  if (!finished) throw new Error("scrape run vanished");

  let queued = 0;
  if (ingest) {
    for (const referenceId of newIds) {
      await queueReferenceIngestion(db, { referenceId, force: false });
      queued += 1;
    }
  }
  return { run: finished, queued };
}

export async function listRuns(
  db: DbOrTx,
  { source, limit, offset }: { source?: string; limit: number; offset: number },
): Promise<{ runs: ScrapeRun[]; total: number }> {
  const where: SQL | undefined = source ? eq(scrapeRuns.source, source) : undefined;
  const [runs, [totalRow]] = await Promise.all([
    db
      .select()
      .from(scrapeRuns)
      .where(where)
      .orderBy(desc(scrapeRuns.startedAt), desc(scrapeRuns.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(scrapeRuns).where(where),
  ]);
  return { runs, total: Number(totalRow?.n ?? 0) };
}
