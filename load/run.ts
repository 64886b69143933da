// npm run load — N simulated students against the production build while an admin syncs the
// koutoubi portal (a local copy) and ingests a reference; once on embedded PGlite, once through
// postgres.js (DATABASE_URL → a PGlite served by pglite-socket). Loopback only.
//
// Each student signs up and in, creates a course, uploads a small real PDF and waits until it is
// processed, then loops: search the course, course chat, library chat (JSON and streamed), wallet
// balance, and every third round another upload. Measured per request kind: throughput, p50/p95
// latency, statuses. Errors must be 0 apart from the documented 402 (out of tokens) and 429 (rate
// limited); every material must end processed. At the end, with every reservation ended, the wallet
// invariants are checked in the database: balance = ledger sum per user, nothing negative,
// reserved ≤ balance and = the tokens of open reservations, one usage row per charged reservation.
// Writes bench/results/load-<timestamp>.{json,md}; exits 1 on any error or broken invariant.
//
//   npm run load -- [--duration 60] [--students 20] [--driver both|pglite|postgres] [--short]
//   (or LOAD_DURATION, LOAD_STUDENTS, LOAD_DRIVER). --short: 10 s per driver, 6 students (CI).
//   Ports: LOAD_PORT (app, 3900), LOAD_DB_PORT (pglite-socket, 3950), LOAD_SITE_PORT (portal, 3960).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { openPglite, openPostgres, rowsOf } from "@/db/client";
import { textPdf } from "@/test/fixtures-gen/documents";
import { ensureBuild, ROOT, type RunningApp, startApp } from "./lib/app";
import { type Answer, fetchApi } from "./lib/http";
import { type SocketDb, startSocketDb } from "./lib/pglite-socket";
import { type KindSummary, percentile, Recorder } from "./lib/stats";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string" },
    students: { type: "string" },
    driver: { type: "string" },
    short: { type: "boolean", default: false },
    "think-ms": { type: "string" },
    grant: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

const SHORT = args.short || process.env.LOAD_SHORT === "1";
const DURATION_S = Number(args.duration ?? process.env.LOAD_DURATION ?? (SHORT ? 10 : 60));
const STUDENTS = Number(args.students ?? process.env.LOAD_STUDENTS ?? (SHORT ? 6 : 20));
const DRIVERS = (() => {
  const d = args.driver ?? process.env.LOAD_DRIVER ?? "both";
  if (d === "both") return ["pglite", "postgres"] as const;
  if (d === "pglite" || d === "postgres") return [d] as const;
  throw new Error(`--driver must be both, pglite or postgres (got ${d})`);
})();
const THINK_MS = Number(args["think-ms"] ?? 200);
const GRANT = args.grant ?? "1000000";
const APP_PORT = Number(process.env.LOAD_PORT ?? 3900);
const DB_PORT = Number(process.env.LOAD_DB_PORT ?? 3950);
const SITE_PORT = Number(process.env.LOAD_SITE_PORT ?? 3960);
/** Short so that the end of the run can wait for the sweep of a lost reservation. */
const RESERVATION_TTL_SECONDS = 30;
const REQUEST_TIMEOUT_MS = 60_000;

const FIXTURES = path.resolve(ROOT, "../shared/fixtures");
const SITE_DIR = path.join(FIXTURES, "koutoubi/site");
const SITE_PDF = path.join(FIXTURES, "documents/fr_math_bac2023_metropole_sujet1.pdf");
const HAS_PORTAL = existsSync(SITE_DIR) && existsSync(SITE_PDF);

const QUESTIONS = [
  "Qu'est-ce que la demi-vie d'un noyau radioactif ?",
  "Comment calcule-t-on le travail d'une force constante ?",
  "Quelle est la dérivée de la fonction exponentielle ?",
  "ما هي وحدة قياس القدرة؟",
  "What is the activity of a radioactive sample?",
];
const SEARCHES = ["demi-vie", "noyau radioactif", "énergie cinétique", "travail d'une force", "activité"];

function log(line: string) {
  console.info(`[load] ${line}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The course notes a student uploads: two pages of real sentences, a line of their own. */
async function studentPdf(n: number, round: number): Promise<Uint8Array> {
  return textPdf([
    [
      `Cours de physique - eleve ${n}, fiche ${round}`,
      "",
      "La radioactivite est une transformation spontanee d'un noyau instable.",
      "La demi-vie est la duree au bout de laquelle la moitie des noyaux se sont desintegres.",
      "L'activite d'un echantillon se mesure en becquerels (Bq).",
      "La loi de decroissance radioactive s'ecrit N(t) = N0 exp(-lambda t).",
    ],
    [
      "Travail et puissance",
      "",
      "Le travail d'une force constante est le produit scalaire de la force et du deplacement.",
      "La puissance moyenne est le travail divise par la duree.",
      "L'energie cinetique d'un solide en translation vaut un demi de m v au carre.",
    ],
  ]);
}

interface Client {
  base: string;
  recorder: Recorder;
  ip: string;
  token?: string;
  admin?: boolean;
}

/** One timed request; a network failure or timeout is status 0. */
async function request(
  c: Client,
  kind: string,
  method: string,
  url: string,
  opts: { json?: unknown; form?: FormData; check?: (a: Answer) => string | undefined; record?: boolean } = {},
): Promise<Answer> {
  const started = performance.now();
  let answer: Answer;
  let problem: string | undefined;
  try {
    answer = await fetchApi(c.base, method, url, {
      token: c.token,
      admin: c.admin,
      json: opts.json,
      form: opts.form,
      headers: { "x-forwarded-for": c.ip },
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok && opts.check) problem = opts.check(answer);
    else if (!ok && answer.status >= 500) problem = `body: ${answer.text.slice(0, 200)}`;
  } catch (err) {
    answer = { status: 0, body: null, text: "", ms: performance.now() - started };
    problem = `${(err as Error).name}: ${(err as Error).message}`;
  }
  if (opts.record !== false) {
    c.recorder.add({ kind, ms: performance.now() - started, status: answer.status, problem });
  }
  return answer;
}

/** The UI message stream parts of a streamed chat answer. */
function sseParts(text: string): { type: string }[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .flatMap((l) => {
      try {
        return [JSON.parse(l.slice(6)) as { type: string }];
      } catch {
        return [{ type: "unparsable" }];
      }
    });
}

function checkStream(a: Answer): string | undefined {
  const parts = sseParts(a.text);
  if (parts.some((p) => p.type === "error")) return "stream: error part";
  if (!parts.some((p) => p.type === "text-delta")) return "stream: no text";
  if (!parts.some((p) => p.type === "finish")) return "stream: no finish";
  return undefined;
}

const field = (a: Answer, ...keys: string[]): unknown => {
  let v: unknown = a.body;
  for (const k of keys) v = (v as Record<string, unknown> | null)?.[k];
  return v;
};

interface StudentState {
  n: number;
  client: Client;
  courseId?: string;
  materials: string[];
  firstProcessedMs?: number;
}

async function upload(s: StudentState, round: number): Promise<string | undefined> {
  const form = new FormData();
  const bytes = await studentPdf(s.n, round);
  form.append(
    "file",
    new File([new Uint8Array(bytes)], `fiche-${s.n}-${round}.pdf`, { type: "application/pdf" }),
  );
  const a = await request(s.client, "upload", "POST", `/api/courses/${s.courseId}/materials`, {
    form,
    check: (x) => (typeof field(x, "id") === "string" ? undefined : "upload: no id"),
  });
  const id = field(a, "id");
  if (typeof id === "string") s.materials.push(id);
  return typeof id === "string" ? id : undefined;
}

/** Polls the course's processing status until every material has ended (or the deadline). */
async function waitProcessed(s: StudentState, deadline: number): Promise<Record<string, number>> {
  for (;;) {
    const a = await request(
      s.client,
      "material_status",
      "GET",
      `/api/courses/${s.courseId}/materials/status`,
    );
    const rows = Array.isArray(a.body) ? (a.body as { processing_status: string }[]) : [];
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.processing_status] = (counts[r.processing_status] ?? 0) + 1;
    const open = (counts.pending ?? 0) + (counts.processing ?? 0);
    if ((a.status === 200 && open === 0) || Date.now() > deadline) return counts;
    await sleep(500);
  }
}

async function student(s: StudentState, deadline: number): Promise<void> {
  const c = s.client;
  const email = `student${s.n}-${Date.now().toString(36)}@load.bacmr.test`;
  const password = `Load-pass-${s.n}-secret`;
  const up = await request(c, "signup", "POST", "/api/auth/signup", {
    json: { email, password, full_name: `Élève ${s.n}` },
  });
  if (up.status !== 201) return;
  const si = await request(c, "signin", "POST", "/api/auth/signin", { json: { email, password } });
  const token = field(si, "data", "access_token");
  if (typeof token !== "string") return;
  c.token = token;
  const course = await request(c, "create_course", "POST", "/api/courses", {
    json: { name: `Physique ${s.n}`, description: "Charge" },
  });
  const courseId = field(course, "id");
  if (typeof courseId !== "string") return;
  s.courseId = courseId;
  const t0 = performance.now();
  await upload(s, 0);
  let processed = false;

  for (let round = 1; Date.now() < deadline; round++) {
    const q = QUESTIONS[(s.n + round) % QUESTIONS.length] ?? "";
    const actions: (() => Promise<unknown>)[] = [
      // Like the course page: poll the processing status until the first upload is done.
      async () => {
        if (processed) return;
        const a = await request(c, "material_status", "GET", `/api/courses/${courseId}/materials/status`);
        const rows = Array.isArray(a.body) ? (a.body as { processing_status: string }[]) : [];
        if (rows.some((r) => r.processing_status === "completed")) {
          processed = true;
          s.firstProcessedMs = performance.now() - t0;
        }
      },
      () =>
        request(
          c,
          "search",
          "GET",
          `/api/courses/${courseId}/materials/search?query=${encodeURIComponent(
            SEARCHES[(s.n + round) % SEARCHES.length] ?? "",
          )}&limit=3`,
        ),
      () =>
        request(c, "course_chat", "POST", `/api/courses/${courseId}/chat`, {
          json: { message: q, history: [] },
          check: (a) => (typeof field(a, "response") === "string" ? undefined : "course_chat: no response"),
        }),
      () =>
        request(c, "chat_json", "POST", "/api/chat", {
          json: { message: q, stream: false },
          check: (a) => (typeof field(a, "answer") === "string" ? undefined : "chat_json: no answer"),
        }),
      () =>
        request(c, "chat_stream", "POST", "/api/chat", {
          json: { message: q, stream: true },
          check: checkStream,
        }),
      () => request(c, "balance", "GET", "/api/wallet/balance"),
    ];
    if (round % 3 === 0) actions.push(() => upload(s, round));
    for (const action of actions) {
      if (Date.now() >= deadline) break;
      await action();
      await sleep(THINK_MS * (0.5 + Math.random()));
    }
  }
}

interface AdminResult {
  syncs: number;
  ingestions: number;
  lastRunStatus?: string;
}

/** The admin: sync the portal, ingest the reference it serves a PDF for, again until the deadline. */
async function admin(base: string, recorder: Recorder, deadline: number): Promise<AdminResult> {
  const c: Client = { base, recorder, ip: "10.99.0.1", admin: true };
  const result: AdminResult = { syncs: 0, ingestions: 0 };
  const siteUrl = `http://127.0.0.1:${SITE_PORT}`;
  let ingested = false;
  while (Date.now() < deadline) {
    const sync = await request(c, "admin_sync", "POST", "/api/scraping/koutoubi/sync", {
      check: (a) =>
        field(a, "status") === "success" ? undefined : `sync: status ${String(field(a, "status"))}`,
    });
    result.syncs++;
    result.lastRunStatus = String(field(sync, "status"));
    const refs = await request(c, "admin_references", "GET", "/api/scraping/koutoubi/references?limit=100");
    const list = (field(refs, "references") ?? []) as { id: string; pdf_url: string }[];
    const local = list.find((r) => r.pdf_url.startsWith(siteUrl));
    if (!local) {
      recorder.add({
        kind: "admin_ingest",
        ms: 0,
        status: 0,
        problem: "no reference served by the local portal",
      });
      return result;
    }
    const queued = await request(
      c,
      "admin_ingest",
      "POST",
      `/api/admin/ingest/${local.id}${ingested ? "?force=true" : ""}`,
    );
    const jobId = field(queued, "job_id");
    if (typeof jobId === "string") {
      const started = performance.now();
      let status = "queued";
      while (status === "queued" || status === "running") {
        await sleep(500);
        const job = await request(c, "admin_job", "GET", `/api/admin/jobs/${jobId}`);
        status = String(field(job, "status"));
        if (performance.now() - started > 180_000) break;
      }
      recorder.add({
        kind: "admin_ingest_done",
        ms: performance.now() - started,
        status: status === "succeeded" ? 200 : 0,
        problem: status === "succeeded" ? undefined : `ingestion job ${status}`,
      });
      ingested ||= status === "succeeded";
      result.ingestions++;
    }
    await sleep(2_000);
  }
  return result;
}

function startPortal(): ChildProcess {
  return spawn(process.execPath, ["e2e/koutoubi-site.mjs"], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      ...process.env,
      KOUTOUBI_SITE_PORT: String(SITE_PORT),
      KOUTOUBI_SITE_DIR: SITE_DIR,
      KOUTOUBI_SITE_LATENCY_MS: "50",
      KOUTOUBI_SITE_PDF: SITE_PDF,
    },
  });
}

interface Invariants {
  users: number;
  balance_ne_ledger: number;
  negative_balance: number;
  reserved_gt_balance: number;
  reserved_ne_open_reservations: number;
  open_reservations: number;
  charged_without_usage_row: number;
  total_charged_tokens: number;
  reservations: Record<string, number>;
  ok: boolean;
}

async function checkInvariants(db: Awaited<ReturnType<typeof openPglite>>["db"]): Promise<Invariants> {
  const one = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(q))[0] as T;
  const wallets = await one<Record<string, number>>(sql`
    with ledger as (
      select user_id, sum(case when direction = 'credit' then tokens else -tokens end) as tokens
      from financial_transactions where user_id is not null group by user_id),
    open as (
      select user_id, sum(tokens) as tokens from token_reservations where status = 'reserved' group by user_id)
    select count(*)::int as users,
      count(*) filter (where w.balance <> coalesce(l.tokens, 0))::int as balance_ne_ledger,
      count(*) filter (where w.balance < 0 or w.reserved < 0)::int as negative_balance,
      count(*) filter (where w.reserved > w.balance)::int as reserved_gt_balance,
      count(*) filter (where w.reserved <> coalesce(o.tokens, 0))::int as reserved_ne_open_reservations
    from wallets w left join ledger l on l.user_id = w.user_id left join open o on o.user_id = w.user_id`);
  const byStatus = rowsOf<{ status: string; n: number }>(
    await db.execute(sql`select status::text, count(*)::int as n from token_reservations group by status`),
  );
  const usage = await one<{ missing: number; charged: number }>(sql`
    select count(*) filter (where r.charged_tokens > 0 and f.id is null)::int as missing,
      coalesce(sum(r.charged_tokens), 0)::bigint as charged
    from token_reservations r
    left join financial_transactions f on f.reservation_id = r.id and f.type = 'usage'
      and f.tokens = r.charged_tokens
    where r.status <> 'reserved'`);
  const reservations = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
  const inv: Invariants = {
    users: Number(wallets.users),
    balance_ne_ledger: Number(wallets.balance_ne_ledger),
    negative_balance: Number(wallets.negative_balance),
    reserved_gt_balance: Number(wallets.reserved_gt_balance),
    reserved_ne_open_reservations: Number(wallets.reserved_ne_open_reservations),
    open_reservations: reservations.reserved ?? 0,
    charged_without_usage_row: Number(usage.missing),
    total_charged_tokens: Number(usage.charged),
    reservations,
    ok: false,
  };
  inv.ok =
    inv.users > 0 &&
    inv.balance_ne_ledger === 0 &&
    inv.negative_balance === 0 &&
    inv.reserved_gt_balance === 0 &&
    inv.reserved_ne_open_reservations === 0 &&
    inv.open_reservations === 0 &&
    inv.charged_without_usage_row === 0;
  return inv;
}

interface DriverResult {
  driver: "pglite" | "postgres";
  students: number;
  duration_s: number;
  load_seconds: number;
  startup_ms: number;
  kinds: KindSummary[];
  total_requests: number;
  requests_per_second: number;
  errors: number;
  allowed_refusals: { "402": number; "429": number };
  problems: string[];
  /** Lines of the server's log that mention an error (the first 30). */
  server_errors: string[];
  materials: Record<string, number>;
  first_upload_processed_ms: { p50: number; p95: number };
  admin: AdminResult | null;
  pending_reservations_after_load: number;
  invariants: Invariants;
  wall_seconds: number;
}

async function runDriver(driver: "pglite" | "postgres"): Promise<DriverResult> {
  const wallStart = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), `bacmr-load-${driver}-`));
  let socket: SocketDb | undefined;
  let app: RunningApp | undefined;
  try {
    const env: Record<string, string> = {
      DATA_DIR: dir,
      WALLET_SIGNUP_GRANT: GRANT,
      RESERVATION_TTL_SECONDS: String(RESERVATION_TTL_SECONDS),
      CHAT_TIMEOUT_SECONDS: "20",
      INGEST_POLL_SECONDS: "2",
      // Many students behind few addresses would share a bucket: each gets its own address
      // (TRUST_PROXY), and the limits are above what one simulated student asks.
      RATE_LIMIT_REQUESTS: "100000",
      RATE_LIMIT_USER_REQUESTS: "100000",
      KOUTOUBI_BASE_URL: `http://127.0.0.1:${SITE_PORT}`,
      KOUTOUBI_PDF_HOSTS: "127.0.0.1",
      SCRAPER_DELAY_MS: "0",
    };
    const t = performance.now();
    if (driver === "postgres") {
      // One connection: pglite-socket queues each protocol message on its own, so the extended
      // protocol (Parse/Bind/Execute…) of two connections interleaves in PGlite's one session.
      socket = await startSocketDb(path.join(dir, "socket-pglite"), DB_PORT);
      env.DATABASE_URL = socket.url;
      env.DATABASE_POOL_MAX = "1";
    }
    app = await startApp({ port: APP_PORT, env });
    const startupMs = Math.round(performance.now() - t);
    log(`${driver}: app up in ${startupMs} ms; ${STUDENTS} students for ${DURATION_S} s`);

    const recorder = new Recorder();
    const loadStart = performance.now();
    const deadline = Date.now() + DURATION_S * 1000;
    const states: StudentState[] = Array.from({ length: STUDENTS }, (_, i) => ({
      n: i + 1,
      client: { base: app?.url ?? "", recorder, ip: `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}` },
      materials: [],
    }));
    const [adminResult] = await Promise.all([
      HAS_PORTAL ? admin(app.url, recorder, deadline) : Promise.resolve(null),
      ...states.map((s) => student(s, deadline)),
    ]);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    // Every material processed (uploads made near the end too), every reservation ended.
    const materials: Record<string, number> = {};
    for (const s of states) {
      if (!s.courseId) continue;
      const counts = await waitProcessed(s, Date.now() + 120_000);
      for (const [k, v] of Object.entries(counts)) materials[k] = (materials[k] ?? 0) + v;
    }
    for (const [status, n] of Object.entries(materials)) {
      if (status !== "completed") {
        for (let i = 0; i < n; i++)
          recorder.add({ kind: "material_final", ms: 0, status: 0, problem: `material ${status}` });
      }
    }
    let pending = 0;
    const sweepDeadline = Date.now() + (RESERVATION_TTL_SECONDS + 10) * 1000;
    for (;;) {
      pending = 0;
      for (const s of states) {
        if (!s.client.token) continue;
        const b = await request(s.client, "balance", "GET", "/api/wallet/balance", { record: false });
        pending += Number(field(b, "pending_reservations") ?? 0);
      }
      if (pending === 0 || Date.now() > sweepDeadline) break;
      await sleep(1_000);
    }

    const serverErrors = app.output
      .join("")
      .split("\n")
      .filter((l) => /error|failed|unavailable/i.test(l))
      .slice(0, 30);
    await app.stop();
    app = undefined;
    const handle =
      driver === "postgres" && socket
        ? await openPostgres(socket.url, { prepare: true, max: 1 })
        : await openPglite(path.join(dir, "pglite"));
    let invariants: Invariants;
    try {
      invariants = await checkInvariants(handle.db);
    } finally {
      await handle.close();
    }

    const kinds = recorder.summary(loadSeconds);
    const processed = states.flatMap((s) => (s.firstProcessedMs === undefined ? [] : [s.firstProcessedMs]));
    const total = recorder.samples.length;
    return {
      driver,
      students: STUDENTS,
      duration_s: DURATION_S,
      load_seconds: Math.round(loadSeconds * 10) / 10,
      startup_ms: startupMs,
      kinds,
      total_requests: total,
      requests_per_second: Math.round((total / loadSeconds) * 10) / 10,
      errors: kinds.reduce((n, k) => n + k.errors, 0),
      allowed_refusals: {
        "402": recorder.samples.filter((s) => s.status === 402).length,
        "429": recorder.samples.filter((s) => s.status === 429).length,
      },
      problems: recorder.problems,
      server_errors: serverErrors,
      materials,
      first_upload_processed_ms: {
        p50: Math.round(percentile(processed, 50)),
        p95: Math.round(percentile(processed, 95)),
      },
      admin: adminResult,
      pending_reservations_after_load: pending,
      invariants,
      wall_seconds: Math.round((performance.now() - wallStart) / 100) / 10,
    };
  } catch (err) {
    if (app) console.error(app.output.join("").slice(-4000));
    throw err;
  } finally {
    await app?.stop();
    await socket?.stop();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function markdown(results: DriverResult[], meta: Record<string, unknown>): string {
  const lines = [
    `# Load run ${meta.started}`,
    "",
    `${STUDENTS} students, ${DURATION_S} s per driver, think time ~${THINK_MS} ms, production build on 127.0.0.1;`,
    `admin sync + reference ingestion: ${HAS_PORTAL ? "yes" : "no (fixtures absent)"}. Machine: ${meta.cpus} CPUs (shared: figures are noisy).`,
    "",
  ];
  for (const r of results) {
    lines.push(
      `## ${r.driver === "pglite" ? "Embedded PGlite" : "postgres.js → pglite-socket"}`,
      "",
      `${r.total_requests} requests in ${r.load_seconds} s (${r.requests_per_second} req/s); errors: **${r.errors}**; ` +
        `402: ${r.allowed_refusals["402"]}, 429: ${r.allowed_refusals["429"]}; startup ${r.startup_ms} ms; wall ${r.wall_seconds} s.`,
      "",
      "| kind | count | req/s | p50 ms | p95 ms | max ms | statuses |",
      "|---|---:|---:|---:|---:|---:|---|",
      ...r.kinds.map(
        (k) =>
          `| ${k.kind} | ${k.count} | ${k.per_second} | ${k.p50_ms} | ${k.p95_ms} | ${k.max_ms} | ${Object.entries(
            k.statuses,
          )
            .map(([s, n]) => `${s}×${n}`)
            .join(" ")} |`,
      ),
      "",
      `Materials: ${JSON.stringify(r.materials)}; first upload processed in p50 ${r.first_upload_processed_ms.p50} ms, p95 ${r.first_upload_processed_ms.p95} ms.`,
      `Admin: ${r.admin ? `${r.admin.syncs} syncs (last ${r.admin.lastRunStatus}), ${r.admin.ingestions} ingestions` : "skipped"}.`,
      "",
      `Wallet invariants (${r.invariants.ok ? "OK" : "**BROKEN**"}): ${r.invariants.users} wallets; balance ≠ ledger: ${r.invariants.balance_ne_ledger}; ` +
        `negative: ${r.invariants.negative_balance}; reserved > balance: ${r.invariants.reserved_gt_balance}; ` +
        `reserved ≠ open reservations: ${r.invariants.reserved_ne_open_reservations}; open reservations: ${r.invariants.open_reservations}; ` +
        `charged without usage row: ${r.invariants.charged_without_usage_row}; reservations ${JSON.stringify(r.invariants.reservations)}; ` +
        `${r.invariants.total_charged_tokens} tokens charged.`,
      "",
    );
    if (r.problems.length) lines.push("Problems:", "", ...r.problems.map((p) => `- ${p}`), "");
    if (r.errors > 0 && r.server_errors.length) {
      lines.push("Server log:", "", "```", ...r.server_errors, "```", "");
    }
  }
  return lines.join("\n");
}

async function main() {
  const started = new Date();
  log(`build: ${ensureBuild(log)}`);
  const portal = HAS_PORTAL ? startPortal() : undefined;
  if (!HAS_PORTAL) log("no koutoubi fixture next to the repository: the admin part is skipped");
  const results: DriverResult[] = [];
  try {
    for (const driver of DRIVERS) results.push(await runDriver(driver));
  } finally {
    portal?.kill("SIGTERM");
  }
  const { cpus } = await import("node:os");
  const meta = {
    started: started.toISOString(),
    students: STUDENTS,
    duration_s: DURATION_S,
    think_ms: THINK_MS,
    short: SHORT,
    cpus: cpus().length,
    node: process.version,
    commit:
      spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() ||
      null,
  };
  const outDir = path.join(ROOT, "bench/results");
  mkdirSync(outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  const base = path.join(outDir, `load-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ meta, results }, null, 2)}\n`);
  const md = markdown(results, meta);
  writeFileSync(`${base}.md`, md);
  console.info(md);
  log(`wrote ${path.relative(ROOT, base)}.{json,md}`);
  const failed = results.filter((r) => r.errors > 0 || !r.invariants.ok);
  if (failed.length) {
    console.error(`[load] FAILED on ${failed.map((r) => r.driver).join(", ")}: errors or broken invariants`);
    process.exit(1);
  }
}

await main();
