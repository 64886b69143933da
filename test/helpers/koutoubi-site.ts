import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A local copy of the koutoubi portal for tests: the static fixture site served on 127.0.0.1,
 * plus routes a test adds (PDFs for download tests), injectable faults, and a log of requests.
 */

/** The fixture (expected.json next to site/); shared across worktrees, so absent in a lone clone. */
export const KOUTOUBI_FIXTURE_DIR = path.resolve(import.meta.dirname, "../../../shared/fixtures/koutoubi");
export const KOUTOUBI_SITE_DIR = path.join(KOUTOUBI_FIXTURE_DIR, "site");
export const FIXTURES_AVAILABLE = existsSync(KOUTOUBI_SITE_DIR);

/** The portal's real origin, as written in the fixture's sitemap and expected.json. */
export const KOUTOUBI_ORIGIN = "https://www.koutoubi.mr";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * What a path answers instead of its content: a status (with an optional Retry-After in seconds),
 * or a delay before the normal answer (longer than a client's timeout: a hang). `times` limits
 * the fault to the first N requests; without it the fault is permanent.
 */
export type Fault =
  | { status: number; times?: number; retryAfter?: number }
  | { delayMs: number; times?: number };

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent (not decoded). */
  path: string;
  userAgent: string | null;
  /** When it arrived (performance.now(), ms): gaps between requests show the crawler's pauses. */
  at: number;
}

export interface KoutoubiSite {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Extra paths (exact pathname, not decoded), answered before the static files. */
  routes: Map<string, RouteHandler>;
  /** Sets (or with null clears) the fault of an exact pathname. */
  setFault(pathname: string, fault: Fault | null): void;
  /** Most requests answered at once so far. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".pdf": "application/pdf",
};

/** A route answering fixed bytes, e.g. a generated PDF: `site.routes.set(path, bytesRoute(pdf))`. */
export function bytesRoute(body: Uint8Array | string, contentType = "application/pdf"): RouteHandler {
  return (req, res) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(200, { "content-type": contentType, "content-length": String(bytes.byteLength) });
    res.end(req.method === "HEAD" ? undefined : bytes);
  };
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = "";
  }
  const file = path.join(root, decoded.endsWith("/") ? `${decoded}index.html` : decoded);
  const body =
    decoded && file.startsWith(`${root}${path.sep}`) ? await readFile(file).catch(() => null) : null;
  if (!body) {
    res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>404</title><h1>Page introuvable</h1>");
    return;
  }
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
  res.writeHead(200, { "content-type": type, "content-length": String(body.byteLength) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * Starts the site on a random port. `latencyMs` delays every answer (to make requests overlap
 * when measuring concurrency); `root` serves another directory.
 */
export async function startKoutoubiSite(
  opts: { root?: string; latencyMs?: number; routes?: Record<string, RouteHandler> } = {},
): Promise<KoutoubiSite> {
  const root = path.resolve(opts.root ?? KOUTOUBI_SITE_DIR);
  const routes = new Map(Object.entries(opts.routes ?? {}));
  const faults = new Map<string, Fault & { served: number }>();
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    const raw = req.url ?? "/";
    const pathname = new URL(raw, "http://site.invalid").pathname;
    requests.push({
      method: req.method ?? "GET",
      path: raw,
      userAgent: req.headers["user-agent"] ?? null,
      at: performance.now(),
    });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => inFlight--);

    const answer = async () => {
      const handler = routes.get(pathname);
      if (handler) await handler(req, res);
      else await serveStatic(root, req, res, pathname);
    };
    const fault = faults.get(pathname);
    const active = fault && (fault.times === undefined || fault.served < fault.times) ? fault : null;
    if (active) active.served++;
    if (active && "status" in active) {
      const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
      if (active.retryAfter !== undefined) headers["retry-after"] = String(active.retryAfter);
      res.writeHead(active.status, headers);
      res.end(`fault ${active.status}`);
      return;
    }
    const delay = (active && "delayMs" in active ? active.delayMs : 0) + (opts.latencyMs ?? 0);
    const run = () =>
      answer().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    if (delay <= 0) {
      void run();
      return;
    }
    const timer = setTimeout(run, delay);
    // A client that gave up (timeout) closes the connection: nothing left to answer.
    res.on("close", () => clearTimeout(timer));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    routes,
    setFault(pathname, fault) {
      if (fault) faults.set(pathname, { ...fault, served: 0 });
      else faults.delete(pathname);
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections(); // keep-alive sockets and hung requests would hold close() open
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
