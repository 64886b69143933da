// A curriculum library of N distinct passages with real embeddings, for the search and chat
// benchmarks. Passages are recombined from the real sentences of ../shared/fixtures (the text
// layers of the PDFs and the OCR ground truth of the scans), grouped by subject and language as
// the documents are, embedded by the app's embedder (the local model by default) and stored
// through the ingestion pipeline's storeChunks, with the HNSW and GIN indexes in place as in
// production. Building 100k passages takes minutes, so each size is kept as a PGlite snapshot in
// bench/results/cache/ and copied on the next use (BENCH_FRESH=1 rebuilds).
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { FIXTURES, RESULTS_DIR } from "./lib";

// Every import of the app goes through `await import` after DATA_DIR is set by the caller.
const { openPglite, rowsOf } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { getEmbedder } = await import("@/lib/ai/embeddings");
const { storeChunks } = await import("@/lib/ingest/pipeline");
const { documents } = await import("@/db/schema");
const { extractPages, shutdownExtraction } = await import("@/lib/ingest/extract");

/** Passages per document (one per page): a 1k library already holds four documents of three groups. */
const PER_DOCUMENT = 250;
/** Changing how passages are generated changes this, so old snapshots are not reused. */
const GENERATOR_VERSION = 3;

export interface SourceGroup {
  subject: string;
  language: "fr" | "ar";
  sentences: string[];
}

function groupOf(file: string): { subject: string; language: "fr" | "ar" } {
  const language = file.startsWith("ar_") ? "ar" : "fr";
  return { subject: /_math_/.test(file) ? "Mathématiques" : "Physique", language };
}

function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?؟:;])\s+|\n{2,}/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 30);
}

/** The fixtures' real sentences by subject and language (PDF text layers + OCR ground truths). */
export async function sourceGroups(): Promise<SourceGroup[]> {
  const docs = path.join(FIXTURES, "documents");
  const scans = path.join(FIXTURES, "scans");
  if (!existsSync(docs)) throw new Error(`the benchmarks need the fixtures at ${FIXTURES}`);
  const groups = new Map<string, SourceGroup>();
  const add = (file: string, text: string) => {
    const g = groupOf(file);
    const key = `${g.subject}/${g.language}`;
    const group = groups.get(key) ?? { ...g, sentences: [] };
    group.sentences.push(...sentencesOf(text));
    groups.set(key, group);
  };
  // The "badtext" PDF's layer is reversed Arabic: the pipeline OCRs it, so its layer is no source.
  for (const f of readdirSync(docs)
    .filter((x) => x.endsWith(".pdf") && !/scan|badtext/.test(x))
    .sort()) {
    for await (const page of extractPages(readFileSync(path.join(docs, f)), "application/pdf", {})) {
      add(f, page.text);
    }
  }
  for (const f of readdirSync(scans)
    .filter((x) => x.endsWith(".gt.txt"))
    .sort())
    add(f, readFileSync(path.join(scans, f), "utf8"));
  await shutdownExtraction();
  for (const g of groups.values()) g.sentences = [...new Set(g.sentences)];
  return [...groups.values()].sort((a, b) =>
    `${a.subject}${a.language}`.localeCompare(`${b.subject}${b.language}`),
  );
}

/** mulberry32: a small seeded PRNG, so passage n is the same text on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Document d's subject and language: the groups in turn. */
export function groupOfDocument(groups: SourceGroup[], d: number): SourceGroup {
  return groups[d % groups.length] as SourceGroup;
}

/**
 * Passage `n` (0-based, document n / 250): 600–1,000 characters of its group's sentences drawn
 * at random, a different draw on a collision with an earlier passage (`seen`).
 */
function passage(groups: SourceGroup[], n: number, seen: Set<string>): string {
  const { sentences } = groupOfDocument(groups, Math.floor(n / PER_DOCUMENT));
  for (let attempt = 0; ; attempt++) {
    const rand = prng(n * 7919 + attempt * 104729 + 1);
    const target = 600 + Math.floor(rand() * 400);
    const parts: string[] = [];
    let length = 0;
    while (length < target && parts.length < sentences.length) {
      const s = sentences[Math.floor(rand() * sentences.length)] as string;
      if (parts.includes(s)) continue;
      if (length + s.length > 1000 && length >= 300) break;
      parts.push(s);
      length += s.length + 1;
    }
    const text = parts.join(" ").slice(0, 1100);
    const key = createHash("sha1").update(text).digest("base64");
    if (!seen.has(key)) {
      seen.add(key);
      return text;
    }
  }
}

export interface BenchLibrary {
  handle: Awaited<ReturnType<typeof openPglite>>;
  size: number;
  /** How the library was obtained: built now (seconds) or copied from a snapshot. */
  builtSeconds: number | null;
  groups: { subject: string; language: string; sentences: number; chunks: number }[];
}

function cacheKey(groups: SourceGroup[]): string {
  const h = createHash("sha1");
  h.update(`${GENERATOR_VERSION}|${getEmbedder().model}|${PER_DOCUMENT}`);
  for (const g of groups) h.update(`${g.subject}|${g.language}|${g.sentences.join("\n")}`);
  return h.digest("hex").slice(0, 12);
}

const CACHE_DIR = path.join(RESULTS_DIR, "cache");

/**
 * An open PGlite database in `workDir` holding exactly `size` passages (a multiple of 250):
 * copied from the snapshot of that size if there is one, otherwise grown from the largest smaller
 * snapshot (or from empty) and then saved as a snapshot.
 */
export async function openLibrary(
  workDir: string,
  size: number,
  groups: SourceGroup[],
): Promise<BenchLibrary> {
  if (size % PER_DOCUMENT !== 0) throw new Error(`library sizes are multiples of ${PER_DOCUMENT}`);
  const key = cacheKey(groups);
  const snapshot = (n: number) => path.join(CACHE_DIR, `library-${key}-${n}`);
  const dir = path.join(workDir, `library-${size}`);
  rmSync(dir, { recursive: true, force: true });
  const fresh = process.env.BENCH_FRESH === "1";
  const cached = fresh
    ? []
    : (existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR) : [])
        .map((f) => new RegExp(`^library-${key}-(\\d+)$`).exec(f)?.[1])
        .filter((n): n is string => !!n)
        .map(Number)
        .filter((n) => n <= size)
        .sort((a, b) => a - b);
  const start = cached.at(-1) ?? 0;
  if (start > 0) cpSync(snapshot(start), dir, { recursive: true });
  let handle = await openPglite(dir);
  await migrateDb(handle);
  let builtSeconds: number | null = null;
  if (start < size) {
    const t0 = performance.now();
    await grow(handle.db, groups, start, size);
    builtSeconds = (performance.now() - t0) / 1000;
    // The snapshot is a copy of a closed database (PGlite has no other consistent copy).
    await handle.close();
    mkdirSync(CACHE_DIR, { recursive: true });
    rmSync(snapshot(size), { recursive: true, force: true });
    cpSync(dir, snapshot(size), { recursive: true });
    handle = await openPglite(dir);
  }
  const counts = rowsOf<{ subject: string; language: string; n: number }>(
    await handle.db.execute(sql`select d.subject, d.language, count(*)::int as n
      from chunks c join documents d on d.id = c.document_id group by 1, 2 order by 1, 2`),
  );
  const total = counts.reduce((s, c) => s + Number(c.n), 0);
  if (total !== size) throw new Error(`library holds ${total} passages, expected ${size}`);
  return {
    handle,
    size,
    builtSeconds,
    groups: groups.map((g) => ({
      subject: g.subject,
      language: g.language,
      sentences: g.sentences.length,
      chunks: Number(counts.find((c) => c.subject === g.subject && c.language === g.language)?.n ?? 0),
    })),
  };
}

type Db = Awaited<ReturnType<typeof openPglite>>["db"];

/**
 * Adds ready documents of 250 passages until passages [from, to) are stored. The HNSW index is
 * dropped for the inserts and rebuilt from the migration's own definition afterwards: in WASM an
 * insert into the index costs ~6 ms per row (100k passages: 10+ minutes), a bulk build a fraction.
 */
async function grow(db: Db, groups: SourceGroup[], from: number, to: number): Promise<void> {
  const embedder = getEmbedder();
  const [hnsw] = rowsOf<{ indexdef: string }>(
    await db.execute(sql`select indexdef from pg_indexes where indexname = 'chunks_embedding_hnsw'`),
  );
  if (!hnsw) throw new Error("the chunks_embedding_hnsw index is missing");
  await db.execute(sql`drop index chunks_embedding_hnsw`);
  const seen = new Set<string>();
  // Earlier passages are regenerated (cheap, no embedding) so that new ones stay distinct from them.
  for (let n = 0; n < from; n++) passage(groups, n, seen);
  for (let d = from / PER_DOCUMENT; d < to / PER_DOCUMENT; d++) {
    const group = groupOfDocument(groups, d);
    const texts = Array.from({ length: PER_DOCUMENT }, (_, i) => passage(groups, d * PER_DOCUMENT + i, seen));
    const vectors = await embedder.embed(texts);
    const [doc] = await db
      .insert(documents)
      .values({
        title: `Manuel ${d + 1} (${group.subject}, ${group.language})`,
        grade: "7AS",
        subject: group.subject,
        language: group.language,
        status: "ready",
      })
      .returning();
    if (!doc) throw new Error("document insert returned no row");
    await db.transaction(async (tx) =>
      storeChunks(
        tx,
        { documentId: doc.id },
        {
          model: embedder.model,
          chunks: texts.map((content, i) => ({
            index: i,
            content,
            pageStart: i + 1,
            pageEnd: i + 1,
            embedding: vectors[i] ?? [],
          })),
        },
      ),
    );
    if ((d + 1) % 40 === 0) console.info(`  library: ${(d + 1) * PER_DOCUMENT} passages`);
  }
  await db.execute(sql`set maintenance_work_mem = '1GB'`);
  await db.execute(sql.raw(hnsw.indexdef));
  await db.execute(sql`analyze`);
}
