import http from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";

/**
 * Downloads a textbook PDF from a URL found by the portal scraper. The URL comes from a web page
 * we do not control, so every step is checked: the first host must be allowlisted, redirects are
 * followed by hand (http(s) only, bounded), hops to other hosts go through an agent that refuses
 * private and loopback addresses at connect time, and the body is bounded in size and time and
 * must be a PDF.
 */

export interface DownloadOptions {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  userAgent?: string;
  signal?: AbortSignal;
}

export type DownloadErrorCode =
  | "BAD_URL"
  | "HOST_NOT_ALLOWED"
  | "BLOCKED_ADDRESS"
  | "TOO_MANY_REDIRECTS"
  | "HTTP_ERROR"
  | "TOO_LARGE"
  | "NOT_PDF"
  | "TIMEOUT"
  | "NETWORK"
  | "ABORTED";

/** Whether retrying can help, per code; HTTP_ERROR depends on the status instead. */
const PERMANENT: Record<Exclude<DownloadErrorCode, "HTTP_ERROR">, boolean> = {
  BAD_URL: true,
  HOST_NOT_ALLOWED: true,
  BLOCKED_ADDRESS: true,
  TOO_MANY_REDIRECTS: true,
  TOO_LARGE: true,
  NOT_PDF: true,
  TIMEOUT: false,
  NETWORK: false,
  // The caller cancelled (e.g. a worker shutting down); the job itself may well succeed later.
  ABORTED: false,
};

/**
 * Only server trouble (5xx), "too slow" (408) and "too many" (429) can pass; any other refusal,
 * a 4xx or a redirect without a Location, will be answered the same way next time.
 */
const isPermanentStatus = (status: number) => status < 500 && status !== 408 && status !== 429;

/** A failed download, with a message an admin can read on the job and whether to retry. */
export class DownloadError extends Error {
  readonly code: DownloadErrorCode;
  readonly permanent: boolean;
  readonly status: number | null;

  constructor(code: DownloadErrorCode, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "DownloadError";
    this.code = code;
    this.status = opts.status ?? null;
    this.permanent = code === "HTTP_ERROR" ? isPermanentStatus(this.status ?? 0) : PERMANENT[code];
  }
}

export interface DownloadResult {
  bytes: Uint8Array;
  finalUrl: string;
  contentType: string | null;
}

const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_USER_AGENT = "BacMR-textbook-importer/1.0 (+https://bacmr.mr)";
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * PDF readers (pdf.js, Acrobat) accept up to 1024 bytes of junk before `%PDF-`, and some portals
 * do prepend a BOM or whitespace; being that tolerant costs nothing since HTML never contains it.
 */
const PDF_HEADER_WINDOW = 1024;
const PDF_MAGIC = Buffer.from("%PDF-", "latin1");

/**
 * The filtering agents resolve the name themselves and check every address just before the socket
 * connects, so a name that resolves to a public address for a check and to 127.0.0.1 for the
 * connection (DNS rebinding) is still refused. Without keep-alive, no socket outlives a download.
 */
const filteredAgents = { http: new RequestFilteringHttpAgent(), https: new RequestFilteringHttpsAgent() };
/** Allowlisted hosts are trusted to resolve anywhere, including loopback in tests. */
const directAgents = { http: new http.Agent(), https: new https.Agent() };

/** "docs.bsimr.com, bsimr.s3.us-east-2.amazonaws.com" → normalised lower-case list; used to parse the env var. */
export function parseHostList(value: string): string[] {
  const hosts = value
    .split(/[\s,]+/)
    .map(normaliseHost)
    .filter((host) => host !== "");
  return [...new Set(hosts)];
}

/** Lower case, no IPv6 brackets, no trailing root dot: the spelling both sides are compared in. */
function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

/** The URL as shown in messages: never with credentials, never unbounded. */
function shown(url: URL | string): string {
  if (typeof url === "string") return url.length > 200 ? `${url.slice(0, 200)}…` : url;
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return shown(copy.href);
}

/** Parses a URL (the first one or a redirect target) and refuses anything but plain http(s). */
function parseDownloadUrl(raw: string, base: URL | undefined, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new DownloadError("BAD_URL", `Download refused: ${what} is not a valid URL (${shown(raw)})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DownloadError("BAD_URL", `Download refused: ${what} is not an http(s) URL (${shown(url)})`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new DownloadError("BAD_URL", `Download refused: ${what} contains credentials (${shown(url)})`);
  }
  return url;
}

/** "5 MB", "12.5 KB", "300 bytes": a size limit as an admin reads it in an error. */
export function formatBytes(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes >= mb) return `${Number((bytes / mb).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

function tooLarge(url: URL, maxBytes: number): DownloadError {
  return new DownloadError(
    "TOO_LARGE",
    `Download failed: the file is larger than ${formatBytes(maxBytes)} (${shown(url)})`,
  );
}

/**
 * request-filtering-agent throws a plain Error without a code; its message is the only mark
 * ("DNS lookup 10.0.0.1(family:4, host:…) is not allowed. Because, It is private IP address.").
 * A test pins this so an upgrade that rewords it cannot silently turn refusals into NETWORK.
 */
const isFilterRefusal = (err: Error) => /^DNS lookup .* is not allowed\. Because/.test(err.message);

/** downloadPdf always aborts its controller with a DownloadError; anything else is a bug guard. */
function abortReason(signal: AbortSignal): DownloadError {
  const reason: unknown = signal.reason;
  return reason instanceof DownloadError
    ? reason
    : new DownloadError("ABORTED", "Download cancelled", { cause: reason });
}

const cancelled = (url: string, cause: unknown) =>
  new DownloadError("ABORTED", `Download cancelled (${shown(url)})`, { cause });

/** Maps whatever a request or response stream threw to a DownloadError naming the URL. */
function toDownloadError(err: unknown, url: URL, signal: AbortSignal): DownloadError {
  if (signal.aborted) return abortReason(signal);
  if (err instanceof DownloadError) return err;
  if (err instanceof Error && isFilterRefusal(err)) {
    return new DownloadError(
      "BLOCKED_ADDRESS",
      `Download refused: redirect to a private or loopback address (${shown(url)})`,
      { cause: err },
    );
  }
  const detail = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
  return new DownloadError("NETWORK", `Download failed: could not reach ${shown(url)} (${detail})`, {
    cause: err,
  });
}

/** Sends one GET and resolves with the response head; the body is left unread. */
function openResponse(
  url: URL,
  agent: http.Agent,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    // An abort between hops fired no event this listener could still catch.
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const request = (url.protocol === "https:" ? https.request : http.request)(url, { agent, headers });
    const onAbort = () => request.destroy(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    // Stays attached after the response: a late socket error must not become an uncaught 'error'.
    request.on("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(toDownloadError(err, url, signal));
    });
    request.on("response", (response) => {
      signal.removeEventListener("abort", onAbort);
      resolve(response);
    });
    request.end();
  });
}

/** Index of `%PDF-` in the first PDF_HEADER_WINDOW bytes, or -1. */
function pdfHeaderAt(head: Buffer): number {
  const at = head.subarray(0, PDF_HEADER_WINDOW + PDF_MAGIC.length).indexOf(PDF_MAGIC);
  return at <= PDF_HEADER_WINDOW ? at : -1;
}

function notPdf(url: URL, head: Buffer, contentType: string | null): DownloadError {
  // trimStart also drops a byte-order mark.
  const text = head.subarray(0, 512).toString("utf8").trimStart().toLowerCase();
  const looksXml = text.startsWith("<?xml") && !/<html/.test(text);
  const looksHtml = !looksXml && (text.startsWith("<") || /html/.test(contentType ?? ""));
  const hint = looksHtml
    ? " (it looks like an HTML page)"
    : looksXml
      ? " (it looks like an XML document)"
      : head.length === 0
        ? " (the response was empty)"
        : contentType
          ? ` (content type ${contentType})`
          : "";
  return new DownloadError(
    "NOT_PDF",
    `Download failed: the server did not send a PDF${hint} (${shown(url)})`,
  );
}

/**
 * Reads the body up to maxBytes. The PDF check runs as soon as the header window has arrived, so a
 * large HTML page is dropped after its first kilobyte rather than downloaded in full.
 */
async function readPdfBody(
  response: http.IncomingMessage,
  url: URL,
  maxBytes: number,
  contentType: string | null,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (signal.aborted) {
    response.destroy();
    throw abortReason(signal);
  }
  const onAbort = () => response.destroy(abortReason(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  let headerChecked = false;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(url, maxBytes);
      chunks.push(chunk);
      if (!headerChecked && total >= PDF_HEADER_WINDOW + PDF_MAGIC.length) {
        const head = Buffer.concat(chunks);
        if (pdfHeaderAt(head) < 0) throw notPdf(url, head, contentType);
        headerChecked = true;
      }
    }
  } catch (err) {
    // for-await already destroys the stream on an early exit; said again because the point of
    // TOO_LARGE and NOT_PDF is that the socket is closed, not merely left unread.
    response.destroy();
    throw toDownloadError(err, url, signal);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const body = Buffer.concat(chunks);
  if (!headerChecked && pdfHeaderAt(body) < 0) throw notPdf(url, body, contentType);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

type Hop =
  | { kind: "redirect"; location: string }
  | { kind: "file"; bytes: Uint8Array; contentType: string | null };

async function fetchHop(
  url: URL,
  {
    allowed,
    maxBytes,
    userAgent,
    signal,
  }: { allowed: boolean; maxBytes: number; userAgent: string; signal: AbortSignal },
): Promise<Hop> {
  const agents = allowed ? directAgents : filteredAgents;
  const agent = url.protocol === "https:" ? agents.https : agents.http;
  const headers = { "User-Agent": userAgent, Accept: "application/pdf, */*;q=0.5" };
  const response = await openResponse(url, agent, headers, signal);
  const status = response.statusCode ?? 0;

  if (REDIRECT_STATUSES.has(status)) {
    // A redirect body is never useful and may be large; drop the connection instead of reading it.
    response.destroy();
    const location = response.headers.location;
    if (!location) {
      throw new DownloadError(
        "HTTP_ERROR",
        `Download failed: ${shown(url)} answered ${status} without a Location`,
        {
          status,
        },
      );
    }
    return { kind: "redirect", location };
  }
  if (status < 200 || status >= 300) {
    response.destroy();
    const reason = response.statusMessage || http.STATUS_CODES[status] || "";
    throw new DownloadError(
      "HTTP_ERROR",
      `Download failed: ${shown(url)} answered ${status} ${reason}`.trim(),
      {
        status,
      },
    );
  }

  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(url, maxBytes);
  }
  const contentType = response.headers["content-type"] ?? null;
  const bytes = await readPdfBody(response, url, maxBytes, contentType, signal);
  return { kind: "file", bytes, contentType };
}

/**
 * Downloads a PDF under the policy above. Throws DownloadError only; `permanent` tells the job
 * runner whether to retry. The timeout covers the whole download, redirects included.
 */
export async function downloadPdf(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const allowedHosts = new Set(opts.allowedHosts.map(normaliseHost));
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;

  let current = parseDownloadUrl(url, undefined, "the address");
  const firstHost = normaliseHost(current.hostname);
  if (!allowedHosts.has(firstHost)) {
    throw new DownloadError(
      "HOST_NOT_ALLOWED",
      `Download refused: host ${firstHost} is not on the allowed list KOUTOUBI_PDF_HOSTS (${shown(current)})`,
    );
  }
  if (opts.signal?.aborted) throw cancelled(url, opts.signal.reason);

  const controller = new AbortController();
  const timer = setTimeout(() => {
    const seconds = Number((opts.timeoutMs / 1000).toFixed(1));
    controller.abort(new DownloadError("TIMEOUT", `Download timed out after ${seconds} s (${shown(url)})`));
  }, opts.timeoutMs);
  const forwardAbort = () => controller.abort(cancelled(url, opts.signal?.reason));
  opts.signal?.addEventListener("abort", forwardAbort, { once: true });

  try {
    for (let redirects = 0; ; redirects++) {
      const hop = await fetchHop(current, {
        allowed: allowedHosts.has(normaliseHost(current.hostname)),
        maxBytes: opts.maxBytes,
        userAgent,
        signal: controller.signal,
      });
      if (hop.kind === "file") {
        return { bytes: hop.bytes, finalUrl: current.href, contentType: hop.contentType };
      }
      if (redirects >= maxRedirects) {
        throw new DownloadError(
          "TOO_MANY_REDIRECTS",
          `Download failed: more than ${maxRedirects} redirects starting from ${shown(url)}`,
        );
      }
      current = parseDownloadUrl(hop.location, current, "a redirect target");
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", forwardAbort);
  }
}
