import * as cheerio from "cheerio";
import { EDUCATION_LEVELS, type EducationLevel } from "@/lib/curriculum/grades";
import { formatBytes } from "@/lib/net/safe-download";

/**
 * Crawler and parsers for the national textbook portal koutoubi.mr: its sitemap lists one page per
 * level/year/subject, and each page lists books in table rows linking to PDFs. Pure of any
 * database or storage: it returns what it found and what happened to every page, and the caller
 * decides what to keep.
 */

export type { EducationLevel };

export interface ScrapedReference {
  /** Cell text, whitespace collapsed; if the title cell is the link, the link text. */
  title: string;
  /** Absolute, resolved against the page URL (exactly as `new URL(href, page).href`, minus any #fragment). */
  pdfUrl: string;
  /** The page URL as fetched (base + path). */
  sourcePage: string;
  educationLevel: EducationLevel;
  year: number;
  /** Path segment, percent-decoded ("Mathematiques"). */
  subject: string;
  /** "C", "D", "TM", "C/D"…: from a series column, else from the title; never from the file name. */
  series: string | null;
  /** Four-digit year of the edition, when the page gives one. */
  edition: string | null;
  language: "fr" | "ar";
}

export interface PageOutcome {
  /** The URL fetched (for a skipped entry, the URL it would have been). */
  url: string;
  /** The URL as listed in the sitemap. */
  listedAs: string;
  status: "ok" | "not_found" | "error" | "skipped";
  httpStatus: number | null;
  /** References on this page, before deduplication. */
  found: number;
  /** Readable, e.g. "HTTP 503 after 3 attempts"; null when the page was fine or simply not a textbook page. */
  error: string | null;
  ms: number;
}

export interface CrawlProgress {
  done: number;
  total: number;
  /** Distinct PDFs found so far. */
  found: number;
}

export interface CrawlOptions {
  /** e.g. https://www.koutoubi.mr or http://127.0.0.1:PORT; sitemap paths are fetched from its origin. */
  baseUrl: string;
  fetchImpl?: typeof fetch;
  /** Pages in flight at once, never more. Default 2. */
  concurrency?: number;
  /** Polite pause between two requests of the same worker. Default 300 ms. */
  delayMs?: number;
  /** Per request, body included. Default 20 s. */
  timeoutMs?: number;
  /** Extra attempts on 5xx, 408, 429, network errors and timeouts. Default 2. */
  retries?: number;
  /** First backoff; doubles on each retry. Default 500 ms. */
  retryBaseMs?: number;
  /** Cap on any backoff, Retry-After included. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Largest page (or sitemap) read; a larger one is recorded as an error. Default 5 MB. */
  maxPageBytes?: number;
  /** Redirects followed per request, only within the portal (see redirectTarget). Default 5. */
  maxRedirects?: number;
  userAgent?: string;
  signal?: AbortSignal;
  /** Called after each fetched page; a throw stops the crawl and rejects it. */
  onProgress?: (p: CrawlProgress) => void | Promise<void>;
}

export interface CrawlResult {
  /** Deduplicated by pdfUrl, first seen in sitemap order (not completion order). */
  references: ScrapedReference[];
  /** One per sitemap URL, in sitemap order, skipped ones included. */
  pages: PageOutcome[];
  sitemapUrls: number;
  textbookPages: number;
  /** Milliseconds: fetching and reading the sitemap, then crawling its pages. */
  timings: { sitemap: number; pages: number };
}

/** The sitemap itself could not be fetched or read: nothing can be crawled. */
export class ScrapeError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ScrapeError";
  }
}

export const DEFAULT_USER_AGENT = "BacMR-scraper/1.0 (+https://github.com/bacmr)";

/** Hosts the portal has been published on; sitemaps mix them. */
const PORTAL_HOSTS = new Set(["www.koutoubi.mr", "koutoubi.mr", "koutoubi.netlify.app"]);

/** Series codes of the Mauritanian bac, the only ones read from free text (titles). */
const SERIES_CODES = ["TM", "TS", "LM", "LO", "A", "C", "D", "O"] as const;

// ---------------------------------------------------------------------------------------------
// Sitemap and URLs

/** The page URLs of a `<urlset>` sitemap, in document order. */
export function parseSitemap(xml: string): string[] {
  const $ = cheerio.load(xml, { xml: true });
  if ($("urlset").length === 0) {
    // An index would need fetching its child sitemaps; the portal has never published one.
    if ($("sitemapindex").length > 0) throw new ScrapeError("The sitemap is a sitemap index, not supported");
    throw new ScrapeError("The sitemap is not a sitemap: no <urlset> element");
  }
  return $("url > loc")
    .toArray()
    .map((loc) => $(loc).text().trim())
    .filter((loc) => loc !== "");
}

/** `raw` resolved against `base` as an http(s) URL without its #fragment, or null. */
function httpUrl(raw: string, base: string | URL): URL | null {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = ""; // never sent to the server
  return url;
}

/**
 * Maps a sitemap URL to the URL to fetch: portal hosts (www.koutoubi.mr, koutoubi.mr,
 * koutoubi.netlify.app, and the base's own host) → base origin + same path+search; other hosts →
 * null. A copy of the portal (tests, a mirror) thus serves the paths its sitemap names.
 */
export function resolvePortalUrl(listed: string, baseUrl: string): string | null {
  if (!URL.canParse(baseUrl)) return null;
  const base = new URL(baseUrl);
  const url = httpUrl(listed, base);
  if (!url) return null;
  if (!PORTAL_HOSTS.has(url.hostname.toLowerCase()) && url.host !== base.host) return null;
  return `${base.origin}${url.pathname}${url.search}`;
}

/**
 * "/secondaire2/7eme/Mathematiques/" → { educationLevel, year, subject } or null for non-textbook
 * paths. Accepts "7eme", "7ème", "7e" (and "1ère"/"1er"); subject percent-decoded.
 */
export function parseTextbookPath(
  pathname: string,
): { educationLevel: EducationLevel; year: number; subject: string } | null {
  let segments = pathname.split("/").filter((s) => s !== "");
  if (segments.at(-1)?.toLowerCase() === "index.html") segments = segments.slice(0, -1);
  if (segments.length !== 3) return null;
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s).normalize("NFC").trim());
  } catch {
    return null; // malformed percent-encoding: not a page the portal would link to
  }
  const [level = "", yearText = "", subject = ""] = decoded;
  const educationLevel = EDUCATION_LEVELS.find((l) => l === level.toLowerCase());
  const yearMatch = /^(\d{1,2})(?:e|eme|ème|è|er|ere|ère)$/i.exec(yearText);
  const year = Number(yearMatch?.[1]);
  // Six years of fondamental, then 1ère–4ème and 5ème–7ème of secondary: never above 7.
  if (!educationLevel || !yearMatch || year < 1 || year > 7 || subject === "") return null;
  return { educationLevel, year, subject };
}

// ---------------------------------------------------------------------------------------------
// Textbook pages

interface PageContext {
  url: string;
  educationLevel: EducationLevel;
  year: number;
  subject: string;
  /** Where the page was finally served from, after redirects; relative links resolve against it. */
  responseUrl?: string;
}

interface Link {
  href: string;
  text: string;
  titleAttr: string;
}

interface Cell {
  text: string;
  header: boolean;
  links: Link[];
}

interface Row {
  cells: Cell[];
  inHead: boolean;
}

type Role = "title" | "series" | "edition" | "link";

/**
 * Header words per role, matched on lower-case text without accents. "link" is tried first and
 * only at the start, so "Télécharger le manuel" is the link column and "Manuel (PDF)" the title.
 */
const HEADER_ROLES: [Role, RegExp][] = [
  ["link", /^(telecharg|download|lien|pdf|fichier|تحميل|رابط|تنزيل)/],
  ["title", /titre|manuel|livre|intitule|ouvrage|title|book|عنوان|الكتاب/],
  ["series", /serie|filiere|section|شعبة|الشعب/],
  ["edition", /edition|annee|^ed\.?$|year|طبعة|سنة/],
];

/** Link texts that say "download", not what the book is. */
const GENERIC_LINK_TEXT =
  /^(telecharger|télécharger|download|pdf|lien|voir|ouvrir|تحميل|تنزيل|حمل|رابط|اضغط هنا)$/i;

const foldForMatch = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

/** Words joining codes: "C et D", "C و D". */
const CODE_CONNECTORS = new Set(["et", "and", "و"]);

/** "C / D", "C et D", "C و D" → ["C", "D"]; null when some part is not a series code. */
function seriesCodes(text: string, allowed: (code: string) => boolean): string[] | null {
  const parts = text
    .split(/[\s/,&+]+/u)
    .filter((p) => p !== "" && !CODE_CONNECTORS.has(p.toLowerCase()))
    // Arabic writes "and" attached to the next word: "C وD".
    .map((p) => p.replace(/^و(?=[A-Za-z])/u, ""));
  if (parts.length === 0) return null;
  const codes: string[] = [];
  for (const part of parts) {
    if (!allowed(part)) return null;
    if (!codes.includes(part)) codes.push(part);
  }
  return codes;
}

const isKnownCode = (code: string) => (SERIES_CODES as readonly string[]).includes(code);

/** A series column: any short upper-case code is trusted ("SN" is a real code too); "—" or "" → null. */
function seriesFromColumn(text: string): string | null {
  const value = collapse(text).replace(/^(s[ée]ries?|الشعبة|شعبة)\s*:?\s*/iu, "");
  return seriesCodes(value.toUpperCase(), (code) => /^[A-Z]{1,3}$/.test(code))?.join("/") ?? null;
}

/** Without a series header, a cell made only of known codes ("C / D") is the series. */
function seriesFromBareCell(cells: Cell[]): string | null {
  for (const cell of cells) {
    const codes = seriesCodes(cell.text, isKnownCode);
    if (codes) return codes.join("/");
  }
  return null;
}

const CODE = `(?:${SERIES_CODES.join("|")})`;
const CODE_LIST = `${CODE}(?:\\s*(?:/|,|&|\\bet\\b|و)\\s*${CODE})*`;
const SERIES_WORD = new RegExp(
  `(?<!\\p{L})[Ss][EeÉé][Rr][Ii][Ee][Ss]?\\s*:?\\s*(${CODE_LIST})(?![\\p{L}\\p{N}])`,
  "u",
);
const SERIES_PARENS = new RegExp(`\\(\\s*(${CODE_LIST})\\s*\\)`, "u");

/**
 * A series written in a title: "Série D", "Séries C et D", "(O)", "(C و D)". Only known codes
 * and only in these shapes: "FR-3AS-C" or "Cahier (Tome 2)" carry no series.
 */
function seriesFromTitle(title: string): string | null {
  const match = SERIES_WORD.exec(title) ?? SERIES_PARENS.exec(title);
  return match?.[1] ? (seriesCodes(match[1], isKnownCode)?.join("/") ?? null) : null;
}

const YEAR_IN_TEXT = /(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)/;
const YEAR_ONLY = /^(1[89]\d{2}|20\d{2})$/;

function languageOf(title: string): "fr" | "ar" {
  const arabic = title.match(/\p{Script=Arabic}/gu)?.length ?? 0;
  const latin = title.match(/\p{Script=Latin}/gu)?.length ?? 0;
  return arabic > latin ? "ar" : "fr";
}

/** The href as an absolute http(s) URL to a PDF, or null. */
function pdfUrlOf(href: string, base: string): string | null {
  // Without its fragment: "#page=2" would split one PDF into several records.
  const url = httpUrl(href, base);
  return url?.pathname.toLowerCase().endsWith(".pdf") ? url.href : null;
}

const roleOf = (cell: Cell): Role | undefined =>
  HEADER_ROLES.find(([, pattern]) => pattern.test(foldForMatch(cell.text)))?.[0];

/** Roles found in a header row, by column index (first column wins for each role). */
function rolesOf(header: Cell[]): Map<Role, number> {
  const roles = new Map<Role, number>();
  header.forEach((cell, index) => {
    const role = roleOf(cell);
    if (role && !roles.has(role)) roles.set(role, index);
  });
  return roles;
}

/**
 * A header row: in <thead>, all <th>, or (pages that style <td> as headers) no links and only
 * header words in at least two columns. "Manuel de l'élève | Série C | Bientôt disponible" is not
 * one: its last cell is no header word.
 */
function isHeaderRow(row: Row): boolean {
  if (row.inHead || row.cells.every((c) => c.header)) return true;
  const filled = row.cells.filter((c) => c.text !== "");
  return (
    row.cells.every((c) => c.links.length === 0) &&
    filled.every((c) => roleOf(c) !== undefined) &&
    rolesOf(row.cells).size >= 2
  );
}

function referenceOf(
  row: Row,
  roles: Map<Role, number>,
  page: PageContext,
  base: string,
): ScrapedReference | null {
  const { cells } = row;
  let pdfUrl: string | null = null;
  let pdfLink: Link | null = null;
  let linkCell = -1;
  for (const [index, cell] of cells.entries()) {
    for (const link of cell.links) {
      pdfUrl = pdfUrlOf(link.href, base);
      if (pdfUrl) {
        pdfLink = link;
        linkCell = index;
        break;
      }
    }
    if (pdfUrl) break;
  }
  if (!pdfUrl || !pdfLink) return null;

  // Without a title header, the first cell with words (not a row number, not a year) is the title.
  const titleIndex =
    roles.get("title") ?? cells.findIndex((c) => c.text !== "" && !/^[\d\s.#-]*$/.test(c.text));
  const cellTitle = cells[titleIndex]?.text ?? "";
  const fileName = decodeURIComponentSafe(new URL(pdfUrl).pathname.split("/").at(-1) ?? "");
  const title =
    [cellTitle, pdfLink.text, pdfLink.titleAttr].find((t) => t !== "" && !GENERIC_LINK_TEXT.test(t)) ??
    collapse(fileName.replace(/\.pdf$/i, ""));
  if (title === "") return null;

  // Distinct cells (a colspan repeats one) other than the title and the link.
  const otherCells = [...new Set(cells)].filter((c) => c !== cells[titleIndex] && c !== cells[linkCell]);
  const seriesIndex = roles.get("series");
  const series =
    (seriesIndex === undefined
      ? seriesFromBareCell(otherCells)
      : seriesFromColumn(cells[seriesIndex]?.text ?? "")) ?? seriesFromTitle(title);

  const editionIndex = roles.get("edition");
  const edition =
    editionIndex === undefined
      ? (otherCells.map((c) => YEAR_ONLY.exec(c.text)?.[1]).find((y) => y) ?? null)
      : (YEAR_IN_TEXT.exec(cells[editionIndex]?.text ?? "")?.[1] ?? null);

  return {
    title,
    pdfUrl,
    sourcePage: page.url,
    educationLevel: page.educationLevel,
    year: page.year,
    subject: page.subject,
    series,
    edition,
    language: languageOf(title),
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Tables as rows of plain cells, colspans expanded so that header indexes line up with data. */
function tablesOf(html: string): { tables: Row[][]; baseHref: string | undefined } {
  const $ = cheerio.load(html);
  $("script, style, noscript, template").remove();
  // Line breaks and blocks inside a cell separate words; .text() alone would glue them.
  $("br").replaceWith(" ");
  $("p, div, li").append(" ");
  const tables = $("table")
    .toArray()
    .map((table) =>
      $(table)
        .find("tr")
        .filter((_, tr) => $(tr).closest("table").is(table))
        // A row holding a table is layout: its own rows are read with that table.
        .filter((_, tr) => $(tr).find("table").length === 0)
        .toArray()
        .map((tr): Row => {
          const cells: Cell[] = [];
          for (const td of $(tr).children("td, th").toArray()) {
            const cell: Cell = {
              text: collapse($(td).text()),
              header: td.tagName.toLowerCase() === "th",
              links: $(td)
                .find("a[href]")
                .toArray()
                .map((a) => ({
                  href: $(a).attr("href") ?? "",
                  text: collapse($(a).text()),
                  titleAttr: collapse($(a).attr("title") ?? ""),
                })),
            };
            const span = Math.min(20, Math.max(1, Number.parseInt($(td).attr("colspan") ?? "1", 10) || 1));
            for (let i = 0; i < span; i++) cells.push(cell);
          }
          return { cells, inHead: $(tr).parent().is("thead") };
        }),
    );
  return { tables, baseHref: $("base[href]").first().attr("href") };
}

/**
 * Table rows with a PDF link → references (the page context supplies level/year/subject/sourcePage).
 * Column roles come from header text (fr/ar: Titre/Manuel/العنوان, Série/الشعبة, Édition/الطبعة),
 * with a positional fallback (first cell with words = title, a cell that is a 4-digit year =
 * edition). A PDF link is an <a href> whose path ends in .pdf, case-insensitively. Rows without
 * one are skipped.
 */
export function parseTextbookPage(html: string, page: PageContext): ScrapedReference[] {
  const { tables, baseHref } = tablesOf(html);
  const pageUrl = page.responseUrl ?? page.url;
  let base = pageUrl;
  try {
    if (baseHref) base = new URL(baseHref, pageUrl).href;
  } catch {
    // an unusable <base href> is ignored, as browsers do
  }
  const references: ScrapedReference[] = [];
  for (const rows of tables) {
    let roles = new Map<Role, number>();
    for (const row of rows) {
      if (row.cells.length === 0) continue;
      if (isHeaderRow(row)) {
        // A header row names the columns of the rows under it, until the next header row.
        roles = rolesOf(row.cells);
        continue;
      }
      const reference = referenceOf(row, roles, page, base);
      if (reference) references.push(reference);
    }
  }
  return references;
}

// ---------------------------------------------------------------------------------------------
// Crawling

interface Settings {
  baseUrl: string;
  fetchImpl: typeof fetch;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  maxRetryDelayMs: number;
  maxPageBytes: number;
  maxRedirects: number;
  userAgent: string;
  signal: AbortSignal;
}

interface Fetched {
  httpStatus: number | null;
  /** Set on a 2xx answer only. */
  body: string | null;
  finalUrl: string;
  error: string | null;
}

const isRetryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect may lead: the base's own host, or one of the portal's hosts. The real portal
 * moving between its hosts (apex → www) is followed as is; a copy of the portal (tests, a mirror)
 * sending to the real one stays on the copy, as its sitemap entries do. Anything else (another
 * site, an internal address a page could point at) → null, never requested.
 */
export function redirectTarget(location: string, from: string, baseUrl: string): string | null {
  const url = httpUrl(location, from);
  if (!url) return null;
  const base = new URL(baseUrl);
  if (url.host === base.host) return url.href;
  // The portal's other hosts on their default port only (not koutoubi.mr:6379).
  if (!PORTAL_HOSTS.has(url.hostname.toLowerCase()) || url.port !== "") return null;
  return PORTAL_HOSTS.has(base.hostname.toLowerCase()) ? url.href : resolvePortalUrl(url.href, baseUrl);
}

/** The body as text, or null when it is larger than `maxBytes` (then left unread and dropped). */
async function readCapped(res: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(parts));
}

const formatSeconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal.throwIfAborted();
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : null;
  if (code) return code;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * One GET, following redirects by hand within the portal only (see redirectTarget), reading at
 * most maxPageBytes. A final answer that is no 2xx comes back unread for the caller to judge;
 * a refusal (redirect elsewhere, too many, page too large) comes back as a permanent error.
 */
async function fetchOnce(
  url: string,
  s: Settings,
  signal: AbortSignal,
): Promise<{ res: Response; finalUrl: string; body: string | null } | { refused: Fetched }> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const res = await s.fetchImpl(current, {
      headers: {
        "user-agent": s.userAgent,
        accept: "text/html,application/xhtml+xml,application/xml;q=0.9",
      },
      redirect: "manual",
      signal,
    });
    const refuse = (error: string): { refused: Fetched } => ({
      refused: { httpStatus: res.status, body: null, finalUrl: current, error },
    });
    if (REDIRECT_STATUSES.has(res.status)) {
      await res.body?.cancel().catch(() => undefined); // a redirect's body is never wanted
      const location = res.headers.get("location");
      if (!location) return refuse(`HTTP ${res.status} without a Location`);
      const next = redirectTarget(location, current, s.baseUrl);
      if (!next) return refuse(`redirected outside the portal, not followed (${location.slice(0, 200)})`);
      if (redirects >= s.maxRedirects) return refuse(`more than ${s.maxRedirects} redirects`);
      current = next;
      continue;
    }
    if (!res.ok) return { res, finalUrl: current, body: null };
    const body = await readCapped(res, s.maxPageBytes);
    if (body === null) return refuse(`page larger than ${formatBytes(s.maxPageBytes)}, not read`);
    return { res, finalUrl: current, body };
  }
}

/**
 * GET with a per-attempt timeout and retries with exponential backoff on transient failures.
 * Never throws for HTTP or network trouble (the outcome says what happened); throws only when the
 * crawl's own signal aborts.
 */
async function fetchText(url: string, s: Settings): Promise<Fetched> {
  for (let attempt = 1; ; attempt++) {
    s.signal.throwIfAborted();
    const timeout = AbortSignal.timeout(s.timeoutMs);
    let status: number | null = null;
    let failure: string;
    let serverDelay: number | null = null;
    try {
      const fetched = await fetchOnce(url, s, AbortSignal.any([s.signal, timeout]));
      if ("refused" in fetched) return fetched.refused;
      const { res, finalUrl, body } = fetched;
      if (body !== null) return { httpStatus: res.status, body, finalUrl, error: null };
      status = res.status;
      await res.body?.cancel().catch(() => undefined); // frees the connection; the body is not wanted
      if (!isRetryableStatus(status)) {
        return { httpStatus: status, body: null, finalUrl: url, error: `HTTP ${status}` };
      }
      failure = `HTTP ${status}`;
      serverDelay = retryAfterMs(res.headers.get("retry-after"));
    } catch (err) {
      if (s.signal.aborted) throw s.signal.reason;
      // Also reached when the body of a 2xx answer breaks off: worth another attempt too.
      failure = timeout.aborted
        ? `timed out after ${formatSeconds(s.timeoutMs)}`
        : `network error: ${describeNetworkError(err)}`;
    }
    if (attempt > s.retries) {
      let error = failure;
      if (attempt > 1)
        error = status === null ? `${failure} (${attempt} attempts)` : `${failure} after ${attempt} attempts`;
      return { httpStatus: status, body: null, finalUrl: url, error };
    }
    const backoff = s.retryBaseMs * 2 ** (attempt - 1);
    await sleep(Math.min(s.maxRetryDelayMs, serverDelay ?? backoff), s.signal);
  }
}

interface PlannedPage {
  listedAs: string;
  url: string;
  context: PageContext | null;
  /** Why the entry is not fetched, when it is not and the reason is worth telling. */
  skipReason: string | null;
}

function planPages(listed: string[], baseUrl: string): PlannedPage[] {
  const seen = new Set<string>();
  return listed.map((listedAs) => {
    const url = resolvePortalUrl(listedAs, baseUrl);
    if (!url) return { listedAs, url: listedAs, context: null, skipReason: "not on a koutoubi host" };
    const path = parseTextbookPath(new URL(url).pathname);
    if (!path) return { listedAs, url, context: null, skipReason: null };
    // www and netlify entries for one path are one page: fetch it once.
    if (seen.has(url)) {
      return { listedAs, url, context: null, skipReason: "same page as an earlier sitemap entry" };
    }
    seen.add(url);
    return { listedAs, url, context: { url, ...path }, skipReason: null };
  });
}

/** An option as an integer ≥ min; a missing or non-finite one takes the default. */
const intAtLeast = (value: number | undefined, fallback: number, min: number) =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(min, Math.trunc(value));

/**
 * Fetches `${base}/sitemap.xml`, then every textbook page it lists (`/<level>/<Nème>/<Subject>/`)
 * from the base, with bounded concurrency, a polite delay and retries; redirects are followed
 * only within the portal and a page is read up to a size cap. A page that fails is
 * recorded and the crawl goes on; only an unreadable sitemap (ScrapeError) or the caller's signal
 * stops it.
 */
export async function crawlKoutoubi(opts: CrawlOptions): Promise<CrawlResult> {
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  if (!URL.canParse(baseUrl)) throw new ScrapeError(`Invalid base URL ${JSON.stringify(opts.baseUrl)}`);
  // Lets a failing onProgress stop the other workers too.
  const stop = new AbortController();
  const settings: Settings = {
    baseUrl,
    fetchImpl: opts.fetchImpl ?? globalThis.fetch,
    timeoutMs: intAtLeast(opts.timeoutMs, 20_000, 1),
    retries: intAtLeast(opts.retries, 2, 0),
    retryBaseMs: intAtLeast(opts.retryBaseMs, 500, 0),
    maxRetryDelayMs: intAtLeast(opts.maxRetryDelayMs, 30_000, 0),
    maxPageBytes: intAtLeast(opts.maxPageBytes, 5 * 1024 * 1024, 1),
    maxRedirects: intAtLeast(opts.maxRedirects, 5, 0),
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    signal: opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal,
  };
  const concurrency = intAtLeast(opts.concurrency, 2, 1);
  const delayMs = intAtLeast(opts.delayMs, 300, 0);

  const started = performance.now();
  const sitemapUrl = `${baseUrl}/sitemap.xml`;
  const sitemap = await fetchText(sitemapUrl, settings);
  if (sitemap.body === null) {
    throw new ScrapeError(`Could not fetch the sitemap ${sitemapUrl}: ${sitemap.error}`);
  }
  let listed: string[];
  try {
    listed = parseSitemap(sitemap.body);
  } catch (err) {
    if (err instanceof ScrapeError) throw new ScrapeError(`${err.message} (${sitemapUrl})`);
    throw new ScrapeError(`Could not read the sitemap ${sitemapUrl}`, { cause: err });
  }

  const sitemapDone = performance.now();
  const plan = planPages(listed, baseUrl);
  const pages: PageOutcome[] = plan.map((p) => ({
    url: p.url,
    listedAs: p.listedAs,
    status: "skipped",
    httpStatus: null,
    found: 0,
    error: p.skipReason,
    ms: 0,
  }));
  const found: ScrapedReference[][] = plan.map(() => []);
  const queue = plan.flatMap((p, index) => (p.context ? [index] : []));
  const distinct = new Set<string>();
  let next = 0;
  let done = 0;

  async function crawlPage(index: number): Promise<void> {
    const { context, url } = plan[index] as PlannedPage & { context: PageContext };
    const started = performance.now();
    const fetched = await fetchText(url, settings);
    const outcome = pages[index] as PageOutcome;
    outcome.httpStatus = fetched.httpStatus;
    outcome.error = fetched.error;
    if (fetched.body !== null) {
      try {
        found[index] = parseTextbookPage(fetched.body, { ...context, responseUrl: fetched.finalUrl });
        outcome.status = "ok";
        outcome.found = found[index]?.length ?? 0;
      } catch (err) {
        outcome.status = "error";
        outcome.error = `unreadable page: ${err instanceof Error ? err.message : String(err)}`;
      }
    } else {
      outcome.status = fetched.httpStatus === 404 || fetched.httpStatus === 410 ? "not_found" : "error";
    }
    outcome.ms = Math.round(performance.now() - started);
  }

  async function worker(): Promise<void> {
    for (let first = true; next < queue.length; first = false) {
      const index = queue[next++] as number;
      if (!first) await sleep(delayMs, settings.signal);
      await crawlPage(index);
      done++;
      for (const reference of found[index] ?? []) distinct.add(reference.pdfUrl);
      await opts.onProgress?.({ done, total: queue.length, found: distinct.size });
    }
  }

  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, queue.length) }, () =>
      worker().catch((err: unknown) => {
        stop.abort(err);
        throw err;
      }),
    ),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw opts.signal?.aborted ? opts.signal.reason : failed.reason;

  const byPdf = new Map<string, ScrapedReference>();
  for (const reference of found.flat()) {
    if (!byPdf.has(reference.pdfUrl)) byPdf.set(reference.pdfUrl, reference);
  }
  const references = [...byPdf.values()];
  return {
    references,
    pages,
    sitemapUrls: listed.length,
    textbookPages: queue.length,
    timings: {
      sitemap: Math.round(sitemapDone - started),
      pages: Math.round(performance.now() - sitemapDone),
    },
  };
}
