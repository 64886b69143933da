// Fault injection against the production server (a child process, `node server.mjs` on the
// build in .next, rebuilt first when stale): the server killed mid-ingestion, and the database
// connection lost and back. The model provider dropping mid-stream and the portal answering
// 500s/timeouts are covered in-process by test/api-chat.test.ts and test/api-library.test.ts.
//
//   npm run test:faults      (ports LOAD_FAULT_PORT 3920–3921, LOAD_FAULT_DB_PORT 3952)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPglite, rowsOf } from "@/db/client";
import { chunkPages } from "@/lib/ingest/chunk";
import { extractPages, shutdownExtraction } from "@/lib/ingest/extract";
import { textPdf } from "@/test/fixtures-gen/documents";
import { ensureBuild, type RunningApp, startApp } from "./lib/app";
import { type Answer, fetchApi } from "./lib/http";
import { type SocketDb, startSocketDb } from "./lib/pglite-socket";

const APP_PORT = Number(process.env.LOAD_FAULT_PORT ?? 3920);
const DB_PORT = Number(process.env.LOAD_FAULT_DB_PORT ?? 3952);
const LEASE_SECONDS = 10; // the smallest INGEST_LEASE_SECONDS allowed

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
const apps: RunningApp[] = [];
const sockets: SocketDb[] = [];

function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `bacmr-fault-${name}-`));
  dirs.push(dir);
  return dir;
}

async function start(port: number, env: Record<string, string>): Promise<RunningApp> {
  const app = await startApp({ port, env: { INGEST_POLL_SECONDS: "1", ...env } });
  apps.push(app);
  return app;
}

type Res = Omit<Answer, "body"> & { body: Record<string, unknown> | null };

const api = (base: string, method: string, url: string, opts: Parameters<typeof fetchApi>[3] = {}) =>
  fetchApi(base, method, url, opts) as Promise<Res>;

async function signedInStudent(base: string): Promise<string> {
  const email = `fault-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@load.bacmr.test`;
  const password = "Fault-pass-secret-1";
  expect((await api(base, "POST", "/api/auth/signup", { json: { email, password } })).status).toBe(201);
  const s = await api(base, "POST", "/api/auth/signin", { json: { email, password } });
  const token = (s.body?.data as { access_token?: string } | undefined)?.access_token;
  if (!token) throw new Error(`signin failed: ${JSON.stringify(s.body)}`);
  return token;
}

beforeAll(() => {
  ensureBuild();
}, 600_000);

afterAll(async () => {
  for (const app of apps) await app.stop();
  for (const s of sockets) await s.stop();
  await shutdownExtraction();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Pages of real-looking text, ~1,100 characters each, so chunks straddle pages. */
function bookPages(n: number): string[][] {
  const sentence = (p: number, i: number) =>
    `Page ${p}, phrase ${i} : la demi-vie d'un noyau radioactif ne depend pas de la quantite initiale.`;
  return Array.from({ length: n }, (_, p) => Array.from({ length: 11 }, (_, i) => sentence(p + 1, i + 1)));
}

describe("the server killed mid-ingestion", () => {
  it("re-claims the job after its lease on restart and completes it, without duplicate chunks", async () => {
    const dataDir = tempDir("crash");
    const env = { DATA_DIR: dataDir, INGEST_LEASE_SECONDS: String(LEASE_SECONDS) };
    let app = await start(APP_PORT, env);
    const token = await signedInStudent(app.url);
    const course = await api(app.url, "POST", "/api/courses", { token, json: { name: "Crash" } });
    const courseId = String(course.body?.id);
    const pdf = await textPdf(bookPages(400));
    const form = new FormData();
    form.append("file", new File([new Uint8Array(pdf)], "livre.pdf", { type: "application/pdf" }));
    const uploadStarted = Date.now();
    const up = await api(app.url, "POST", `/api/courses/${courseId}/materials`, { token, form });
    expect(up.status).toBe(201);
    const materialId = String(up.body?.id);

    // Kill it while pages are being read (the upload kicked the in-process runner).
    let seen: Record<string, unknown> = {};
    let seenAt = 0;
    // The heartbeat that recorded the progress seen happened after the previous poll began.
    let previousPoll = uploadStarted;
    for (let i = 0; ; i++) {
      const pollStarted = Date.now();
      const st = await api(app.url, "GET", `/api/courses/${courseId}/materials/status`, { token });
      seen = ((st.body as unknown as Record<string, unknown>[]) ?? [])[0] ?? {};
      const done = Number(seen.pages_done ?? 0);
      if (seen.processing_status === "processing" && done > 0 && done < Number(seen.pages_total)) {
        seenAt = previousPoll;
        break;
      }
      previousPoll = pollStarted;
      expect(seen.processing_status, "the ingestion ended before the kill").not.toBe("completed");
      expect(i).toBeLessThan(600);
      await sleep(25);
    }
    await app.kill();
    const killedAt = Date.now();

    app = await start(APP_PORT, env);
    const jobs = await api(app.url, "GET", "/api/admin/jobs?limit=5", { admin: true });
    const job = ((jobs.body?.jobs ?? []) as Record<string, unknown>[]).find(
      (j) => j.material_id === materialId,
    );
    // Still the dead worker's until its lease runs out (when the restart was quicker than that).
    if (Date.now() < seenAt + (LEASE_SECONDS - 1) * 1000) {
      expect(job).toMatchObject({ status: "running", attempts: 1 });
    }

    let final: Record<string, unknown> = {};
    for (;;) {
      const j = await api(app.url, "GET", `/api/admin/jobs/${String(job?.id)}`, { admin: true });
      final = j.body ?? {};
      if (final.status === "succeeded" || final.status === "failed") break;
      expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 90) * 1000);
      await sleep(250);
    }
    expect(final).toMatchObject({ status: "succeeded", attempts: 2, error_message: null });
    // Claimed again only once the lease of its last heartbeat (after `seenAt`) had expired
    // (the server and this test share the clock).
    expect(new Date(String(final.started_at)).getTime()).toBeGreaterThanOrEqual(
      seenAt + LEASE_SECONDS * 1000 - 500,
    );
    const material = await api(app.url, "GET", `/api/materials/${materialId}`, { token });
    expect(material.body).toMatchObject({ processing_status: "completed", error_message: null });

    // The chunks are exactly one run's worth: the same as chunking the file's pages once.
    await app.stop();
    const pages: { page: number; text: string }[] = [];
    for await (const p of extractPages(pdf, "application/pdf", {}))
      pages.push({ page: p.page, text: p.text });
    const expected = chunkPages(pages);
    const perPage = (rows: { pageStart: number }[]) => {
      const m = new Map<number, number>();
      for (const r of rows) m.set(r.pageStart, (m.get(r.pageStart) ?? 0) + 1);
      return Object.fromEntries(m);
    };
    const handle = await openPglite(path.join(dataDir, "pglite"));
    try {
      const rows = rowsOf<{ chunk_index: number; page_start: number }>(
        await handle.db.execute(
          sql`select chunk_index, page_start from chunks where material_id = ${materialId} order by chunk_index`,
        ),
      );
      expect(rows.length).toBe(expected.length);
      expect(new Set(rows.map((r) => r.chunk_index)).size).toBe(rows.length);
      expect(perPage(rows.map((r) => ({ pageStart: Number(r.page_start) })))).toStrictEqual(
        perPage(expected),
      );
    } finally {
      await handle.close();
    }
  }, 240_000);
});

describe("the database connection lost and back (postgres.js → pglite-socket)", () => {
  it("answers a clean error while the database is down, never hangs, and recovers without a restart", async () => {
    const dir = tempDir("dbloss");
    // One connection (see load/run.ts: pglite-socket interleaves the messages of several).
    let db = await startSocketDb(path.join(dir, "pg"), DB_PORT);
    sockets.push(db);
    // A short request deadline: a query sent on a connection the stopped server left open is never
    // answered, and the deadline (lib/http/route.ts) is what ends such a request.
    const app = await start(APP_PORT + 1, {
      DATA_DIR: dir,
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: "1",
      REQUEST_TIMEOUT_SECONDS: "5",
    });
    const token = await signedInStudent(app.url);
    expect((await api(app.url, "GET", "/api/me", { token })).status).toBe(200);
    const pid = app.child.pid;

    await db.stop();
    const down = [
      await api(app.url, "GET", "/api/health", { timeoutMs: 40_000 }),
      await api(app.url, "GET", "/api/me", { token, timeoutMs: 40_000 }),
      await api(app.url, "GET", "/api/courses", { token, timeoutMs: 40_000 }),
      await api(app.url, "POST", "/api/courses", {
        token,
        json: { name: "Pendant la panne" },
        timeoutMs: 40_000,
      }),
      await api(app.url, "POST", "/api/auth/signin", {
        json: { email: "nobody@load.bacmr.test", password: "whatever-123" },
        timeoutMs: 40_000,
      }),
    ];
    // A clean, quick 503 each time: the health check says which part is down, the API its error
    // (the connection refused, or no answer on one left open until the request's deadline).
    const [health503, ...apiDown] = down;
    expect(health503).toMatchObject({ status: 503, body: { database: "unavailable" } });
    for (const r of apiDown) {
      expect(r).toMatchObject({ status: 503, body: { code: "SERVICE_UNAVAILABLE" } });
      expect(["Database unavailable", "The server took too long to answer; try again"]).toContain(
        (r.body as { detail?: string }).detail,
      );
    }
    for (const r of down) expect(r.ms).toBeLessThan(10_000);

    db = await startSocketDb(path.join(dir, "pg"), DB_PORT);
    sockets.push(db);
    const deadline = Date.now() + 30_000;
    let health: Res;
    for (;;) {
      health = await api(app.url, "GET", "/api/health");
      if (health.status === 200 || Date.now() > deadline) break;
      await sleep(250);
    }
    expect(health.body).toMatchObject({ database: "ok" });
    expect((await api(app.url, "GET", "/api/me", { token })).status).toBe(200);
    const created = await api(app.url, "POST", "/api/courses", { token, json: { name: "Après la panne" } });
    expect(created.status, app.output.join("").slice(-3000)).toBe(201);
    const list = await api(app.url, "GET", "/api/courses", { token });
    expect((list.body as unknown as { name: string }[]).map((c) => c.name)).toStrictEqual(["Après la panne"]);
    // The same process all along.
    expect(app.child.pid).toBe(pid);
    expect(app.child.exitCode).toBeNull();
  }, 180_000);
});
