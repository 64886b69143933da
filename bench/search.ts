// npm run bench:search — latency of the production library search (lib/retrieval searchLibrary)
// at 1k, 10k and 100k passages, unfiltered (HNSW + GIN candidates) and filtered by subject (an
// exact scan of a small part, an HNSW iterative scan of a large one); which query paths use the HNSW index, checked on the
// index's scan counter; and the recall@10 of the HNSW candidates against exact nearest neighbours
// for several hnsw.ef_search values, on real embeddings of real text (see bench/library.ts), for
// ~100 queries: the fixture questions plus sentences the passages are made of.
// Env: BENCH_RUNS (passes over the queries, default 3), BENCH_SEARCH_SIZES (default
// 1000,10000,100000), BENCH_EF (default 40,100,200,400), BENCH_FRESH=1 (rebuild the libraries).
import { rmSync } from "node:fs";
import { type SQL, sql } from "drizzle-orm";
import {
  benchRuns,
  benchWorkspace,
  mp,
  num,
  requireFixtures,
  type Stats,
  summarize,
  table,
  timeMs,
  writeResults,
} from "./lib";

const startedAt = new Date();
requireFixtures("bench:search");
const work = benchWorkspace("bench-search");

const { openLibrary, sourceGroups } = await import("./library");
const { loadQuestions } = await import("./eval/retrieval");
const { rowsOf } = await import("@/db/client");
const { getEmbedder } = await import("@/lib/ai/embeddings");
const { searchLibrary, VECTOR_POOL, CANDIDATES, EXACT_SCAN_MAX } = await import("@/lib/retrieval");

const RUNS = benchRuns();
const SIZES = (process.env.BENCH_SEARCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const EFS = (process.env.BENCH_EF ?? "40,100,200,400").split(",").map(Number);
const K = 10;
const RECALL_QUERIES = 100;

const questions = loadQuestions();
const subjectOf = (q: { doc: string | null }) =>
  q.doc && /_math_/.test(q.doc) ? "Mathématiques" : "Physique";

const groups = await sourceGroups();
// Recall queries: every fixture question, then sentences of the passages, taken evenly from each group.
const recallQueries = questions.map((q) => q.question);
for (let i = 0; recallQueries.length < RECALL_QUERIES; i++) {
  const g = groups[i % groups.length];
  const s = g?.sentences[(Math.floor(i / groups.length) * 7) % g.sentences.length];
  if (s && !recallQueries.includes(s)) recallQueries.push(s);
  if (i > 10_000) break;
}
const isArabic = recallQueries.map((q) => /[\u0600-\u06FF]/.test(q));
const embedder = getEmbedder();
const recallVectors = (await embedder.embed(recallQueries)).map((v) => `[${v.join(",")}]`);

type Db = Awaited<ReturnType<typeof openLibrary>>["handle"]["db"];

/** The HNSW index's scan counter (pg_stat_user_indexes.idx_scan). */
async function hnswScans(db: Db): Promise<number> {
  // Statistics are flushed at most once a second unless forced.
  await db.execute(sql`select pg_stat_force_next_flush()`);
  await db.execute(sql`select pg_stat_clear_snapshot()`);
  const [row] = rowsOf<{ n: number }>(
    await db.execute(
      sql`select coalesce(idx_scan, 0)::int as n from pg_stat_user_indexes where indexrelname = 'chunks_embedding_hnsw'`,
    ),
  );
  return Number(row?.n ?? 0);
}

/** Whether a query path scanned the HNSW index: its counter before and after (stats flush at commit). */
async function usesHnsw(db: Db, run: () => Promise<unknown>): Promise<boolean> {
  const before = await hnswScans(db);
  await run();
  return (await hnswScans(db)) > before;
}

/**
 * Nearest passages by the HNSW index (`ef` set; sequential scans disabled so that the planner
 * cannot prefer an exact scan, as it does on small tables) or by an exact scan (ef null).
 */
async function nearest(db: Db, vector: string, limit: number, ef: number | null) {
  return db.transaction(async (tx) => {
    if (ef === null) await tx.execute(sql`set local enable_indexscan = off`);
    else {
      await tx.execute(sql.raw(`set local hnsw.ef_search = ${ef}`));
      await tx.execute(sql`set local enable_seqscan = off`);
    }
    const q: SQL = sql`select c.id, (c.embedding <=> ${vector}::vector)::float8 as d from chunks c
      where c.embedding_model = ${embedder.model}
      order by c.embedding <=> ${vector}::vector limit ${limit}`;
    const t = performance.now();
    const rows = rowsOf<{ id: string; d: number }>(await tx.execute(q));
    return { ms: performance.now() - t, rows };
  });
}

/** The plan the planner chooses by itself for a nearest-passages query at this ef_search. */
async function plan(db: Db, vector: string, ef: number): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local hnsw.ef_search = ${ef}`));
    const rows = rowsOf<Record<string, string>>(
      await tx.execute(sql`explain select c.id from chunks c where c.embedding_model = ${embedder.model}
        order by c.embedding <=> ${vector}::vector limit 10`),
    );
    return rows.map((r) => Object.values(r)[0]).join(" ");
  });
}

/**
 * Share of the exact k nearest found by the index's k: a hit counts when its distance is within the
 * exact k-th distance (ties at the boundary are not misses).
 */
function recallAt(exact: { d: number }[], approx: { d: number }[], k: number): number {
  const bound = (exact[Math.min(k, exact.length) - 1]?.d ?? 0) + 1e-9;
  return Math.min(k, approx.slice(0, k).filter((r) => r.d <= bound).length) / Math.min(k, exact.length);
}

interface SizeResult {
  size: number;
  builtSeconds: number | null;
  groups: unknown;
  searchLibrary: { unfiltered: Stats; bySubject: Stats; subjectShare: Record<string, number> };
  hnswUsed: {
    counterWorks: boolean;
    unfiltered: boolean;
    bySubject: boolean;
    plannerPicksIndex: boolean;
    plan: string;
  };
  exactScanMs: Stats;
  efSearch: { ef: number; recallAt10: number; minRecall: number; arabicRecallAt10: number; ms: Stats }[];
  appPool: { ef: number; pool: number; recallAt50: number };
}

const results: SizeResult[] = [];
for (const size of SIZES) {
  console.info(`\nlibrary of ${size} passages`);
  const lib = await openLibrary(work, size, groups);
  const db = lib.handle.db;
  console.info(lib.builtSeconds === null ? "  (from the snapshot)" : `  built in ${num(lib.builtSeconds)} s`);
  // One untimed pass warms the caches, as a running server's would be.
  for (const q of questions) await searchLibrary(db, { query: q.question, limit: 5 });

  const unfiltered: number[] = [];
  const bySubject: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const q of questions) {
      unfiltered.push(await timeMs(() => searchLibrary(db, { query: q.question, limit: 5 })));
      bySubject.push(
        await timeMs(() => searchLibrary(db, { query: q.question, subject: subjectOf(q), limit: 5 })),
      );
    }
  }
  const total = lib.groups.reduce((s, g) => s + g.chunks, 0);
  const subjectShare: Record<string, number> = {};
  for (const g of lib.groups) subjectShare[g.subject] = (subjectShare[g.subject] ?? 0) + g.chunks / total;

  const q0 = questions[0]?.question ?? "";
  const naturalPlan = await plan(db, recallVectors[0] ?? "", VECTOR_POOL);
  const hnswUsed = {
    counterWorks: await usesHnsw(db, () => nearest(db, recallVectors[0] ?? "", K, 40)),
    unfiltered: await usesHnsw(db, () => searchLibrary(db, { query: q0, limit: 5 })),
    bySubject: await usesHnsw(db, () => searchLibrary(db, { query: q0, subject: "Physique", limit: 5 })),
    plannerPicksIndex: naturalPlan.includes("chunks_embedding_hnsw"),
    plan: naturalPlan,
  };
  if (!hnswUsed.counterWorks) console.warn("  the index scan counter did not move: 'HNSW used' is unknown");

  const exact: { id: string; d: number }[][] = [];
  const exactMs: number[] = [];
  for (const v of recallVectors) {
    const e = await nearest(db, v, CANDIDATES, null);
    exact.push(e.rows);
    exactMs.push(e.ms);
  }
  const efSearch: SizeResult["efSearch"] = [];
  for (const ef of EFS) {
    const recalls: number[] = [];
    const latencies: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      for (const [i, v] of recallVectors.entries()) {
        const a = await nearest(db, v, K, ef);
        latencies.push(a.ms);
        if (r === 0) recalls.push(recallAt(exact[i] ?? [], a.rows, K));
      }
    }
    const arabic = recalls.filter((_, i) => isArabic[i]);
    efSearch.push({
      ef,
      recallAt10: recalls.reduce((s, x) => s + x, 0) / recalls.length,
      minRecall: Math.min(...recalls),
      arabicRecallAt10: arabic.reduce((s, x) => s + x, 0) / Math.max(1, arabic.length),
      ms: summarize(latencies),
    });
  }
  // What the app does: VECTOR_POOL nearest from the index at ef_search = VECTOR_POOL, of which the
  // best CANDIDATES enter the fusion.
  const poolRecalls: number[] = [];
  for (const [i, v] of recallVectors.entries()) {
    const a = await nearest(db, v, VECTOR_POOL, VECTOR_POOL);
    poolRecalls.push(recallAt(exact[i] ?? [], a.rows, CANDIDATES));
  }
  const result: SizeResult = {
    size,
    builtSeconds: lib.builtSeconds,
    groups: lib.groups,
    searchLibrary: { unfiltered: summarize(unfiltered), bySubject: summarize(bySubject), subjectShare },
    hnswUsed,
    exactScanMs: summarize(exactMs),
    efSearch,
    appPool: {
      ef: VECTOR_POOL,
      pool: VECTOR_POOL,
      recallAt50: poolRecalls.reduce((s, x) => s + x, 0) / poolRecalls.length,
    },
  };
  results.push(result);
  console.info(
    `  searchLibrary ms (median / p95): unfiltered ${mp(result.searchLibrary.unfiltered)}, by subject ${mp(result.searchLibrary.bySubject)}`,
  );
  console.info(`  HNSW used: unfiltered ${hnswUsed.unfiltered}, by subject ${hnswUsed.bySubject}`);
  for (const e of efSearch)
    console.info(`  ef_search ${e.ef}: recall@10 ${num(e.recallAt10, 3)}, ${mp(e.ms, 2)} ms`);
  console.info(
    `  exact scan ${mp(result.exactScanMs, 2)} ms; app pool recall@50 ${num(result.appPool.recallAt50, 3)}`,
  );
  await lib.handle.close();
}

const largest = results.at(-1);
const appEf = largest?.efSearch.find((e) => e.ef === VECTOR_POOL);
const markdown = [
  `Production \`searchLibrary\` over ${questions.length} fixture questions × ${RUNS} passes per size (limit 5). ` +
    "Passages: distinct recombinations of the fixtures' real sentences (3 groups: Physique fr, " +
    "Mathématiques fr, Physique ar), embedded with the app's embedder " +
    `(\`${embedder.model}\`), stored with storeChunks; the HNSW index is bulk-built with the migration's definition.`,
  "",
  "### searchLibrary latency (ms)",
  "",
  table(
    [
      "passages",
      "unfiltered (HNSW + GIN)",
      `subject filter (exact ≤ ${EXACT_SCAN_MAX} passages, else filtered HNSW)`,
      "subject share",
      "exact vector scan, k=50",
      "library built",
    ],
    results.map((r) => [
      r.size,
      mp(r.searchLibrary.unfiltered),
      mp(r.searchLibrary.bySubject),
      Object.entries(r.searchLibrary.subjectShare)
        .map(([s, x]) => `${s} ${Math.round(x * 100)}%`)
        .join(", "),
      mp(r.exactScanMs),
      r.builtSeconds === null ? "snapshot" : `${num(r.builtSeconds)} s`,
    ]),
  ),
  "",
  "### Where HNSW is used",
  "",
  "- `searchLibrary` with no grade/subject/language filter (the tutor's default search of the whole library): " +
    `vector candidates are the ${VECTOR_POOL} nearest read from the HNSW index with \`hnsw.ef_search = ${VECTOR_POOL}\` ` +
    `(set per query), then filtered by the scope (ready documents); the best ${CANDIDATES} enter the fusion. ` +
    `Index scan counter moved: ${results.map((r) => `${r.size}: ${r.hnswUsed.unfiltered ? "yes" : "NO"}`).join(", ")}.`,
  "- `searchLibrary` with a grade, subject or language filter: the matching documents' passage counts " +
    `decide. Up to ${EXACT_SCAN_MAX} passages they are materialised and scanned exactly; above, an HNSW ` +
    "iterative scan (`hnsw.iterative_scan = relaxed_order`) reads only their rows until it has its " +
    `candidates. Index scan counter moved: ${results.map((r) => `${r.size}: ${r.hnswUsed.bySubject ? "yes" : "no"}`).join(", ")}.`,
  "- On a small library the planner prefers an exact scan to the index even on the unfiltered path " +
    `(its own plan for a ${VECTOR_POOL}-nearest query uses the index: ` +
    `${results.map((r) => `${r.size}: ${r.hnswUsed.plannerPicksIndex ? "yes" : "no"}`).join(", ")}); ` +
    "the recall figures below force the index (sequential scans off) so that they measure HNSW itself.",
  "- `searchCourseMaterials` (a course's own uploads): always the exact scan.",
  "",
  `### hnsw.ef_search → recall@10 against exact nearest neighbours (${recallVectors.length} queries: ` +
    `${questions.length} fixture questions + passage sentences, ${isArabic.filter(Boolean).length} of them Arabic; ` +
    "recall per query = share of the index's 10 within the exact 10th distance; min = the worst query)",
  "",
  table(
    ["passages", ...EFS.map((ef) => `ef ${ef}: recall@10 (min; Arabic)`), ...EFS.map((ef) => `ef ${ef}: ms`)],
    results.map((r) => [
      r.size,
      ...r.efSearch.map(
        (e) => `${num(e.recallAt10, 3)} (${num(e.minRecall, 2)}; ${num(e.arabicRecallAt10, 3)})`,
      ),
      ...r.efSearch.map((e) => mp(e.ms, 2)),
    ]),
  ),
  "",
  `The app uses \`hnsw.ef_search = ${VECTOR_POOL}\` (lib/retrieval VECTOR_POOL): without iterative scans ` +
    "pgvector returns at most ef_search rows, and the whole-library search reads a pool of " +
    `${VECTOR_POOL} candidates before its scope filter, so ef_search must be at least the pool. ` +
    (appEf
      ? `At ${largest?.size} passages it gives recall@10 ${num(appEf.recallAt10, 3)} in ${mp(appEf.ms, 2)} ms; ` +
        `the app's pool (${VECTOR_POOL} at ef ${VECTOR_POOL}) holds ${num((largest?.appPool.recallAt50 ?? 0) * 100, 1)}% of the exact ${CANDIDATES} nearest.`
      : ""),
].join("\n");

const out = writeResults("search", {
  startedAt,
  data: { runs: RUNS, sizes: SIZES, efs: EFS, results },
  markdown,
});
console.info(`\n${markdown}\n\nwritten: ${out.json}`);
rmSync(work, { recursive: true, force: true });
