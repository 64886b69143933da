import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { type ExtractEngineOptions, extractPages, shutdownExtraction } from "@/lib/ingest/extract";
import { type ExtractedPage, ExtractionError } from "@/lib/ingest/types";
import { encryptedPdf, imagePdf, mixedPdf, textImage, textPdf, truncatedPdf } from "./fixtures-gen/documents";
import { cer, coverage, fold, wordRecall } from "./fixtures-gen/metrics";

afterAll(() => shutdownExtraction());

// OCR tests start tesseract workers (~0.5 s) and recognise a page in 1–3 s on 2 cores.
const OCR_TIMEOUT = 90_000;

async function collect(
  bytes: Uint8Array,
  mimeType: string,
  opts?: ExtractEngineOptions,
): Promise<ExtractedPage[]> {
  const pages: ExtractedPage[] = [];
  for await (const page of extractPages(bytes, mimeType, opts)) pages.push(page);
  return pages;
}

/** The first `count` pages, then the consumer stops (the rest is never worked on). */
async function firstPages(bytes: Uint8Array, count: number): Promise<ExtractedPage[]> {
  const pages: ExtractedPage[] = [];
  for await (const page of extractPages(bytes, "application/pdf")) {
    pages.push(page);
    if (pages.length === count) break;
  }
  return pages;
}

async function failure(run: Promise<unknown>): Promise<ExtractionError> {
  try {
    await run;
  } catch (err) {
    expect(err).toBeInstanceOf(ExtractionError);
    return err as ExtractionError;
  }
  throw new Error("expected an ExtractionError");
}

const LESSON = [
  "Chapitre 4 : la radioactivité naturelle",
  "",
  "Un noyau radioactif a la capacité d'émettre une particule en changeant de composition. La radio-",
  "activité fut découverte par Henri Becquerel en 1896, alors qu'il étudiait la fluorescence.",
];

describe("extractPages: generated documents", () => {
  it("reads a text PDF page by page from its text layer", async () => {
    const bytes = await textPdf([
      LESSON,
      [
        "La demi-",
        "vie d'un échantillon est la durée au bout de laquelle la moitié des noyaux se sont désintégrés.",
      ],
      ["Exercice : calculer l'activité d'un échantillon de 1 g de radium au bout de 1600 ans."],
    ]);
    const events: string[] = [];
    const pages: ExtractedPage[] = [];
    for await (const page of extractPages(bytes, "application/pdf", {
      onTotal: (n) => events.push(`total ${n}`),
    })) {
      events.push(`page ${page.page}`);
      pages.push(page);
    }
    expect(events).toStrictEqual(["total 3", "page 1", "page 2", "page 3"]);
    expect(pages.map((p) => [p.page, p.method, p.reason])).toStrictEqual([
      [1, "text", undefined],
      [2, "text", undefined],
      [3, "text", undefined],
    ]);
    expect(pages[0]?.text).toBe(
      "Chapitre 4 : la radioactivité naturelle\n\nUn noyau radioactif a la capacité d'émettre une particule en " +
        "changeant de composition. La radioactivité fut découverte par Henri Becquerel en 1896, alors qu'il " +
        "étudiait la fluorescence.",
    );
    expect(pages[1]?.text).toContain("La demi-vie d'un échantillon");
    for (const page of pages) expect(page.ms).toBeGreaterThanOrEqual(0);
  });

  it(
    "renders and OCRs a page without a text layer, next to a text page",
    async () => {
      const bytes = await mixedPdf(LESSON, [
        "La radioactivité est un phénomène",
        "naturel découvert en 1896.",
      ]);
      const pages = await collect(bytes, "application/pdf");
      expect(pages.map((p) => [p.page, p.method])).toStrictEqual([
        [1, "text"],
        [2, "ocr"],
      ]);
      expect(pages[1]?.reason).toMatch(/^no text layer; OCR fra, confidence \d+/);
      expect(pages[1]?.text).toBe("La radioactivité est un phénomène\nnaturel découvert en 1896.");
    },
    OCR_TIMEOUT,
  );

  it.each(["png", "jpeg", "gif", "webp"] as const)(
    "OCRs a %s image",
    async (format) => {
      const bytes = await textImage(["Le noyau atomique contient des protons", "et des neutrons."], format);
      const pages = await collect(bytes, `image/${format}`);
      expect(pages).toStrictEqual([
        {
          page: 1,
          text: "Le noyau atomique contient des protons\net des neutrons.",
          method: "ocr",
          reason: expect.stringMatching(/^image; OCR fra/),
          ms: expect.any(Number),
        },
      ]);
    },
    OCR_TIMEOUT,
  );

  it(
    "goes by the bytes of untyped and mislabelled uploads",
    async () => {
      const image = await textImage(["Becquerel"], "jpeg");
      expect((await collect(image, "application/octet-stream"))[0]?.text).toBe("Becquerel");
      expect((await collect(image, "application/pdf"))[0]).toMatchObject({
        text: "Becquerel",
        method: "ocr",
      });
      const pdf = await textPdf([["Un document sans type"]]);
      expect((await collect(pdf, ""))[0]?.text).toBe("Un document sans type");
      expect((await collect(pdf, "image/png"))[0]).toMatchObject({
        text: "Un document sans type",
        method: "text",
      });
    },
    OCR_TIMEOUT,
  );

  it.each([
    ["a password-protected PDF", () => encryptedPdf(), "application/pdf", "ENCRYPTED"],
    ["a truncated PDF", () => truncatedPdf(), "application/pdf", "CORRUPT"],
    [
      "a PDF that is not one",
      () => new TextEncoder().encode("<html>not a pdf</html>"),
      "application/pdf",
      "CORRUPT",
    ],
    [
      "an image that is not one",
      () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),
      "image/png",
      "CORRUPT",
    ],
    // A cut upload: right signature, the decoder fails (decoded natively, this segfaulted the process).
    [
      "a truncated JPEG",
      async () => (await textImage(["coupé"], "jpeg")).slice(0, 60),
      "image/jpeg",
      "CORRUPT",
    ],
    ["a text file", () => new TextEncoder().encode("du texte"), "text/plain", "UNSUPPORTED"],
    ["a Word file", () => new Uint8Array([0x50, 0x4b, 3, 4]), "application/msword", "UNSUPPORTED"],
  ])("refuses %s", async (_name, make, mimeType, code) => {
    const err = await failure(collect(await make(), mimeType));
    expect(err.code).toBe(code);
    expect(err.permanent).toBe(true);
  });

  it("refuses a document over maxPages before working on any page", async () => {
    const bytes = await textPdf([["un"], ["deux"], ["trois"]]);
    const totals: number[] = [];
    const err = await failure(
      collect(bytes, "application/pdf", { maxPages: 2, onTotal: (n) => totals.push(n) }),
    );
    expect(err.code).toBe("TOO_MANY_PAGES");
    expect(err.message).toBe("the document has 3 pages (at most 2)");
    expect(totals).toStrictEqual([]);
    expect(await collect(bytes, "application/pdf", { maxPages: 3 })).toHaveLength(3);
  });

  it("stops when the signal aborts", async () => {
    const bytes = await textPdf([["un"], ["deux"], ["trois"], ["quatre"]]);
    const before = await failure(collect(bytes, "application/pdf", { signal: AbortSignal.abort() }));
    expect(before).toMatchObject({ code: "ABORTED", permanent: false });

    const controller = new AbortController();
    const seen: number[] = [];
    const during = await failure(
      (async () => {
        for await (const page of extractPages(bytes, "application/pdf", { signal: controller.signal })) {
          seen.push(page.page);
          controller.abort();
        }
      })(),
    );
    expect(during.code).toBe("ABORTED");
    expect(seen).toStrictEqual([1]);
  });

  it(
    "skips a page whose OCR times out, and fails the document when pages keep timing out",
    async () => {
      const one = await imagePdf([["Une page trop lente"]]);
      const [page] = await collect(one, "application/pdf", { ocrTimeoutMs: 1 });
      expect(page).toMatchObject({
        page: 1,
        text: "",
        method: "ocr",
        reason: expect.stringMatching(/OCR timed out/),
      });

      const three = await imagePdf([["un"], ["deux"], ["trois"]]);
      const err = await failure(collect(three, "application/pdf", { ocrTimeoutMs: 1 }));
      expect(err).toMatchObject({ code: "TIMEOUT", permanent: false });

      // The timed-out workers were replaced: OCR works again.
      const [again] = await collect(await textImage(["Encore"]), "image/png");
      expect(again?.text).toBe("Encore");
    },
    OCR_TIMEOUT,
  );

  it(
    "keeps the caller's event loop free while parsing, rendering and recognising",
    async () => {
      await shutdownExtraction();
      const bytes = await imagePdf([
        ["Première page numérisée", "avec deux lignes de texte."],
        ["Deuxième page numérisée", "encore deux lignes."],
      ]);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const pages = await collect(bytes, "application/pdf");
      delay.disable();
      expect(pages.map((p) => p.method)).toStrictEqual(["ocr", "ocr"]);
      // Rendering one of these pages takes ~150 ms and recognising it ~1 s: on this thread, either would
      // show here. Measured: ~20 ms worst case, from a cold start.
      expect(delay.max / 1e6).toBeLessThan(250);
    },
    OCR_TIMEOUT,
  );

  it(
    "can stop early and be shut down and restarted",
    async () => {
      const bytes = await imagePdf([["alpha"], ["beta"], ["gamma"], ["delta"]]);
      const [first] = await firstPages(bytes, 1);
      expect(first?.text).toBe("alpha");
      await shutdownExtraction();
      const pages = await collect(bytes, "application/pdf");
      expect(pages.map((p) => p.text)).toStrictEqual(["alpha", "beta", "gamma", "delta"]);
    },
    OCR_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------
// Real documents: ../shared/fixtures is present where the project's CI runs. Elsewhere these tests are
// skipped (and say so); the generated cases above keep the suite meaningful.

const FIXTURES = path.resolve(process.cwd(), "../shared/fixtures");
const haveFixtures = existsSync(path.join(FIXTURES, "documents"));
if (!haveFixtures) console.warn(`[ingest-extract] ${FIXTURES} not found: real-document tests skipped`);

const fixture = async (name: string) => new Uint8Array(await readFile(path.join(FIXTURES, name)));

interface Question {
  id: string;
  doc: string | null;
  page: number | null;
  evidence: string | null;
}

describe.skipIf(!haveFixtures)("extractPages: real documents (../shared/fixtures)", () => {
  it.each([
    "fr_math_bac2023_metropole_sujet1",
    "fr_pc_radioactivite_cours",
    "ar_phys_travail_puissance_lecon2",
  ])("reads %s from its text layer, with the evidence of each question on its page", async (doc) => {
    const pages = await collect(await fixture(`documents/${doc}.pdf`), "application/pdf");
    expect(pages.every((p) => p.method === "text")).toBe(true);
    console.info(`[ingest-extract] ${doc}: text layer ms per page ${pages.map((p) => p.ms).join(", ")}`);

    const questions = (await readFile(path.join(FIXTURES, "qa/questions.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Question)
      .filter((q) => q.doc === doc);
    expect(questions.length).toBeGreaterThan(0);
    for (const q of questions) {
      const scores = pages.map((p) => coverage(q.evidence ?? "", p.text));
      const onPage = scores[(q.page ?? 0) - 1] ?? 0;
      // Every word of the evidence is on the right page (the order of mixed RTL/LTR runs may differ).
      expect({ id: q.id, onPage }).toStrictEqual({ id: q.id, onPage: 1 });
      expect(Math.max(...scores)).toBe(onPage);
    }
  });

  it(
    "detects the broken-font Arabic text layer and OCRs the pages",
    async () => {
      const pages = await collect(
        await fixture("documents/ar_phys_travail_puissance_resume_badtext.pdf"),
        "application/pdf",
      );
      expect(pages.map((p) => p.method)).toStrictEqual(["ocr", "ocr"]);
      for (const page of pages) {
        expect(page.reason).toMatch(/^garbage text layer: broken Arabic font mapping.*; OCR ara\+fra/);
      }
      const text = pages.map((p) => p.text).join("\n");
      const count = (word: string) => text.split(word).length - 1;
      expect(text).toContain("شغل و قدرة");
      expect(count("شغل")).toBeGreaterThan(10);
      expect(count("شغم")).toBeLessThan(count("شغل") / 5);
      console.info(`[ingest-extract] badtext: OCR ms per page ${pages.map((p) => p.ms).join(", ")}`);
    },
    OCR_TIMEOUT,
  );

  it(
    "OCRs the photocopied scan (first two pages)",
    async () => {
      const pages = await firstPages(await fixture("documents/fr_math_equadiff_scan.pdf"), 2);
      expect(pages.map((p) => [p.page, p.method])).toStrictEqual([
        [1, "ocr"],
        [2, "ocr"],
      ]);
      for (const page of pages) expect(page.reason).toMatch(/^no text layer; OCR fra/);
      expect(pages[0]?.text).toContain(
        "Pour une équation différentielle, la solution n’est habituellement pas unique.",
      );
      expect(pages[1]?.text).toMatch(/Équations différentielles du type y’ = ay/);
    },
    OCR_TIMEOUT,
  );

  it.each([
    // The scan PDFs start at the originals' pages 2 (French) and 1 (Arabic), which have ground truth.
    [
      "fr_math_bac2023_metropole_sujet1_scan.pdf",
      "fr_math_bac2023_metropole_sujet1_p2_scan.gt.txt",
      "fra",
      0.15,
      0.9,
    ],
    [
      "ar_phys_travail_puissance_lecon2_scan.pdf",
      "ar_phys_travail_puissance_lecon2_p1_scan.gt.txt",
      "ara+fra",
      0.4,
      0.7,
    ],
  ])(
    "OCRs the image-only %s",
    async (file, truth, languages, maxCer, minRecall) => {
      const [page] = await firstPages(await fixture(`scans/${file}`), 1);
      expect(page?.method).toBe("ocr");
      expect(page?.reason).toContain(`OCR ${languages},`);
      const reference = await readFile(path.join(FIXTURES, "scans", truth), "utf8");
      const measured = {
        cer: cer(page?.text ?? "", reference),
        recall: wordRecall(page?.text ?? "", reference),
      };
      console.info(
        `[ingest-extract] ${file} p1: CER ${measured.cer.toFixed(3)}, word recall ${measured.recall.toFixed(3)}`,
      );
      expect(measured.cer).toBeLessThan(maxCer);
      expect(measured.recall).toBeGreaterThan(minRecall);
    },
    OCR_TIMEOUT,
  );

  // Measured (tesseract.js 7, 4.0.0_best_int): CER 0.183 / 0.065 / 0.22, word recall 0.83 / 0.97 / 0.82.
  // The reference figures of native tesseract 5.3 are ~14% (French) and ~56% (Arabic, mostly ordering).
  it.each([
    ["fr_pc_radioactivite_cours_p4_scan.jpg", "fra", 0.25, 0.75],
    ["fr_math_bac2023_metropole_sujet1_p2_scan.jpg", "fra", 0.12, 0.9],
    ["ar_phys_travail_puissance_lecon2_p1_scan.jpg", "ara+fra", 0.4, 0.7],
  ])(
    "OCRs the scanned image %s",
    async (file, languages, maxCer, minRecall) => {
      const [page] = await collect(await fixture(`scans/${file}`), "image/jpeg");
      expect(page?.method).toBe("ocr");
      expect(page?.reason).toContain(`OCR ${languages},`);
      const reference = await readFile(path.join(FIXTURES, "scans", file.replace(".jpg", ".gt.txt")), "utf8");
      const measured = {
        cer: cer(page?.text ?? "", reference),
        recall: wordRecall(page?.text ?? "", reference),
      };
      console.info(
        `[ingest-extract] ${file}: CER ${measured.cer.toFixed(3)}, word recall ${measured.recall.toFixed(3)}, ${page?.ms} ms`,
      );
      expect(measured.cer).toBeLessThan(maxCer);
      expect(measured.recall).toBeGreaterThan(minRecall);
      expect(fold(page?.text ?? "")).not.toBe("");
    },
    OCR_TIMEOUT,
  );
});
