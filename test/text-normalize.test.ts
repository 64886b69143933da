import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { assemblePageText } from "@/lib/ingest/extract/page-text";
import {
  dehyphenate,
  looksLikeGarbage,
  normalizeText,
  repairLamAlef,
  scriptStats,
} from "@/lib/text/normalize";

describe("normalizeText", () => {
  it("folds Arabic presentation forms and ligatures with NFKC", () => {
    // "ﺍﻟﺸﻐﻞ" in presentation forms, the lam-alef ligature, "ﬁ", math italic F, NBSP.
    expect(normalizeText("\ufe8d\ufedf\ufeb8\ufed0\ufede \ufefb \ufb01n 𝐹\u00a0=\u00a0ma")).toBe(
      "الشغل لا fin F = ma",
    );
  });

  it("composes decomposed accents", () => {
    expect(normalizeText("e\u0301nergie cine\u0301tique")).toBe("énergie cinétique");
  });

  it("drops bidi controls and invisible format characters", () => {
    const dirty =
      "\u202bالشغل\u202c \u200eW = F.d\u200f\u2066x\u2069 radio\u200bactif\u00ad ok\ufeff قو\u0640\u0640ة";
    expect(normalizeText(dirty)).toBe("الشغل W = F.dx radioactif ok قوة");
  });

  it("collapses spaces, trims lines and keeps paragraph breaks", () => {
    expect(normalizeText("  Titre  \r\n\r\n\r\n\tpremier   paragraphe\nsuite\n\n\n\nsecond\f")).toBe(
      "Titre\n\npremier paragraphe\nsuite\n\nsecond",
    );
  });

  it("joins words hyphenated at a line end and keeps real compounds", () => {
    expect(normalizeText("la radio-\nactivité des noyaux")).toBe("la radioactivité des noyaux");
    expect(normalizeText("les machines sont iden-\ntiques")).toBe("les machines sont identiques");
    expect(normalizeText("la demi-\nvie du noyau")).toBe("la demi-vie du noyau");
    expect(normalizeText("peut-\nêtre, celle-\nci, est-\nce")).toBe("peut-être, celle-ci, est-ce");
    // Capital after the break: a name, never a hyphenation.
    expect(normalizeText("compteur Geiger-\nMüller")).toBe("compteur Geiger-\nMüller");
    // The page spells it with a hyphen elsewhere.
    expect(dehyphenate("des radio-isotopes ; les radio-\nisotopes")).toBe(
      "des radio-isotopes ; les radio-isotopes",
    );
    // A soft hyphen at a line end is always a hyphenation point.
    expect(normalizeText("désinté\u00ad\ngration")).toBe("désintégration");
  });

  it("keeps a hyphen that is not at a line end", () => {
    expect(normalizeText("x - 2 = 0 ; c'est-à-dire")).toBe("x - 2 = 0 ; c'est-à-dire");
  });
});

describe("repairLamAlef", () => {
  it("repairs the swapped lam-alef of defective PDFs", () => {
    expect(repairLamAlef("االنتقال")).toBe("الانتقال");
    expect(repairLamAlef("الركبة األفقية وهي تقاوم االنزالق")).toBe("الركبة الأفقية وهي تقاوم الانزلاق");
    expect(repairLamAlef("باالنسوب واألنسوب")).toBe("بالانسوب والأنسوب");
    expect(repairLamAlef("اإللكترون")).toBe("الإلكترون");
  });

  it("repairs words and stems once the page shows the defect", () => {
    expect(repairLamAlef("خالل االنتقال يمكن حساب الشغل بالعالقة")).toBe(
      "خلال الانتقال يمكن حساب الشغل بالعلاقة",
    );
    expect(repairLamAlef("يمكن التعبير بداللة أحداثيات متجهة ال تتغير")).toBe(
      "يمكن التعبير بدلالة أحداثيات متجهة لا تتغير",
    );
    expect(repairLamAlef("إذا كانت القوة ال تشتغل إال نادرا")).toBe("إذا كانت القوة لا تشتغل إلا نادرا");
  });

  it("leaves correct Arabic alone, even words that look swapped", () => {
    const clean = "الانتقال في النظام العالمي للوحدات ، الموضع النهائي ، الفصل الثالث ، خلال ، العلاقة";
    expect(repairLamAlef(clean)).toBe(clean);
    // A defective page must not "repair" real words: العالمي (world-wide), النهائي (final), الثالث (third).
    expect(repairLamAlef("االنتقال في النظام العالمي الموضع النهائي الفصل الثالث")).toBe(
      "الانتقال في النظام العالمي الموضع النهائي الفصل الثالث",
    );
  });
});

describe("scriptStats", () => {
  it("counts letters per script", () => {
    const s = scriptStats("شغل F = ma");
    expect(s).toStrictEqual({ letters: 6, arabic: 3, latin: 3, arabicShare: 0.5 });
  });
});

const FRENCH = `Un noyau radioactif a la capacité d'émettre une particule en changeant de composition.
La désintégration radioactive d'un noyau donné est spontanée : nulle intervention extérieure ne peut
l'influencer. Elle est aléatoire : il est impossible de prévoir à quel instant elle se produit. Elle est
inéluctable : la désintégration se produit forcément tôt ou tard. Il existe un peu moins de 300 noyaux
non radioactifs ; tous les autres sont radioactifs et sont nommés radio-isotopes.`;

const ARABIC = `نقول ان قوة ثابتة إذا احتفظت بنفس المميزات أثناء حركة جسم . شغل قوة ثابتة مطبقة على جسم صلب في
إزاحة مستقيمية يساوي الجداء السلمي لمتجهة القوة ومتجهة انتقال نقطة تأثيرها . وحدة الشغل في النظام العالمي
للوحدات هي الجول ويرمز له ب J . الجول هو الشغل الذي تبذله قوة ثابتة شدتها 1N عند انتقال نقطة تأثيرها بمتر
واحد . شغل وزن الجسم مستقل عن المسار المتبع ومرتبط بالأنسوب للموضع البدئي والأنسوب للموضع النهائي لمركز
قصور الجسم . عند نزول الجسم يكون شغل الوزن محركا وعند صعود الجسم يكون شغل الوزن مقاوما .`;

describe("looksLikeGarbage", () => {
  it("accepts ordinary French and Arabic text", () => {
    expect(looksLikeGarbage(FRENCH)).toMatchObject({ garbage: false });
    expect(looksLikeGarbage(ARABIC)).toMatchObject({ garbage: false });
  });

  it("does not judge a short text", () => {
    expect(looksLikeGarbage("Chapitre 3")).toStrictEqual({
      garbage: false,
      reason: "too short to judge (9 characters)",
    });
  });

  it.each([
    ["replacement characters", FRENCH.replace(/e/g, "\ufffd"), /replacement characters/],
    ["private-use glyphs", FRENCH.replace(/[a-z]/g, "\ue012"), /private-use glyphs/],
    ["mojibake", Buffer.from(FRENCH, "utf8").toString("latin1"), /mojibake/],
    ["symbols instead of letters", FRENCH.replace(/\p{L}/gu, "#"), /few letters/],
    // A font whose glyphs map to the wrong letters: valid Latin letters, no words.
    [
      "broken Latin font mapping",
      FRENCH.replace(/[a-zé]/g, (c) => "bcdfghjklmnpqrstvwxzbcdfghjk"[c.charCodeAt(0) % 26] ?? c),
      /broken Latin font mapping/,
    ],
    // Visual order: every word reversed ("الشغل" → "لغشلا").
    [
      "reversed Arabic",
      ARABIC.split(/\s+/)
        .map((w) => [...w].reverse().join(""))
        .join(" "),
      /reversed/,
    ],
  ])("flags %s", (_name, text, reason) => {
    const verdict = looksLikeGarbage(text);
    expect(verdict.garbage).toBe(true);
    expect(verdict.reason).toMatch(reason);
  });

  it("flags Arabic letters that make no Arabic words (broken font mapping)", () => {
    // The defect of ar_phys_travail_puissance_resume_badtext.pdf, without its stray marks: letters
    // shifted by one glyph ("شغل و قدرة" → "شغم و قدرج").
    const shifted = ARABIC.replace(/[\u0621-\u064a]/g, (c) =>
      String.fromCharCode(((c.charCodeAt(0) - 0x621 + 5) % 42) + 0x621),
    );
    expect(looksLikeGarbage(shifted)).toMatchObject({
      garbage: true,
      reason: expect.stringMatching(/broken Arabic/),
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Real documents: ../shared/fixtures (present in CI; skipped elsewhere, the generated cases above stay).

const FIXTURES = path.resolve(process.cwd(), "../shared/fixtures/documents");
const haveFixtures = existsSync(FIXTURES);
if (!haveFixtures) console.warn(`[text-normalize] ${FIXTURES} not found: real-document checks skipped`);

async function textLayers(file: string): Promise<string[]> {
  const pdf = await getDocumentProxy(new Uint8Array(await readFile(path.join(FIXTURES, file))), {
    verbosity: 0,
  });
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    pages.push(assemblePageText((await page.getTextContent()).items));
  }
  await pdf.loadingTask.destroy();
  return pages;
}

describe.skipIf(!haveFixtures)("real text layers (../shared/fixtures)", () => {
  it.each([
    "fr_math_bac2023_metropole_sujet1.pdf",
    "fr_pc_radioactivite_cours.pdf",
    "ar_phys_travail_puissance_lecon2.pdf",
  ])("accepts every page of %s", async (file) => {
    const verdicts = (await textLayers(file)).map((text) => looksLikeGarbage(text));
    expect(verdicts.filter((v) => v.garbage)).toStrictEqual([]);
  });

  it("flags both pages of the broken-font Arabic summary", async () => {
    const verdicts = (await textLayers("ar_phys_travail_puissance_resume_badtext.pdf")).map((t) =>
      looksLikeGarbage(t),
    );
    expect(verdicts).toHaveLength(2);
    for (const v of verdicts)
      expect(v).toMatchObject({ garbage: true, reason: expect.stringMatching(/broken Arabic/) });
  });

  it("flags the broken-font summary on words alone, without its stray marks", async () => {
    for (const text of await textLayers("ar_phys_travail_puissance_resume_badtext.pdf")) {
      const withoutMarks = text.replace(/[\u0653-\u065f\u063b-\u063f\u06d6-\u06ed]/g, "");
      expect(looksLikeGarbage(withoutMarks)).toMatchObject({
        garbage: true,
        reason: expect.stringMatching(/words/),
      });
    }
  });

  it("repairs the lam-alef defect of the Arabic lesson", async () => {
    const pages = (await textLayers("ar_phys_travail_puissance_lecon2.pdf")).map(normalizeText);
    const all = pages.join("\n");
    expect(all).toContain("الانتقال");
    expect(all).toContain("الأفقية");
    expect(all).toContain("الانزلاق");
    expect(all).toContain("بدلالة");
    expect(all).not.toMatch(/ا[اأإ]ل/);
    // Words that only look swapped stay as they are.
    expect(all).toContain("العالمي");
    expect(all).toContain("النهائي");
  });
});
