import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { foldForSearch } from "@/lib/text/fold";

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

/**
 * Words that carry no topic in questions or passages (French, English, Arabic), in folded form.
 * Without corpus statistics (IDF) they would otherwise dominate every vector.
 */
const STOPWORDS_SOURCE = `
le la les un une des du de d l au aux a à et ou où en y ce cet cette ces c ca ça se s sa son ses
leur leurs lui il ils elle elles on nous vous je j tu te me m moi toi ne n pas plus moins tres
qui que qu quoi dont quel quelle quels quelles lequel laquelle comment pourquoi quand combien
est sont etre ete etait fait faire avoir ai as avons avez ont peut peuvent doit dans par
pour sur sous avec sans entre vers chez donc mais car si alors aussi comme tout tous toute toutes
autre autres meme deja ici cela ceci celui celle ceux donne
the an of to in on at is are was were be been being what which who whom whose how when where why
does do did it its this that these those for from with by as and or not can could would should
according there their they them we you your he she his her has have had will about into than
في من على الى إلى عن ما ماذا هي هو هم هن هل كيف متى لماذا أين اين التي الذي الذين اللذين ذلك
تلك هذا هذه هؤلاء و أو او ثم إذا اذا إن ان أن كان كانت يكون تكون مع بين عند لا لم لن قد كل بعض
غير حتى أي اي منذ فيه فيها به بها له لها منه منها عليه عليها هنا هناك نحن أنا انا أنت انت
`;

/**
 * A word as the features see it: folded for search, then lam-alef in one canonical order.
 * Many Arabic PDFs give the lam-alef ligature as alef+lam ("االنتقال" for "الانتقال"); reordering
 * every "لا" the same way on both sides makes the two spellings equal, at the price of merging
 * a few unrelated n-grams.
 */
function canonical(text: string): string {
  return foldForSearch(text).replaceAll("\u0644\u0627", "\u0627\u0644");
}

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

const LATIN_SUFFIXES = [
  "ivite",
  "ement",
  "ation",
  "ateur",
  "atrice",
  "ite",
  "isme",
  "iste",
  "euse",
  "ive",
  "eux",
  "eur",
  "ique",
  "able",
  "ing",
  "if",
  "ee",
  "er",
  "e",
];

/** French (and English) light stemming on folded words: plural, then one derivational suffix. */
function stemLatin(w: string): string {
  if (w.length <= 3) return w;
  let s = w;
  const last = s.charCodeAt(s.length - 1);
  if ((last === 0x73 || last === 0x78) && s.charCodeAt(s.length - 2) !== 0x73) s = s.slice(0, -1);
  for (const suffix of LATIN_SUFFIXES) {
    if (s.length - suffix.length >= 3 && s.endsWith(suffix)) return s.slice(0, -suffix.length);
  }
  return s;
}

// Arabic light stemming (after Larkey's "light10"), on canonical words: ة is already ه, and the
// article before an alef-initial word reads "اال" in canonical lam-alef order.
const ARABIC_ARTICLES = [
  "\u0648\u0627\u0644",
  "\u0628\u0627\u0644",
  "\u0643\u0627\u0644",
  "\u0641\u0627\u0644",
  "\u0644\u0644",
  "\u0627\u0644",
];
const ARABIC_SUFFIXES = [
  "\u0647\u0627", // ها
  "\u0627\u0646", // ان
  "\u0627\u062a", // ات
  "\u0648\u0646", // ون
  "\u064a\u0646", // ين
  "\u064a\u0647", // يه (ية)
  "\u0647", // ه (ة, his)
  "\u064a", // ي
];
const ALEF_ARTICLE = "\u0627\u0627\u0644"; // ال + ا… in canonical order

function stemArabic(w: string): string {
  let s = w;
  if (s.length > 3 && s.charCodeAt(0) === 0x648) s = s.slice(1); // و (and)
  for (const prefix of ["\u0628", "\u0643", "\u0641", ""]) {
    if (s.startsWith(prefix + ALEF_ARTICLE) && s.length - prefix.length > 4) {
      s = `\u0627${s.slice(prefix.length + 3)}`;
      break;
    }
  }
  for (const article of ARABIC_ARTICLES) {
    if (s.length - article.length >= 2 && s.startsWith(article)) {
      s = s.slice(article.length);
      break;
    }
  }
  for (const suffix of ARABIC_SUFFIXES) {
    if (s.length - suffix.length >= 2 && s.endsWith(suffix)) s = s.slice(0, -suffix.length);
  }
  return s;
}

function stem(w: string): string {
  const c = w.charCodeAt(0);
  return c >= 0x620 && c <= 0x6ff ? stemArabic(w) : stemLatin(w);
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
