// The production server (`npm start`): Next's request handler behind a plain Node HTTP server, so
// that the client address the app sees cannot be forged and the database closes cleanly on stop.
//
// Each request carries the socket's address in a header of our own, and any copy a client sent is
// replaced; the header's name is handed to the app through a process global (which no request can
// set), so lib/http/request.ts#clientIp trusts it only when this server is in front. It reads
// X-Forwarded-For only with TRUST_PROXY (a reverse proxy in front appends the real address):
// `next start` passes a client-sent X-Forwarded-For through unchanged.
import { createServer } from "node:http";
import next from "next";

const port = Number(process.env.PORT || 3000);
// All interfaces, like `next start` (HOSTNAME is not read: shells set it to the machine's name).
const hostname = "0.0.0.0";
const trustProxy = ["true", "1", "yes"].includes((process.env.TRUST_PROXY || "").toLowerCase());
const CLIENT_IP_HEADER = "x-bacmr-client-ip";
globalThis.__bacmrClientIpHeader = CLIENT_IP_HEADER;

const app = next({ dev: false, dir: import.meta.dirname, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  // Node joins repeated headers into one value: this replaces every copy a client sent.
  req.headers[CLIENT_IP_HEADER] = req.socket.remoteAddress || "unknown";
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
