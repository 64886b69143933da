import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { env } from "@/lib/config/env";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Query functions take either the db or an open transaction. */
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  driver: "pglite" | "postgres";
  close(): Promise<void>;
  /** Closes every connection at once, queries in flight included (postgres.js). */
  abort?(): Promise<void>;
}

const drizzleOptions = { schema, casing: "snake_case" } as const;

/** PGlite with pgvector and unaccent; `dataDir` undefined means in memory. */
export async function openPglite(dataDir?: string): Promise<DbHandle & { client: PGlite }> {
  const [{ PGlite }, { vector }, { unaccent }, { drizzle }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-pgvector"),
    import("@electric-sql/pglite/contrib/unaccent"),
    import("drizzle-orm/pglite"),
  ]);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir ?? "memory://", { extensions: { vector, unaccent } });
  return {
    client,
    db: drizzle({ client, ...drizzleOptions }) as unknown as Db,
    driver: "pglite",
    close: () => client.close(),
  };
}

/**
 * postgres.js against a real server (Supabase, any Postgres with pgvector, or pglite-socket).
 * `prepare` must be false behind Supabase's transaction pooler and true for pglite-socket.
 */
export async function openPostgres(url: string, opts: { prepare: boolean; max: number }): Promise<DbHandle> {
  const [{ default: postgres }, { drizzle }] = await Promise.all([
    import("postgres"),
    import("drizzle-orm/postgres-js"),
  ]);
  const client = postgres(url, { prepare: opts.prepare, max: opts.max, onnotice: () => {} });
  return {
    db: drizzle({ client, ...drizzleOptions }) as unknown as Db,
    driver: "postgres",
    close: () => client.end({ timeout: 5 }),
    abort: () => client.end({ timeout: 0 }),
  };
}

// One handle per process, kept on globalThis so dev reloads and separately bundled
// entry points (route handlers, proxy) share it. PGlite has no file lock: a second
// opener of the same data dir would silently lose writes.
const globalForDb = globalThis as unknown as { __bacmrDb?: Promise<DbHandle> };

/** The process-wide database, opened lazily on first use (never at build time). */
export function getDbHandle(): Promise<DbHandle> {
  if (!globalForDb.__bacmrDb) {
    const e = env();
    const opening = e.DATABASE_URL
      ? openPostgres(e.DATABASE_URL, { prepare: e.DATABASE_PREPARE, max: e.DATABASE_POOL_MAX })
      : openPglite(path.resolve(e.DATA_DIR, "pglite"));
    globalForDb.__bacmrDb = opening;
    opening.catch(() => {
      // A failed open (bad URL, locked dir) must not poison every later request.
      if (globalForDb.__bacmrDb === opening) globalForDb.__bacmrDb = undefined;
    });
  }
  return globalForDb.__bacmrDb;
}

/**
 * After a request found the database silent past its deadline: a postgres.js pool is dropped,
 * its connections closed at once, so that the next request connects afresh instead of queueing
 * behind a connection nothing answers on (a server frozen or gone without closing it). An
 * embedded PGlite lives in this process and is kept.
 */
export async function dropStalledDb(): Promise<void> {
  const current = globalForDb.__bacmrDb;
  const handle = await current?.catch(() => undefined);
  if (!handle?.abort) return;
  if (globalForDb.__bacmrDb === current) globalForDb.__bacmrDb = undefined;
  await handle.abort().catch((err: unknown) => console.error("[db] closing the stalled pool:", err));
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

/** Tests install their own (in-memory) database as the process-wide one. */
export function setDbHandle(handle: DbHandle | undefined): void {
  globalForDb.__bacmrDb = handle ? Promise.resolve(handle) : undefined;
}

/** The rows of `db.execute(sql…)`, whose result is an array (postgres.js) or `{ rows }` (PGlite). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}
