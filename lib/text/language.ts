import { scriptStats } from "@/lib/text/normalize";

// Which of the product's languages a text is written in: the tutor answers in it, and retrieval
// knows when a question and a passage cannot share words.

export type TextLanguage = "fr" | "ar" | "en";

/** Words that only English uses among the student's languages ("on", "an", "me", "or" are French too). */
const ENGLISH_WORDS = new Set(
  (
    "the is are was were what which who whom whose how why when where does do did of and to in with this " +
    "that these those can could would should will it its you your my i from for about many much explain " +
    "please give be there their they not has have had been being why whats"
  ).split(" "),
);
/** French function and question words (without accents stripped: "thé" is not "the"). */
const FRENCH_WORDS = new Set(
  (
    "le la les un une des du de d l est sont et ou où que qui quoi quel quelle quels quelles comment " +
    "pourquoi combien dans pour avec sur ce cette ces c il elle on je tu nous vous moi mon ma mes pas ne " +
    "n au aux qu donne explique peux peut faut entre par en se s y à"
  ).split(" "),
);

/**
 * The student's language: "ar" when Arabic letters outnumber Latin ones, "en" when English
 * function words ("the", "what", "is"…) outnumber French ones (at least two of them, or one and
 * no French word), else "fr", the product's default (also for text without letters).
 */
export function detectLanguage(text: string): TextLanguage {
  const { arabic, latin } = scriptStats(text);
  if (arabic > latin) return "ar";
  let en = 0;
  let fr = 0;
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (ENGLISH_WORDS.has(word)) en++;
    if (FRENCH_WORDS.has(word)) fr++;
  }
  return en > fr && (en >= 2 || fr === 0) ? "en" : "fr";
}
