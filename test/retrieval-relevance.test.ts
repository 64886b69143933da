import { describe, expect, it } from "vitest";
import { askedQuestion, isRelevant, minSimilarity, termCoverage } from "@/lib/retrieval";

// The rule that decides between quoting a passage and saying "not in your textbooks". The
// figures are the fixture library's (npm run eval): the unanswerable q059 met a lesson on work in
// Arabic at 0.17 and a French passage sharing one word of five at 0.156; the answerable q006
// (English question, French page) has its page at 0.165 with no word in common.
const floor = minSimilarity("local-hash-v1");
const ask = (text: string) => ({ ...askedQuestion(text), text });

const BAC = ask("Quel est le coefficient des maths en série C au bac mauritanien ?");
const POLYNOMIAL =
  "Le coefficient dominant du polynôme est le coefficient du terme de plus haut degré ; on le lit sur la forme développée.";
const HALF_LIFE = ask("Donne moi la définition de la demi-vie");
const HALF_LIFE_PAGE =
  "La demi-vie t½ d'un échantillon radioactif est la durée au bout de laquelle la moitié des noyaux initialement présents se sont désintégrés.";

describe("isRelevant", () => {
  it("refuses a weakly similar passage sharing one word of five with a question in its language", () => {
    expect(termCoverage(BAC.text, POLYNOMIAL)).toBeCloseTo(0.2, 5);
    expect(isRelevant({ similarity: 0.156, content: POLYNOMIAL }, BAC, "fr", floor)).toBe(false);
  });

  it("accepts the same similarity when a quarter of the question's words are there", () => {
    const q = ask("Comment calculer le coefficient d'une série statistique ?");
    expect(termCoverage(q.text, POLYNOMIAL)).toBeCloseTo(0.25, 5);
    expect(isRelevant({ similarity: 0.156, content: POLYNOMIAL }, q, "fr", floor)).toBe(true);
  });

  it("accepts a passage holding most of the question's words whatever its similarity", () => {
    expect(termCoverage(HALF_LIFE.text, HALF_LIFE_PAGE)).toBeGreaterThanOrEqual(0.6);
    expect(isRelevant({ similarity: 0.05, content: HALF_LIFE_PAGE }, HALF_LIFE, "fr", floor)).toBe(true);
  });

  it("accepts a strongly similar passage with no word in common", () => {
    expect(isRelevant({ similarity: floor + 0.12, content: POLYNOMIAL }, BAC, "fr", floor)).toBe(true);
  });

  it("refuses anything below the floor that lacks the question's words", () => {
    expect(isRelevant({ similarity: floor - 0.01, content: POLYNOMIAL }, BAC, "fr", floor)).toBe(false);
  });

  it("across languages of one alphabet, similarity above the floor is enough (no word can be shared)", () => {
    const q = ask("What is emitted when an excited daughter nucleus goes back to its ground state?");
    expect(q.language).toBe("en");
    const page = "Le noyau fils excité retourne à l'état fondamental en émettant un rayonnement gamma.";
    expect(isRelevant({ similarity: 0.165, content: page }, q, "fr", floor)).toBe(true);
  });

  it("across alphabets, only a strong similarity counts", () => {
    const work = "شغل وزن الجسم مستقل عن المسار المتبع";
    expect(isRelevant({ similarity: 0.17, content: work }, BAC, "ar", floor)).toBe(false);
    expect(isRelevant({ similarity: floor + 0.12, content: work }, BAC, "ar", floor)).toBe(true);
    const arabic = ask("ما هي وحدة نشاط عينة مشعة؟");
    expect(isRelevant({ similarity: 0.17, content: HALF_LIFE_PAGE }, arabic, "fr", floor)).toBe(false);
  });
});
