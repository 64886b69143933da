import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { env } from "@/lib/config/env";
import { unlessLate } from "@/lib/deadline";
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
  /**
   * Whether the server answers `select 1` on a connection of its own within `ms` (postgres.js):
   * a pool whose connections are all busy is slow, a server that cannot answer this is stalled.
   */
  probe?(ms: number): Promise<boolean>;
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
    probe: async (ms) => {
      const seconds = Math.max(1, Math.ceil(ms / 1000));
      const lone = postgres(url, {
        prepare: opts.prepare,
        max: 1,
        connect_timeout: seconds,
        onnotice: () => {},
      });
      try {
        return await unlessLate(
          lone`select 1`.then(() => true),
          ms,
          () => false,
        );
      } catch {
        return false;
      } finally {
        void lone.end({ timeout: 0 }).catch(() => {});
      }
    },
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

/** How long a stalled-pool check waits for its own connection's `select 1`. */
const PROBE_MS = 2_000;

/**
 * After a request or the health check found the database silent: when `handle` (default: the
 * current one) is a postgres.js pool that is still the process-wide one and the server does not
 * answer a fresh connection either, the pool is dropped, its connections closed at once, so that
 * the next request connects afresh instead of queueing behind connections nothing answers on (a
 * server frozen, or gone without closing them). A pool that is only busy is kept, and so is an
 * embedded PGlite, which lives in this process. Returns whether it dropped the pool.
 */
export async function dropIfStalled(handle?: DbHandle): Promise<boolean> {
  const current = globalForDb.__bacmrDb;
  const active = await current?.catch(() => undefined);
  const target = handle ?? active;
  if (!target?.abort || !target.probe || target !== active) return false;
  if (await target.probe(PROBE_MS)) return false;
  if (globalForDb.__bacmrDb !== current) return false;
  globalForDb.__bacmrDb = undefined;
  console.error("[db] the database does not answer: its connections are closed, the next request reconnects");
  await target.abort().catch((err: unknown) => console.error("[db] closing the stalled pool:", err));
  return true;
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
