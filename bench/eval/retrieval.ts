// Retrieval-quality evaluation over ../shared/fixtures: every document ingested into the library
// through the real pipeline (upload → ingestion job → extraction/OCR → chunks → embeddings), then
// each question of qa/questions.jsonl searched three ways (vector-only, full-text-only, and the
// production hybrid searchLibrary), and the unanswerable questions asked to the real tutor with the
// offline model. Shared by `npm run eval` (bench/eval.ts) and test/eval-retrieval.test.ts; the
// caller opens the database and sets DATA_DIR.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "@/db/client";
import { NOT_IN_TEXTBOOKS } from "@/lib/ai/prompts";
import { askTutor } from "@/lib/ai/tutor";
import { adminCreateUser } from "@/lib/auth";
import { uploadCurriculum } from "@/lib/curriculum/documents";
import { countRunnableJobs } from "@/lib/ingest/jobs";
import { kickIngestion } from "@/lib/ingest/runner";
import { type FusionWeights, hybridSearch, searchLibrary } from "@/lib/retrieval";
import { FIXTURES } from "../lib";

/** The ranks looked at: recall@1, @3, @5 (and MRR over the top 5). */
export const KS = [1, 3, 5] as const;
const DEPTH = 5;

export interface Question {
  id: string;
  lang: string;
  question: string;
  answer_hint: string | null;
  /** The fixture document (file name without .pdf) that answers it; null: no document does. */
  doc: string | null;
  page: number | null;
  evidence: string | null;
}

export type Mode = "vector" | "text" | "hybrid";
export const MODES: Mode[] = ["vector", "text", "hybrid"];

export interface Scores {
  n: number;
  recall: Record<`@${(typeof KS)[number]}`, number>;
  mrr: number;
}

export interface QuestionResult {
  id: string;
  lang: string;
  doc: string;
  page: number;
  /** Rank (1-based) of the first passage covering the expected page, per mode; null: not in the top 5. */
  rank: Record<Mode, number | null>;
  /** Rank of the first hybrid passage whose cited page (the one the tutor shows) is the expected page. */
  citedRank: number | null;
  /** The hybrid top 5 as document:pages, for reading misses. */
  top: string[];
}

export interface UnanswerableResult {
  id: string;
  lang: string;
  /** The tutor said the answer is not in the textbooks. */
  declined: boolean;
  /** Passages the tutor was given (none when it declined). */
  sources: number;
}

export interface EvalReport {
  createdAt: string;
  embeddingModel: string;
  documents: { name: string; pages: number; chunks: number }[];
  timings: { ingestSeconds: number; searchSeconds: number; tutorSeconds: number };
  /** Per mode, per language ("all" too). */
  scores: Record<Mode, Record<string, Scores>>;
  /** Hybrid, counting only the page the tutor cites (a passage's first page). */
  cited: Record<string, Scores>;
  unanswerable: { n: number; declineRate: number; results: UnanswerableResult[] };
  /** Answerable questions the tutor declined (wrongly). */
  falseDeclines: { n: number; rate: number; ids: string[] };
  questions: QuestionResult[];
}

export function loadQuestions(fixtures = FIXTURES): Question[] {
  return readFileSync(path.join(fixtures, "qa", "questions.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Question);
}

/** The fixture PDFs: documents/*.pdf, and scans/*.pdf unless left out. */
export function fixturePdfs(fixtures = FIXTURES, { scans = true } = {}): string[] {
  const list = (dir: string) =>
    readdirSync(path.join(fixtures, dir))
      .filter((f) => f.endsWith(".pdf"))
      .sort()
      .map((f) => path.join(fixtures, dir, f));
  return [...list("documents"), ...(scans ? list("scans") : [])];
}

/**
 * The fixture document a file stands for: a scan in scans/ is a rendering of the document of the
 * same name (same text, same pages), so a passage from it answers that document's questions.
 * fr_math_equadiff_scan.pdf in documents/ is a document of its own.
 */
export function fixtureDocOf(file: string): string {
  const name = path.basename(file, ".pdf");
  return path.basename(path.dirname(file)) === "scans" ? name.replace(/_scan$/, "") : name;
}

/**
 * Uploads every file as a library textbook (as an admin would) and runs the ingestion queue until
 * it is empty. Returns the document id → fixture document name.
 */
export async function ingestLibrary(db: Db, files: string[]): Promise<Map<string, string>> {
  const byId = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file);
    const { document } = await uploadCurriculum(db, {
      file: { name, type: "application/pdf", bytes: new Uint8Array(readFileSync(file)) },
      title: path.basename(file, ".pdf"),
      grade: "7AS",
      subject: name.includes("_math_") ? "Mathematiques" : "Physique",
      language: name.startsWith("ar_") ? "ar" : "fr",
      namespace: "curriculum",
    });
    byId.set(document.id, fixtureDocOf(file));
  }
  for (let round = 0; round < 50; round++) {
    await kickIngestion();
    if ((await countRunnableJobs(db, { dueOnly: true })) === 0) break;
  }
  const states = rowsOf<{ title: string; status: string; error_message: string | null }>(
    await db.execute(sql`select title, status, error_message from documents order by title`),
  );
  const failed = states.filter((d) => d.status !== "ready");
  if (failed.length > 0) throw new Error(`not ingested: ${JSON.stringify(failed)}`);
  return byId;
}

interface Hit {
  documentId: string | null;
  pageStart: number;
  pageEnd: number;
}

/**
 * A hit covers the expected page when it comes from the expected document and its page range
 * includes the page: a passage spanning pages 3–4 answers a page-4 question, since the tutor
 * hands the whole passage to the model and the student reads on. `citedRank` is the stricter
 * view: the page the tutor cites is the passage's first page.
 */
function firstRank(hits: Hit[], q: Question, docs: Map<string, string>, cited = false): number | null {
  const page = q.page ?? -1;
  const i = hits.findIndex(
    (h) =>
      h.documentId !== null &&
      docs.get(h.documentId) === q.doc &&
      (cited ? h.pageStart === page : h.pageStart <= page && page <= h.pageEnd),
  );
  return i < 0 ? null : i + 1;
}

function score(ranks: (number | null)[]): Scores {
  const n = ranks.length;
  const at = (k: number) => (n ? ranks.filter((r) => r !== null && r <= k).length / n : 0);
  return {
    n,
    recall: { "@1": at(1), "@3": at(3), "@5": at(5) },
    mrr: n ? ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / n : 0,
  };
}

function byLanguage(results: QuestionResult[], rankOf: (r: QuestionResult) => number | null) {
  const out: Record<string, Scores> = { all: score(results.map(rankOf)) };
  for (const lang of [...new Set(results.map((r) => r.lang))].sort()) {
    out[lang] = score(results.filter((r) => r.lang === lang).map(rankOf));
  }
  return out;
}

const LIBRARY = sql`c.document_id in (select d.id from documents d where d.status = 'ready')`;

/** Searches every answerable question three ways and asks the tutor every question. */
export async function evaluate(
  db: Db,
  {
    questions,
    docs,
    ingestSeconds = 0,
  }: { questions: Question[]; docs: Map<string, string>; ingestSeconds?: number },
): Promise<EvalReport> {
  const answerable = questions.filter((q) => q.doc && [...docs.values()].includes(q.doc));
  let t = performance.now();
  const results: QuestionResult[] = [];
  for (const q of answerable) {
    // vector- and text-only: the same indexed search of the whole library as searchLibrary, one
    // ranking left out, and no relevance floor; hybrid: searchLibrary itself, floor included.
    const oneRanking = (fusion: FusionWeights) =>
      hybridSearch(db, { scope: LIBRARY, query: q.question, limit: DEPTH, plan: "index", fusion });
    const vector = await oneRanking({ vector: 1, text: 0 });
    const text = await oneRanking({ vector: 0, text: 1 });
    const hybrid = (await searchLibrary(db, { query: q.question, limit: DEPTH })).map((p) => ({
      documentId: p.documentId,
      pageStart: p.page,
      pageEnd: p.pageEnd,
    }));
    results.push({
      id: q.id,
      lang: q.lang,
      doc: q.doc as string,
      page: q.page as number,
      rank: {
        vector: firstRank(vector, q, docs),
        text: firstRank(text, q, docs),
        hybrid: firstRank(hybrid, q, docs),
      },
      citedRank: firstRank(hybrid, q, docs, true),
      top: hybrid.map(
        (h) =>
          `${docs.get(h.documentId ?? "") ?? "?"}:${h.pageStart}${h.pageEnd > h.pageStart ? `-${h.pageEnd}` : ""}`,
      ),
    });
  }
  const searchSeconds = (performance.now() - t) / 1000;

  // The tutor, through askTutor (rate limits, wallet, offline model, stored conversation) as a
  // student with no filters would ask it.
  t = performance.now();
  const student = await adminCreateUser(db, {
    email: `eval.${Date.now().toString(36)}@example.com`,
    password: "eval-password-123",
    fullName: "Eval student",
    role: "student",
  });
  const declines = new Map<string, { declined: boolean; sources: number }>();
  for (const q of questions) {
    const { answer, sources } = await askTutor(db, {
      userId: student.id,
      ip: "127.0.0.1",
      message: q.question,
    });
    const declined = Object.values(NOT_IN_TEXTBOOKS).some((s) => answer.startsWith(s));
    declines.set(q.id, { declined, sources: sources.length });
  }
  const tutorSeconds = (performance.now() - t) / 1000;
  const unanswerable = questions
    .filter((q) => q.doc === null)
    .map((q) => ({ id: q.id, lang: q.lang, ...(declines.get(q.id) ?? { declined: false, sources: 0 }) }));
  const wrongly = answerable.filter((q) => declines.get(q.id)?.declined).map((q) => q.id);

  const counts = rowsOf<{ id: string; page_count: number; chunks: number }>(
    await db.execute(sql`
      select d.id, d.page_count, count(c.id)::int as chunks
      from documents d left join chunks c on c.document_id = d.id group by d.id`),
  );
  const [model] = rowsOf<{ embedding_model: string }>(
    await db.execute(sql`select distinct embedding_model from chunks`),
  );

  return {
    createdAt: new Date().toISOString(),
    embeddingModel: model?.embedding_model ?? "",
    documents: counts
      .map((r) => ({ name: docs.get(r.id) ?? r.id, pages: r.page_count, chunks: r.chunks }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    timings: { ingestSeconds, searchSeconds, tutorSeconds },
    scores: {
      vector: byLanguage(results, (r) => r.rank.vector),
      text: byLanguage(results, (r) => r.rank.text),
      hybrid: byLanguage(results, (r) => r.rank.hybrid),
    },
    cited: byLanguage(results, (r) => r.citedRank),
    unanswerable: {
      n: unanswerable.length,
      declineRate: unanswerable.length
        ? unanswerable.filter((u) => u.declined).length / unanswerable.length
        : 0,
      results: unanswerable,
    },
    falseDeclines: {
      n: wrongly.length,
      rate: answerable.length ? wrongly.length / answerable.length : 0,
      ids: wrongly,
    },
    questions: results,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as Markdown: one table of scores, the unanswerable rate, the misses. */
export function markdownReport(r: EvalReport): string {
  const langs = Object.keys(r.scores.hybrid);
  const rows: string[] = [
    "| mode | language | n | recall@1 | recall@3 | recall@5 | MRR |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  const line = (mode: string, lang: string, s: Scores) =>
    rows.push(
      `| ${mode} | ${lang} | ${s.n} | ${pct(s.recall["@1"])} | ${pct(s.recall["@3"])} | ${pct(s.recall["@5"])} | ${s.mrr.toFixed(3)} |`,
    );
  for (const mode of MODES) for (const lang of langs) line(mode, lang, r.scores[mode][lang] as Scores);
  for (const lang of langs) line("hybrid, cited page", lang, r.cited[lang] as Scores);
  const misses = r.questions.filter((q) => q.rank.hybrid === null || q.rank.hybrid > 3);
  return [
    `# Retrieval evaluation, ${r.createdAt}`,
    "",
    `Embedding model ${r.embeddingModel}; ${r.documents.length} documents (${r.documents
      .map((d) => `${d.name} ${d.pages} p./${d.chunks} chunks`)
      .join(", ")}).`,
    "A question is found at k when one of the top k passages comes from its document (or that document's scan) and its page range covers the expected page; " +
      '"cited page" counts only a passage whose first page (the one the tutor cites) is the expected page.',
    "",
    ...rows,
    "",
    `Unanswerable questions answered "not in your textbooks": ${pct(r.unanswerable.declineRate)} (${r.unanswerable.results.filter((u) => u.declined).length}/${r.unanswerable.n}).`,
    `Answerable questions wrongly declined: ${r.falseDeclines.n}/${r.questions.length}${r.falseDeclines.ids.length ? ` (${r.falseDeclines.ids.join(", ")})` : ""}.`,
    `Hybrid misses at 3: ${misses.length ? misses.map((q) => `${q.id} (${q.doc} p. ${q.page}; got ${q.top.slice(0, 3).join(", ") || "nothing"})`).join("; ") : "none"}.`,
    "",
    `Timings: ingestion ${r.timings.ingestSeconds.toFixed(1)} s, searches ${r.timings.searchSeconds.toFixed(1)} s, tutor ${r.timings.tutorSeconds.toFixed(1)} s.`,
    "",
  ].join("\n");
}
