// npm run bench:chat — the server's own cost per chat, model time excluded: authentication, the
// rate limit, the wallet reservation, retrieval over the library and the finalization, each
// timed (p50/p95) with 10k and 100k passages in the library; then reserve/finalize throughput
// under 50-way concurrency and an overspend check. Embedded defaults (PGlite, local embedding).
// The passages are built from the real text of ../shared/fixtures (or a built-in French text
// when absent). Writes bench/results/chat.json.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";

const work = mkdtempSync(path.join(tmpdir(), "bacmr-bench-chat-"));
process.env.DATA_DIR = work;
process.env.AUTH_RATE_LIMIT_REQUESTS = "100000";
process.env.RATE_LIMIT_REQUESTS = "100000000";
process.env.RATE_LIMIT_USER_REQUESTS = "100000000";
process.env.WALLET_SIGNUP_GRANT = "1000000000";

const { openPglite, setDbHandle } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { adminCreateUser, authenticateToken, signIn } = await import("@/lib/auth");
const { getEmbedder } = await import("@/lib/ai/embeddings");
const { storeChunks } = await import("@/lib/ingest/pipeline");
const { chunkPages } = await import("@/lib/ingest/chunk");
const { enforceChatRateLimit } = await import("@/lib/rate-limit");
const { reserveTokens, finalizeReservation, getBalance, ledgerBalance } = await import("@/lib/wallet");
const { searchLibrary } = await import("@/lib/retrieval");
const { documents } = await import("@/db/schema");
const { extractPages, shutdownExtraction } = await import("@/lib/ingest/extract");

const FIXTURES = path.resolve(import.meta.dirname, "../../shared/fixtures");
const SIZES = (process.env.BENCH_CHAT_SIZES ?? "10000,100000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_CHAT_RUNS ?? 60);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const ms = (x: number) => Math.round(x * 100) / 100;

/** Real sentences to build passages from: the fixtures' text layers. */
async function sourceText(): Promise<string[]> {
  const dir = path.join(FIXTURES, "documents");
  if (!existsSync(dir)) {
    return [
      "La radioactivité est une transformation spontanée, aléatoire et inéluctable d'un noyau instable.",
      "La demi-vie est la durée au bout de laquelle la moitié des noyaux présents s'est désintégrée.",
      "Le travail d'une force constante est le produit scalaire de la force et du déplacement.",
    ];
  }
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".pdf") && !x.includes("scan"))) {
    for await (const page of extractPages(readFileSync(path.join(dir, f)), "application/pdf", {})) {
      out.push(...page.text.split(/(?<=[.!?؟])\s+/).filter((s) => s.length > 30));
    }
  }
  return out;
}

const QUESTIONS = [
  "Qu'est-ce que la demi-vie d'un noyau radioactif ?",
  "En quelle unité se mesure l'activité d'un échantillon ?",
  "كيف نحسب الشغل إذا كانت قدرة القوة ثابتة؟",
  "Quelle est la dérivée de la fonction exponentielle ?",
  "What is emitted when an excited nucleus goes back to its ground state?",
];

const handle = await openPglite(path.join(work, "pglite"));
await migrateDb(handle);
setDbHandle(handle);
const db = handle.db;
const sentences = await sourceText();
await shutdownExtraction();
console.log(`passages built from ${sentences.length} real sentences`);

/** Adds ready documents of 1,000 passages each until the library holds `target` passages. */
let inLibrary = 0;
async function growLibrary(target: number) {
  const embedder = getEmbedder();
  let seed = inLibrary;
  while (inLibrary < target) {
    const [doc] = await db
      .insert(documents)
      .values({ title: `Manuel ${inLibrary / 1000 + 1}`, grade: "7AS", subject: "Physique", status: "ready" })
      .returning();
    const pages = Array.from({ length: 1000 }, (_, i) => {
      const parts: string[] = [];
      while (parts.join(" ").length < 700) parts.push(sentences[(seed++ * 7919) % sentences.length] ?? "");
      return { page: i + 1, text: parts.join(" ") };
    });
    const pieces = chunkPages(pages).slice(0, 1000);
    const vectors = await embedder.embed(pieces.map((p) => p.content));
    await db.transaction(async (tx) =>
      storeChunks(
        tx,
        { documentId: doc?.id ?? "" },
        { model: embedder.model, chunks: pieces.map((p, i) => ({ ...p, embedding: vectors[i] ?? [] })) },
      ),
    );
    inLibrary += pieces.length;
  }
  await db.execute(sql`analyze chunks`);
}

const admin = await adminCreateUser(db, {
  email: "bench@bacmr.local",
  password: "bench-password-123",
  fullName: "Bench",
  role: "student",
});
const session = await signIn(
  db,
  { email: "bench@bacmr.local", password: "bench-password-123" },
  { ip: "127.0.0.1" },
);
const token = session.accessToken;

const results: Record<string, unknown> = { runs: RUNS, sizes: {} };
for (const size of SIZES) {
  const t0 = performance.now();
  await growLibrary(size);
  console.log(
    `\nlibrary: ${inLibrary} passages (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const steps: Record<string, number[]> = {
    auth: [],
    limit: [],
    reserve: [],
    retrieval: [],
    finalize: [],
    total: [],
  };
  for (let i = 0; i < RUNS; i++) {
    const q = QUESTIONS[i % QUESTIONS.length] ?? "";
    let t = performance.now();
    const start = t;
    const user = await authenticateToken(db, token);
    steps.auth?.push(performance.now() - t);
    t = performance.now();
    await enforceChatRateLimit(db, { ip: "127.0.0.1", userId: user?.id ?? admin.id });
    steps.limit?.push(performance.now() - t);
    t = performance.now();
    const r = await reserveTokens(db, { userId: admin.id, tokens: 2000, purpose: "bench" });
    steps.reserve?.push(performance.now() - t);
    t = performance.now();
    await searchLibrary(db, { query: q, limit: 5 });
    steps.retrieval?.push(performance.now() - t);
    t = performance.now();
    await finalizeReservation(db, { reservationId: r.id, actualTokens: 700 });
    steps.finalize?.push(performance.now() - t);
    steps.total?.push(performance.now() - start);
  }
  const summary = Object.fromEntries(
    Object.entries(steps).map(([k, xs]) => [k, { p50: ms(pct(xs, 50)), p95: ms(pct(xs, 95)) }]),
  );
  (results.sizes as Record<string, unknown>)[String(inLibrary)] = summary;
  for (const [k, v] of Object.entries(summary))
    console.log(`  ${k.padEnd(10)} p50 ${v.p50} ms   p95 ${v.p95} ms`);
  const overhead = summary.total as { p50: number; p95: number };
  const retrieval = summary.retrieval as { p50: number; p95: number };
  // The targets: overhead p50 ≤ 30 ms at 10k passages, retrieval p95 ≤ 50 ms at 100k.
  if (inLibrary === 10_000) {
    console.log(
      `  → overhead p50 ${overhead.p50} ms: target ≤ 30 ms ${overhead.p50 <= 30 ? "met" : "missed"}`,
    );
  }
  if (inLibrary === 100_000) {
    console.log(
      `  → retrieval p95 ${retrieval.p95} ms: target ≤ 50 ms ${retrieval.p95 <= 50 ? "met" : "missed"}`,
    );
  }
}

// Reserve/finalize under 50-way concurrency, on a wallet that affords exactly 10 reservations at a time.
const wallet = await adminCreateUser(db, {
  email: "wallet@bacmr.local",
  password: "bench-password-123",
  fullName: "Wallet",
  role: "student",
});
const OPS = 2000;
let done = 0;
let refused = 0;
const t1 = performance.now();
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (done + refused < OPS) {
      try {
        const r = await reserveTokens(db, { userId: wallet.id, tokens: 1000, purpose: "bench" });
        await finalizeReservation(db, { reservationId: r.id, actualTokens: 1 });
        done++;
      } catch {
        refused++;
      }
    }
  }),
);
const seconds = (performance.now() - t1) / 1000;
const b = await getBalance(db, wallet.id);
const ledger = await ledgerBalance(db, wallet.id);
const overspent = b.balance < 0 || b.reserved !== 0 || ledger !== b.balance;
results.concurrency = {
  workers: 50,
  operations: done,
  refused,
  reserveFinalizePerSecond: Math.round(done / seconds),
  balance: b.balance,
  ledger,
  overspent,
};
console.log(
  `\nreserve+finalize, 50 concurrent: ${Math.round(done / seconds)} pairs/s (${done} done, ${refused} refused); ` +
    `balance ${b.balance} = ledger ${ledger}, reserved ${b.reserved}: ${overspent ? "OVERSPENT" : "zero overspend"}`,
);

mkdirSync(path.resolve(import.meta.dirname, "results"), { recursive: true });
writeFileSync(
  path.resolve(import.meta.dirname, "results/chat.json"),
  `${JSON.stringify(results, null, 2)}\n`,
);
await handle.close();
rmSync(work, { recursive: true, force: true });
process.exit(overspent ? 1 : 0);
