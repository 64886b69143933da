// The production server (`npm start`): Next's request handler behind a plain Node HTTP server, so
// that the client address the app sees cannot be forged and the database closes cleanly on stop.
//
// `next start` keeps a client-sent X-Forwarded-For as it is (it only fills the header when absent),
// so a client talking to the app directly could claim any IP and dodge per-IP rate limits. Here,
// unless TRUST_PROXY says a reverse proxy in front appends the real address, the header is
// replaced by the socket's address. lib/http/request.ts#clientIp reads the right-most entry.
import { createServer } from "node:http";
import next from "next";

const port = Number(process.env.PORT || 3000);
// All interfaces, like `next start` (HOSTNAME is not read: shells set it to the machine's name).
const hostname = "0.0.0.0";
const trustProxy = ["true", "1", "yes"].includes((process.env.TRUST_PROXY || "").toLowerCase());

const app = next({ dev: false, dir: import.meta.dirname, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  if (!trustProxy) req.headers["x-forwarded-for"] = req.socket.remoteAddress || "unknown";
  handle(req, res);
});
server.listen(port, hostname, () => {
  console.info(`[bacmr] listening on http://localhost:${port} (TRUST_PROXY=${trustProxy})`);
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.info(`[bacmr] ${signal}: closing`);
  server.close();
  // The app's database handle (db/client.ts keeps it on globalThis). PGlite flushes on close.
  const db = globalThis.__bacmrDb;
  try {
    if (db) await (await db).close();
  } catch (err) {
    console.error("[bacmr] closing the database failed:", err);
  }
  process.exit(0);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
