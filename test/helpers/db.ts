import { afterAll, beforeAll } from "vitest";
import { type DbHandle, openPglite, openPostgres, setDbHandle } from "@/db/client";
import { migrateDb } from "@/db/migrate";
import { resetAuthBackend } from "@/lib/auth";
import { resetEmbeddedAuthCache } from "@/lib/auth/embedded";
import { resetEnvCache } from "@/lib/config/env";

/** A fresh, migrated in-memory PGlite for this test file, installed as the process-wide db. */
export function useTestDb(): { db: () => DbHandle["db"]; handle: () => DbHandle } {
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    resetEnvCache();
    resetAuthBackend();
    resetEmbeddedAuthCache();
    handle = await openPglite();
    await migrateDb(handle);
    setDbHandle(handle);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await handle?.close();
  });
  const get = () => {
    if (!handle) throw new Error("test db not open yet (use it inside a test or hook)");
    return handle;
  };
  return { db: () => get().db, handle: get };
}

/**
 * The production driver path: postgres.js over TCP to a PGlite served by pglite-socket on
 * 127.0.0.1, migrated with the postgres-js migrator, installed as the process-wide db.
 */
export function useSocketDb(): { db: () => DbHandle["db"]; url: () => string } {
  let server: { stop(): Promise<void> } | undefined;
  let pglite: Awaited<ReturnType<typeof openPglite>> | undefined;
  let handle: DbHandle | undefined;
  let url = "";
  beforeAll(async () => {
    resetEnvCache();
    resetAuthBackend();
    resetEmbeddedAuthCache();
    const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
    pglite = await openPglite();
    const port = 20000 + Math.floor(Math.random() * 20000);
    // One connection: pglite-socket queues every protocol message on its own, so the extended
    // protocol of two connections (Parse, Describe+Flush, then Bind/Execute/Sync) interleaves in
    // PGlite's single session and a query binds another's statement ("bind message supplies 4
    // parameters, but prepared statement \"\" requires 2"). postgres.js pipelines on one.
    const s = new PGLiteSocketServer({ db: pglite.client, host: "127.0.0.1", port, maxConnections: 1 });
    await s.start();
    server = s;
    url = `postgres://postgres:postgres@${s.getServerConn()}/postgres`;
    // prepare: true is required by pglite-socket (false breaks under concurrency).
    handle = await openPostgres(url, { prepare: true, max: 1 });
    await migrateDb(handle);
    setDbHandle(handle);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await handle?.close();
    await server?.stop();
    await pglite?.close();
  });
  return {
    db: () => {
      if (!handle) throw new Error("socket db not open yet");
      return handle.db;
    },
    url: () => url,
  };
}
