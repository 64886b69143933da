import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EvalReport,
  evaluate,
  fixturePdfs,
  ingestLibrary,
  loadQuestions,
  markdownReport,
} from "@/bench/eval/retrieval";
import { FIXTURES } from "@/bench/lib";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { useEnv } from "./helpers/env";

// `npm run eval` on the fixtures of ../shared, as a gate: every document (the scans too) through
// the real ingestion, the questions searched three ways, the unanswerable ones asked to the tutor
// (offline model). The bars are what the embedded defaults reach today (see the report printed
// below): a change that loses a question fails here. Skipped, saying so, where the fixtures are
// absent.
const present = existsSync(path.join(FIXTURES, "qa", "questions.jsonl"));
if (!present) console.warn(`[eval-retrieval] skipped: ${FIXTURES} not found`);

/**
 * Hybrid page recall@3 over the 21 answerable questions: 19 found today. The two misses need more
 * than words: q013 asks in Arabic about a French page (no shared word: a multilingual embedding
 * would be needed), q054 needs term weighting (IDF) the full-text ranking does not have. Losing
 * one more question (18/21 = 0.857) fails.
 */
const MIN_HYBRID_RECALL3 = 0.9;
/**
 * Share of the unanswerable questions the tutor declines ("not in your textbooks"): all three.
 * q059 ("le coefficient des maths en série C au bac") was answered from a lesson on work in
 * Arabic until weak similarity needed shared words (lib/retrieval isRelevant).
 */
const MIN_DECLINE_RATE = 1;
/** Answerable questions the tutor declines: only q013, whose page shares no word with it (see above). */
const MAX_FALSE_DECLINES = ["q013"];

useTempDataDir("eval");
const { db } = useTestDb();
useEnv({
  RATE_LIMIT_REQUESTS: "100000",
  RATE_LIMIT_USER_REQUESTS: "100000",
  WALLET_SIGNUP_GRANT: "100000000",
});

describe.skipIf(!present)("retrieval quality on the fixtures", () => {
  let report: EvalReport;

  beforeAll(async () => {
    const t = performance.now();
    const docs = await ingestLibrary(db(), fixturePdfs());
    report = await evaluate(db(), {
      questions: loadQuestions(),
      docs,
      ingestSeconds: (performance.now() - t) / 1000,
    });
    console.info(markdownReport(report));
  }, 5 * 60_000);
  afterAll(async () => {
    const { shutdownExtraction } = await import("@/lib/ingest/extract");
    await shutdownExtraction();
  });

  it("ingests every fixture document and asks every question", () => {
    expect(report.documents).toHaveLength(fixturePdfs().length);
    for (const d of report.documents) expect(d.chunks).toBeGreaterThan(0);
    expect(report.questions.length + report.unanswerable.n).toBe(loadQuestions().length);
  });

  it(`finds the right page in the hybrid top 3 for at least ${MIN_HYBRID_RECALL3 * 100}% of the questions`, () => {
    expect(report.scores.hybrid.all?.recall["@3"]).toBeGreaterThanOrEqual(MIN_HYBRID_RECALL3);
  });

  it("has the tutor decline the questions no textbook answers", () => {
    expect(report.unanswerable.declineRate).toBeGreaterThanOrEqual(MIN_DECLINE_RATE);
  });

  it("declines no answerable question it can find", () => {
    for (const id of report.falseDeclines.ids) expect(MAX_FALSE_DECLINES).toContain(id);
  });
});
