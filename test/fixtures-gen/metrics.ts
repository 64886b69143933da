// Text comparison for OCR and retrieval checks against ../shared/fixtures ground truth. Both sides are
// normalised as the fixtures README says (NFKC, no bidi marks, lam-alef folded to the defect form the
// ground truth keeps), plus whitespace collapsed.

export function fold(s: string): string {
  return s
    .normalize("NFKC")
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/ل([اأإآ])/g, "$1ل")
    .replace(/\s+/g, " ")
    .trim();
}

export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let cur = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length] ?? 0;
}

/** Character error rate of `hypothesis` against `reference`. */
export function cer(hypothesis: string, reference: string): number {
  const ref = fold(reference);
  return levenshtein(fold(hypothesis), ref) / Math.max(1, [...ref].length);
}

export function words(s: string): string[] {
  return fold(s)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}

/** Share of the reference's words (with multiplicity) found in the hypothesis. */
export function wordRecall(hypothesis: string, reference: string): number {
  const pool = new Map<string, number>();
  for (const w of words(hypothesis)) pool.set(w, (pool.get(w) ?? 0) + 1);
  const ref = words(reference);
  let hits = 0;
  for (const w of ref) {
    const n = pool.get(w) ?? 0;
    if (n > 0) {
      hits++;
      pool.set(w, n - 1);
    }
  }
  return hits / Math.max(1, ref.length);
}

/** Share of the distinct words of `phrase` present in `text` (order-free: layouts reorder runs). */
export function coverage(phrase: string, text: string): number {
  const present = new Set(words(text));
  const wanted = [...new Set(words(phrase))];
  return wanted.filter((w) => present.has(w)).length / Math.max(1, wanted.length);
}
