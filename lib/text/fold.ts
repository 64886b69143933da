// Folding for full-text search and the local embedding. Indexed text and queries go through the
// same function, so a student typing without accents, harakat or hamza finds the textbook's
// spelling. Input is usually already normalised (lib/text/normalize.ts) but queries are not, so
// this is safe on raw text too.

/**
 * Marks that do not change which word is meant: Latin accents (after NFKD), Arabic harakat,
 * tanwin, shadda, sukun, superscript alef and Quranic annotation signs, plus tatweel, the
 * combining vector arrow of formulas (F⃗), and invisible format characters (bidi marks, zero
 * widths, soft hyphen) that would otherwise split words.
 */
const DROPPED =
  /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u0640\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Letters written several ways for one word. Hamza carriers (أ إ آ ؤ ئ) need no entry: NFKD
 * splits them into the bare letter and a combining hamza/madda that DROPPED removes.
 */
const LETTERS: Record<string, string> = {
  "\u0671": "\u0627", // ٱ alef wasla → ا
  "\u0649": "\u064a", // ى alef maksura → ي
  "\u06cc": "\u064a", // ی Farsi yeh → ي
  "\u0629": "\u0647", // ة teh marbuta → ه
  "\u06a9": "\u0643", // ک keheh → ك
  "\u0153": "oe", // œ (cœur / coeur)
  "\u00e6": "ae",
  "\u00df": "ss",
  "\u2019": "'", // typographic apostrophes: l’activité and l'activité must match
  "\u2018": "'",
  "\u02bc": "'",
};
const LETTER_RE = new RegExp(`[${Object.keys(LETTERS).join("")}]`, "g");

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits. */
const DIGITS_RE = /[\u0660-\u0669\u06f0-\u06f9]/g;

/**
 * Text as the search index sees it: lowercase, without Latin accents, Arabic letter variants
 * unified, without harakat or tatweel, with ASCII digits. Length is kept for precomposed Latin
 * text (é → e), not in general.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(DROPPED, "")
    .replace(LETTER_RE, (c) => LETTERS[c] ?? c)
    .replace(DIGITS_RE, (d) => String(d.charCodeAt(0) & 0xf))
    .normalize("NFC");
}

export type Script = "arabic" | "latin" | "mixed";

/** Counts letters of each script (BMP ranges: both scripts live there, presentation forms included). */
function countLetters(text: string): { arabic: number; latin: number } {
  let arabic = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++;
    } else if (c < 0x600) {
      // Latin-1 letters and Latin Extended-A/B, except × and ÷.
      if (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) latin++;
    } else if (
      (c >= 0x620 && c <= 0x64a) ||
      (c >= 0x66e && c <= 0x6d3) ||
      c === 0x6d5 ||
      (c >= 0x6ee && c <= 0x6ef) ||
      (c >= 0x6fa && c <= 0x6ff) ||
      (c >= 0x750 && c <= 0x77f) ||
      (c >= 0x8a0 && c <= 0x8c9) ||
      (c >= 0xfb50 && c <= 0xfdff) ||
      (c >= 0xfe70 && c <= 0xfefc)
    ) {
      arabic++;
    } else if (c >= 0x1e00 && c <= 0x1eff) {
      latin++;
    }
  }
  return { arabic, latin };
}

/** Share of Arabic letters at or above which a text is "arabic" (and at or below 1 − it, "latin"). */
const DOMINANT = 0.8;

/**
 * The script of a text by its letters: "arabic" or "latin" when one has at least 80% of them,
 * "mixed" otherwise. Formulas in an Arabic lesson (F, W, P) do not make it mixed; a French page
 * quoting an Arabic paragraph does. Text without letters (numbers, symbols) counts as "latin",
 * the product's default language.
 */
export function detectScript(text: string): Script {
  const { arabic, latin } = countLetters(text);
  const total = arabic + latin;
  if (total === 0) return "latin";
  const share = arabic / total;
  if (share >= DOMINANT) return "arabic";
  if (share <= 1 - DOMINANT) return "latin";
  return "mixed";
}

export type SearchConfig = "french" | "arabic" | "simple";

/**
 * The Postgres text-search configuration to index a passage with: arabic when Arabic letters
 * outnumber Latin ones, french when there are Latin letters (English passages are rare and stem
 * acceptably), simple when there are neither (tables of numbers, formulas, other scripts), where
 * a language's stemmer and stop words would only do harm.
 */
export function searchConfigFor(text: string): SearchConfig {
  const { arabic, latin } = countLetters(text);
  if (arabic === 0 && latin === 0) return "simple";
  return arabic > latin ? "arabic" : "french";
}
