import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as documentsRoute from "@/app/api/admin/documents/[document_id]/route";
import * as documentListRoute from "@/app/api/admin/documents/route";
import * as ingestRoute from "@/app/api/admin/ingest/[reference_id]/route";
import * as dispatchRoute from "@/app/api/admin/jobs/[job_id]/requeue/route";
import * as jobRoute from "@/app/api/admin/jobs/[job_id]/route";
import * as dispatchNowRoute from "@/app/api/admin/jobs/dispatch/route";
import * as jobsRoute from "@/app/api/admin/jobs/route";
import * as adminReferencesRoute from "@/app/api/admin/references/route";
import * as adminRunsRoute from "@/app/api/admin/scrape-runs/route";
import * as statsRoute from "@/app/api/admin/stats/route";
import * as uploadRoute from "@/app/api/admin/upload-curriculum/route";
import * as vectorRoute from "@/app/api/admin/vector-embedding/route";
import * as subjectsRoute from "@/app/api/curriculum/subjects/route";
import * as textbookFileRoute from "@/app/api/curriculum/textbooks/[id]/file/route";
import * as textbookRoute from "@/app/api/curriculum/textbooks/[id]/route";
import * as textbooksRoute from "@/app/api/curriculum/textbooks/route";
import * as referencesRoute from "@/app/api/scraping/[source]/references/route";
import * as runsRoute from "@/app/api/scraping/[source]/runs/route";
import * as syncRoute from "@/app/api/scraping/[source]/sync/route";
import * as sourcesRoute from "@/app/api/scraping/sources/route";
import { chunks, curriculumReferences, documents } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import { deleteDocument } from "@/lib/curriculum/documents";
import { queueReferenceIngestion } from "@/lib/curriculum/references";
import { claimNextJob, type IngestionJob } from "@/lib/ingest/jobs";
import { runJob } from "@/lib/ingest/runner";
import { textPdf, truncatedPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { type CallResult, call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";
import { bytesRoute, type KoutoubiSite, startKoutoubiSite } from "./helpers/koutoubi-site";
import { createSignedInUser } from "./helpers/users";

// A small portal generated here (the real fixture site has its own suite): one textbook page
// with three PDFs served by the same local server, and a sitemap entry that answers 404.
useTempDataDir("library");
const { db } = useTestDb();

const ADMIN_KEY = { "x-admin-key": "test-admin-key-0123456789" };
let site: KoutoubiSite;
let siteRoot: string;
const ENV = {
  KOUTOUBI_PDF_HOSTS: "127.0.0.1",
  SCRAPER_DELAY_MS: "0",
  SCRAPER_RETRIES: "0",
  INGEST_MAX_ATTEMPTS: "1",
};

const PAGE = `<!doctype html><html lang="fr"><body><table>
<tr><th>Titre</th><th>Série</th><th>Édition</th><th>PDF</th></tr>
<tr><td>Physique 7ème année – Série C</td><td>C</td><td>2024</td><td><a href="/pdfs/PHY-C.pdf">Télécharger</a></td></tr>
<tr><td>Chimie 7ème année</td><td>C / D</td><td>2019</td><td><a href="/pdfs/CHI.pdf">Télécharger</a></td></tr>
<tr><td><a href="/pdfs/MA-TM.pdf">الرياضيات – شعبة التقني الرياضي</a></td><td>TM</td><td>2019</td><td></td></tr>
<tr><td>Bientôt</td><td>A</td><td>—</td><td>Bientôt disponible</td></tr>
</table></body></html>`;

const PHYSICS = [
  ["La radioactivité est une transformation spontanée d'un noyau instable."],
  ["La demi-vie est la durée au bout de laquelle la moitié des noyaux s'est désintégrée."],
  ["L'activité d'un échantillon diminue exponentiellement avec le temps."],
];

beforeAll(async () => {
  siteRoot = await mkdtemp(path.join(tmpdir(), "bacmr-portal-"));
  await mkdir(path.join(siteRoot, "secondaire2/7eme/Physique"), { recursive: true });
  await writeFile(path.join(siteRoot, "secondaire2/7eme/Physique/index.html"), PAGE);
  await writeFile(
    path.join(siteRoot, "sitemap.xml"),
    `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.koutoubi.mr/</loc></url>
<url><loc>https://www.koutoubi.mr/secondaire2/7eme/Physique/</loc></url>
<url><loc>https://www.koutoubi.mr/secondaire2/7eme/Histoire/</loc></url>
</urlset>`,
  );
  site = await startKoutoubiSite({
    root: siteRoot,
    routes: {
      "/pdfs/PHY-C.pdf": bytesRoute(await textPdf(PHYSICS)),
      "/pdfs/CHI.pdf": bytesRoute(await truncatedPdf()),
      "/pdfs/MA-TM.pdf": bytesRoute(
        await textPdf([["Fonctions exponentielles et logarithmes."], ["Suites numériques et récurrence."]]),
      ),
    },
  });
  Object.assign(process.env, ENV, { KOUTOUBI_BASE_URL: site.baseUrl });
  resetEnvCache();
});

afterAll(async () => {
  await site?.close();
  for (const k of [...Object.keys(ENV), "KOUTOUBI_BASE_URL"]) delete process.env[k];
  resetEnvCache();
  await rm(siteRoot, { recursive: true, force: true });
});

const sync = (query = "") =>
  call(syncRoute.POST, {
    path: `/api/scraping/koutoubi/sync${query}`,
    method: "POST",
    headers: ADMIN_KEY,
    params: { source: "koutoubi" },
  });

async function references(status?: string): Promise<CallResult> {
  const q = status ? `?status=${status}` : "";
  return call(referencesRoute.GET, {
    path: `/api/scraping/koutoubi/references${q}`,
    params: { source: "koutoubi" },
  });
}

async function referenceId(pdfName: string): Promise<string> {
  const list = await references();
  const ref = list.body.references.find(
    (r: { pdf_url: string }) => r.pdf_url === `${site.baseUrl}/pdfs/${pdfName}`,
  );
  if (!ref) throw new Error(`no reference for ${pdfName}`);
  return ref.id;
}

const ingest = (id: string, force?: boolean) =>
  call(ingestRoute.POST, {
    path: `/api/admin/ingest/${id}${force === undefined ? "" : `?force=${force}`}`,
    method: "POST",
    headers: ADMIN_KEY,
    params: { reference_id: id },
  });

const getJob = (id: string) =>
  call(jobRoute.GET, { path: `/api/admin/jobs/${id}`, headers: ADMIN_KEY, params: { job_id: id } });

const requeue = (id: string) =>
  call(dispatchRoute.POST, {
    path: `/api/admin/jobs/${id}/requeue`,
    method: "POST",
    headers: ADMIN_KEY,
    params: { job_id: id },
  });

/**
 * A list answers `limit` items from `offset`, in the order of the whole list, and says so: the
 * page is exactly the whole list's slice, with the same total.
 */
async function expectPaged(list: (query: string) => Promise<CallResult>, key: string): Promise<void> {
  const whole = await list("?limit=200");
  expect(whole.status).toBe(200);
  const items = whole.body[key];
  expect(whole.body).toMatchObject({ total: items.length, limit: 200, offset: 0 });
  expect(items.length).toBeGreaterThanOrEqual(3);
  const page = await list("?limit=2&offset=1");
  expect(page.body).toStrictEqual({ [key]: items.slice(1, 3), total: items.length, limit: 2, offset: 1 });
  const past = await list(`?limit=2&offset=${items.length}`);
  expect(past.body).toStrictEqual({ [key]: [], total: items.length, limit: 2, offset: items.length });
  for (const bad of ["?limit=0", "?limit=201", "?offset=-1", "?limit=two"]) {
    const res = await list(bad);
    expect(res.status, bad).toBe(400);
    expect(res.body.code).toBe("VALIDATION_ERROR");
  }
}

async function documentOf(referenceIdValue: string) {
  const [doc] = await db().select().from(documents).where(eq(documents.referenceId, referenceIdValue));
  return doc;
}

describe("scraping", () => {
  it("lists its sources; an unknown source is 404", async () => {
    expect((await call(sourcesRoute.GET, { path: "/api/scraping/sources" })).body).toStrictEqual({
      sources: ["koutoubi"],
    });
    const res = await call(runsRoute.GET, { path: "/api/scraping/nope/runs", params: { source: "nope" } });
    expect(res.status).toBe(404);
    expect(res.body).toStrictEqual({ detail: 'Unknown source "nope"', code: "NOT_FOUND" });
    const syncUnknown = await call(syncRoute.POST, {
      path: "/api/scraping/nope/sync",
      method: "POST",
      headers: ADMIN_KEY,
      params: { source: "nope" },
    });
    expect(syncUnknown.status).toBe(404);
  });

  it("syncs: references with their metadata, the 404 page recorded, a second sync finds nothing new", async () => {
    const first = await sync();
    expect(first.status).toBe(200);
    expect(first.body).toStrictEqual({
      run_id: expect.any(String),
      status: "success",
      found_count: 3,
      new_count: 3,
      queued_count: 0,
      error_count: 1,
    });
    const list = await references();
    expect(list.body.total).toBe(3);
    const physics = list.body.references.find((r: { pdf_url: string }) => r.pdf_url.endsWith("PHY-C.pdf"));
    expect(physics).toMatchObject({
      source: "koutoubi",
      title: "Physique 7ème année – Série C",
      pdf_url: `${site.baseUrl}/pdfs/PHY-C.pdf`,
      source_page: `${site.baseUrl}/secondaire2/7eme/Physique/`,
      education_level: "secondaire2",
      year: 7,
      subject: "Physique",
      series: "C",
      edition: "2024",
      language: "fr",
      status: "discovered",
      document_id: null,
    });
    const arabic = list.body.references.find((r: { pdf_url: string }) => r.pdf_url.endsWith("MA-TM.pdf"));
    expect(arabic).toMatchObject({ title: "الرياضيات – شعبة التقني الرياضي", language: "ar", series: "TM" });

    const runs = await call(runsRoute.GET, {
      path: "/api/scraping/koutoubi/runs",
      params: { source: "koutoubi" },
    });
    const run = runs.body.runs[0];
    expect(run).toMatchObject({ id: first.body.run_id, status: "success", found_count: 3, new_count: 3 });
    expect(run.errors).toStrictEqual([
      {
        url: `${site.baseUrl}/secondaire2/7eme/Histoire/`,
        status: "not_found",
        http_status: 404,
        error: expect.any(String),
        ms: expect.any(Number),
      },
    ]);
    expect(run.finished_at).not.toBeNull();
    expect(run.timings).toStrictEqual({
      sitemap: expect.any(Number),
      pages: expect.any(Number),
      store: expect.any(Number),
      total: expect.any(Number),
    });
    expect(run.timings.total).toBeGreaterThanOrEqual(run.timings.sitemap + run.timings.pages);

    const before = physics.last_seen_at;
    const second = await sync();
    expect(second.body).toMatchObject({ status: "success", found_count: 3, new_count: 0 });
    const again = (await references()).body.references.find((r: { id: string }) => r.id === physics.id);
    expect(new Date(again.last_seen_at).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(again.first_seen_at).toBe(physics.first_seen_at);
    expect((await references()).body.total).toBe(3);
    // Every request of the crawl said who it was.
    expect(site.requests.every((r) => r.userAgent?.startsWith("BacMR"))).toBe(true);
  });

  it("refuses a second sync while one runs (409), and records a portal that is down as a failed run (502)", async () => {
    site.setFault("/secondaire2/7eme/Physique/", { delayMs: 400 });
    const [a, b] = await Promise.all([sync(), sync()]);
    site.setFault("/secondaire2/7eme/Physique/", null);
    expect([a.status, b.status].sort()).toStrictEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body).toStrictEqual({ detail: "A koutoubi sync is already running", code: "CONFLICT" });

    site.setFault("/sitemap.xml", { status: 503 });
    const down = await sync();
    site.setFault("/sitemap.xml", null);
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({ code: "BAD_GATEWAY", run_id: expect.any(String) });
    expect(down.body.detail).toMatch(/sitemap/i);
    const runs = await call(adminRunsRoute.GET, { path: "/api/admin/scrape-runs", headers: ADMIN_KEY });
    expect(runs.body.runs[0]).toMatchObject({ id: down.body.run_id, status: "failed" });
    // The failed run does not block the next one.
    expect((await sync()).status).toBe(200);
  });

  it("a portal answering 500 on one page and hanging on another: the run records both and ends partial", async () => {
    // A second textbook page, listed by the sitemap for this test only, that never answers in time.
    const sitemap = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.koutoubi.mr/secondaire2/7eme/Physique/</loc></url>
<url><loc>https://www.koutoubi.mr/secondaire2/7eme/Chimie/</loc></url>
<url><loc>https://www.koutoubi.mr/secondaire2/7eme/Histoire/</loc></url>
</urlset>`;
    site.routes.set("/sitemap.xml", bytesRoute(sitemap, "application/xml"));
    site.routes.set("/secondaire2/7eme/Chimie/", bytesRoute(PAGE, "text/html; charset=utf-8"));
    site.setFault("/secondaire2/7eme/Physique/", { status: 500 });
    site.setFault("/secondaire2/7eme/Chimie/", { delayMs: 5_000 });
    process.env.SCRAPER_TIMEOUT_SECONDS = "1";
    resetEnvCache();
    const started = Date.now();
    let res: CallResult;
    try {
      res = await sync();
    } finally {
      site.routes.delete("/sitemap.xml");
      site.routes.delete("/secondaire2/7eme/Chimie/");
      site.setFault("/secondaire2/7eme/Physique/", null);
      site.setFault("/secondaire2/7eme/Chimie/", null);
      delete process.env.SCRAPER_TIMEOUT_SECONDS;
      resetEnvCache();
    }
    // Bounded by the page timeout (no retries here), not by the portal.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "partial", found_count: 0, new_count: 0, error_count: 3 });

    const runs = await call(runsRoute.GET, {
      path: "/api/scraping/koutoubi/runs",
      params: { source: "koutoubi" },
    });
    const run = runs.body.runs[0];
    expect(run).toMatchObject({ id: res.body.run_id, status: "partial", pages_done: 3, pages_total: 3 });
    expect(run.finished_at).not.toBeNull();
    expect(run.errors).toStrictEqual([
      {
        url: `${site.baseUrl}/secondaire2/7eme/Physique/`,
        status: "error",
        http_status: 500,
        error: "HTTP 500",
        ms: expect.any(Number),
      },
      {
        url: `${site.baseUrl}/secondaire2/7eme/Chimie/`,
        status: "error",
        http_status: null,
        error: "timed out after 1 s",
        ms: expect.any(Number),
      },
      {
        url: `${site.baseUrl}/secondaire2/7eme/Histoire/`,
        status: "not_found",
        http_status: 404,
        error: expect.any(String),
        ms: expect.any(Number),
      },
    ]);
    // Each page's time is kept: the hanging one waited for its whole timeout.
    expect(run.errors[1].ms).toBeGreaterThanOrEqual(990);
    expect(run.errors[0].ms).toBeLessThan(990);
    // Known references are kept (not seen this time), and the next sync is not blocked.
    expect((await references()).body.total).toBe(3);
    const next = await sync();
    expect(next.body).toMatchObject({ status: "success", found_count: 3, new_count: 0 });
  });

  it("pages the run lists like the other lists (limit, offset, total)", async () => {
    await expectPaged(
      (q) => call(runsRoute.GET, { path: `/api/scraping/koutoubi/runs${q}`, params: { source: "koutoubi" } }),
      "runs",
    );
    await expectPaged(
      (q) => call(adminRunsRoute.GET, { path: `/api/admin/scrape-runs${q}`, headers: ADMIN_KEY }),
      "runs",
    );
    // Newest first, and the default page.
    const runs = await call(runsRoute.GET, {
      path: "/api/scraping/koutoubi/runs",
      params: { source: "koutoubi" },
    });
    expect(runs.body).toMatchObject({ limit: 50, offset: 0 });
    const started = runs.body.runs.map((r: { started_at: string }) => r.started_at);
    expect(started).toStrictEqual([...started].sort().reverse());
  });

  it("validates filters", async () => {
    const bad = await call(referencesRoute.GET, {
      path: "/api/scraping/koutoubi/references?status=nope",
      params: { source: "koutoubi" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/status must be one of/);
    const page = await call(referencesRoute.GET, {
      path: "/api/scraping/koutoubi/references?limit=1&offset=1",
      params: { source: "koutoubi" },
    });
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.body.references).toHaveLength(1);
    const unknown = await call(referencesRoute.GET, {
      path: "/api/scraping/nope/references",
      params: { source: "nope" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toStrictEqual({ detail: 'Unknown source "nope"', code: "NOT_FOUND" });
  });
});

describe("admin ingestion of references", () => {
  it("refuses students (403) and anonymous callers (401)", async () => {
    const student = await createSignedInUser(db());
    const id = await referenceId("PHY-C.pdf");
    const cases: [
      string,
      (opts: Parameters<typeof call>[1]) => Promise<CallResult>,
      Record<string, string>,
    ][] = [
      ["/api/admin/stats", (o) => call(statsRoute.GET, o), {}],
      ["/api/admin/references", (o) => call(adminReferencesRoute.GET, o), {}],
      ["/api/admin/scrape-runs", (o) => call(adminRunsRoute.GET, o), {}],
      ["/api/admin/jobs", (o) => call(jobsRoute.GET, o), {}],
      ["/api/admin/documents", (o) => call(documentListRoute.GET, o), {}],
      [
        "/api/scraping/koutoubi/sync",
        (o) => call(syncRoute.POST, { ...o, method: "POST" }),
        { source: "koutoubi" },
      ],
      [
        `/api/admin/ingest/${id}`,
        (o) => call(ingestRoute.POST, { ...o, method: "POST" }),
        { reference_id: id },
      ],
      ["/api/admin/jobs/dispatch", (o) => call(dispatchNowRoute.POST, { ...o, method: "POST" }), {}],
    ];
    for (const [p, run, params] of cases) {
      expect((await run({ path: p, params })).status, p).toBe(401);
      const res = await run({ path: p, params, token: student.accessToken });
      expect(res.status, p).toBe(403);
      expect(res.body.code).toBe("FORBIDDEN");
    }
  });

  it("ingests a reference: job succeeded with timings, textbook listed with its pages, chunks carry pages", async () => {
    const id = await referenceId("PHY-C.pdf");
    const queued = await ingest(id);
    expect(queued.status).toBe(200);
    expect(queued.body).toStrictEqual({ status: "queued", job_id: expect.any(String), reference_id: id });
    await settleIngestion();

    const job = await getJob(queued.body.job_id);
    expect(job.body).toMatchObject({
      status: "succeeded",
      kind: "reference",
      reference_id: id,
      title: "Physique 7ème année – Série C",
      progress: { done: 3, total: 3, percent: 100 },
      error_message: null,
    });
    expect(Object.keys(job.body.timings).sort()).toStrictEqual(
      ["chunk", "download", "embed", "extract", "ocr", "store"].sort(),
    );
    const doc = await documentOf(id);
    expect(doc).toMatchObject({
      status: "ready",
      grade: "7AS",
      subject: "Physique",
      pageCount: 3,
      language: "fr",
    });
    expect(job.body.document_id).toBe(doc?.id);
    expect((await references("ready")).body.references.map((r: { id: string }) => r.id)).toContain(id);

    const rows = await db()
      .select()
      .from(chunks)
      .where(eq(chunks.documentId, doc?.id ?? ""));
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.min(...rows.map((r) => r.pageStart))).toBe(1);
    expect(Math.max(...rows.map((r) => r.pageEnd))).toBe(3);

    const subjects = await call(subjectsRoute.GET, { path: "/api/curriculum/subjects" });
    expect(subjects.body).toStrictEqual({ subjects: ["Physique"], total: 1 });
    const list = await call(textbooksRoute.GET, {
      path: "/api/curriculum/textbooks?grade=7as&subject=physique",
    });
    expect(list.body.total).toBe(1);
    expect(list.body.levels).toHaveLength(1);
    expect(list.body.levels[0].education_level).toBe("secondaire2");
    expect(list.body.levels[0].textbooks[0]).toMatchObject({
      id: doc?.id,
      title: "Physique 7ème année – Série C",
      grade: "7AS",
      subject: "Physique",
      series: "C",
      edition: "2024",
      page_start: 1,
      page_end: 3,
      page_count: 3,
      file_url: `/api/curriculum/textbooks/${doc?.id}/file`,
    });
    expect(
      (await call(textbooksRoute.GET, { path: "/api/curriculum/textbooks?language=ar" })).body,
    ).toStrictEqual({ levels: [], total: 0 });
    // Empty filters (a form's "any") filter nothing, language included.
    const unfiltered = await call(textbooksRoute.GET, { path: "/api/curriculum/textbooks" });
    expect(unfiltered.body.total).toBe(1);
    const empty = await call(textbooksRoute.GET, {
      path: "/api/curriculum/textbooks?grade=&subject=&language=",
    });
    expect(empty.status).toBe(200);
    expect(empty.body).toStrictEqual(unfiltered.body);
    const bad = await call(textbooksRoute.GET, { path: "/api/curriculum/textbooks?grade=12" });
    expect(bad.status).toBe(400);

    const one = await call(textbookRoute.GET, {
      path: `/api/curriculum/textbooks/${doc?.id}`,
      params: { id: doc?.id ?? "" },
    });
    expect(one.body).toMatchObject({ id: doc?.id, page_start: 1, page_end: 3, chunk_count: rows.length });
    const file = await textbookFileRoute.GET(
      new Request(`http://localhost/api/curriculum/textbooks/${doc?.id}/file`),
      {
        params: Promise.resolve({ id: doc?.id ?? "" }),
      },
    );
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(file.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(new TextDecoder().decode((await file.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
    // An unknown id and one that is no id at all answer the same 404, the book and its file.
    for (const id of ["00000000-0000-4000-8000-000000000000", "abc", `${doc?.id}x`]) {
      for (const [handler, suffix] of [
        [textbookRoute.GET, ""],
        [textbookFileRoute.GET, "/file"],
      ] as const) {
        const unknown = await call(handler, {
          path: `/api/curriculum/textbooks/${id}${suffix}`,
          params: { id },
        });
        expect(unknown.status, `${id}${suffix}`).toBe(404);
        expect(unknown.body).toStrictEqual({ detail: "Textbook not found", code: "NOT_FOUND" });
      }
    }
  });

  it("re-ingests only with force, leaving exactly one set of chunks", async () => {
    const id = await referenceId("PHY-C.pdf");
    const refused = await ingest(id, false);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/already ingested.*force=true/);
    const doc = await documentOf(id);
    const before = await db()
      .select({ id: chunks.id })
      .from(chunks)
      .where(eq(chunks.documentId, doc?.id ?? ""));

    const forced = await ingest(id, true);
    expect(forced.status).toBe(200);
    await settleIngestion();
    expect((await getJob(forced.body.job_id)).body.status).toBe("succeeded");
    const after = await db()
      .select({ id: chunks.id })
      .from(chunks)
      .where(eq(chunks.documentId, doc?.id ?? ""));
    expect(after).toHaveLength(before.length);
    expect(after.some((c) => before.some((b) => b.id === c.id))).toBe(false);
    expect((await documentOf(id))?.id).toBe(doc?.id);
    const all = await db()
      .select({ n: chunks.id })
      .from(chunks)
      .innerJoin(documents, eq(documents.id, chunks.documentId));
    expect(all).toHaveLength(before.length);
  });

  it("a corrupt PDF fails the job with a reason; requeue after the fix completes it", async () => {
    const id = await referenceId("CHI.pdf");
    const queued = await ingest(id);
    await settleIngestion();
    const failed = await getJob(queued.body.job_id);
    expect(failed.body.status).toBe("failed");
    expect(failed.body.error_message).toBe("This file is damaged or is not a valid PDF/image");
    // The stages it went through keep their times: downloaded, kept in storage, read in vain.
    expect(failed.body.timings).toStrictEqual({
      download: expect.any(Number),
      store: expect.any(Number),
      extract: expect.any(Number),
    });
    const ref = (await references("failed")).body.references.find((r: { id: string }) => r.id === id);
    expect(ref.error_message).toBe("This file is damaged or is not a valid PDF/image");

    site.routes.set(
      "/pdfs/CHI.pdf",
      bytesRoute(await textPdf([["La chimie organique étudie les composés du carbone."]])),
    );
    const requeued = await requeue(queued.body.job_id);
    expect(requeued.status).toBe(200);
    expect(requeued.body).toMatchObject({ status: "queued", attempts: 0, error_message: null, timings: {} });
    await settleIngestion();
    expect((await getJob(queued.body.job_id)).body.status).toBe("succeeded");
    expect((await documentOf(id))?.status).toBe("ready");
  });

  it("a failing download fails the job; requeue after the portal recovers completes it", async () => {
    const id = await referenceId("MA-TM.pdf");
    site.setFault("/pdfs/MA-TM.pdf", { status: 500 });
    const queued = await ingest(id);
    await settleIngestion();
    const failed = await getJob(queued.body.job_id);
    expect(failed.body.status).toBe("failed");
    expect(failed.body.error_message).toBe(
      `Download failed: ${site.baseUrl}/pdfs/MA-TM.pdf answered 500 Internal Server Error`,
    );
    // The download is the only stage it reached, and its time is kept.
    expect(failed.body.timings).toStrictEqual({ download: expect.any(Number) });
    expect(await documentOf(id)).toBeUndefined();

    // Only failed jobs go back to the queue.
    const done = (await call(jobsRoute.GET, { path: "/api/admin/jobs?status=succeeded", headers: ADMIN_KEY }))
      .body.jobs[0];
    const notFailed = await requeue(done.id);
    expect(notFailed.status).toBe(409);
    expect(notFailed.body.detail).toBe("Only failed jobs can be requeued; this one is succeeded");
    const missing = await requeue("00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);

    site.setFault("/pdfs/MA-TM.pdf", null);
    expect((await requeue(queued.body.job_id)).status).toBe(200);
    await settleIngestion();
    expect((await getJob(queued.body.job_id)).body.status).toBe("succeeded");
    expect(await documentOf(id)).toMatchObject({ status: "ready", language: "ar", series: "TM" });
  });

  it("refuses a download from a host that is not allowed, and a second live job for a reference", async () => {
    const [ref] = await db()
      .insert(curriculumReferences)
      .values({
        source: "koutoubi",
        title: "Ailleurs",
        pdfUrl: `${site.baseUrl.replace("127.0.0.1", "localhost")}/pdfs/PHY-C.pdf`,
      })
      .returning();
    const before = site.requests.length;
    const queued = await ingest(ref?.id ?? "");
    await settleIngestion();
    const job = await getJob(queued.body.job_id);
    expect(job.body.status).toBe("failed");
    expect(job.body.error_message).toMatch(/host localhost is not on the allowed list/);
    expect(site.requests.length).toBe(before);

    // A job queued and not yet run (no runner kicked): a second request for it is refused.
    await queueReferenceIngestion(db(), { referenceId: ref?.id ?? "", force: false });
    const live = await call(vectorRoute.POST, {
      path: "/api/admin/vector-embedding",
      method: "POST",
      headers: ADMIN_KEY,
      body: { reference_id: ref?.id },
    });
    expect(live.status).toBe(409);
    // Nor can its old failed job be requeued beside the live one.
    const requeueBeside = await requeue(queued.body.job_id);
    expect(requeueBeside.status).toBe(409);
    expect(requeueBeside.body.detail).toBe("Another job for the same item is already queued or running");
    expect(live.body.detail).toMatch(/^This reference is already queued \(job [0-9a-f-]{36}\)$/);
    await settleIngestion();
    const legacy = await call(vectorRoute.POST, {
      path: "/api/admin/vector-embedding",
      method: "POST",
      headers: ADMIN_KEY,
      body: { reference_id: ref?.id, force: false },
    });
    expect(legacy.body).toStrictEqual({
      status: "queued",
      job_id: expect.any(String),
      reference_id: ref?.id,
    });
    await settleIngestion();
    const unknown = await ingest("00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toStrictEqual({ detail: "Reference not found", code: "NOT_FOUND" });
  });

  it("dispatches the oldest queued job, or says there is none", async () => {
    const dispatch = () =>
      call(dispatchNowRoute.POST, { path: "/api/admin/jobs/dispatch", method: "POST", headers: ADMIN_KEY });
    await settleIngestion();
    expect((await dispatch()).body).toStrictEqual({
      status: "idle",
      job_id: null,
      reference_id: null,
      document_id: null,
      detail: "No queued jobs",
    });
    const [ref] = await db()
      .insert(curriculumReferences)
      .values({ source: "koutoubi", title: "Dispatch me", pdfUrl: `${site.baseUrl}/pdfs/PHY-C.pdf?copy=1` })
      .returning();
    const job = await queueReferenceIngestion(db(), { referenceId: ref?.id ?? "", force: false });
    const res = await dispatch();
    expect(res.body).toMatchObject({ status: "dispatched", job_id: job.id, reference_id: ref?.id });
    // It runs in the background: the answer came before the job ended.
    let status = (await getJob(job.id)).body.status;
    for (let i = 0; i < 100 && status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await getJob(job.id)).body.status;
    }
    expect(status).toBe("succeeded");
  });
});

describe("admin lists", () => {
  const jobs = (q: string) => call(jobsRoute.GET, { path: `/api/admin/jobs${q}`, headers: ADMIN_KEY });
  const adminReferences = (q: string) =>
    call(adminReferencesRoute.GET, { path: `/api/admin/references${q}`, headers: ADMIN_KEY });

  it("pages the jobs, and filters them by status", async () => {
    await settleIngestion();
    await expectPaged(jobs, "jobs");
    const all = (await jobs("?limit=200")).body.jobs as { id: string; status: string }[];
    const failed = await jobs("?status=failed");
    expect(failed.body.total).toBeGreaterThan(0);
    expect(failed.body.jobs).toStrictEqual(all.filter((j) => j.status === "failed"));
    expect((await jobs("?status=nope")).body.detail).toMatch(/status must be one of/);
  });

  it("lists references of every source: the same body as per source, filtered by status, paged", async () => {
    await expectPaged(adminReferences, "references");
    const whole = await adminReferences("?limit=200");
    const perSource = await call(referencesRoute.GET, {
      path: "/api/scraping/koutoubi/references?limit=200",
      params: { source: "koutoubi" },
    });
    expect(whole.body).toStrictEqual(perSource.body);
    const ready = await adminReferences("?status=ready");
    expect(ready.body.total).toBeGreaterThanOrEqual(2);
    expect(ready.body).toStrictEqual({
      references: whole.body.references.filter((r: { status: string }) => r.status === "ready"),
      total: ready.body.references.length,
      limit: 50,
      offset: 0,
    });
    const readyPage = await adminReferences("?status=ready&limit=1&offset=1");
    expect(readyPage.body).toStrictEqual({
      references: ready.body.references.slice(1, 2),
      total: ready.body.total,
      limit: 1,
      offset: 1,
    });
    expect((await adminReferences("?status=nope")).status).toBe(400);
  });
});

describe("admin documents and curriculum uploads", () => {
  async function uploadCurriculum(fields: Record<string, string>, file?: File): Promise<CallResult> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file) form.append("file", file);
    const res = await uploadRoute.POST(
      new Request("http://localhost/api/admin/upload-curriculum", {
        method: "POST",
        headers: ADMIN_KEY,
        body: form,
      }),
      { params: Promise.resolve({}) },
    );
    return { status: res.status, body: await res.json(), headers: res.headers };
  }
  const pdfFile = async (name = "philo.pdf") =>
    new File(
      [
        (await textPdf([
          ["La conscience est la connaissance que l'esprit a de lui-même."],
        ])) as Uint8Array<ArrayBuffer>,
      ],
      name,
      {
        type: "application/pdf",
      },
    );

  it("uploads a textbook PDF: queued, then ready and browsable", async () => {
    const fields = {
      grade: "6AS",
      subject: "Philosophie",
      language: "fr",
      namespace: "curriculum",
      pdf_source: "ENS",
    };
    const res = await uploadCurriculum(fields, await pdfFile());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "queued",
      document: {
        title: "philo",
        grade: "6AS",
        education_level: "secondaire2",
        status: "pending",
        pdf_source: "ENS",
      },
    });
    await settleIngestion();
    const one = await call(textbookRoute.GET, {
      path: `/api/curriculum/textbooks/${res.body.document_id}`,
      params: { id: res.body.document_id },
    });
    expect(one.body).toMatchObject({ subject: "Philosophie", page_start: 1, page_end: 1 });
  });

  it("refuses bad uploads with a clear message", async () => {
    const good = { grade: "7AS", subject: "Maths", language: "fr" };
    const cases: [Record<string, string>, File | undefined, number, RegExp][] = [
      [good, undefined, 400, /file: a file is required/],
      [{ ...good, grade: "12" }, await pdfFile(), 400, /grade must be a class code/],
      [{ ...good, language: "de" }, await pdfFile(), 400, /language must be fr, ar or en/],
      [{ grade: "7AS", language: "fr" }, await pdfFile(), 400, /subject is required/],
      [
        good,
        new File(["hello"], "notes.pdf", { type: "application/pdf" }),
        400,
        /does not match application\/pdf/,
      ],
    ];
    for (const [fields, file, status, detail] of cases) {
      const res = await uploadCurriculum(fields, file);
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect(res.body.detail).toMatch(detail);
    }
  });

  it("edits metadata, and deletes a document with its chunks, resetting its reference", async () => {
    const id = await referenceId("PHY-C.pdf");
    const doc = await documentOf(id);
    const docId = doc?.id ?? "";
    const patch = (body: unknown) =>
      call(documentsRoute.PATCH, {
        path: `/api/admin/documents/${docId}`,
        method: "PATCH",
        headers: ADMIN_KEY,
        params: { document_id: docId },
        body,
      });
    const ok = await patch({
      title: "Physique C (2024)",
      major: "Sciences",
      weight: 2.5,
      category: "manuel",
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({
      title: "Physique C (2024)",
      major: "Sciences",
      weight: 2.5,
      category: "manuel",
    });
    expect((await patch({ weight: 101 })).status).toBe(400);
    expect((await patch({ title: "" })).body.detail).toMatch(/title is required/);
    expect((await patch({ owner: "x" })).status).toBe(400);
    expect((await patch({ major: null })).body.major).toBeNull();

    const listed = await call(documentListRoute.GET, {
      path: "/api/admin/documents?status=ready",
      headers: ADMIN_KEY,
    });
    expect(listed.body.documents.find((d: { id: string }) => d.id === docId).chunk_count).toBeGreaterThan(0);

    const del = await call(documentsRoute.DELETE, {
      path: `/api/admin/documents/${docId}`,
      method: "DELETE",
      headers: ADMIN_KEY,
      params: { document_id: docId },
    });
    expect(del.body).toStrictEqual({ message: "Document deleted", document_id: docId, reference_id: id });
    expect(await db().select().from(chunks).where(eq(chunks.documentId, docId))).toHaveLength(0);
    const ref = (await references()).body.references.find((r: { id: string }) => r.id === id);
    expect(ref).toMatchObject({ status: "discovered", document_id: null });
    const again = await call(documentsRoute.DELETE, {
      path: `/api/admin/documents/${docId}`,
      method: "DELETE",
      headers: ADMIN_KEY,
      params: { document_id: docId },
    });
    expect(again.status).toBe(404);
    // It can be ingested again from scratch.
    expect((await ingest(id)).status).toBe(200);
    await settleIngestion();
    expect((await documentOf(id))?.status).toBe("ready");
  });

  it("a document deleted while its re-ingestion runs stays deleted, its reference discovered", async () => {
    const id = await referenceId("MA-TM.pdf");
    const doc = await documentOf(id);
    await queueReferenceIngestion(db(), { referenceId: id, force: true });
    const job = await claimNextJob(db());
    expect(job?.referenceId).toBe(id);
    await deleteDocument(db(), doc?.id ?? "");
    expect(await runJob(job as IngestionJob)).not.toBe("succeeded");
    expect(await documentOf(id)).toBeUndefined();
    const [ref] = await db().select().from(curriculumReferences).where(eq(curriculumReferences.id, id));
    expect(ref).toMatchObject({ status: "discovered", errorMessage: null });
    expect(
      await db()
        .select()
        .from(chunks)
        .where(eq(chunks.documentId, doc?.id ?? "")),
    ).toHaveLength(0);
  });

  it("counts everything on the dashboard", async () => {
    const stats = await call(statsRoute.GET, { path: "/api/admin/stats", headers: ADMIN_KEY });
    expect(stats.status).toBe(200);
    expect(stats.body.references.total).toBeGreaterThanOrEqual(3);
    expect(stats.body.documents.ready).toBeGreaterThanOrEqual(3);
    expect(stats.body.chunks.documents).toBeGreaterThan(0);
    expect(stats.body.jobs.failed).toBeGreaterThanOrEqual(1);
    expect(stats.body.users.student).toBeGreaterThanOrEqual(1);
    expect(stats.body.documents.total).toBe(
      stats.body.documents.pending +
        stats.body.documents.processing +
        stats.body.documents.ready +
        stats.body.documents.failed,
    );
  });

  it("queues new references on sync with ?ingest=true", async () => {
    await writeFile(
      path.join(siteRoot, "secondaire2/7eme/Physique/index.html"),
      PAGE.replace(
        "</table>",
        '<tr><td>Nouveau manuel</td><td>D</td><td>2025</td><td><a href="/pdfs/NEW.pdf">PDF</a></td></tr></table>',
      ),
    );
    site.routes.set("/pdfs/NEW.pdf", bytesRoute(await textPdf([["Le champ magnétique terrestre."]])));
    const res = await sync("?ingest=true");
    expect(res.body).toMatchObject({ new_count: 1, queued_count: 1 });
    await settleIngestion();
    expect(await documentOf(await referenceId("NEW.pdf"))).toMatchObject({ status: "ready", series: "D" });
  });
});
