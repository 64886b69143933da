// Text clean-up shared by extraction, chunking and search, and the checks that decide whether a PDF's
// text layer can be trusted. Everything here is pure and synchronous: it runs on every page.

/** Bidi controls (LRM/RLM, embeddings/overrides, isolates, Arabic letter mark): invisible, break matching. */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;

// Invisible format characters. ZWNJ/ZWJ go too: Arabic does not need them for meaning (Persian would,
// it is not a target language) and an invisible joiner inside a word defeats search. The tatweel
// (kashida) only stretches a word for justification. U+FFFC is an embedded-object placeholder.
const INVISIBLES = /[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\ufffc\u0640]/g;

// C0/C1 controls other than tab and newline (form feeds and vertical tabs are mapped to breaks first).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;

/**
 * Normalises extracted text for storage, display and search:
 * - Unicode NFKC (folds Arabic presentation forms, ligatures like "ﬁ", math italic letters, full-width
 *   forms, decomposed accents);
 * - drops bidi controls and invisible format characters (soft hyphen, ZWSP, ZWNJ/ZWJ, BOM, tatweel);
 * - repairs the lam-alef defect of some Arabic PDFs ("االنتقال" → "الانتقال", see repairLamAlef);
 * - joins words hyphenated across a line end ("radio-\nactivité" → "radioactivité") but keeps real
 *   compounds ("demi-\nvie" → "demi-vie");
 * - collapses runs of spaces, trims lines, keeps line breaks and at most one blank line (paragraphs).
 */
export function normalizeText(input: string): string {
  let s = input.normalize("NFKC");
  s = s
    .replace(/\r\n?|\u2028|\v/g, "\n")
    .replace(/\u2029|\f/g, "\n\n")
    .replace(/\t/g, " ")
    // A soft hyphen at a line end is a hyphenation point: join before the invisibles are dropped.
    .replace(/\u00ad[ ]*\n[ ]*/g, "")
    .replace(BIDI_CONTROLS, "")
    .replace(INVISIBLES, "")
    .replace(CONTROLS, "");
  s = s
    .split("\n")
    .map((line) => line.replace(/ {2,}/g, " ").trim())
    .join("\n");
  s = repairLamAlef(s);
  s = dehyphenate(s);
  return s.replace(/\n{3,}/g, "\n\n").trim();
}

// ---------------------------------------------------------------------------------------------------
// Lam-alef
//
// Arabic fonts draw lam+alef as one ligature glyph whose ToUnicode maps to the two letters "لا". PDF text
// is stored in visual order, and extractors (pdf.js, poppler) reverse RTL runs character by character,
// so a two-letter mapping comes out swapped: "لا" → "ال", "لأ" → "أل", "لإ" → "إل", "لآ" → "آل".
// "ال" is also the (very frequent) definite article, so only the swaps that cannot be real Arabic are
// repaired everywhere; word-level repairs apply only once a page shows the defect.

/** Alef + (swapped lam-alef): never real Arabic, always the defect ("االنتقال" → "الانتقال"). */
const SWAPPED_AFTER_ALEF = /ا([اأإآ])ل/g;

const AR_LETTER = "\\u0621-\\u064a\\u066e-\\u06d3\\u06fa-\\u06ff";
const AR_WORD = new RegExp(`[${AR_LETTER}\\u064b-\\u065f\\u0670]+`, "gu");

/** Whole words that only exist in their swapped form when the page has the defect. */
const SWAPPED_WORDS: Record<string, string> = {
  ال: "لا",
  وال: "ولا",
  فال: "فلا",
  إال: "إلا",
  أال: "ألا",
  كال: "كلا",
  بال: "بلا",
  ألن: "لأن",
  ألنه: "لأنه",
  ألنها: "لأنها",
  وألن: "ولأن",
  ألي: "لأي",
  ألجل: "لأجل",
};

// Frequent stems containing lam-alef (school science and everyday words) in their swapped form. Each
// swapped form is not itself a frequent word, so replacing it inside a word is safe on a defective page.
const SWAPPED_STEMS: [RegExp, string][] = (
  [
    ["عالق", "علاق"], // علاقة، بالعلاقة
    ["خالل", "خلال"],
    ["دالل", "دلال"], // دلالة، بدلالة
    ["نزالق", "نزلاق"], // انزلاق
    ["طالق", "طلاق"], // انطلاق، إطلاق
    ["غالق", "غلاق"], // إغلاق
    ["مالحظ", "ملاحظ"], // ملاحظة
    ["خالف", "خلاف"], // اختلاف
    ["غالف", "غلاف"],
    ["تالميذ", "تلاميذ"],
    ["ستدالل", "ستدلال"],
    ["ستقالل", "ستقلال"],
    ["نحالل", "نحلال"],
    ["حتالل", "حتلال"],
    ["مالءم", "ملاءم"],
    // Deliberately absent, their swapped form is a real word: ثالث (third), عالم (world), النهائي (final),
    // مالي (Mali), سالم, صالة, خالق, and stems that collide with the article after a clitic (كال…, بال…).
  ] as [string, string][]
).map(([from, to]) => [new RegExp(from, "g"), to]);

/**
 * Signs that a text went through the lam-alef swap: sequences only the defect produces (alef before the
 * swapped pair, frequent words that do not exist swapped, a lone "ال"/"وال"/"إال").
 */
const DEFECT_SIGNS =
  /ا[اأإآ]ل|خالل|دالل|مالحظ|نزالق|تالميذ|(?:^|[^\u0621-\u064a])(?:[وف]?ال|إال)(?=$|[^\u0621-\u064a])/mu;

/** Repairs the lam-alef swap (see above). Safe on clean text: it only touches impossible sequences. */
export function repairLamAlef(s: string): string {
  if (!DEFECT_SIGNS.test(s)) return s;
  return s.replace(AR_WORD, (word) => {
    let w = word.replace(SWAPPED_AFTER_ALEF, "ال$1");
    const whole = SWAPPED_WORDS[w];
    if (whole) return whole;
    for (const [from, to] of SWAPPED_STEMS) w = w.replace(from, to);
    return w;
  });
}

// ---------------------------------------------------------------------------------------------------
// Hyphenation

/** First parts of French/English compounds that keep their hyphen when split at a line end. */
const COMPOUND_HEADS = new Set(
  (
    "demi semi mi anti auto contre sous non quasi ex vice après avant arrière grand grande petit petite " +
    "arc belle beau porte garde sans haut basse nord sud est ouest extra ultra infra néo post peut " +
    "c'est vingt trente quarante cinquante soixante quatre-vingt dix self well long short"
  ).split(" "),
);
/** Second parts that make a hyphenated word ("est-ce", "celle-ci", "lui-même", "a-t-il"). */
const COMPOUND_TAILS = new Set(
  (
    "là ci même mêmes il ils elle elles on t ce je tu nous vous moi toi lui leur y en le la les un une " +
    "deux trois quatre cinq six sept huit neuf dire"
  ).split(" "),
);

const HYPHEN_BREAK = /(\p{L}[\p{L}\p{M}'’]*)[-\u2010][ ]*\n[ ]*(\p{Ll}[\p{L}\p{M}]*)/gu;

/** Joins words split at a line end; keeps the hyphen of real compounds (see the lists above). */
export function dehyphenate(s: string): string {
  if (!/[-\u2010][ ]*\n/.test(s)) return s;
  const lower = s.toLowerCase();
  return s.replace(HYPHEN_BREAK, (match, head: string, tail: string) => {
    const h = head.toLowerCase().replace(/’/g, "'");
    const t = tail.toLowerCase();
    const keep =
      COMPOUND_HEADS.has(h) ||
      COMPOUND_TAILS.has(t) ||
      // The page itself spells it with a hyphen elsewhere (and never without).
      (lower.includes(`${h}-${t}`) && !lower.includes(`${h}${t}`));
    if (!keep) return `${head}${tail}`;
    return match.includes("\u2010") ? `${head}\u2010${tail}` : `${head}-${tail}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// Script and garbage detection

export interface ScriptStats {
  /** Letters of any script. */
  letters: number;
  arabic: number;
  latin: number;
  /** Arabic letters / (Arabic + Latin letters); 0 when there are none. */
  arabicShare: number;
}

/** Counts letters per script, to choose OCR languages and to judge a text layer. */
export function scriptStats(text: string): ScriptStats {
  let letters = 0;
  let arabic = 0;
  let latin = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    if (/\p{Script=Arabic}/u.test(ch)) arabic++;
    else if (/\p{Script=Latin}/u.test(ch)) latin++;
  }
  return { letters, arabic, latin, arabicShare: arabic + latin ? arabic / (arabic + latin) : 0 };
}

const FUNCTION_WORDS_LATIN = new Set(
  // French
  (
    "le la les l de des du d un une et en à au aux est sont a ont que qui qu ne n pas se s ce ces cet " +
    "cette dans pour par sur il elle ils elles on nous vous leur leurs son sa ses plus ou où avec tout " +
    "tous être donc si mais comme entre sans très aussi y c j on lors soit " +
    // English
    "the of and to in is are an that for on with as by be this it from at or which was not can"
  ).split(" "),
);
const FUNCTION_WORDS_ARABIC = new Set(
  (
    "في من على إلى الى أن ان إن عن مع هذا هذه ذلك تلك التي الذي الذين و أو او ثم إذا اذا كان كانت " +
    "لا ما هو هي بين حيث عند كل قد لم لن بعد قبل حتى أي اي أيضا ايضا به بها له لها فإن فان لكن"
  ).split(" "),
);
/** Article (with clitics) or "لل": a quarter of the words of ordinary Arabic prose. */
const ARABIC_ARTICLE = /^(?:[وفبكل]|وب|وك|ول|فب|فل)?ال|^لل/;
/** Marks that real Arabic text (even vocalised) almost never uses; broken font maps are full of them. */
const RARE_ARABIC_MARKS = /[\u0653-\u065f\u063b-\u063f\u06d6-\u06ed]/g;
/** UTF-8 bytes read as Latin-1/Windows-1252: "Ã©", "Ã¨", "â€™"… */
const MOJIBAKE = /Ã[\u0080-\u00bf]|Â[\u0080-\u00bf]|â€[\u0080-\u00bf\u2018-\u201e\u2122\u0153\u02dc]/g;

export interface GarbageVerdict {
  garbage: boolean;
  /** Why, or what was measured when the text is fine (for logs). */
  reason: string;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Judges whether a text layer is usable or must be replaced by OCR: replacement characters, private-use
 * glyphs, mojibake, too few letters, Arabic in visual (reversed) order, and broken font mappings whose
 * letters are valid but whose words are not (no function words, no article, stray marks).
 */
export function looksLikeGarbage(raw: string): GarbageVerdict {
  const text = raw.normalize("NFKC");
  const visible = text.replace(/[\s\p{M}]/gu, "");
  const n = [...visible].length;
  if (n < 20) return { garbage: false, reason: `too short to judge (${n} characters)` };

  const replacement = (text.match(/\ufffd/g) ?? []).length;
  if (replacement / n > 0.01) return { garbage: true, reason: `replacement characters (${replacement})` };
  const privateUse = (text.match(/[\ue000-\uf8ff]/g) ?? []).length;
  if (privateUse / n > 0.1) return { garbage: true, reason: `private-use glyphs (${pct(privateUse / n)})` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: counting control characters is the point
  const controls = (text.match(/[\u0000-\u0008\u000e-\u001f]/g) ?? []).length;
  if (controls / n > 0.02) return { garbage: true, reason: `control characters (${controls})` };

  const stats = scriptStats(text);
  if (n >= 60 && stats.letters / n < 0.25) {
    return { garbage: true, reason: `few letters (${pct(stats.letters / n)} of characters)` };
  }

  const words = text.match(/[\p{L}\p{M}]+/gu) ?? [];
  const latinWords = words.filter((w) => /^[\p{Script=Latin}\p{M}]+$/u.test(w)).map((w) => w.toLowerCase());
  const mojibake = (text.match(MOJIBAKE) ?? []).length;
  if (mojibake >= 3 && mojibake / Math.max(1, latinWords.length) > 0.03) {
    return { garbage: true, reason: `mojibake (${mojibake} UTF-8 sequences read as Latin-1)` };
  }

  const notes: string[] = [];
  const arabicWords = words.filter((w) => /\p{Script=Arabic}/u.test(w) && w.length >= 2);
  if (arabicWords.length >= 25) {
    const bare = arabicWords.map((w) => w.replace(/[\u064b-\u065f\u0670]/g, ""));
    const functionShare = bare.filter((w) => FUNCTION_WORDS_ARABIC.has(w)).length / bare.length;
    const articleShare = bare.filter((w) => ARABIC_ARTICLE.test(w)).length / bare.length;
    // Visual order reverses each word: the article turns up at the end ("الشغل" → "لغشلا").
    const reversedShare = bare.filter((w) => w.length >= 4 && /لا$/.test(w)).length / bare.length;
    const arabicLetters = Math.max(1, stats.arabic);
    const rareShare = (text.match(RARE_ARABIC_MARKS) ?? []).length / arabicLetters;
    const measured = `${arabicWords.length} Arabic words, ${pct(functionShare)} function words, ${pct(articleShare)} with the article`;
    if (reversedShare > 0.08 && reversedShare > articleShare) {
      return {
        garbage: true,
        reason: `reversed (visual-order) Arabic: ${pct(reversedShare)} of words end in "لا"`,
      };
    }
    if (rareShare > 0.02) {
      return {
        garbage: true,
        reason: `broken Arabic font mapping: stray marks on ${pct(rareShare)} of letters`,
      };
    }
    if (articleShare < 0.06 && functionShare < 0.08) {
      return { garbage: true, reason: `broken Arabic font mapping: ${measured}` };
    }
    notes.push(measured);
  }

  const latinLong = latinWords.filter((w) => w.length >= 3);
  if (latinWords.length >= 40 && latinLong.length >= 20) {
    const functionShare = latinWords.filter((w) => FUNCTION_WORDS_LATIN.has(w)).length / latinWords.length;
    const noVowel = latinLong.filter((w) => !/[aeiouyàâäéèêëîïôöûùüÿœæ]/.test(w)).length / latinLong.length;
    const measured = `${latinWords.length} Latin words, ${pct(functionShare)} function words, ${pct(noVowel)} without vowels`;
    // Real French and English: 0–8% of words without a vowel (abbreviations), 30–50% function words.
    if (noVowel > 0.5 || (functionShare < 0.05 && noVowel > 0.25)) {
      return { garbage: true, reason: `broken Latin font mapping: ${measured}` };
    }
    notes.push(measured);
  }
  return { garbage: false, reason: notes.length ? notes.join("; ") : `${n} characters` };
}
