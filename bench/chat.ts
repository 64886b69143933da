// npm run bench:chat — the server's own cost per chat, model time excluded: authentication, the
// rate limit, the wallet reservation, retrieval over the library and the finalization, each
// timed (median/p95) with 10k and 100k passages in the library (bench/library.ts: real sentences
// of ../shared/fixtures recombined, real local embeddings; the libraries are shared with
// bench:search through snapshots). `npm run bench:chat` then runs bench/wallet.ts: reserve→finalize
// pairs per second at 1, 10 and 50 concurrent workers and the zero-overspend check (also alone as
// bench:wallet). Env: BENCH_RUNS (passes over the questions, default 3), BENCH_CHAT_SIZES.
import { rmSync } from "node:fs";
import {
  benchRuns,
  benchWorkspace,
  mp,
  requireFixtures,
  type Stats,
  summarize,
  table,
  writeResults,
} from "./lib";

const startedAt = new Date();
requireFixtures("bench:chat");
const work = benchWorkspace("bench-chat", {
  AUTH_RATE_LIMIT_REQUESTS: "100000",
  RATE_LIMIT_REQUESTS: "100000000",
  RATE_LIMIT_USER_REQUESTS: "100000000",
  WALLET_SIGNUP_GRANT: "1000000000",
});

const { openLibrary, sourceGroups } = await import("./library");
const { loadQuestions } = await import("./eval/retrieval");
const { setDbHandle } = await import("@/db/client");
const { adminCreateUser, authenticateToken, signIn } = await import("@/lib/auth");
const { enforceChatRateLimit } = await import("@/lib/rate-limit");
const { reserveTokens, finalizeReservation } = await import("@/lib/wallet");
const { searchLibrary } = await import("@/lib/retrieval");

const SIZES = (process.env.BENCH_CHAT_SIZES ?? "10000,100000").split(",").map(Number);
const RUNS = benchRuns();

/** The fixture questions (French, Arabic, English; answerable or not). */
const QUESTIONS = loadQuestions().map((q) => q.question);

const groups = await sourceGroups();
const STEPS = ["auth", "limit", "reserve", "retrieval", "finalize", "total"] as const;
type Step = (typeof STEPS)[number];
const results: { size: number; samples: number; steps: Record<Step, Stats> }[] = [];

for (const size of SIZES) {
  const lib = await openLibrary(work, size, groups);
  const db = lib.handle.db;
  setDbHandle(lib.handle);
  console.info(
    `\nlibrary: ${size} passages ${lib.builtSeconds === null ? "(snapshot)" : `(built in ${lib.builtSeconds.toFixed(1)} s)`}`,
  );
  const user = await adminCreateUser(db, {
    email: "bench@bacmr.local",
    password: "bench-password-123",
    fullName: "Bench",
    role: "student",
  });
  const { accessToken } = await signIn(
    db,
    { email: "bench@bacmr.local", password: "bench-password-123" },
    { ip: "127.0.0.1" },
  );
  // One untimed pass warms the caches, as a running server's would be.
  for (const q of QUESTIONS) await searchLibrary(db, { query: q, limit: 5 });
  const steps = Object.fromEntries(STEPS.map((k) => [k, [] as number[]])) as Record<Step, number[]>;
  for (let i = 0; i < RUNS * QUESTIONS.length; i++) {
    const q = QUESTIONS[i % QUESTIONS.length] ?? "";
    let t = performance.now();
    const start = t;
    const lap = (k: Step) => {
      const now = performance.now();
      steps[k].push(now - t);
      t = now;
    };
    const who = await authenticateToken(db, accessToken);
    lap("auth");
    await enforceChatRateLimit(db, { ip: "127.0.0.1", userId: who?.id ?? user.id });
    lap("limit");
    const r = await reserveTokens(db, { userId: user.id, tokens: 2000, purpose: "bench" });
    lap("reserve");
    await searchLibrary(db, { query: q, limit: 5 });
    lap("retrieval");
    await finalizeReservation(db, { reservationId: r.id, actualTokens: 700 });
    lap("finalize");
    steps.total.push(performance.now() - start);
  }
  const summary = Object.fromEntries(STEPS.map((k) => [k, summarize(steps[k])])) as Record<Step, Stats>;
  results.push({ size, samples: steps.total.length, steps: summary });
  for (const k of STEPS) console.info(`  ${k.padEnd(10)} ${mp(summary[k], 2)} ms`);
  await lib.handle.close();
}

// The issue's targets: overhead median ≤ 30 ms at 10k passages, retrieval p95 ≤ 50 ms at 100k.
const target = (size: number, step: Step, key: "median" | "p95", limit: number) => {
  const r = results.find((x) => x.size === size);
  if (!r) return "not measured";
  const v = r.steps[step][key];
  return `${v.toFixed(1)} ms, target ≤ ${limit} ms: ${v <= limit ? "met" : "missed"}`;
};
const markdown = [
  `Server cost of one chat turn without the model (unfiltered library search, limit 5), over the ` +
    `${QUESTIONS.length} fixture questions × ${RUNS} passes per library size; embedded PGlite, local embedding.`,
  "",
  table(
    ["passages", ...STEPS.map((k) => `${k} (ms)`)],
    results.map((r) => [r.size, ...STEPS.map((k) => mp(r.steps[k], 1))]),
  ),
  "",
  `- overhead median at 10k passages: ${target(10_000, "total", "median", 30)}`,
  `- retrieval p95 at 100k passages: ${target(100_000, "retrieval", "p95", 50)}`,
].join("\n");
writeResults("chat", { startedAt, data: { runs: RUNS, questions: QUESTIONS.length, results }, markdown });
console.info(`\n${markdown}`);
rmSync(work, { recursive: true, force: true });
