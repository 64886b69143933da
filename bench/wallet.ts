// npm run bench:wallet — reserve→finalize pairs per second (lib/wallet, embedded PGlite) at 1, 10
// and 50 concurrent workers, all on one wallet and each on its own wallet, with the time of one
// pair (median/p95); then 50 workers draining a wallet that affords only a few answers. After
// every run the invariants are checked: balance = ledger, never negative, nothing left reserved,
// balance = grant − charges. A violation fails the benchmark (exit 1).
// Env: BENCH_RUNS (runs per scenario, default 3), BENCH_WALLET_PAIRS (pairs per run, default 400).
import { rmSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { benchRuns, benchWorkspace, mp, type Stats, summarize, table, writeResults } from "./lib";

const startedAt = new Date();
const GRANT = 1_000_000;
const work = benchWorkspace("bench-wallet", {
  AUTH_RATE_LIMIT_REQUESTS: "100000",
  WALLET_SIGNUP_GRANT: String(GRANT),
});

const { openPglite, rowsOf, setDbHandle } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { adminCreateUser } = await import("@/lib/auth");
const { reserveTokens, finalizeReservation, getBalance, ledgerBalance } = await import("@/lib/wallet");
const { ApiError } = await import("@/lib/http/errors");

const RUNS = benchRuns();
const PAIRS = Number(process.env.BENCH_WALLET_PAIRS ?? 400);
const WORKERS = [1, 10, 50];
const RESERVE = 2000;
const CHARGE = 700;

const handle = await openPglite(path.join(work, "pglite"));
await migrateDb(handle);
setDbHandle(handle);
const db = handle.db;

let users = 0;
async function newWallet(): Promise<string> {
  users++;
  const u = await adminCreateUser(db, {
    email: `wallet${users}@bacmr.local`,
    password: "bench-password-123",
    fullName: `Wallet ${users}`,
    role: "student",
  });
  return u.id;
}

const violations: string[] = [];
let checked = 0;
/** Balance = ledger, ≥ 0, nothing reserved, and exactly the expected balance. */
async function checkInvariants(userId: string, expectedBalance: number, label: string): Promise<void> {
  checked++;
  const b = await getBalance(db, userId);
  const ledger = await ledgerBalance(db, userId);
  const [open] = rowsOf<{ n: number }>(
    await db.execute(
      sql`select count(*)::int as n from token_reservations where user_id = ${userId} and status = 'reserved'`,
    ),
  );
  const problems = [
    b.balance !== ledger && `balance ${b.balance} ≠ ledger ${ledger}`,
    b.balance < 0 && `negative balance ${b.balance}`,
    b.reserved !== 0 && `${b.reserved} tokens still reserved`,
    Number(open?.n ?? 0) !== 0 && `${open?.n} reservations still open`,
    b.balance !== expectedBalance && `balance ${b.balance}, expected ${expectedBalance}`,
  ].filter(Boolean);
  for (const p of problems) violations.push(`${label}: ${p}`);
}

interface Scenario {
  workers: number;
  wallets: "one" | "many";
  pairsPerSecond: Stats;
  pairMs: Stats;
  pairs: number;
}

/** `workers` loops doing reserve→finalize until `PAIRS` pairs are done, on one or on many wallets. */
async function run(workers: number, wallets: "one" | "many", label: string) {
  const ids =
    wallets === "one"
      ? [await newWallet()]
      : await Promise.all(Array.from({ length: workers }, () => newWallet()));
  const done = new Map(ids.map((id) => [id, 0]));
  const pairMs: number[] = [];
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const userId = ids[wallets === "one" ? 0 : w] as string;
      while (started < PAIRS) {
        started++;
        const t = performance.now();
        const r = await reserveTokens(db, { userId, tokens: RESERVE, purpose: "bench" });
        await finalizeReservation(db, { reservationId: r.id, actualTokens: CHARGE });
        pairMs.push(performance.now() - t);
        done.set(userId, (done.get(userId) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const id of ids) await checkInvariants(id, GRANT - CHARGE * (done.get(id) ?? 0), label);
  return { perSecond: pairMs.length / seconds, pairMs };
}

const scenarios: Scenario[] = [];
for (const wallets of ["one", "many"] as const) {
  for (const workers of WORKERS) {
    if (workers === 1 && wallets === "many") continue; // the same as one wallet
    const rates: number[] = [];
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { perSecond, pairMs } = await run(
        workers,
        wallets,
        `${workers} workers, ${wallets} wallet(s), run ${r + 1}`,
      );
      rates.push(perSecond);
      times.push(...pairMs);
    }
    const s: Scenario = {
      workers,
      wallets,
      pairsPerSecond: summarize(rates),
      pairMs: summarize(times),
      pairs: times.length,
    };
    scenarios.push(s);
    console.info(
      `${String(workers).padStart(2)} workers, ${wallets.padEnd(4)} wallet(s): ${mp(s.pairsPerSecond, 0)} pairs/s, pair ${mp(s.pairMs, 2)} ms`,
    );
  }
}

// 50 workers on a wallet that affords 10 reservations at a time and ~28 answers in all: the
// refusals are 402s, and the wallet ends exactly at grant − charges, never below zero.
const scarce: { answered: number; refused: number; balance: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  const userId = await newWallet();
  // Bring this wallet down to 20,000 tokens through the ledger, as an expense would.
  await db.transaction(async (tx) => {
    await tx.execute(sql`update wallets set balance = balance - ${GRANT - 20_000} where user_id = ${userId}`);
    await tx.execute(sql`insert into financial_transactions (user_id, direction, type, tokens, description)
      values (${userId}, 'debit', 'usage', ${GRANT - 20_000}, 'bench: scarce wallet')`);
  });
  let answered = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let attempts = 0; attempts < 20; attempts++) {
        try {
          const res = await reserveTokens(db, { userId, tokens: RESERVE, purpose: "bench" });
          await finalizeReservation(db, { reservationId: res.id, actualTokens: CHARGE });
          answered++;
        } catch (err) {
          if (!(err instanceof ApiError) || err.code !== "INSUFFICIENT_BALANCE") throw err;
          refused++;
        }
      }
    }),
  );
  const expected = 20_000 - CHARGE * answered;
  await checkInvariants(userId, expected, `scarce wallet, run ${r + 1}`);
  if (answered > Math.floor((20_000 - RESERVE) / CHARGE) + 1)
    violations.push(`scarce wallet, run ${r + 1}: ${answered} answers, more than the balance affords`);
  scarce.push({ answered, refused, balance: expected });
}
console.info(
  `scarce wallet (20,000 tokens, reserve ${RESERVE}, charge ${CHARGE}), 50 workers × 20 attempts: ` +
    scarce.map((s) => `${s.answered} answered, ${s.refused} refused (402)`).join("; "),
);

const ok = violations.length === 0;
const markdown = [
  `Each run: ${PAIRS} reserve(${RESERVE} tokens)→finalize(${CHARGE} tokens) pairs through lib/wallet on embedded PGlite ` +
    `(one connection: transactions are serialised, so the workers interleave rather than contend for locks). ` +
    `${RUNS} runs per row; pairs/s is median / p95 over the runs, the pair time over every pair.`,
  "",
  table(
    ["workers", "wallets", "pairs/s", "one pair (ms)", "pairs timed"],
    scenarios.map((s) => [
      s.workers,
      s.wallets === "one" ? "one shared" : `${s.workers} (one each)`,
      mp(s.pairsPerSecond, 0),
      mp(s.pairMs, 2),
      s.pairs,
    ]),
  ),
  "",
  `Scarce wallet (20,000 tokens, 50 workers × 20 attempts): ${scarce
    .map((s) => `${s.answered} answered / ${s.refused} refused with 402`)
    .join("; ")} (at most ${Math.floor((20_000 - RESERVE) / CHARGE) + 1} affordable).`,
  "",
  ok
    ? `Invariants after every run (balance = ledger, ≥ 0, nothing reserved, balance = grant − charges): **held** (${checked} wallets checked).`
    : `Invariants **VIOLATED**:\n${violations.map((v) => `- ${v}`).join("\n")}`,
].join("\n");

writeResults("wallet", {
  startedAt,
  data: { runs: RUNS, pairsPerRun: PAIRS, reserve: RESERVE, charge: CHARGE, scenarios, scarce, violations },
  markdown,
});
console.info(`\n${markdown}`);
await handle.close();
rmSync(work, { recursive: true, force: true });
if (!ok) {
  console.error(`\nWALLET INVARIANTS VIOLATED:\n${violations.join("\n")}`);
  process.exit(1);
}
