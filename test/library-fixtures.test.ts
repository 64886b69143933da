import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ingestRoute from "@/app/api/admin/ingest/[reference_id]/route";
import * as jobRoute from "@/app/api/admin/jobs/[job_id]/route";
import * as dispatchRoute from "@/app/api/admin/jobs/dispatch/route";
import * as subjectsRoute from "@/app/api/curriculum/subjects/route";
import * as textbookRoute from "@/app/api/curriculum/textbooks/[id]/route";
import * as textbooksRoute from "@/app/api/curriculum/textbooks/route";
import * as referencesRoute from "@/app/api/scraping/[source]/references/route";
import * as runsRoute from "@/app/api/scraping/[source]/runs/route";
import * as syncRoute from "@/app/api/scraping/[source]/sync/route";
import { chunks } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { type CallResult, call } from "./helpers/http";
import {
  bytesRoute,
  FIXTURES_AVAILABLE,
  KOUTOUBI_FIXTURE_DIR,
  KOUTOUBI_ORIGIN,
  type KoutoubiSite,
  startKoutoubiSite,
} from "./helpers/koutoubi-site";

// The koutoubi-like fixture site of ../shared (14 books with their edge cases), crawled and
// ingested the way an admin does it, through the route handlers: sync, list the references,
// ingest one (the relative link, served by the site itself, with a real PDF), follow its job,
// then browse it as a student would. Skipped, saying so, where ../shared/fixtures is absent.
if (!FIXTURES_AVAILABLE) console.warn(`[library-fixtures] skipped: ${KOUTOUBI_FIXTURE_DIR} not found`);

interface ExpectedBook {
  source_page: string;
  title: string;
  pdf_url: string;
  edition: string | null;
  series: string | null;
  education_level: string;
  year: number;
  subject: string;
}

describe.skipIf(!FIXTURES_AVAILABLE)("the koutoubi fixture site, end to end", () => {
  useTempDataDir("library-fixtures");
  const { db } = useTestDb();
  let site: KoutoubiSite;
  const expected = () =>
    JSON.parse(readFileSync(path.join(KOUTOUBI_FIXTURE_DIR, "expected.json"), "utf8")) as {
      unique_pdfs: number;
      books: ExpectedBook[];
      pages_returning_404: string[];
    };
  const local = (url: string) => url.replace(KOUTOUBI_ORIGIN, site.baseUrl);

  beforeAll(async () => {
    const pdf = readFileSync(
      path.join(KOUTOUBI_FIXTURE_DIR, "../documents/fr_math_bac2023_metropole_sujet1.pdf"),
    );
    site = await startKoutoubiSite({ routes: { "/pdfs/secondaire2s/MA-7AS-D.pdf": bytesRoute(pdf) } });
    Object.assign(process.env, {
      KOUTOUBI_BASE_URL: site.baseUrl,
      KOUTOUBI_PDF_HOSTS: "127.0.0.1",
      SCRAPER_DELAY_MS: "0",
    });
    resetEnvCache();
  });
  afterAll(async () => {
    await site?.close();
    for (const k of ["KOUTOUBI_BASE_URL", "KOUTOUBI_PDF_HOSTS", "SCRAPER_DELAY_MS"]) delete process.env[k];
    resetEnvCache();
  });

  const ADMIN_KEY = { "x-admin-key": "test-admin-key-0123456789" };
  const source = { source: "koutoubi" };
  const sync = () =>
    call(syncRoute.POST, {
      path: "/api/scraping/koutoubi/sync",
      method: "POST",
      headers: ADMIN_KEY,
      params: source,
    });
  const references = () =>
    call(referencesRoute.GET, { path: "/api/scraping/koutoubi/references?limit=200", params: source });
  const getJob = (id: string) =>
    call(jobRoute.GET, { path: `/api/admin/jobs/${id}`, headers: ADMIN_KEY, params: { job_id: id } });

  /** Polls the job as the admin page does, until it is no longer queued or running. */
  async function jobWhenDone(id: string): Promise<CallResult> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const job = await getJob(id);
      if (!["queued", "running"].includes(job.body.status) || Date.now() > deadline) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("syncs through the API: the 14 books of expected.json with their metadata; a second sync finds none new", async () => {
    const want = expected();
    const first = await sync();
    expect(first.status).toBe(200);
    expect(first.body).toStrictEqual({
      run_id: expect.any(String),
      status: "success",
      found_count: want.unique_pdfs,
      new_count: want.unique_pdfs,
      queued_count: 0,
      error_count: want.pages_returning_404.length,
    });
    const runs = await call(runsRoute.GET, { path: "/api/scraping/koutoubi/runs", params: source });
    expect(runs.body.runs[0]).toMatchObject({ id: first.body.run_id, status: "success" });
    expect(runs.body.runs[0].errors).toStrictEqual(
      want.pages_returning_404.map((url) => ({
        url: local(url),
        status: "not_found",
        http_status: 404,
        error: expect.any(String),
        ms: expect.any(Number),
      })),
    );

    const listed = await references();
    expect(listed.body.total).toBe(want.unique_pdfs);
    const fields = (b: ExpectedBook) => ({
      source_page: local(b.source_page),
      title: b.title,
      pdf_url: local(b.pdf_url),
      edition: b.edition,
      series: b.series,
      education_level: b.education_level,
      year: b.year,
      subject: b.subject,
    });
    const byPdf = (a: { pdf_url: string }, b: { pdf_url: string }) => a.pdf_url.localeCompare(b.pdf_url);
    expect(listed.body.references.map(fields).sort(byPdf)).toStrictEqual(want.books.map(fields).sort(byPdf));
    for (const r of listed.body.references)
      expect(r).toMatchObject({ status: "discovered", document_id: null });
    expect(
      listed.body.references
        .filter((r: { language: string }) => r.language === "ar")
        .map((r: { title: string }) => r.title),
    ).toContain("الرياضيات – السنة السابعة – شعبة التقني الرياضي");

    const second = await sync();
    expect(second.body).toMatchObject({ status: "success", found_count: want.unique_pdfs, new_count: 0 });
    expect((await references()).body.total).toBe(want.unique_pdfs);
  });

  it("ingests the relative-link book through the admin API, then students find it with its pages", async () => {
    const ref = (await references()).body.references.find(
      (r: { pdf_url: string }) => r.pdf_url === `${site.baseUrl}/pdfs/secondaire2s/MA-7AS-D.pdf`,
    );
    expect(ref).toBeDefined();

    // Queued; the route starts the in-process runner, which the admin follows on the job.
    const queued = await call(ingestRoute.POST, {
      path: `/api/admin/ingest/${ref.id}`,
      method: "POST",
      headers: ADMIN_KEY,
      params: { reference_id: ref.id },
    });
    expect(queued.body).toStrictEqual({ status: "queued", job_id: expect.any(String), reference_id: ref.id });
    const job = await jobWhenDone(queued.body.job_id);
    expect(job.body).toMatchObject({
      id: queued.body.job_id,
      kind: "reference",
      status: "succeeded",
      reference_id: ref.id,
      title: "Mathématiques 7ème année – Série D",
      stage: "done",
      progress: { done: 4, total: 4, percent: 100 },
      error_message: null,
      document_id: expect.any(String),
      started_at: expect.any(String),
      finished_at: expect.any(String),
    });
    expect(job.body.timings).toStrictEqual({
      download: expect.any(Number),
      extract: expect.any(Number),
      ocr: expect.any(Number),
      chunk: expect.any(Number),
      embed: expect.any(Number),
      store: expect.any(Number),
    });
    // Nothing is left for a dispatch.
    const dispatch = await call(dispatchRoute.POST, {
      path: "/api/admin/jobs/dispatch",
      method: "POST",
      headers: ADMIN_KEY,
    });
    expect(dispatch.body).toMatchObject({ status: "idle", job_id: null });
    const refAfter = (await references()).body.references.find((r: { id: string }) => r.id === ref.id);
    expect(refAfter).toMatchObject({ status: "ready", document_id: job.body.document_id });

    // Students: the subject, the textbook under its level with its page range, the textbook itself.
    const subjects = await call(subjectsRoute.GET, { path: "/api/curriculum/subjects" });
    expect(subjects.body).toStrictEqual({ subjects: ["Mathematiques"], total: 1 });
    const book = {
      id: job.body.document_id,
      title: "Mathématiques 7ème année – Série D",
      education_level: "secondaire2",
      grade: "7AS",
      subject: "Mathematiques",
      language: "fr",
      series: "D",
      edition: "2025",
      page_count: 4,
      page_start: 1,
      page_end: 4,
      file_url: `/api/curriculum/textbooks/${job.body.document_id}/file`,
      source_url: `${site.baseUrl}/pdfs/secondaire2s/MA-7AS-D.pdf`,
    };
    for (const query of ["", "?grade=7AS&subject=mathematiques&language=fr"]) {
      const list = await call(textbooksRoute.GET, { path: `/api/curriculum/textbooks${query}` });
      expect(list.body.total, query).toBe(1);
      expect(list.body.levels).toStrictEqual([
        { education_level: "secondaire2", textbooks: [expect.objectContaining(book)] },
      ]);
    }
    const one = await call(textbookRoute.GET, {
      path: `/api/curriculum/textbooks/${book.id}`,
      params: { id: book.id },
    });
    expect(one.body).toMatchObject(book);

    // Its chunks carry the pages they come from, covering the book.
    const passages = await db().select().from(chunks).where(eq(chunks.documentId, book.id));
    expect(one.body.chunk_count).toBe(passages.length);
    expect(passages.length).toBeGreaterThan(1);
    for (const c of passages) {
      expect(c.pageStart).toBeGreaterThanOrEqual(1);
      expect(c.pageEnd).toBeGreaterThanOrEqual(c.pageStart);
      expect(c.pageEnd).toBeLessThanOrEqual(4);
    }
    expect(Math.min(...passages.map((c) => c.pageStart))).toBe(1);
    expect(Math.max(...passages.map((c) => c.pageEnd))).toBe(4);
    expect(passages.some((c) => /exponentielle|fonction/i.test(c.content))).toBe(true);
  });
});
