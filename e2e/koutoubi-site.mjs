// A static copy of the koutoubi.mr portal for the browser tests: serves the shared fixture site
// (../shared/fixtures/koutoubi/site) so the app's "sync koutoubi" crawls it instead of the real
// portal. Plain node:http; index.html for directory paths, 404 for anything else. Without the
// fixture directory (a lone clone) it still starts and answers 404, and the sync spec skips.
//
//   KOUTOUBI_SITE_PORT (default 3190), KOUTOUBI_SITE_DIR (default the shared fixture),
//   KOUTOUBI_SITE_LATENCY_MS (default 0: a delay before each answer, so a sync lasts long enough
//   for the page to show its progress)
//   KOUTOUBI_SITE_PDF (optional): a real PDF served for every /pdfs/….pdf path, the portal's own
//   PDF host; the fixture has the pages, not the textbooks, so an ingestion can still succeed)
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";

const port = Number(process.env.KOUTOUBI_SITE_PORT || 3190);
const root = path.resolve(
  process.env.KOUTOUBI_SITE_DIR ||
    path.resolve(import.meta.dirname, "..", "../shared/fixtures/koutoubi/site"),
);

const latencyMs = Number(process.env.KOUTOUBI_SITE_LATENCY_MS || 0);
const standInPdf = process.env.KOUTOUBI_SITE_PDF || "";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".pdf": "application/pdf",
};

/** The file a URL path names inside root, or null (outside root, missing, unreadable). */
async function fileFor(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  let file = path.join(root, decoded);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return null;
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) file = path.join(file, "index.html");
  else if (!info?.isFile()) return null;
  return file;
}

const server = createServer(async (req, res) => {
  const { pathname } = new URL(req.url ?? "/", "http://site.invalid");
  if (pathname === "/__health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
  const file = standInPdf && /^\/pdfs\/.+\.pdf$/i.test(pathname) ? standInPdf : await fileFor(pathname);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!file || !body) {
    res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>404</title><h1>Page introuvable</h1>");
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": String(body.byteLength),
  });
  res.end(req.method === "HEAD" ? undefined : body);
});

server.listen(port, "127.0.0.1", () => {
  console.info(`[koutoubi-site] http://127.0.0.1:${port} serving ${root}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
