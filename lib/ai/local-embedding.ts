import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { canonical, STOPWORDS_SOURCE, stem } from "@/lib/text/terms";

// The embedded default embedding: lexical, deterministic, multilingual, no network and no model
// file. It is a hashed bag of stems and character n-grams (the "hashing trick"), so it finds
// passages that share words or word pieces with the question across spelling variants
// (accents, hamza, harakat, plural, article) but knows no synonyms or translations. Changing
// anything that alters the vectors requires a new model id: stored chunks record the id and
// searches never mix ids.

export const LOCAL_EMBEDDING_MODEL_ID = "local-hash-v1";
export const LOCAL_EMBEDDING_DIMENSIONS = 512;

/** Weight of the word block against the n-gram block (each is normalised before mixing). */
const WORD_WEIGHT = 1;
const NGRAM_WEIGHT = 1;
const MIN_NGRAM = 3;
const MAX_NGRAM = 5;
/** Marks around a word for n-grams, so prefixes and suffixes are features of their own. */
const WORD_BOUNDARY = 0x02;
/** Seeds keep word and n-gram features apart even when a stem and an n-gram are spelled the same. */
const WORD_SEED = 0x811c9dc5;
const NGRAM_SEED = 0x2f6b7d13;
const MASK = LOCAL_EMBEDDING_DIMENSIONS - 1;

const STOPWORDS = new Set(
  STOPWORDS_SOURCE.split(/\s+/)
    .filter(Boolean)
    .map((w) => canonical(w)),
);

/** 0: unknown yet, 1: part of a word, 2: separator. Filled lazily per BMP code unit. */
const CHAR_CLASS = new Uint8Array(0x10000);
const WORD_CHAR = /[\p{L}\p{N}]/u;

function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  let k = CHAR_CLASS[c] as number;
  if (k === 0) {
    // Lone surrogates (astral characters) are separators: folding has already turned math
    // letters into ASCII, and emoji carry no topic.
    k = c >= 0xd800 && c <= 0xdfff ? 2 : WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
    CHAR_CLASS[c] = k;
  }
  return k === 1;
}

/** Murmur3's finaliser: FNV-1a alone leaves the low bits (our index) poorly mixed. */
function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

function count(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Character 3- to 5-grams of a word with its boundaries, hashed. */
function addNgrams(word: string, into: Map<number, number>): void {
  const n = word.length + 2;
  const codes = new Uint16Array(n);
  codes[0] = WORD_BOUNDARY;
  for (let i = 0; i < word.length; i++) codes[i + 1] = word.charCodeAt(i);
  codes[n - 1] = WORD_BOUNDARY;
  for (let i = 0; i + MIN_NGRAM <= n; i++) {
    let h = NGRAM_SEED;
    const stop = Math.min(n, i + MAX_NGRAM);
    for (let j = i; j < stop; j++) {
      h ^= codes[j] as number;
      h = Math.imul(h, 0x01000193);
      if (j - i + 1 >= MIN_NGRAM) count(into, fmix(h));
    }
  }
}

/** Adds one block of features with sublinear tf (1 + ln tf), scaled to norm `weight`, signed-hashed. */
function addBlock(vector: Float64Array, features: Map<number, number>, weight: number): void {
  let norm = 0;
  for (const tf of features.values()) {
    const w = 1 + Math.log(tf);
    norm += w * w;
  }
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (const [h, tf] of features) {
    const w = (1 + Math.log(tf)) * scale;
    // Bit 31 chooses the sign so colliding features cancel on average instead of piling up.
    const i = h & MASK;
    vector[i] = (vector[i] as number) + (h & 0x80000000 ? -w : w);
  }
}

/** Words of canonical text, in order. */
function words(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inWord = i < text.length && isWordChar(text.charCodeAt(i));
    if (inWord && start < 0) start = i;
    else if (!inWord && start >= 0) {
      out.push(text.slice(start, i));
      start = -1;
    }
  }
  return out;
}

/**
 * The local embedding of a text: 512 numbers of unit length (all zeros for a text without any
 * letter, digit or symbol). Same text, same vector, on every machine.
 */
export function embedLocal(text: string): number[] {
  const folded = canonical(text);
  const wordFeatures = new Map<number, number>();
  const ngramFeatures = new Map<number, number>();
  for (const w of words(folded)) {
    if (w.length < 2 || STOPWORDS.has(w)) continue;
    count(wordFeatures, hashString(stem(w), WORD_SEED));
    // Numbers match exactly or not at all: "1896" sharing "189" with "1897" means nothing.
    if (!/^[0-9]+$/.test(w)) addNgrams(w, ngramFeatures);
  }
  if (wordFeatures.size === 0) {
    // Only stop words, one-letter words or symbols ("= +", "?"): use every non-space character
    // so that such a text still has a direction of its own rather than a zero vector.
    for (const c of folded.replace(/\s+/g, "")) count(wordFeatures, hashString(c, WORD_SEED));
  }
  const vector = new Float64Array(LOCAL_EMBEDDING_DIMENSIONS);
  addBlock(vector, wordFeatures, WORD_WEIGHT);
  addBlock(vector, ngramFeatures, NGRAM_WEIGHT);
  let norm = 0;
  for (const x of vector) norm += x * x;
  const out = new Array<number>(LOCAL_EMBEDDING_DIMENSIONS);
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < LOCAL_EMBEDDING_DIMENSIONS; i++) out[i] = (vector[i] as number) * inv;
  return out;
}

/**
 * How many texts the model embeds per call: embedMany calls it batch by batch, and yielding to
 * the event loop between batches keeps a server that ingests in-process responsive.
 */
const LOCAL_BATCH = 32;

/**
 * The local embedding as an AI SDK embedding model, so that it goes through the same `embedMany`
 * path (batching, abort) as a provider model.
 */
export const localEmbeddingModel: EmbeddingModelV3 = {
  specificationVersion: "v3",
  provider: "local",
  modelId: LOCAL_EMBEDDING_MODEL_ID,
  maxEmbeddingsPerCall: LOCAL_BATCH,
  supportsParallelCalls: false,
  async doEmbed({ values, abortSignal }) {
    await new Promise((resolve) => setImmediate(resolve));
    abortSignal?.throwIfAborted();
    return { embeddings: values.map(embedLocal), warnings: [] };
  },
};
