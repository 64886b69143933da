// A PGlite database (pgvector, unaccent) served over the Postgres wire protocol by pglite-socket:
// what the app reaches through postgres.js (DATABASE_URL) in the load run and the fault suite.
// Runs as its own process so that it can be stopped and restarted under a running app.
//
//   tsx load/lib/pglite-server.ts <data dir> <port>
// Prints "ready <url>" once listening; SIGTERM closes the socket and the database cleanly.
// One connection: pglite-socket serves one PGlite session, and the extended-protocol messages of
// several connections interleave in it (test/postgres-driver.test.ts); clients use a pool of 1.
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { openPglite } from "@/db/client";

const [dir, portArg] = process.argv.slice(2);
if (!dir || !portArg) {
  console.error("usage: pglite-server.ts <data dir> <port>");
  process.exit(2);
}
const pglite = await openPglite(dir);
const server = new PGLiteSocketServer({
  db: pglite.client,
  host: "127.0.0.1",
  port: Number(portArg),
  maxConnections: 1,
});
await server.start();
console.info(`ready postgres://postgres:postgres@${server.getServerConn()}/postgres`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await pglite.close().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
