import { foldForSearch } from "./fold";

// Content words of a text as light stems (accents, harakat and lam-alef order folded away, the
// usual French/English/Arabic function words dropped): what the offline tutor matches sentences
// with and what retrieval measures a passage's coverage of a question with.

/**
 * Words that carry no topic in questions or passages (French, English, Arabic), as written;
 * the local embedding ignores them too.
 */
export const STOPWORDS_SOURCE = `
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

/** Folded for search, with lam-alef in one order (PDFs often store it swapped: "االنزالق"). */
export function canonical(text: string): string {
  return foldForSearch(text).replaceAll("\u0644\u0627", "\u0627\u0644");
}

/** How a student asks, not what about: ignored when matching a question's words. */
const QUESTION_WORDS = "dis explique definition veut dire give tell explain me my many much";

const STOPWORDS = new Set(
  `${STOPWORDS_SOURCE} ${QUESTION_WORDS}`.split(/\s+/).filter(Boolean).map(canonical),
);

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

function stemLatin(w: string): string {
  if (w.length <= 3) return w;
  let s = w;
  if (/[sx]$/.test(s) && !s.endsWith("ss")) s = s.slice(0, -1);
  for (const suffix of LATIN_SUFFIXES) {
    if (s.length - suffix.length >= 3 && s.endsWith(suffix)) return s.slice(0, -suffix.length);
  }
  return s;
}

/** وال بال كال فال لل ال */
const ARABIC_ARTICLES = [
  "\u0648\u0627\u0644",
  "\u0628\u0627\u0644",
  "\u0643\u0627\u0644",
  "\u0641\u0627\u0644",
  "\u0644\u0644",
  "\u0627\u0644",
];
/** ها ان ات ون ين يه ه ي */
const ARABIC_SUFFIXES = [
  "\u0647\u0627",
  "\u0627\u0646",
  "\u0627\u062a",
  "\u0648\u0646",
  "\u064a\u0646",
  "\u064a\u0647",
  "\u0647",
  "\u064a",
];
const ALEF_ARTICLE = "\u0627\u0627\u0644";

function stemArabic(w: string): string {
  let s = w;
  if (s.length > 3 && s.charCodeAt(0) === 0x648) s = s.slice(1);
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

export function stem(w: string): string {
  const c = w.charCodeAt(0);
  return c >= 0x620 && c <= 0x6ff ? stemArabic(w) : stemLatin(w);
}

/** The content words of a text as stems, in order (numbers kept as they are). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of canonical(text).match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOPWORDS.has(w) || (w.length < 2 && !/\d/.test(w))) continue;
    out.push(/^\d+$/.test(w) ? w : stem(w));
  }
  return out;
}

/** Whether a word (as written or folded) is a function word of the list above or a question word. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(canonical(word));
}

/** Same stem, or one a prefix of the other when it is long enough to mean something (désintègr-). */
export function sameTerm(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 5 && !/^\d/.test(short) && long.startsWith(short);
}
