import type { Chunk } from "./types";

export interface ChunkOptions {
  /** Target length in characters; a chunk is never longer than `maxChunkLength(size)`. */
  size?: number;
  /** Characters repeated from the end of a chunk at the start of the next (less than size / 2). */
  overlap?: number;
}

// 800/100 measured best by `npm run eval` (hybrid page recall and MRR over the fixtures; 500,
// 700, 1000 and 1200 did worse): passages about one point, each ranked on what it says.
export const DEFAULT_CHUNK_SIZE = 800;
export const DEFAULT_CHUNK_OVERLAP = 100;

/**
 * A remainder shorter than this share of `size` joins the chunk before it: a 100-character last
 * chunk made mostly of overlap would be a poor search hit and a poor citation.
 */
const TAIL_SHARE = 0.2;
/**
 * Paragraph, sentence and line cuts are taken only in the second half of the window; earlier
 * ones would make chunks too small, and a word boundary near the end is the better cut then.
 */
const MIN_FILL = 0.5;

/** Pages are joined with a blank line: a page end is a paragraph break and always whitespace. */
const PAGE_SEPARATOR = "\n\n";

/** The longest chunk `chunkPages` can return for a given size (the size plus a merged tail). */
export function maxChunkLength(size = DEFAULT_CHUNK_SIZE): number {
  return size + tailLength(size) - 1;
}

function tailLength(size: number): number {
  return Math.floor(size * TAIL_SHARE);
}

// Cut quality, best last. A cut is only ever made where a non-space character is followed by
// whitespace (or the end), so no chunk starts or ends with whitespace.
const WORD = 1;
const LINE = 2;
const CLAUSE = 3;
const SENTENCE = 4;
const PARAGRAPH = 5;

/** . ! ? ؟ (Arabic question mark) ۔ (Arabic full stop) … */
const SENTENCE_ENDS = new Set([".", "!", "?", "\u061f", "\u06d4", "\u2026"]);
/** ، (Arabic comma) ؛ (Arabic semicolon) ; : — weaker than a sentence end, better than a word. */
const CLAUSE_ENDS = new Set(["\u060c", "\u061b", ";", ":"]);
/** Closing quotes and brackets that may follow a sentence end: «… fin.» is still a sentence end. */
const CLOSERS = new Set([")", "]", "}", '"', "'", "\u00bb", "\u201d", "\u2019", "\u203a"]);

function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x85 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const MARK = /\p{M}/u;

/**
 * Splits a document's pages into overlapping passages of about `size` characters, cut at the
 * best boundary available (paragraph, sentence, clause, line, word; inside a word only when the
 * word alone is longer than a chunk). A page end within reach is cut at first, and the next chunk
 * starts with the next page, so a passage cites the page its text is on; only a piece of a page
 * shorter than the tail runs on into the next page. Chunks may so span pages: pageStart and pageEnd
 * are the pages of their first and last characters. Blank pages are skipped; pages are taken in page order.
 * Contents are verbatim slices of the page texts (a page break inside a chunk reads as a blank
 * line). Deterministic: the same pages always give the same chunks.
 */
export function chunkPages(pages: { page: number; text: string }[], opts: ChunkOptions = {}): Chunk[] {
  const size = opts.size ?? DEFAULT_CHUNK_SIZE;
  const overlap = opts.overlap ?? Math.max(0, Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(size / 2) - 1));
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || (overlap > 0 && overlap * 2 >= size)) {
    throw new RangeError(
      `chunk overlap must be an integer from 0 to less than half the size, got ${overlap}`,
    );
  }

  // One string for the whole document, and where each page starts in it.
  const kept = pages
    .map((p, order) => ({ page: p.page, text: p.text.trim(), order }))
    .filter((p) => p.text.length > 0)
    .sort((a, b) => a.page - b.page || a.order - b.order);
  if (kept.length === 0) return [];
  const starts: number[] = [];
  let text = "";
  for (const p of kept) {
    if (text) text += PAGE_SEPARATOR;
    starts.push(text.length);
    text += p.text;
  }
  const pageAt = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (kept[lo] as { page: number }).page;
  };

  const tail = tailLength(size);
  // Where each page's text ends (the separator follows), the last page's excepted.
  const pageEnds = starts.slice(1).map((s) => s - PAGE_SEPARATOR.length);
  const cutter = new Cutter(text, pageEnds);
  const chunks: Chunk[] = [];
  let start = 0;
  let prevEnd = 0;
  for (;;) {
    let end = text.length;
    // A page end is the preferred cut: a passage then cites the page its text is on (a citation
    // gives the first page of a passage). A piece of a page shorter than the tail does not make a
    // passage of its own but runs on into the next page.
    const pageEnd = pageEnds.find((e) => e >= start + tail && e > prevEnd && e <= start + size);
    if (pageEnd !== undefined && text.length - pageEnd >= tail) {
      end = pageEnd;
    } else if (text.length - start > size) {
      end = cutter.cut(start, size, prevEnd);
      // Merge a tiny remainder rather than leave it as a chunk of its own.
      if (text.length - end < tail) end = text.length;
    }
    chunks.push({
      index: chunks.length,
      content: text.slice(start, end),
      pageStart: pageAt(start),
      pageEnd: pageAt(end - 1),
    });
    if (end >= text.length) break;
    // After a page end the next passage starts with the next page, without overlap: repeating
    // the previous page's last lines would make it cite that page.
    start = cutter.atPageEnd(end)
      ? cutter.nextWord(end)
      : cutter.nextStart(Math.max(start + 1, end - overlap), end, size);
    prevEnd = end;
  }
  return chunks;
}

class Cutter {
  private readonly pageEnds: Set<number>;

  constructor(
    private readonly text: string,
    pageEnds: number[],
  ) {
    this.pageEnds = new Set(pageEnds);
  }

  /** Whether a cut at `b` is at the end of a page. */
  atPageEnd(b: number): boolean {
    return this.pageEnds.has(b);
  }

  /** The first non-space position at or after `b`. */
  nextWord(b: number): number {
    let i = b;
    while (i < this.text.length && this.space(i)) i++;
    return i;
  }

  private space(i: number): boolean {
    return i >= this.text.length || isSpace(this.text.charCodeAt(i));
  }

  /** Whether a chunk may end at b (exclusive): a non-space character followed by whitespace or the end. */
  private isBreak(b: number): boolean {
    return b > 0 && !this.space(b - 1) && this.space(b);
  }

  /** How good a cut at break `b` is. */
  private level(b: number): number {
    const { text } = this;
    // The whitespace after the cut: a blank line (or the end, or a page break) is a paragraph.
    let newlines = 0;
    let i = b;
    while (i < text.length && isSpace(text.charCodeAt(i))) {
      if (text.charCodeAt(i) === 10) newlines++;
      i++;
    }
    if (i >= text.length || newlines >= 2) return PARAGRAPH;
    let j = b - 1;
    while (j > 0 && CLOSERS.has(text[j] as string) && b - j <= 2) j--;
    const last = text[j] as string;
    if (SENTENCE_ENDS.has(last)) return SENTENCE;
    if (CLAUSE_ENDS.has(last)) return CLAUSE;
    return newlines === 1 ? LINE : WORD;
  }

  /**
   * Where the chunk starting at `start` ends: the best-quality break in the second half of the
   * window, else the last word break after `prevEnd` (each chunk must add new text), else a hard
   * cut at `size` that keeps surrogate pairs and combining marks with their letter (also when
   * the only break leaves a small chunk before a word longer than a chunk).
   */
  cut(start: number, size: number, prevEnd: number): number {
    const limit = start + size;
    const floor = start + Math.floor(size * MIN_FILL);
    let best = -1;
    let bestLevel = 0;
    let lastWord = -1;
    for (let b = limit; b > start && b > prevEnd; b--) {
      if (!this.isBreak(b)) continue;
      if (lastWord < 0) lastWord = b;
      if (b < floor) break;
      const level = this.level(b);
      if (level > bestLevel && level > WORD) {
        best = b;
        bestLevel = level;
        if (level === PARAGRAPH) break;
      }
    }
    if (best > 0) return best;
    if (lastWord > 0 && (lastWord >= floor || !this.wordLongerThan(lastWord, size))) return lastWord;
    let cut = limit;
    const low = Math.max(start, prevEnd) + 1;
    const code = this.text.charCodeAt(cut);
    if (code >= 0xdc00 && code <= 0xdfff && cut > low) cut--;
    while (cut > low && MARK.test(this.text[cut] as string)) cut--;
    return cut;
  }

  /**
   * Whether the word after the break at `b` is longer than a chunk: it will be cut anyway, so
   * cutting it right away beats leaving a tiny chunk before it.
   */
  private wordLongerThan(b: number, size: number): boolean {
    let i = b;
    while (i < this.text.length && this.space(i)) i++;
    const wordStart = i;
    while (i < this.text.length && !this.space(i)) {
      if (i - wordStart >= size) return true;
      i++;
    }
    return false;
  }

  /**
   * Where the next chunk starts, given the earliest allowed position and the previous chunk's
   * end: the first sentence start in between (so overlaps read naturally), else the first word
   * start, else right after the previous chunk (inside a word longer than a chunk). After a run
   * of whitespace longer than half a chunk there is no overlap: a chunk starting before it could
   * not reach new text.
   */
  nextStart(from: number, end: number, size: number): number {
    let next = end;
    while (next < this.text.length && this.space(next)) next++;
    if (next - from > size / 2) return next;
    let firstWord = -1;
    for (let p = from; p < end; p++) {
      if (this.space(p) || !this.space(p - 1)) continue;
      if (firstWord < 0) firstWord = p;
      let q = p - 1;
      while (q > 0 && this.space(q - 1)) q--;
      if (this.level(q) >= SENTENCE) return p;
    }
    return firstWord >= 0 ? firstWord : next;
  }
}
