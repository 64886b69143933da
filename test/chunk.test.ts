import { describe, expect, it } from "vitest";
import { chunkPages, DEFAULT_CHUNK_SIZE, maxChunkLength } from "@/lib/ingest/chunk";
import type { Chunk } from "@/lib/ingest/types";

/** mulberry32: seeded, so every generated document (and a failure) is reproducible. */
function rng(seed: number) {
  let s = seed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] as T,
  };
}

const FRENCH =
  "désintégration noyau radioactif activité échantillon constante demi-vie énergie particule".split(" ");
const ARABIC = "الشغل القدرة القوة الانتقال الجسم الوزن السرعة الطاقة المسافة الزمن".split(" ");
const ENDS = [" ", " ", " ", " ", " ", "\n", ". ", "؟ ", "، ", "! ", ".\n\n", "۔ ", "; "];

/**
 * Random pages of French and Arabic words. Every word is tagged with its page ("noyau_3") so a
 * chunk's pages can be checked from its words alone. Some pages are blank.
 */
function randomPages(seed: number, opts: { pages?: number; longWords?: boolean } = {}) {
  const r = rng(seed);
  const count = opts.pages ?? 1 + r.int(8);
  const pages: { page: number; text: string }[] = [];
  for (let p = 1; p <= count; p++) {
    if (r.next() < 0.15) {
      pages.push({ page: p, text: r.next() < 0.5 ? "" : " \n\t " });
      continue;
    }
    const words = r.int(400);
    let text = r.next() < 0.3 ? "  " : "";
    for (let w = 0; w < words; w++) {
      const word =
        opts.longWords && r.next() < 0.01
          ? "x".repeat(200 + r.int(2500))
          : r.pick(r.next() < 0.5 ? FRENCH : ARABIC);
      text += `${word}_${p}${r.pick(ENDS)}`;
    }
    pages.push({ page: p, text });
  }
  return pages;
}

const strip = (s: string) => s.replace(/\s+/gu, "");

/**
 * The chunks, stripped of whitespace, cover the stripped document from end to end, in order:
 * each is found at or before the end of what the previous ones covered (the latest such place,
 * so that repetitive text is not matched too early).
 */
function expectCoverage(pages: { text: string }[], chunks: Chunk[]) {
  const all = strip(pages.map((p) => p.text).join(""));
  let covered = 0;
  let previous = 0;
  for (const c of chunks) {
    const s = strip(c.content);
    const at = all.lastIndexOf(s, covered);
    expect(at, `chunk ${c.index} continues the document without a gap`).toBeGreaterThanOrEqual(previous);
    covered = Math.max(covered, at + s.length);
    previous = at;
  }
  expect(covered).toBe(all.length);
}

/** The page a generated word was written on ("noyau_3." → 3). */
function pageOf(token: string): number {
  return Number(/_(\d+)\D*$/u.exec(token)?.[1]);
}

describe("chunkPages", () => {
  it("returns nothing for no pages or only blank pages", () => {
    expect(chunkPages([])).toStrictEqual([]);
    expect(
      chunkPages([
        { page: 1, text: "" },
        { page: 2, text: " \n " },
      ]),
    ).toStrictEqual([]);
  });

  it("keeps a short document as one chunk with its exact pages, skipping blank pages", () => {
    const chunks = chunkPages([
      { page: 1, text: "   " },
      { page: 2, text: "  La radioactivité est spontanée.  " },
      { page: 3, text: "" },
      { page: 4, text: "Elle est aléatoire." },
    ]);
    expect(chunks).toStrictEqual([
      {
        index: 0,
        content: "La radioactivité est spontanée.\n\nElle est aléatoire.",
        pageStart: 2,
        pageEnd: 4,
      },
    ]);
  });

  it("merges a tiny tail into the previous chunk", () => {
    const sentence = "Le noyau se désintègre. ";
    // A tenth over the size: the remainder is shorter than the tail share (a fifth) and merges.
    const text = sentence.repeat(Math.ceil((DEFAULT_CHUNK_SIZE * 1.1) / sentence.length)).trim();
    expect(text.length).toBeGreaterThan(DEFAULT_CHUNK_SIZE);
    const chunks = chunkPages([{ page: 7, text }]);
    expect(chunks).toStrictEqual([{ index: 0, content: text, pageStart: 7, pageEnd: 7 }]);
  });

  it.each([
    [
      "French",
      "La constante radioactive ne dépend que du type de noyau. Elle s'exprime en s-1 ! ",
      ["La constante", "Elle s'exprime"],
    ],
    [
      "Arabic",
      "ما هي وحدة الشغل في النظام العالمي؟ وحدة الشغل هي الجول، ويرمز له بالحرف J. ",
      ["ما هي", "وحدة الشغل هي"],
    ],
    ["Arabic full stop", "عند نزول الجسم يكون شغل الوزن محركا۔ ", ["عند نزول"]],
  ])("cuts %s text at sentence ends and starts overlaps at a sentence start", (_, sentence, starts) => {
    const chunks = chunkPages([{ page: 1, text: sentence.repeat(60) }]);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.content).toMatch(/[.!؟۔]$/u);
      expect(starts.some((s) => c.content.startsWith(s))).toBe(true);
    }
  });

  it("prefers a paragraph break (or a page end) in the second half of the window", () => {
    const para = `${"mot ".repeat(150).trim()}.`; // 600 characters
    const chunks = chunkPages(
      [
        { page: 1, text: `${para}\n\n${para}` },
        { page: 2, text: para },
      ],
      { overlap: 0 },
    );
    expect(chunks.map((c) => [c.content.length, c.pageStart, c.pageEnd])).toStrictEqual([
      [600, 1, 1],
      [600, 1, 1],
      [600, 2, 2],
    ]);
  });

  it("overlaps consecutive chunks by about the overlap, and not at all with overlap 0", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(" ");
    const withOverlap = chunkPages([{ page: 1, text: words }], { size: 500, overlap: 100 });
    const without = chunkPages([{ page: 1, text: words }], { size: 500, overlap: 0 });
    const first = (c: Chunk) => Number(c.content.split(" ")[0]?.slice(1));
    const last = (c: Chunk) => Number(c.content.split(" ").at(-1)?.slice(1));
    for (let i = 1; i < withOverlap.length; i++) {
      const prev = withOverlap[i - 1] as Chunk;
      const shared = prev.content.length - prev.content.indexOf(`w${first(withOverlap[i] as Chunk)} `);
      expect(shared).toBeGreaterThan(80);
      expect(shared).toBeLessThanOrEqual(100);
    }
    for (let i = 1; i < without.length; i++)
      expect(first(without[i] as Chunk)).toBe(last(without[i - 1] as Chunk) + 1);
  });

  it("cuts a word longer than a chunk, and only such a word", () => {
    const long = "ا".repeat(2500);
    const chunks = chunkPages([{ page: 3, text: `avant ${long} après` }], { size: 1000, overlap: 150 });
    expectCoverage([{ text: `avant ${long} après` }], chunks);
    for (const c of chunks) {
      expect(c.content.length).toBeLessThanOrEqual(1000);
      expect(c.pageStart).toBe(3);
    }
    // Not a chunk of its own before a word that must be cut anyway.
    expect(chunks[0]?.content).toMatch(/^avant ا+$/u);
  });

  it("never separates a letter from its surrogate pair or combining marks on a hard cut", () => {
    const word = "😀".repeat(700); // 1,400 UTF-16 units, no break
    for (const c of chunkPages([{ page: 1, text: word }], { size: 101, overlap: 10 })) {
      expect(c.content.length % 2).toBe(0);
      expect(c.content).toMatch(/^(?:😀)+$/u);
    }
    const vocalised = "بَ".repeat(300);
    for (const c of chunkPages([{ page: 1, text: vocalised }], { size: 101, overlap: 10 })) {
      expect(c.content).toMatch(/^(?:بَ)+$/u);
    }
  });

  it("does not start a chunk before a long run of whitespace it could not get past", () => {
    const text = `${"alpha ".repeat(160)}${" ".repeat(3000)}${"omega ".repeat(100)}`;
    const chunks = chunkPages([{ page: 1, text }]);
    expectCoverage([{ text }], chunks);
    for (const c of chunks) expect(c.content).toBe(c.content.trim());
  });

  it("refuses sizes and overlaps that cannot work", () => {
    const pages = [{ page: 1, text: "x" }];
    expect(() => chunkPages(pages, { size: 0 })).toThrow(RangeError);
    expect(() => chunkPages(pages, { size: 100, overlap: 50 })).toThrow(RangeError);
    expect(() => chunkPages(pages, { size: 100, overlap: -1 })).toThrow(RangeError);
    expect(() => chunkPages(pages, { size: 10.5 })).toThrow(RangeError);
    expect(chunkPages(pages, { size: 3 })).toHaveLength(1);
  });

  describe("on random French/Arabic documents", () => {
    const seeds = Array.from({ length: 150 }, (_, i) => i + 1);

    it.each([
      { size: 1000, overlap: 150 },
      { size: 300, overlap: 60 },
      { size: 120, overlap: 0 },
    ])(
      "covers every character, with exact pages and bounded sizes (size $size, overlap $overlap)",
      (opts) => {
        // Problems are collected and compared once: an expect per word would take seconds.
        const problems: string[] = [];
        for (const seed of seeds) {
          const pages = randomPages(seed);
          const chunks = chunkPages(pages, opts);
          expectCoverage(pages, chunks);
          const tokens = new Set(pages.flatMap((p) => p.text.split(/\s+/u)).filter(Boolean));
          chunks.forEach((c, i) => {
            const at = `seed ${seed} chunk ${i}`;
            const words = c.content.split(/\s+/u);
            const pagesOfWords = words.map(pageOf);
            if (c.index !== i) problems.push(`${at}: index ${c.index}`);
            if (c.content.length === 0 || c.content.length > maxChunkLength(opts.size)) {
              problems.push(`${at}: length ${c.content.length}`);
            }
            if (c.content !== c.content.trim()) problems.push(`${at}: starts or ends with whitespace`);
            // Whole words only (no word here is longer than a chunk).
            for (const w of words)
              if (!tokens.has(w)) problems.push(`${at}: "${w}" is not a word of the input`);
            if (c.pageStart !== pagesOfWords[0] || c.pageEnd !== pagesOfWords.at(-1)) {
              problems.push(
                `${at}: pages ${c.pageStart}-${c.pageEnd}, words from ${pagesOfWords[0]} to ${pagesOfWords.at(-1)}`,
              );
            }
            if (pagesOfWords.some((p) => p < c.pageStart || p > c.pageEnd))
              problems.push(`${at}: a word outside its pages`);
            if (i > 0 && c.pageStart < (chunks[i - 1] as Chunk).pageStart)
              problems.push(`${at}: pages go backwards`);
          });
        }
        expect(problems).toStrictEqual([]);
      },
    );

    it("covers documents with words longer than a chunk", () => {
      for (const seed of seeds.slice(0, 60)) {
        const pages = randomPages(seed, { longWords: true });
        const chunks = chunkPages(pages, { size: 1000, overlap: 150 });
        expectCoverage(pages, chunks);
        for (const c of chunks) expect(c.content.length).toBeLessThanOrEqual(maxChunkLength(1000));
      }
    });

    it("is deterministic and independent of the order pages are given in", () => {
      for (const seed of seeds.slice(0, 30)) {
        const pages = randomPages(seed);
        const once = chunkPages(pages);
        expect(chunkPages(pages)).toStrictEqual(once);
        expect(chunkPages([...pages].reverse())).toStrictEqual(once);
      }
    });
  });
});
