import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "@/db/client";
import { getEmbedder } from "@/lib/ai/embeddings";
import { foldForSearch } from "@/lib/text/fold";
import { detectLanguage, type TextLanguage } from "@/lib/text/language";
import { isStopword, sameTerm, terms } from "@/lib/text/terms";

/** Reciprocal rank fusion constant (the usual 60): dampens the weight of the very first ranks. */
export const RRF_K = 60;

/**
 * Weight of each ranking in the fusion (score = Σ weight / (RRF_K + rank)). A weight of 0 leaves
 * that ranking out: `{ vector: 1, text: 0 }` is vector-only search (the retrieval evaluation,
 * bench/eval, compares the three).
 */
export interface FusionWeights {
  vector: number;
  text: number;
}
export const DEFAULT_FUSION: FusionWeights = { vector: 1, text: 1 };
/**
 * ts_rank_cd normalization: 1 divides by 1 + log(passage length), 4 by the mean distance between
 * the matched words. Without them a long passage repeating one frequent word ("الشغل", "noyau")
 * outranks the one where the question's words stand together (`npm run eval`: full-text MRR and
 * hybrid recall@1 both up).
 */
const RANK_NORMALIZATION = 1 | 4;
/** Candidates taken from each ranking before fusion. */
export const CANDIDATES = 50;
/** Passages holding all the question's words that are ranked at most (indexed search). */
const FTS_ALL_POOL = 300;
/**
 * Passages holding some of its words that are ranked at most (indexed search): an unordered
 * sample (the first matches the planner reaches), so a larger one buys little ranking and costs
 * a read and a rank per row (npm run bench:chat).
 */
const FTS_ANY_POOL = 100;
/** Nearest passages read from the HNSW index before the scope filter (hnsw.ef_search is raised to it). */
export const VECTOR_POOL = 200;

export interface ChunkHit {
  chunkId: string;
  materialId: string | null;
  documentId: string | null;
  content: string;
  pageStart: number;
  pageEnd: number;
  /** Cosine similarity of the query and the chunk embeddings, 0–1. */
  similarity: number;
  /** Fused reciprocal-rank score (higher is better). */
  score: number;
  /** Whether the passage shares words with the query (it was ranked by full-text search too). */
  lexical: boolean;
}

/**
 * Words of a query as an OR'ed tsquery source: a question matches passages sharing any word.
 * Function words (French, English, Arabic: lib/text/terms.ts) are left out: the text-search
 * configurations drop only their own language's (the arabic one none), and an OR of "what",
 * "is", "كيف" or "كانت" matches almost every passage and drowns the words that matter.
 */
export function ftsTerms(query: string): string {
  const words = foldForSearch(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !isStopword(w))
    .slice(0, 64);
  return [...new Set(words)].join(" | ");
}

/**
 * The text-search query in the question's script: Arabic words through the Arabic configuration,
 * the rest through the French one (whose stop words then stay out: through the Arabic
 * configuration "la" or "est" would match every French passage). A question mixing both scripts
 * gets both.
 */
function tsQuery(question: string, terms: string): SQL {
  const arabic = /[\u0600-\u06FF]/.test(question);
  const latin = /[A-Za-zÀ-ÿ]/.test(question);
  if (arabic && !latin) return sql`to_tsquery('arabic', ${terms})`;
  if (arabic) return sql`(to_tsquery('french', ${terms}) || to_tsquery('arabic', ${terms}))`;
  return sql`to_tsquery('french', ${terms})`;
}

/**
 * How a search reads its candidates:
 * - `exact`: the scope's rows are materialised and scanned (a course's uploads, a small part of
 *   the library): an index read then filtered by the scope would find too few of them.
 * - `index`: each ranking's pool is read from its index over the whole table (HNSW for vectors,
 *   GIN for words), then filtered by the scope: for a scope that is most of the table (the whole
 *   library).
 * - `filtered-index`: the indexes read only the scope's rows (an HNSW iterative scan goes on past
 *   the rows the scope filters out): for a part of a large library too big to scan.
 */
export type SearchPlan = "exact" | "index" | "filtered-index";

/**
 * Hybrid search over a set of chunks: vector similarity and full-text rank, fused by reciprocal
 * rank. `scope` is a SQL condition on `chunks c` (and `m` materials when joined).
 */
export async function hybridSearch(
  db: DbOrTx,
  {
    scope,
    query,
    limit,
    plan = "exact",
    fusion = DEFAULT_FUSION,
  }: {
    scope: SQL;
    query: string;
    limit: number;
    fusion?: FusionWeights;
    plan?: SearchPlan;
  },
): Promise<ChunkHit[]> {
  const embedder = getEmbedder();
  const [vector] = await embedder.embed([query]);
  // A query with no features (only punctuation or stop words) has a zero vector, whose cosine
  // is undefined: rank by words alone then.
  const usable = !!vector && vector.some((x) => x !== 0);
  const q = usable ? `[${vector.join(",")}]` : null;
  const terms = ftsTerms(query);
  const ftsQuery = terms ? tsQuery(query, terms) : sql`null::tsquery`;
  const result =
    plan === "exact"
      ? await db.execute(statementFor(false))
      : await db.transaction(async (tx) => {
          // The index returns at most ef_search rows: enough for the pool the scope filters. Up
          // to tens of thousands of passages the planner prices the HNSW scan above sorting every
          // row and scans exactly (~80 ms at 10k here, against ~5 ms through the index): this
          // plan exists to read the indexes, so tell it so (npm run bench:search). A filtered
          // read goes on past the rows its scope drops (relaxed order: the fusion re-sorts).
          // (hnsw.iterative_scan exists from pgvector 0.8 on, and naming it before is an error:
          // only the filtered plan, which needs it, sets it.)
          await tx.execute(
            plan === "filtered-index"
              ? sql`select set_config('hnsw.ef_search', ${String(VECTOR_POOL)}, true),
                       set_config('enable_seqscan', 'off', true),
                       set_config('hnsw.iterative_scan', 'relaxed_order', true)`
              : sql`select set_config('hnsw.ef_search', ${String(VECTOR_POOL)}, true),
                       set_config('enable_seqscan', 'off', true)`,
          );
          return tx.execute(statementFor(true));
        });
  function statementFor(indexed: boolean): SQL {
    return indexed
      ? indexedQuery({
          scope,
          model: embedder.model,
          q,
          ftsQuery,
          ftsAllQuery: terms ? tsQuery(query, terms.replaceAll(" | ", " & ")) : sql`null::tsquery`,
          limit,
          fusion,
          prefilter: plan === "filtered-index",
        })
      : sql`
    with scoped as materialized (
      select c.id, c.material_id, c.document_id, c.content, c.page_start, c.page_end, c.tsv, c.embedding
      from chunks c
      where ${scope} and c.embedding_model = ${embedder.model}
    ),
    query as (select ${q}::vector as v, ${ftsQuery} as tsq),
    vec as (
      select s.id, row_number() over (order by s.embedding <=> query.v) as r
      from scoped s, query
      where query.v is not null
      order by s.embedding <=> query.v
      limit ${CANDIDATES}
    ),
    fts as (
      select s.id, row_number() over (order by ts_rank_cd(s.tsv, query.tsq, ${RANK_NORMALIZATION}) desc) as r
      from scoped s, query
      where query.tsq is not null and s.tsv @@ query.tsq
      order by ts_rank_cd(s.tsv, query.tsq, ${RANK_NORMALIZATION}) desc
      limit ${CANDIDATES}
    ),
    fused as (${fusedRanks(fusion)})
    select s.id as chunk_id, s.material_id, s.document_id, s.content, s.page_start, s.page_end,
           coalesce(greatest(0, least(1, 1 - (s.embedding <=> query.v))), 0) as similarity, f.score,
           f.lexical
    from fused f join scoped s on s.id = f.id, query
    order by f.score desc, similarity desc
    limit ${limit}`;
  }
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    chunkId: String(r.chunk_id),
    materialId: (r.material_id as string | null) ?? null,
    documentId: (r.document_id as string | null) ?? null,
    content: String(r.content),
    pageStart: Number(r.page_start),
    pageEnd: Number(r.page_end),
    similarity: Number(r.similarity),
    score: Number(r.score),
    lexical: r.lexical === true || r.lexical === "t",
  }));
}

/** Weighted reciprocal rank fusion of the `vec` and `fts` rankings (a ranking weighted 0 is left out). */
function fusedRanks(fusion: FusionWeights): SQL {
  const arms: SQL[] = [];
  if (fusion.vector > 0)
    arms.push(sql`select id, r, false as lexical, ${fusion.vector}::float8 as w from vec`);
  if (fusion.text > 0) arms.push(sql`select id, r, true as lexical, ${fusion.text}::float8 as w from fts`);
  if (arms.length === 0) throw new RangeError("at least one ranking needs a positive weight");
  return sql`
      select id, sum(w / (${RRF_K} + r)) as score, bool_or(lexical) as lexical
      from (${sql.join(arms, sql` union all `)}) ranked
      group by id`;
}

/** The hybrid query with each ranking's candidates read from its index (see SearchPlan). */
function indexedQuery({
  scope,
  model,
  q,
  ftsQuery,
  ftsAllQuery,
  limit,
  fusion,
  prefilter,
}: {
  scope: SQL;
  model: string;
  q: string | null;
  ftsQuery: SQL;
  ftsAllQuery: SQL;
  limit: number;
  fusion: FusionWeights;
  /** The scope inside the index reads (`filtered-index`), not only after them. */
  prefilter: boolean;
}): SQL {
  // Each pool is read from its index without the scope and materialised, then filtered by the
  // scope (`c` is the pool there): joined earlier, the scope lets the planner drive the scan from
  // the documents table through every passage, and stale statistics make it do so. Prefiltered,
  // the vector pool's HNSW scan checks the scope (a plain list of documents) row by row and goes
  // on until it has its candidates, or has read hnsw.max_scan_tuples rows: a question about
  // another subject than the filter's finds its nearest passages all filtered out. The pool of
  // partial word matches stays unfiltered: filtered, a read must visit every passage sharing a
  // word with the question before it can stop (2 s at 100k for a maths question in physics);
  // the pool of passages holding all its words is selective enough to be read within the scope.
  const inPool = prefilter ? sql`and ${scope}` : sql``;
  return sql`
    with vec_pool as materialized (
      select c.id, c.document_id, c.material_id, c.embedding <=> ${q}::vector as d
      from chunks c
      where ${q}::vector is not null and c.embedding_model = ${model} ${inPool}
      order by c.embedding <=> ${q}::vector
      limit ${prefilter ? CANDIDATES : VECTOR_POOL}
    ),
    vec as (
      select c.id, row_number() over (order by c.d) as r
      from vec_pool c
      where ${scope}
      order by c.d
      limit ${CANDIDATES}
    ),
    -- Ranking every passage that shares one word with the question costs a pass over most of
    -- a large library; instead rank the passages with all its words and, for partial matches,
    -- a bounded sample of those with any.
    fts_ids as materialized (
      (select c.id from chunks c where c.tsv @@ ${ftsAllQuery} and c.embedding_model = ${model} ${inPool} limit ${FTS_ALL_POOL})
      union
      (select c.id from chunks c where c.tsv @@ ${ftsQuery} and c.embedding_model = ${model} limit ${FTS_ANY_POOL})
    ),
    fts_pool as materialized (
      select c.id, c.document_id, c.material_id, c.tsv from fts_ids i join chunks c on c.id = i.id
    ),
    fts as (
      select id, row_number() over (order by rank desc) as r from (
        select c.id, ts_rank_cd(c.tsv, ${ftsQuery}, ${RANK_NORMALIZATION}) as rank
        from fts_pool c
        where ${scope}
        order by rank desc
        limit ${CANDIDATES}
      ) f
    ),
    fused as (${fusedRanks(fusion)})
    select s.id as chunk_id, s.material_id, s.document_id, s.content, s.page_start, s.page_end,
           coalesce(greatest(0, least(1, 1 - (s.embedding <=> ${q}::vector))), 0) as similarity, f.score,
           f.lexical
    from fused f join chunks s on s.id = f.id
    order by f.score desc, similarity desc
    limit ${limit}`;
}

export interface MaterialSearchResult {
  materialId: string;
  name: string;
  fileType: string;
  excerpt: string;
  similarity: number;
  page: number;
}

/**
 * The course's most relevant materials for a query: the best passage of each, chosen by the
 * hybrid ranking, then listed by their similarity score as the API documents.
 */
export async function searchCourseMaterials(
  db: DbOrTx,
  { courseId, query, limit }: { courseId: string; query: string; limit: number },
): Promise<MaterialSearchResult[]> {
  const scope = sql`c.material_id in (select id from materials where course_id = ${courseId} and processing_status = 'completed')`;
  const hits = await hybridSearch(db, { scope, query, limit: CANDIDATES });
  const best = new Map<string, ChunkHit>();
  for (const h of hits) if (h.materialId && !best.has(h.materialId)) best.set(h.materialId, h);
  const top = [...best.values()].slice(0, limit);
  if (top.length === 0) return [];
  const meta = rowsOf<{ id: string; name: string; file_type: string }>(
    await db.execute(
      sql`select id, name, file_type from materials where id in (${sql.join(
        top.map((h) => sql`${h.materialId}`),
        sql`, `,
      )})`,
    ),
  );
  const byId = new Map(meta.map((m) => [m.id, m]));
  return top
    .map((h) => ({
      materialId: h.materialId as string,
      name: byId.get(h.materialId as string)?.name ?? "",
      fileType: byId.get(h.materialId as string)?.file_type ?? "",
      excerpt: excerptAround(h.content, query, 500),
      similarity: Math.round(h.similarity * 10_000) / 10_000,
      page: h.pageStart,
    }))
    .sort((a, b) => b.similarity - a.similarity);
}

/** At most `max` characters of the passage, centred on the first query word it contains. */
export function excerptAround(content: string, query: string, max: number): string {
  const text = content.trim();
  if (text.length <= max) return text;
  const folded = foldForSearch(text);
  const words = ftsTerms(query)
    .split(" | ")
    .filter((w) => w.length > 2);
  // foldForSearch keeps string length for most scripts; when it does not, start at the top.
  let at = -1;
  if (folded.length === text.length) {
    for (const w of words) {
      const i = folded.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
  }
  let start = at < 0 ? 0 : Math.max(0, at - Math.floor(max / 3));
  start = Math.min(start, text.length - max);
  // Do not cut a word in half at the start.
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space > start && space - start < 40) start = space + 1;
  }
  const slice = text.slice(start, start + max);
  return (start > 0 ? "…" : "") + slice.slice(0, max - (start > 0 ? 1 : 0));
}

/** A textbook passage found for a question, with what a citation needs. */
export interface LibraryPassage {
  documentId: string;
  title: string;
  page: number;
  pageEnd: number;
  content: string;
  similarity: number;
  score: number;
}

/**
 * Below this cosine similarity a passage is noise for the question: the tutor then says the
 * answer is not in the textbooks rather than quote something unrelated. Sharing a word is not
 * enough (full-text matching ORs the words, so almost every passage shares one). Calibrated on
 * ../shared/fixtures/qa with the local embedding: answerable questions' best passage 0.145–0.39
 * (one Arabic outlier at 0.07), unanswerable ones 0.02–0.14. OpenAI's text-embedding-3 puts
 * unrelated text around 0.1–0.2, hence its higher bar.
 */
export function minSimilarity(model: string): number {
  return model.startsWith("local-") ? 0.14 : 0.25;
}

/** A passage that contains this share of the question's content words is relevant whatever its similarity. */
export const MIN_COVERAGE = 0.6;

/**
 * A passage whose similarity only just clears the floor must also share this share of the
 * question's content words (when both are in one language): one word of five in common
 * ("coefficient" in a lesson on polynomials, for "le coefficient des maths en série C au bac")
 * is a coincidence, not an answer.
 */
export const MIN_WEAK_COVERAGE = 0.25;

/** Above the floor by this much, similarity alone makes a passage relevant. */
const STRONG_MARGIN = 0.11;

/**
 * The share of the question's distinct content words (light stems, see lib/text/terms.ts) that
 * the passage contains. Short questions ("la demi-vie ?") have little for a vector to hold on to,
 * but a passage with all their words is plainly about them.
 */
export function termCoverage(question: string, passage: string): number {
  return coverageOf(question)(passage);
}

/** termCoverage with the question's words taken once, for the many passages of one search. */
function coverageOf(question: string): (passage: string) => number {
  const wanted = [...new Set(terms(question))];
  return (passage) => {
    if (wanted.length === 0) return 0;
    const have = new Set(terms(passage));
    const list = [...have];
    const found = wanted.filter((t) => have.has(t) || list.some((h) => sameTerm(t, h)));
    return found.length / wanted.length;
  };
}

/** A question as the relevance rule reads it: its language and its words, taken once. */
export interface AskedQuestion {
  language: TextLanguage;
  coverage(passage: string): number;
}

export function askedQuestion(text: string): AskedQuestion {
  return { language: detectLanguage(text), coverage: coverageOf(text) };
}

/**
 * Whether a passage is worth quoting for the question, from its similarity (`floor`: see
 * minSimilarity) and the question's words it contains. An English question about a French page
 * cannot share its words but shares its alphabet, and similarity above the floor is enough there;
 * across alphabets (French and Arabic) only a strong similarity counts.
 */
export function isRelevant(
  hit: { similarity: number; content: string },
  question: AskedQuestion,
  passageLanguage: string,
  floor: number,
): boolean {
  if (hit.similarity >= floor + STRONG_MARGIN) return true;
  const coverage = question.coverage(hit.content);
  if (coverage >= MIN_COVERAGE) return true;
  if (hit.similarity < floor) return false;
  if (question.language === passageLanguage) return coverage >= MIN_WEAK_COVERAGE;
  return (question.language === "ar") === (passageLanguage === "ar");
}

let iterativeScans: Promise<boolean> | undefined;

/** Whether pgvector scans HNSW iteratively (0.8 and later), which the filtered-index plan needs. */
async function hasIterativeScans(db: DbOrTx): Promise<boolean> {
  iterativeScans ??= db
    .execute(sql`select extversion from pg_extension where extname = 'vector'`)
    .then((r) => {
      const [major = 0, minor = 0] = (rowsOf<{ extversion: string }>(r)[0]?.extversion ?? "0")
        .split(".")
        .map(Number);
      return major > 0 || minor >= 8;
    })
    .catch(() => {
      iterativeScans = undefined;
      return false;
    });
  return iterativeScans;
}

/** What a citation and the relevance rule need of a textbook. */
interface DocumentFacts {
  id: string;
  title: string;
  language: string;
}

/**
 * Up to this many passages a filtered part of the library is scanned exactly; above it the
 * indexes read only its rows (npm run bench:search: an exact scan costs ~6 µs a passage here).
 */
export const EXACT_SCAN_MAX = 8000;

/**
 * The curriculum library's best passages for a question, among ready textbooks matching the
 * filters (grade, subject case-insensitive, language). Only relevant passages are returned.
 */
export async function searchLibrary(
  db: DbOrTx,
  {
    query,
    grade,
    subject,
    language,
    limit,
  }: {
    query: string;
    grade?: string;
    subject?: string;
    language?: string;
    limit: number;
  },
): Promise<LibraryPassage[]> {
  let plan: SearchPlan = "index";
  let scope = sql`c.document_id in (select d.id from documents d where d.status = 'ready')`;
  let known: Map<string, DocumentFacts> | undefined;
  if (grade || subject || language) {
    // A filtered part of the library: its documents first, and their passage count decides how
    // it is read (a few thousand passages scan faster than any index read).
    const filters = [sql`d.status = 'ready'`];
    if (grade) filters.push(sql`d.grade = ${grade}`);
    if (subject) filters.push(sql`lower(d.subject) = lower(${subject})`);
    if (language) filters.push(sql`d.language = ${language}`);
    const docs = rowsOf<DocumentFacts & { chunk_count: number }>(
      await db.execute(
        sql`select d.id, d.title, d.language, d.chunk_count from documents d where ${sql.join(filters, sql` and `)}`,
      ),
    );
    if (docs.length === 0) return [];
    known = new Map(docs.map((d) => [d.id, d]));
    const size = docs.reduce((n, d) => n + Number(d.chunk_count), 0);
    plan = size > EXACT_SCAN_MAX && (await hasIterativeScans(db)) ? "filtered-index" : "exact";
    scope = sql`c.document_id = any(${`{${docs.map((d) => d.id).join(",")}}`}::uuid[])`;
  }
  const floor = minSimilarity(getEmbedder().model);
  // The rule applies to every candidate before the cut: a relevant passage ranked below
  // irrelevant ones (a partial word match ranks high in full-text search) must still make it.
  const candidates = await hybridSearch(db, { scope, query, limit: CANDIDATES, plan });
  if (candidates.length === 0) return [];
  const byId =
    known ??
    new Map(
      rowsOf<DocumentFacts>(
        await db.execute(
          sql`select id, title, language from documents where id in (${sql.join(
            [...new Set(candidates.map((h) => h.documentId))].map((id) => sql`${id}`),
            sql`, `,
          )})`,
        ),
      ).map((d) => [d.id, d]),
    );
  const asked = askedQuestion(query);
  const hits = candidates
    .filter((h) => isRelevant(h, asked, byId.get(h.documentId as string)?.language ?? "", floor))
    .slice(0, limit);
  return hits.map((h) => ({
    documentId: h.documentId as string,
    title: byId.get(h.documentId as string)?.title ?? "",
    page: h.pageStart,
    pageEnd: h.pageEnd,
    content: h.content,
    similarity: Math.round(h.similarity * 10_000) / 10_000,
    score: h.score,
  }));
}
