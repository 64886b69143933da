// npm run eval — retrieval quality over ../shared/fixtures (see bench/eval/retrieval.ts): page
// recall@1/3/5 and MRR for vector-only, full-text-only and hybrid search per question language,
// and how often the tutor says "not in your textbooks" to questions no document answers. Writes
// bench/results/eval-<timestamp>.{json,md} and prints the table.
// Exits 1 when hybrid recall@3 is below EVAL_MIN_RECALL3 (or --min-recall3=<x>), for CI.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchWorkspace, FIXTURES, requireFixtures } from "./lib";

requireFixtures("npm run eval");
const flag = process.argv.find((a) => a.startsWith("--min-recall3="))?.split("=")[1];
const minRecall3 = Number(flag ?? process.env.EVAL_MIN_RECALL3 ?? 0);
if (!Number.isFinite(minRecall3) || minRecall3 < 0 || minRecall3 > 1) {
  console.error(
    `--min-recall3 / EVAL_MIN_RECALL3 must be a number from 0 to 1, got ${flag ?? process.env.EVAL_MIN_RECALL3}`,
  );
  process.exit(2);
}

const work = benchWorkspace("eval", {
  RATE_LIMIT_REQUESTS: "100000",
  RATE_LIMIT_USER_REQUESTS: "100000",
  WALLET_SIGNUP_GRANT: "100000000",
});

const { openPglite, setDbHandle } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { shutdownExtraction } = await import("@/lib/ingest/extract");
const { evaluate, fixturePdfs, ingestLibrary, loadQuestions, markdownReport } = await import(
  "./eval/retrieval"
);

const handle = await openPglite();
let failed = false;
try {
  await migrateDb(handle);
  setDbHandle(handle);
  const t = performance.now();
  const docs = await ingestLibrary(handle.db, fixturePdfs(FIXTURES));
  const ingestSeconds = (performance.now() - t) / 1000;
  const report = await evaluate(handle.db, { questions: loadQuestions(FIXTURES), docs, ingestSeconds });
  const md = markdownReport(report);
  const out = path.resolve(import.meta.dirname, "results");
  mkdirSync(out, { recursive: true });
  const stamp = report.createdAt.replace(/[:.]/g, "-");
  writeFileSync(path.join(out, `eval-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(out, `eval-${stamp}.md`), md);
  console.info(md);
  console.info(`written: bench/results/eval-${stamp}.{json,md}`);
  const recall3 = report.scores.hybrid.all?.recall["@3"] ?? 0;
  if (recall3 < minRecall3) {
    console.error(`hybrid recall@3 ${recall3.toFixed(3)} is below the threshold ${minRecall3}`);
    failed = true;
  }
} finally {
  setDbHandle(undefined);
  await handle.close();
  await shutdownExtraction();
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
