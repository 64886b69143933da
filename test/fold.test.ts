import { describe, expect, it } from "vitest";
import { detectScript, foldForSearch, searchConfigFor } from "@/lib/text/fold";

describe("foldForSearch", () => {
  it.each([
    ["Désintégration", "desintegration"],
    ["ÉLÈVE À L'ÉCOLE, Ça", "eleve a l'ecole, ca"],
    ["Noël naïf où ù ÿ", "noel naif ou u y"],
    ["cœur Cœur ex æquo", "coeur coeur ex aequo"],
    ["l’activité", "l'activite"],
    // Arabic hamza carriers and letter variants.
    ["أحمد إبراهيم آدم ٱلله", "احمد ابراهيم ادم الله"],
    ["مستوى على", "مستوي علي"],
    ["القدرة طاقة", "القدره طاقه"],
    ["مؤمن سؤال", "مومن سوال"],
    ["فيزيائية مسائل", "فيزياييه مسايل"],
    // Harakat, tanwin, shadda, sukun, superscript alef, tatweel.
    ["مُحَمَّدٌ", "محمد"],
    ["كِتَابًا مَدْرَسَةٍ", "كتابا مدرسه"],
    ["هٰذا", "هذا"],
    ["العـــــلم", "العلم"],
    // Digits.
    ["سنة ٢٠٢٣ و ۱۹۹۶", "سنه 2023 و 1996"],
    // Compatibility forms a query may still contain (normalizeText handles indexed text).
    ["ﻻ ﷲ", "لا الله"],
    ["ﬁn x² 𝑊 = 𝐹.𝑑", "fin x2 w = f.d"],
    ["F\u20d7 vecteur", "f vecteur"],
    ["a\u200fb\u202bc\u2066d\u00ade\u200bf", "abcdef"],
  ])("folds %j to %j", (input, expected) => {
    expect(foldForSearch(input)).toBe(expected);
  });

  it("makes a student's spelling match the textbook's", () => {
    const pairs: [string, string][] = [
      ["desintegration", "Désintégration"],
      ["becquerel", "BECQUEREL"],
      ["الاحتكاك", "الِاحْتِكَاك"],
      ["اسئلة", "أسئلة"],
      ["الى", "إلى"],
      ["مسافه", "مسافة"],
      ["42", "٤٢"],
    ];
    for (const [query, text] of pairs) expect(foldForSearch(query)).toBe(foldForSearch(text));
  });

  it("is idempotent", () => {
    for (const s of ["Désintégration γ", "مُحَمَّدٌ ٱلْقُدْرَةُ ٣", "ﻻ ﬁ x²", "Straße Œuvre"]) {
      expect(foldForSearch(foldForSearch(s))).toBe(foldForSearch(s));
    }
  });

  it("keeps the length of precomposed French text (excerpts map folded offsets back)", () => {
    const s = "La radioactivité α est une désintégration spontanée, aléatoire et inéluctable.";
    expect(foldForSearch(s)).toHaveLength(s.length);
  });
});

describe("detectScript", () => {
  it.each([
    ["وحدة الشغل في النظام العالمي للوحدات هي الجول", "arabic"],
    // Formula letters inside an Arabic lesson do not make it mixed.
    ["الشغل W الذي تنجزه قوة ثابتة F خلال انتقال مستقيم يساوي الجداء السلمي", "arabic"],
    ["La constante radioactive ne dépend que du type de noyau.", "latin"],
    ["What is emitted when a nucleus decays?", "latin"],
    ["Elle s'exprime en becquerel : وحدة النشاط الإشعاعي هي البكريل", "mixed"],
    ["12 + 3 = 15", "latin"],
    ["", "latin"],
  ])("%j is %s", (text, script) => {
    expect(detectScript(text)).toBe(script);
  });
});

describe("searchConfigFor", () => {
  it.each([
    ["La demi-vie est la durée au bout de laquelle la moitié des noyaux se sont désintégrés.", "french"],
    ["In the FAQ exercise, how many questions are added?", "french"],
    ["متى يكون شغل الوزن محركا ومتى يكون مقاوما؟", "arabic"],
    ["الشغل W = F.d", "arabic"],
    ["Le travail W se dit الشغل", "french"],
    ["1.23 s 1.25 x 10^9 22.3 %", "french"],
    ["0,082 = 8,2 %", "simple"],
    ["λ = ln2 / τ", "french"],
    ["λ τ γ", "simple"],
    ["", "simple"],
  ])("indexes %j with %s", (text, config) => {
    expect(searchConfigFor(text)).toBe(config);
  });
});
