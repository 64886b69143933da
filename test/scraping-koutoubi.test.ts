import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CrawlOptions,
  type CrawlProgress,
  crawlKoutoubi,
  DEFAULT_USER_AGENT,
  type PageOutcome,
  parseSitemap,
  parseTextbookPage,
  parseTextbookPath,
  redirectTarget,
  resolvePortalUrl,
  type ScrapedReference,
  ScrapeError,
} from "@/lib/scraping/koutoubi";
import {
  bytesRoute,
  FIXTURES_AVAILABLE,
  KOUTOUBI_FIXTURE_DIR,
  KOUTOUBI_ORIGIN,
  type KoutoubiSite,
  type RouteHandler,
  startKoutoubiSite,
} from "./helpers/koutoubi-site";

const MATHS_PAGE = { educationLevel: "secondaire2", year: 7, subject: "Mathematiques" } as const;
const MATHS_URL = "https://www.koutoubi.mr/secondaire2/7eme/Mathematiques/";

/** One page's references, with the Maths page as context. */
const parse = (html: string, url = MATHS_URL) => parseTextbookPage(html, { url, ...MATHS_PAGE });

/** A reference of the Maths page with the given fields. */
const ref = (
  fields: Partial<ScrapedReference> & Pick<ScrapedReference, "title" | "pdfUrl">,
): ScrapedReference => ({
  sourcePage: MATHS_URL,
  ...MATHS_PAGE,
  series: null,
  edition: null,
  language: "fr",
  ...fields,
});

describe("parseTextbookPath", () => {
  it.each([
    [
      "/secondaire2/7eme/Mathematiques/",
      { educationLevel: "secondaire2", year: 7, subject: "Mathematiques" },
    ],
    ["/secondaire2/7ème/Physique", { educationLevel: "secondaire2", year: 7, subject: "Physique" }],
    ["/secondaire2/7%C3%A8me/Arabe/", { educationLevel: "secondaire2", year: 7, subject: "Arabe" }],
    ["/secondaire1/3e/Fran%C3%A7ais/", { educationLevel: "secondaire1", year: 3, subject: "Français" }],
    [
      "/fondamentals/1ere/Sciences%20naturelles/",
      { educationLevel: "fondamentals", year: 1, subject: "Sciences naturelles" },
    ],
    [
      "/secondaire2/6eme/Philosophie/index.html",
      { educationLevel: "secondaire2", year: 6, subject: "Philosophie" },
    ],
  ])("%s is a textbook page", (pathname, expected) => {
    expect(parseTextbookPath(pathname)).toStrictEqual(expected);
  });

  it.each([
    "/",
    "/a-propos/",
    "/secondaire2/7eme/",
    "/secondaire2/7eme/Mathematiques/extra/",
    "/lycee/7eme/Mathematiques/",
    "/secondaire2/septieme/Mathematiques/",
    "/secondaire2/9eme/Mathematiques/",
    "/secondaire2/0eme/Mathematiques/",
    "/secondaire2/7eme/%E0%A4%A/",
  ])("%s is not", (pathname) => {
    expect(parseTextbookPath(pathname)).toBeNull();
  });
});

describe("resolvePortalUrl", () => {
  const base = "http://127.0.0.1:4321";

  it.each([
    ["https://www.koutoubi.mr/secondaire2/7eme/Mathematiques/", `${base}/secondaire2/7eme/Mathematiques/`],
    ["https://koutoubi.mr/secondaire2/7eme/Arabe/", `${base}/secondaire2/7eme/Arabe/`],
    ["https://koutoubi.netlify.app/secondaire2/7eme/Physique/?v=2", `${base}/secondaire2/7eme/Physique/?v=2`],
    ["http://127.0.0.1:4321/secondaire1/3eme/Francais/", `${base}/secondaire1/3eme/Francais/`],
    ["https://WWW.KOUTOUBI.MR/secondaire1/3eme/Francais/#top", `${base}/secondaire1/3eme/Francais/`],
  ])("%s → %s", (listed, expected) => {
    expect(resolvePortalUrl(listed, base)).toBe(expected);
  });

  it.each([
    "https://evil.example/secondaire2/7eme/Mathematiques/",
    "https://koutoubi.mr.evil.example/secondaire2/7eme/Mathematiques/",
    "http://127.0.0.1:9999/secondaire2/7eme/Mathematiques/",
    "ftp://www.koutoubi.mr/secondaire2/7eme/Mathematiques/",
  ])("foreign or non-http %s → null", (listed) => {
    expect(resolvePortalUrl(listed, base)).toBeNull();
  });

  it("maps to the real portal unchanged when it is the base", () => {
    expect(resolvePortalUrl("https://koutoubi.netlify.app/a/", KOUTOUBI_ORIGIN)).toBe(
      `${KOUTOUBI_ORIGIN}/a/`,
    );
  });
});

describe("redirectTarget", () => {
  const mirror = "http://127.0.0.1:4321";
  const page = `${mirror}/secondaire2/7eme/Mathematiques/`;

  it.each([
    // Same host: followed, relative to the page, without the fragment.
    [mirror, page, "index.html#top", `${page}index.html`],
    [mirror, page, "/secondaire2/7eme/Maths/", `${mirror}/secondaire2/7eme/Maths/`],
    // A mirror sending to the real portal stays on the mirror.
    [mirror, page, "https://www.koutoubi.mr/a/?v=1", `${mirror}/a/?v=1`],
    // The real portal moving between its own hosts is followed as is.
    [KOUTOUBI_ORIGIN, `${KOUTOUBI_ORIGIN}/a`, "https://koutoubi.mr/a/", "https://koutoubi.mr/a/"],
    [KOUTOUBI_ORIGIN, `${KOUTOUBI_ORIGIN}/a`, "/a/", `${KOUTOUBI_ORIGIN}/a/`],
  ])("base %s, from %s: %s → %s", (base, from, location, expected) => {
    expect(redirectTarget(location, from, base)).toBe(expected);
  });

  it.each([
    "https://evil.example/secondaire2/7eme/Mathematiques/",
    "http://127.0.0.1:9999/",
    "http://localhost:4321/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "https://koutoubi.mr.evil.example/",
    "https://koutoubi.mr:6379/",
    "http://www.koutoubi.mr:8080/a/",
    "ftp://www.koutoubi.mr/a/",
    "javascript:alert(1)",
    "http://[::1",
  ])("refuses %s", (location) => {
    expect(redirectTarget(location, page, mirror)).toBeNull();
    expect(redirectTarget(location, `${KOUTOUBI_ORIGIN}/a/`, KOUTOUBI_ORIGIN)).toBeNull();
  });
});

describe("parseSitemap", () => {
  it("lists <loc> of every <url>, in order, trimmed", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc> https://www.koutoubi.mr/ </loc></url>
        <!-- a comment -->
        <url><loc>https://www.koutoubi.mr/a?x=1&amp;y=2</loc><lastmod>2025-09-15</lastmod></url>
        <url><loc></loc></url>
      </urlset>`;
    expect(parseSitemap(xml)).toStrictEqual([
      "https://www.koutoubi.mr/",
      "https://www.koutoubi.mr/a?x=1&y=2",
    ]);
  });

  it.each([
    ["an HTML page", "<!doctype html><html><body>Maintenance</body></html>", /no <urlset>/],
    ["an empty body", "", /no <urlset>/],
    [
      "a sitemap index",
      "<sitemapindex><sitemap><loc>https://x/s1.xml</loc></sitemap></sitemapindex>",
      /index/,
    ],
  ])("rejects %s with a ScrapeError", (_, xml, message) => {
    expect(() => parseSitemap(xml)).toThrow(ScrapeError);
    expect(() => parseSitemap(xml)).toThrow(message);
  });
});

describe("parseTextbookPage", () => {
  it("reads a header-less table by position: first cell with words = title, a year cell = edition", () => {
    const html = `<table>
      <tr><td>1</td><td>Algèbre – Série C</td><td>2020</td><td><a href="algebre.pdf">Télécharger</a></td></tr>
      <tr><td>2</td><td>Géométrie</td><td>C / D</td><td><a href="../../pdfs/geo.pdf">PDF</a></td></tr>
    </table>`;
    expect(parse(html)).toStrictEqual([
      ref({
        title: "Algèbre – Série C",
        pdfUrl: "https://www.koutoubi.mr/secondaire2/7eme/Mathematiques/algebre.pdf",
        series: "C",
        edition: "2020",
      }),
      ref({ title: "Géométrie", pdfUrl: "https://www.koutoubi.mr/secondaire2/pdfs/geo.pdf", series: "C/D" }),
    ]);
  });

  it("collapses nested tags, entities and line breaks; accepts single quotes, target and upper-case .PDF", () => {
    const html = `<table><tbody>
      <tr><th>Titre</th><th>Série</th><th>Édition</th><th>Télécharger le manuel</th></tr>
      <tr>
        <td><strong>Maths &amp;   <em>Physique</em></strong><br>Tome&nbsp;1</td>
        <td><span>TM</span></td>
        <td>Édition 2024–2025</td>
        <td><a target='_blank' class="btn" href='https://docs.bsimr.com/pdfs/T1.PDF#page=3'><i class="icon"></i> Télécharger</a></td>
      </tr>
    </tbody></table>`;
    expect(parse(html)).toStrictEqual([
      ref({
        title: "Maths & Physique Tome 1",
        pdfUrl: "https://docs.bsimr.com/pdfs/T1.PDF",
        series: "TM",
        edition: "2024",
      }),
    ]);
  });

  it("finds columns by Arabic headers in any order; the link text is the title when the title cell is the link", () => {
    const html = `<table dir="rtl">
      <thead><tr><th>الطبعة</th><th>الشعبة</th><th>العنوان</th></tr></thead>
      <tbody><tr><td>2019</td><td>C و D</td><td><a href="/pdfs/x.pdf">الرياضيات – السنة السابعة</a></td></tr></tbody>
    </table>`;
    expect(parse(html)).toStrictEqual([
      ref({
        title: "الرياضيات – السنة السابعة",
        pdfUrl: "https://www.koutoubi.mr/pdfs/x.pdf",
        series: "C/D",
        edition: "2019",
        language: "ar",
      }),
    ]);
  });

  it.each([
    ["Mathématiques – Série D", "D"],
    ["Sciences naturelles serie TM", "TM"],
    ["PHYSIQUE – SÉRIE D", "D"],
    ["Physique, série C", "C"],
    ["Séries C et D : exercices", "C/D"],
    ["Philosophie – Lettres originelles (O)", "O"],
    ["Fiches de révision (C)", "C"],
    ["اللغة العربية – الشعبة العلمية (C و D)", "C/D"],
    ["Lettres modernes (LM)", "LM"],
    ["Cahier d'activités (Tome 2)", null],
    ["Séries conformes au programme", null],
    ["Exercices (CD)", null],
    ["Série X", null],
    ["FR-3AS-C", null],
  ])("series of the title %j → %j (no series column)", (title, series) => {
    const html = `<table><tr><th>Titre</th><th>Édition</th><th></th></tr>
      <tr><td>${title}</td><td>—</td><td><a href="https://docs.bsimr.com/pdfs/FR-3AS-C.pdf">PDF</a></td></tr></table>`;
    expect(parse(html)).toStrictEqual([
      ref({
        title,
        pdfUrl: "https://docs.bsimr.com/pdfs/FR-3AS-C.pdf",
        series,
        language: /[ء-ي]/.test(title) ? "ar" : "fr",
      }),
    ]);
  });

  it("prefers the series column; '—' or empty falls back to the title; never the file name", () => {
    const row = (title: string, series: string, file: string) =>
      `<tr><td>${title}</td><td>${series}</td><td><a href="https://docs.bsimr.com/${file}">PDF</a></td></tr>`;
    const html = `<table><tr><th>Manuel</th><th>Série</th><th>PDF</th></tr>
      ${row("Physique (C)", "D", "a-C.pdf")}
      ${row("Philosophie (O)", "", "b-D.pdf")}
      ${row("Histoire", "—", "c-TM.pdf")}
      ${row("Arabe", "A / O", "d.pdf")}
      ${row("Chimie", "Série LM", "e.pdf")}
    </table>`;
    expect(parse(html).map((r) => [r.title, r.series])).toStrictEqual([
      ["Physique (C)", "D"],
      ["Philosophie (O)", "O"],
      ["Histoire", null],
      ["Arabe", "A/O"],
      ["Chimie", "LM"],
    ]);
  });

  it("skips rows without a PDF link, header rows and non-PDF links", () => {
    const html = `<table>
      <tr><th>Titre</th><th>Lien</th></tr>
      <tr><td>Bientôt disponible</td><td>—</td></tr>
      <tr><td>Page du manuel</td><td><a href="/manuel/">Voir</a></td></tr>
      <tr><td>Document Word</td><td><a href="/doc.docx">Télécharger</a></td></tr>
      <tr><td>PDF dans la requête</td><td><a href="/get?file=x.pdf">Télécharger</a></td></tr>
      <tr><td>Lien courriel</td><td><a href="mailto:a@b.pdf">Écrire</a></td></tr>
      <tr><td>Le vrai</td><td><a href="/vrai.pdf">Télécharger</a></td></tr>
    </table>`;
    expect(parse(html)).toStrictEqual([
      ref({ title: "Le vrai", pdfUrl: "https://www.koutoubi.mr/vrai.pdf" }),
    ]);
  });

  it("reads every table with its own header, ignores layout rows and honours <base href>", () => {
    const html = `<html><head><base href="https://cdn.example/manuels/"></head><body>
      <table><tr><td>
        <table><tr><th>Édition</th><th>Titre</th><th></th></tr>
          <tr><td>2018</td><td>Premier</td><td><a href="un.pdf">PDF</a></td></tr></table>
      </td></tr></table>
      <table><tr><th>Titre</th><th>Série</th><th colspan="2">Téléchargement</th></tr>
        <tr><td>Second</td><td>D</td><td>2,3 Mo</td><td><a href="deux.pdf">PDF</a></td></tr></table>
    </body></html>`;
    expect(parse(html)).toStrictEqual([
      ref({ title: "Premier", pdfUrl: "https://cdn.example/manuels/un.pdf", edition: "2018" }),
      ref({ title: "Second", pdfUrl: "https://cdn.example/manuels/deux.pdf", series: "D" }),
    ]);
  });

  it("takes a row of header words in <td> for a header, but not a link-less row that merely contains some", () => {
    const html = `<table>
      <tr><td><b>Édition</b></td><td><b>Manuel (PDF)</b></td><td><b>Série</b></td></tr>
      <tr><td>2017</td><td><a href="/x.pdf">Manuel de chimie</a></td><td>D</td></tr>
      <tr><td>Manuel de l'élève</td><td>Série C</td><td>Bientôt disponible</td></tr>
      <tr><td>2016</td><td><a href="/y.pdf">Physique</a></td><td>—</td></tr>
    </table>`;
    expect(parse(html)).toStrictEqual([
      ref({
        title: "Manuel de chimie",
        pdfUrl: "https://www.koutoubi.mr/x.pdf",
        series: "D",
        edition: "2017",
      }),
      ref({ title: "Physique", pdfUrl: "https://www.koutoubi.mr/y.pdf", edition: "2016" }),
    ]);
  });

  it("falls back to the link's title attribute, then the file name, when no cell has words", () => {
    const html = `<table>
      <tr><td><a href="/a.pdf" title="Manuel de chimie">Télécharger</a></td></tr>
      <tr><td><a href="/pdfs/Philo%206AS%20D%20.pdf">تحميل</a></td></tr>
    </table>`;
    expect(parse(html).map((r) => [r.title, r.pdfUrl])).toStrictEqual([
      ["Manuel de chimie", "https://www.koutoubi.mr/a.pdf"],
      ["Philo 6AS D", "https://www.koutoubi.mr/pdfs/Philo%206AS%20D%20.pdf"],
    ]);
  });

  it("returns nothing for a page without tables or PDF links", () => {
    expect(
      parse("<h1>À propos</h1><table><tr><td>Contact</td><td>ipn@example.invalid</td></tr></table>"),
    ).toEqual([]);
    expect(parse("")).toEqual([]);
  });
});

interface ExpectedBook {
  source_page: string;
  title: string;
  pdf_url: string;
  edition: string | null;
  series: string | null;
  education_level: ScrapedReference["educationLevel"];
  year: number;
  subject: string;
}

interface Expected {
  unique_pdfs: number;
  sitemap_urls: number;
  textbook_pages_in_sitemap: number;
  pages_returning_404: string[];
  non_textbook_pages: string[];
  books: ExpectedBook[];
}

/** expected.json has no language: these are the books whose title is (mostly) Arabic. */
const ARABIC_BOOKS = new Set([
  "MA-7AS-TM.pdf",
  "AR-7AS-CD.pdf",
  "AR-7AS-LM.pdf",
  "Coran%20%26%20Hadith-7AS-LM.pdf",
  "PHI-6AS-M.pdf",
]);

const PATHS = {
  maths: "/secondaire2/7eme/Mathematiques/",
  arabe: "/secondaire2/7eme/Arabe/",
  physique: "/secondaire2/7eme/Physique/",
  philo: "/secondaire2/6eme/Philosophie/",
  francais: "/secondaire1/3eme/Francais/",
  histoire: "/secondaire2/7eme/Histoire/",
};

describe.skipIf(!FIXTURES_AVAILABLE)(
  "crawlKoutoubi on the fixture site (needs ../shared/fixtures/koutoubi)",
  () => {
    let site: KoutoubiSite;
    let expected: Expected;

    beforeEach(async () => {
      expected = JSON.parse(readFileSync(path.join(KOUTOUBI_FIXTURE_DIR, "expected.json"), "utf8"));
      site = await startKoutoubiSite();
    });
    afterEach(async () => {
      await site.close();
    });

    /** Fast settings: no politeness delay, millisecond backoffs. */
    const crawl = (opts: Partial<CrawlOptions> = {}) =>
      crawlKoutoubi({ baseUrl: site.baseUrl, delayMs: 0, retryBaseMs: 1, ...opts });
    const served = (url: string) => url.replace(KOUTOUBI_ORIGIN, site.baseUrl);
    const expectedBooks = (): ScrapedReference[] =>
      expected.books.map((b) => ({
        title: b.title,
        pdfUrl: served(b.pdf_url),
        sourcePage: served(b.source_page),
        educationLevel: b.education_level,
        year: b.year,
        subject: b.subject,
        series: b.series,
        edition: b.edition,
        language: ARABIC_BOOKS.has(b.pdf_url.split("/").at(-1) ?? "") ? "ar" : "fr",
      }));
    const page = (
      listedPath: string,
      fields: Partial<PageOutcome>,
      listedOrigin = KOUTOUBI_ORIGIN,
    ): PageOutcome => ({
      url: `${site.baseUrl}${listedPath}`,
      listedAs: `${listedOrigin}${listedPath}`,
      status: "ok",
      httpStatus: 200,
      found: 0,
      error: null,
      ms: expect.any(Number),
      ...fields,
    });
    const requestsTo = (p: string) => site.requests.filter((r) => r.path === p).length;

    it("finds exactly the 14 books of expected.json, first seen in sitemap order", async () => {
      const result = await crawl();

      expect(result.references).toStrictEqual(expectedBooks());
      expect(result.references).toHaveLength(expected.unique_pdfs);
      expect(result.sitemapUrls).toBe(expected.sitemap_urls);
      expect(result.timings).toStrictEqual({ sitemap: expect.any(Number), pages: expect.any(Number) });
      expect(result.textbookPages).toBe(expected.textbook_pages_in_sitemap);
      expect(result.pages).toStrictEqual([
        page("/", { status: "skipped", httpStatus: null, ms: 0 }),
        page("/a-propos/", { status: "skipped", httpStatus: null, ms: 0 }),
        page(PATHS.maths, { found: 4 }),
        page(PATHS.arabe, { found: 3 }),
        page(PATHS.physique, { found: 3 }, "https://koutoubi.netlify.app"),
        page(PATHS.philo, { found: 3 }),
        page(PATHS.francais, { found: 2 }),
        page(PATHS.histoire, { status: "not_found", httpStatus: 404, error: "HTTP 404" }),
      ]);
      expect(expected.pages_returning_404.map(served)).toStrictEqual([result.pages[7]?.url]);
      expect(expected.non_textbook_pages.map(served)).toStrictEqual(
        result.pages.slice(0, 2).map((p) => p.url),
      );
    });

    it("fetches the sitemap and textbook pages only, each once, always with the User-Agent", async () => {
      await crawl({ concurrency: 3 });
      expect(site.requests.map((r) => r.path).sort()).toStrictEqual(
        ["/sitemap.xml", ...Object.values(PATHS)].sort(),
      );
      expect(new Set(site.requests.map((r) => r.userAgent))).toStrictEqual(new Set([DEFAULT_USER_AGENT]));
    });

    it("sends a custom User-Agent when given one", async () => {
      await crawl({ userAgent: "BacMR-test/0.1" });
      expect(new Set(site.requests.map((r) => r.userAgent))).toStrictEqual(new Set(["BacMR-test/0.1"]));
    });

    it.each([1, 2, 3])("never has more than %i pages in flight", async (concurrency) => {
      await site.close();
      site = await startKoutoubiSite({ latencyMs: 40 });
      const result = await crawl({ concurrency });
      expect(site.maxInFlight).toBe(concurrency);
      // Completion order differs with concurrency; the result does not.
      expect(result.references.map((r) => r.pdfUrl)).toStrictEqual(expectedBooks().map((b) => b.pdfUrl));
    });

    it("reports progress after each fetched page", async () => {
      const events: CrawlProgress[] = [];
      await crawl({ onProgress: (p) => void events.push(p) });
      expect(events.map((e) => [e.done, e.total])).toStrictEqual([1, 2, 3, 4, 5, 6].map((done) => [done, 6]));
      expect(events.at(-1)).toStrictEqual({ done: 6, total: 6, found: 14 });
    });

    it("retries a page answering 500 twice, then reads it", async () => {
      site.setFault(PATHS.maths, { status: 500, times: 2 });
      const result = await crawl({ retries: 2 });
      expect(requestsTo(PATHS.maths)).toBe(3);
      expect(result.pages[2]).toStrictEqual(page(PATHS.maths, { found: 4 }));
      expect(result.references).toStrictEqual(expectedBooks());
    });

    /** Gaps between the arrivals of requests, in ms. */
    const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? t));
    // A timer measures from the event loop's cached clock, which can lag a few ms behind.
    const TIMER_SLACK_MS = 5;

    it("pauses the polite delay between two pages of one worker", async () => {
      const started = performance.now();
      await crawl({ concurrency: 1, delayMs: 100 });
      const pages = site.requests.filter((r) => r.path !== "/sitemap.xml").map((r) => r.at);
      expect(pages).toHaveLength(6);
      for (const gap of gaps(pages)) expect(gap).toBeGreaterThanOrEqual(100 - TIMER_SLACK_MS);
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it("backs off longer after each 5xx: retryBaseMs, then twice that", async () => {
      site.setFault(PATHS.maths, { status: 500, times: 2 });
      const result = await crawl({ concurrency: 1, retries: 2, retryBaseMs: 50 });
      const attempts = site.requests.filter((r) => r.path === PATHS.maths).map((r) => r.at);
      expect(attempts).toHaveLength(3);
      const [first = 0, second = 0] = gaps(attempts);
      expect(first).toBeGreaterThanOrEqual(50 - TIMER_SLACK_MS);
      expect(second).toBeGreaterThanOrEqual(100 - TIMER_SLACK_MS);
      expect(second).toBeGreaterThan(first);
      expect(result.pages[2]).toStrictEqual(page(PATHS.maths, { found: 4 }));
    });

    it("honours Retry-After on a 429, capped by maxRetryDelayMs", async () => {
      site.setFault(PATHS.arabe, { status: 429, times: 1, retryAfter: 3600 });
      const started = Date.now();
      const result = await crawl({ maxRetryDelayMs: 50 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(requestsTo(PATHS.arabe)).toBe(2);
      expect(result.pages[3]).toStrictEqual(page(PATHS.arabe, { found: 3 }));
    });

    it("records a page that keeps failing and scrapes the others; its duplicate PDF comes from the next page", async () => {
      site.setFault(PATHS.maths, { status: 500 });
      const result = await crawl({ retries: 1 });
      expect(result.pages[2]).toStrictEqual(
        page(PATHS.maths, { status: "error", httpStatus: 500, error: "HTTP 500 after 2 attempts" }),
      );
      expect(requestsTo(PATHS.maths)).toBe(2);
      const withoutMaths = expectedBooks().filter((b) => b.subject !== "Mathematiques");
      const physiqueC = {
        ...expectedBooks()[3],
        title: "Physique 7ème année – Série C",
        sourcePage: `${site.baseUrl}${PATHS.physique}`,
        subject: "Physique",
      };
      expect(result.references).toStrictEqual([
        ...withoutMaths.slice(0, 3),
        physiqueC,
        ...withoutMaths.slice(3),
      ]);
    });

    it("does not retry a 4xx other than 404", async () => {
      site.setFault(PATHS.francais, { status: 403 });
      const result = await crawl();
      expect(requestsTo(PATHS.francais)).toBe(1);
      expect(result.pages[6]).toStrictEqual(
        page(PATHS.francais, { status: "error", httpStatus: 403, error: "HTTP 403" }),
      );
    });

    it("records a page that times out", async () => {
      site.setFault(PATHS.philo, { delayMs: 10_000 });
      const result = await crawl({ timeoutMs: 200, retries: 1 });
      expect(result.pages[5]).toStrictEqual(
        page(PATHS.philo, { status: "error", httpStatus: null, error: "timed out after 0.2 s (2 attempts)" }),
      );
      expect(result.references).toHaveLength(11);
    });

    it("throws a ScrapeError when the sitemap answers 500", async () => {
      site.setFault("/sitemap.xml", { status: 500 });
      const crawling = crawl({ retries: 1 });
      await expect(crawling).rejects.toThrow(ScrapeError);
      await expect(crawling).rejects.toThrow(
        `Could not fetch the sitemap ${site.baseUrl}/sitemap.xml: HTTP 500 after 2 attempts`,
      );
    });

    it("throws a ScrapeError when the sitemap is not one", async () => {
      site.routes.set("/sitemap.xml", (_, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><h1>Maintenance</h1>");
      });
      await expect(crawl()).rejects.toThrow(
        new ScrapeError(`The sitemap is not a sitemap: no <urlset> element (${site.baseUrl}/sitemap.xml)`),
      );
    });

    it("throws a ScrapeError when nothing answers", async () => {
      await site.close();
      const crawling = crawl({ retries: 0 });
      await expect(crawling).rejects.toThrow(ScrapeError);
      await expect(crawling).rejects.toThrow(/network error: ECONNREFUSED/);
      site = await startKoutoubiSite();
    });

    /** A route answering a redirect to `location`. */
    const redirect =
      (location: string, status = 302): RouteHandler =>
      (_, res) => {
        res.writeHead(status, { location });
        res.end();
      };

    it("follows redirects within the portal; relative links resolve against where the page was", async () => {
      site.routes.set(PATHS.maths, redirect(`${PATHS.maths}index.html`, 301));
      // A mirror's redirect to the real portal is served by the mirror.
      site.routes.set(PATHS.arabe, redirect(`${KOUTOUBI_ORIGIN}${PATHS.arabe}index.html`));
      site.routes.set(PATHS.histoire, redirect("/archive/histoire/"));
      site.routes.set(
        "/archive/histoire/",
        bytesRoute(
          '<table><tr><td>Histoire 7ème</td><td><a href="manuel.pdf">PDF</a></td></tr></table>',
          "text/html; charset=utf-8",
        ),
      );
      const result = await crawl();
      expect(result.pages[2]).toStrictEqual(page(PATHS.maths, { found: 4 }));
      expect(result.pages[3]).toStrictEqual(page(PATHS.arabe, { found: 3 }));
      expect(result.pages[7]).toStrictEqual(page(PATHS.histoire, { found: 1 }));
      expect(result.references.at(-1)).toMatchObject({
        title: "Histoire 7ème",
        pdfUrl: `${site.baseUrl}/archive/histoire/manuel.pdf`,
        sourcePage: `${site.baseUrl}${PATHS.histoire}`,
      });
      expect(requestsTo(`${PATHS.arabe}index.html`)).toBe(1);
    });

    it("never follows a redirect out of the portal, nor more than maxRedirects", async () => {
      const other = await startKoutoubiSite();
      try {
        const elsewhere = `${other.baseUrl}${PATHS.maths}`;
        site.routes.set(PATHS.maths, redirect(elsewhere));
        const sameServerOtherName = `${site.baseUrl.replace("127.0.0.1", "localhost")}${PATHS.arabe}`;
        site.routes.set(PATHS.arabe, redirect(sameServerOtherName, 301));
        site.routes.set(PATHS.philo, redirect("http://169.254.169.254/latest/meta-data/"));
        site.routes.set(PATHS.francais, redirect(PATHS.francais, 307));
        const result = await crawl({ maxRedirects: 2, retries: 2 });
        const refused = (p: string, httpStatus: number, location: string) =>
          page(p, {
            status: "error",
            httpStatus,
            error: `redirected outside the portal, not followed (${location})`,
          });
        expect(result.pages[2]).toStrictEqual(refused(PATHS.maths, 302, elsewhere));
        expect(result.pages[3]).toStrictEqual(refused(PATHS.arabe, 301, sameServerOtherName));
        expect(result.pages[5]).toStrictEqual(
          refused(PATHS.philo, 302, "http://169.254.169.254/latest/meta-data/"),
        );
        expect(result.pages[6]).toStrictEqual(
          page(PATHS.francais, { status: "error", httpStatus: 307, error: "more than 2 redirects" }),
        );
        // Nothing was asked of the other server; a refusal is not retried; the loop stopped.
        expect(other.requests).toStrictEqual([]);
        expect(requestsTo(PATHS.maths)).toBe(1);
        expect(requestsTo(PATHS.francais)).toBe(3);
        expect(result.pages[4]).toStrictEqual(
          page(PATHS.physique, { found: 3 }, "https://koutoubi.netlify.app"),
        );
      } finally {
        await other.close();
      }
    });

    it("skips a page larger than maxPageBytes (5 MB by default), declared or streamed", async () => {
      const big = "<p>x</p>".repeat((5 * 1024 * 1024) / 8 + 1);
      site.routes.set(PATHS.maths, bytesRoute(big, "text/html"));
      // No Content-Length: the cap applies while reading.
      site.routes.set(PATHS.arabe, (_, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        for (let i = 0; i < 6; i++) res.write("x".repeat(1024 * 1024));
        res.end();
      });
      const result = await crawl({ retries: 2 });
      const tooLarge = {
        status: "error",
        httpStatus: 200,
        error: "page larger than 5 MB, not read",
      } as const;
      expect(result.pages[2]).toStrictEqual(page(PATHS.maths, tooLarge));
      expect(result.pages[3]).toStrictEqual(page(PATHS.arabe, tooLarge));
      expect(requestsTo(PATHS.maths)).toBe(1);
      expect(result.pages[5]).toStrictEqual(page(PATHS.philo, { found: 3 }));

      // The sitemap too.
      await expect(crawl({ maxPageBytes: 100 })).rejects.toThrow(
        new ScrapeError(
          `Could not fetch the sitemap ${site.baseUrl}/sitemap.xml: page larger than 100 bytes, not read`,
        ),
      );
    });

    it("serves routes added by a test before the static files", async () => {
      site.routes.set("/pdfs/secondaire2s/MA-7AS-D.pdf", (_, res) => {
        res.writeHead(200, { "content-type": "application/pdf" });
        res.end("%PDF-1.4");
      });
      const res = await fetch(`${site.baseUrl}/pdfs/secondaire2s/MA-7AS-D.pdf`);
      expect([res.status, await res.text()]).toStrictEqual([200, "%PDF-1.4"]);
    });

    it("stops when the caller aborts", async () => {
      await site.close();
      site = await startKoutoubiSite({ latencyMs: 30 });
      const controller = new AbortController();
      const crawling = crawl({
        signal: controller.signal,
        onProgress: () => controller.abort(new Error("worker shutting down")),
      });
      await expect(crawling).rejects.toThrow("worker shutting down");
      const fetched = site.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(site.requests.length).toBe(fetched);
      expect(fetched).toBeLessThan(1 + 6);
    });
  },
);
