// Finding a cited passage in a page's text: the excerpt a citation carries (the start of a chunk,
// normalised at ingestion, possibly cut mid-word, spanning lines) against the page's text items as
// pdf.js gives them (split anywhere, hyphenated, accents composed or not). Both sides are reduced to
// their folded letters and digits, so case, accents, harakat, spaces, punctuation and line breaks
// never decide; what matches is a run of consecutive words of the excerpt.

import { foldForSearch } from "@/lib/text/fold";

/** A span of one piece of text: UTF-16 offsets, end exclusive. */
export interface PieceRange {
  piece: number;
  start: number;
  end: number;
}

/** Shorter runs are too likely to occur by chance ("de la", "الى"), unless they are the whole excerpt. */
export const MIN_RUN_CHARS = 16;
/** Excerpts with fewer letters and digits than this are not looked for at all. */
export const MIN_EXCERPT_CHARS = 8;

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Folded letters and digits of the pieces, each tied to the piece and offset it came from. */
function compact(pieces: readonly string[]): {
  chars: string;
  piece: number[];
  start: number[];
  end: number[];
} {
  let chars = "";
  const piece: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  pieces.forEach((text, p) => {
    let offset = 0;
    for (const ch of text) {
      const next = offset + ch.length;
      for (const c of foldForSearch(ch)) {
        if (!WORD_CHAR.test(c)) continue;
        chars += c;
        piece.push(p);
        start.push(offset);
        end.push(next);
      }
      offset = next;
    }
  });
  return { chars, piece, start, end };
}

/** The excerpt's words, folded, letters and digits only. */
export function excerptWords(excerpt: string): string[] {
  return foldForSearch(excerpt)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Where the excerpt occurs in the pieces: the longest runs of its consecutive words found in order,
 * each reported as one range per piece it covers. Empty when nothing long enough matches.
 */
export function findPassage(pieces: readonly string[], excerpt: string): PieceRange[] {
  const words = excerptWords(excerpt);
  const total = words.reduce((n, w) => n + w.length, 0);
  if (total < MIN_EXCERPT_CHARS) return [];
  const minRun = Math.min(MIN_RUN_CHARS, total);
  const page = compact(pieces);
  const runs: [number, number][] = [];
  let cursor = 0;
  let i = 0;
  while (i < words.length) {
    // Extend the run word by word while it still occurs (if a run occurs, so does its prefix).
    let run = "";
    let at = -1;
    let j = i;
    while (j < words.length) {
      const longer = run + words[j];
      const found = page.chars.indexOf(longer, cursor);
      if (found === -1) break;
      run = longer;
      at = found;
      j++;
    }
    if (at >= 0 && run.length >= minRun) {
      runs.push([at, at + run.length]);
      cursor = at + run.length;
      i = j;
    } else {
      i++;
    }
  }

  const ranges: PieceRange[] = [];
  for (const [from, to] of runs) {
    for (let k = from; k < to; k++) {
      const p = page.piece[k] as number;
      const last = ranges[ranges.length - 1];
      if (last && last.piece === p && k > from) last.end = page.end[k] as number;
      else ranges.push({ piece: p, start: page.start[k] as number, end: page.end[k] as number });
    }
  }
  return ranges;
}
