import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, curriculumReferences, documents } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import { getTextbookOrThrow } from "@/lib/curriculum/documents";
import { queueReferenceIngestion } from "@/lib/curriculum/references";
import { syncSource } from "@/lib/scraping";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { settleIngestion } from "./helpers/ingest";
import {
  bytesRoute,
  FIXTURES_AVAILABLE,
  KOUTOUBI_FIXTURE_DIR,
  KOUTOUBI_ORIGIN,
  type KoutoubiSite,
  startKoutoubiSite,
} from "./helpers/koutoubi-site";

// The koutoubi-like fixture site of ../shared (14 books with their edge cases), crawled through
// the real sync and stored; one of its books (the relative link, served by the site itself) is
// ingested with a real PDF. Skipped, saying so, where ../shared/fixtures is absent.
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

  it("finds the 14 books of expected.json with their metadata; a second sync finds none new", async () => {
    const { run } = await syncSource(db(), { source: "koutoubi" });
    const want = expected();
    expect(run).toMatchObject({
      status: "success",
      foundCount: want.unique_pdfs,
      newCount: want.unique_pdfs,
    });
    expect(run.errors).toStrictEqual(
      want.pages_returning_404.map((url) => ({
        url: local(url),
        status: "not_found",
        http_status: 404,
        error: expect.any(String),
        ms: expect.any(Number),
      })),
    );
    const rows = await db().select().from(curriculumReferences);
    const got = rows
      .map((r) => ({
        source_page: r.sourcePage,
        title: r.title,
        pdf_url: r.pdfUrl,
        edition: r.edition,
        series: r.series,
        education_level: r.educationLevel,
        year: r.year,
        subject: r.subject,
      }))
      .sort((a, b) => a.pdf_url.localeCompare(b.pdf_url));
    const wanted = want.books
      .map((b) => ({
        source_page: local(b.source_page),
        title: b.title,
        pdf_url: local(b.pdf_url),
        edition: b.edition,
        series: b.series,
        education_level: b.education_level,
        year: b.year,
        subject: b.subject,
      }))
      .sort((a, b) => a.pdf_url.localeCompare(b.pdf_url));
    expect(got).toStrictEqual(wanted);
    expect(rows.filter((r) => r.language === "ar").map((r) => r.title)).toContain(
      "الرياضيات – السنة السابعة – شعبة التقني الرياضي",
    );

    const second = await syncSource(db(), { source: "koutoubi" });
    expect(second.run).toMatchObject({ status: "success", foundCount: want.unique_pdfs, newCount: 0 });
    expect(await db().select().from(curriculumReferences)).toHaveLength(want.unique_pdfs);
  });

  it("ingests the relative-link book from the site: a ready textbook whose chunks carry pages", async () => {
    const [ref] = await db()
      .select()
      .from(curriculumReferences)
      .where(eq(curriculumReferences.pdfUrl, `${site.baseUrl}/pdfs/secondaire2s/MA-7AS-D.pdf`));
    expect(ref).toBeDefined();
    await queueReferenceIngestion(db(), { referenceId: ref?.id ?? "", force: false });
    await settleIngestion();
    const [doc] = await db()
      .select()
      .from(documents)
      .where(eq(documents.referenceId, ref?.id ?? ""));
    expect(doc).toMatchObject({
      status: "ready",
      grade: "7AS",
      subject: "Mathematiques",
      series: "D",
      pageCount: 4,
    });
    const book = await getTextbookOrThrow(db(), doc?.id ?? "");
    expect(book).toMatchObject({ pageStart: 1, pageEnd: 4 });
    const passages = await db()
      .select()
      .from(chunks)
      .where(eq(chunks.documentId, doc?.id ?? ""));
    expect(passages.length).toBeGreaterThan(1);
    for (const c of passages) expect(c.pageEnd).toBeGreaterThanOrEqual(c.pageStart);
    expect(passages.some((c) => /exponentielle|fonction/i.test(c.content))).toBe(true);
  });
});
