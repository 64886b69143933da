import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as imageRoute from "@/app/api/curriculum/textbooks/[id]/pages/[page]/image/route";
import * as pageRoute from "@/app/api/curriculum/textbooks/[id]/pages/[page]/route";
import { citationHref } from "@/components/citation-href";
import { chunks } from "@/db/schema";
import { uploadCurriculum } from "@/lib/curriculum/documents";
import { findPassage } from "@/lib/curriculum/passage";
import { shutdownExtraction } from "@/lib/ingest/extract";
import { imagePdf, textPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";

// The page viewer's API: a page's text layer with the cited passage located on it, and the page as
// a PNG rendered once. Against textbooks ingested through the real pipeline: a generated text PDF
// (exact positions known) and the shared radioactivity course (a real textbook's layout).

useTempDataDir("pages");
const { db } = useTestDb();
afterAll(() => shutdownExtraction());

const RADIOACTIVITY = path.resolve(
  import.meta.dirname,
  "../../shared/fixtures/documents/fr_pc_radioactivite_cours.pdf",
);
const HAS_FIXTURE = existsSync(RADIOACTIVITY);
if (!HAS_FIXTURE) console.warn(`[curriculum-pages] real-textbook cases skipped: ${RADIOACTIVITY} not found`);

const UNKNOWN = "00000000-0000-4000-8000-000000000000";

async function ingest(bytes: Uint8Array, title: string): Promise<string> {
  const { document } = await uploadCurriculum(db(), {
    file: { name: `${title}.pdf`, type: "application/pdf", bytes },
    title,
    grade: "7AS",
    subject: "Physique",
    language: "fr",
    namespace: "curriculum",
  });
  await settleIngestion();
  return document.id;
}

const getPage = (id: string, page: string, q?: string) =>
  call(pageRoute.GET, {
    path: `/api/curriculum/textbooks/${id}/pages/${page}${q === undefined ? "" : `?${new URLSearchParams({ q })}`}`,
    params: { id, page },
  });

async function getImage(id: string, page: string, query = "", headers: Record<string, string> = {}) {
  const req = new Request(`http://localhost/api/curriculum/textbooks/${id}/pages/${page}/image${query}`, {
    headers,
  });
  return imageRoute.GET(req, { params: Promise.resolve({ id, page }) });
}

/** Decoded pixels: size, and the spread of their luminance (0 for a blank page). */
async function pixels(
  png: Uint8Array,
): Promise<{ width: number; height: number; stddev: number; dark: number }> {
  const img = await loadImage(Buffer.from(png));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  let sum = 0;
  let sq = 0;
  let dark = 0;
  const n = img.width * img.height;
  for (let i = 0; i < data.length; i += 4) {
    const l = 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
    sum += l;
    sq += l * l;
    if (l < 128) dark++;
  }
  const mean = sum / n;
  return { width: img.width, height: img.height, stddev: Math.sqrt(sq / n - mean * mean), dark: dark / n };
}

describe("finding a passage", () => {
  it("ignores case, accents, spaces, punctuation and line breaks, and reports each piece's span", () => {
    const pieces = ["La demi-vie est la du", "rée au bout de laquelle", "la MOITIÉ des noyaux"];
    expect(findPassage(pieces, "demi vie est la durée au bout de laquelle la moitie des noy")).toStrictEqual([
      { piece: 0, start: 3, end: 21 },
      { piece: 1, start: 0, end: 23 },
      { piece: 2, start: 0, end: 17 },
    ]);
  });

  it("finds nothing for an unrelated passage, and nothing by chance for short common words", () => {
    const pieces = ["La demi-vie est la durée au bout de laquelle la moitié des noyaux se désintègre."];
    expect(findPassage(pieces, "La photosynthèse des plantes vertes produit du dioxygène")).toStrictEqual([]);
    expect(findPassage(pieces, "de la")).toStrictEqual([]);
    expect(findPassage(pieces, "")).toStrictEqual([]);
  });

  it("matches Arabic whatever its harakat", () => {
    const pieces = ["العَمَلُ المِيكانيكي لقوة ثابتة"];
    expect(findPassage(pieces, "العمل الميكانيكي")).toStrictEqual([{ piece: 0, start: 0, end: 20 }]);
  });
});

describe("citation links", () => {
  it("open the page viewer at the cited page with the start of the excerpt", () => {
    const excerpt = `La demi-vie\nest   la durée ${"x".repeat(300)}`;
    const href = citationHref({ document_id: UNKNOWN, page: 3, excerpt });
    const url = new URL(href, "http://localhost");
    expect(url.pathname).toBe(`/library/${UNKNOWN}/pages/3`);
    const q = url.searchParams.get("q") ?? "";
    expect(q).toHaveLength(160);
    expect(q.startsWith("La demi-vie est la durée xxx")).toBe(true);
    expect(citationHref({ document_id: UNKNOWN, page: 1, excerpt: " " })).toBe(`/library/${UNKNOWN}/pages/1`);
  });
});

describe("a generated textbook", () => {
  let id = "";
  beforeAll(async () => {
    id = await ingest(
      await textPdf([
        [
          "Chapitre 1 : la radioactivite.",
          "La demi-vie est la duree au bout de laquelle la moitie",
          "des noyaux radioactifs se desintegre.",
        ],
        ["Chapitre 2 : les ondes mecaniques.", "Une onde mecanique se propage dans un milieu materiel."],
      ]),
      "Physique generee",
    );
  }, 60_000);

  it("gives the page's text and boxes the passage where it is printed, over two lines", async () => {
    const res = await getPage(id, "1", "la demi-vie est la durée au bout de laquelle la moitié des noyaux");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      document_id: id,
      title: "Physique generee",
      page: 1,
      page_count: 2,
      width: 595,
      height: 842,
      text: "Chapitre 1 : la radioactivite.\nLa demi-vie est la duree au bout de laquelle la moitie\ndes noyaux radioactifs se desintegre.",
      highlights: [expect.any(Object), expect.any(Object)],
      text_highlights: [{ start: 31, end: 96 }],
    });
    expect(res.body.text.slice(31, 96)).toBe(
      "La demi-vie est la duree au bout de laquelle la moitie\ndes noyaux",
    );
    // Lines drawn at x = 56 pt, baselines at 774 and 758 pt from the bottom, 12 pt Helvetica.
    const [first, second] = res.body.highlights as { x: number; y: number; w: number; h: number }[];
    expect(first?.x).toBeCloseTo(56 / 595, 2);
    expect(first?.y).toBeGreaterThan((842 - 774 - 12) / 842);
    expect(first?.y).toBeLessThan((842 - 774) / 842);
    expect(first?.w).toBeGreaterThan(0.4);
    expect(second?.x).toBeCloseTo(56 / 595, 2);
    expect(second?.y).toBeCloseTo((first?.y ?? 0) + 16 / 842, 3);
    // "des noyaux" only: a share of the line "des noyaux radioactifs se desintegre."
    expect(second?.w).toBeLessThan((first?.w ?? 0) / 2);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
  });

  it("has no highlights without a passage, for an unrelated one, or on another page", async () => {
    for (const [page, q] of [
      ["1", undefined],
      ["1", "La photosynthèse des plantes vertes produit du dioxygène"],
      ["2", "la demi-vie est la durée au bout de laquelle"],
    ] as const) {
      const res = await getPage(id, page, q);
      expect(res.status).toBe(200);
      expect(res.body.highlights).toStrictEqual([]);
      expect(res.body.text_highlights).toStrictEqual([]);
    }
  });

  it("answers 404 for an unknown textbook and pages outside it, 400 for malformed parameters", async () => {
    const notFound = { detail: expect.any(String), code: "NOT_FOUND" };
    for (const [doc, page] of [
      [UNKNOWN, "1"],
      // Not an id at all: unknown too, not a 400.
      ["not-a-uuid", "1"],
      [id, "0"],
      [id, "3"],
    ] as const) {
      const json = await getPage(doc, page);
      expect(json.status, `${doc} p. ${page}`).toBe(404);
      expect(json.body).toStrictEqual(notFound);
      const img = await getImage(doc, page);
      expect(img.status).toBe(404);
      expect(await img.json()).toStrictEqual(notFound);
    }
    expect((await getPage(id, "3")).body.detail).toBe("Page not found: this textbook has 2 page(s)");
    expect((await getPage("not-a-uuid", "1")).body.detail).toBe("Textbook not found");
    for (const [doc, page, query, field] of [
      [id, "one", "", "page"],
      [id, "-1", "", "page"],
      [id, "1", "?width=abc", "width"],
      [id, "1", "?width=12.5", "width"],
      [id, "1", "?width=-400", "width"],
    ] as const) {
      const res = await getImage(doc, page, query);
      expect(res.status, `${doc} ${page} ${query}`).toBe(400);
      const body = (await res.json()) as { code: string; errors: { field: string }[] };
      expect(body.code).toBe("VALIDATION_ERROR");
      expect(body.errors[0]?.field).toBe(field);
    }
    const long = await getPage(id, "1", "x".repeat(1001));
    expect(long.status).toBe(400);
    expect(long.body.detail).toBe("q must be at most 1000 characters");
  });

  it("renders pages at the width asked, within bounds", async () => {
    for (const [query, width] of [
      ["", 1000],
      ["?width=500", 500],
      ["?width=10", 320],
      ["?width=99999", 1600],
    ] as const) {
      const res = await getImage(id, "2", query);
      expect(res.status, query).toBe(200);
      const img = await pixels(new Uint8Array(await res.arrayBuffer()));
      expect(img.width).toBe(width);
      expect(img.height).toBe(Math.round((width * 842) / 595));
    }
  });
});

describe("a scanned textbook", () => {
  it("has no text layer, hence no highlights, even for its own OCR'd passage; its page still renders", async () => {
    const id = await ingest(
      await imagePdf([["La radioactivite est une transformation", "spontanee d'un noyau instable."]]),
      "Scan",
    );
    const [chunk] = await db().select().from(chunks).where(eq(chunks.documentId, id));
    expect(chunk?.content).toMatch(/radioactivit/i);
    const res = await getPage(id, "1", chunk?.content.slice(0, 160));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, page_count: 1, text: "", highlights: [], text_highlights: [] });
    const image = await getImage(id, "1", "?width=400");
    const img = await pixels(new Uint8Array(await image.arrayBuffer()));
    expect(img.width).toBe(400);
    expect(img.dark).toBeGreaterThan(0.002);
  }, 60_000);
});

describe.skipIf(!HAS_FIXTURE)("the radioactivity course", () => {
  let id = "";
  beforeAll(async () => {
    id = await ingest(new Uint8Array(readFileSync(RADIOACTIVITY)), "Radioactivité");
  }, 120_000);

  it("highlights a chunk's excerpt on its page, and nothing for an unrelated passage", async () => {
    const rows = await db()
      .select()
      .from(chunks)
      .where(and(eq(chunks.documentId, id)))
      .orderBy(asc(chunks.pageStart), asc(chunks.chunkIndex));
    expect(rows.length).toBeGreaterThan(1);
    let checked = 0;
    for (const chunk of rows) {
      // What a citation carries: the excerpt's first 160 characters, through the link.
      const href = citationHref({ document_id: id, page: chunk.pageStart, excerpt: chunk.content });
      const q = new URL(href, "http://localhost").searchParams.get("q") ?? "";
      const res = await getPage(id, String(chunk.pageStart), q);
      expect(res.status).toBe(200);
      expect(res.body.text.length).toBeGreaterThan(100);
      expect(res.body.highlights.length, `chunk ${chunk.chunkIndex} p. ${chunk.pageStart}`).toBeGreaterThan(
        0,
      );
      expect(res.body.text_highlights.length).toBeGreaterThan(0);
      for (const b of res.body.highlights as { x: number; y: number; w: number; h: number }[]) {
        for (const v of [b.x, b.y, b.w, b.h]) expect(v).toBeGreaterThanOrEqual(0);
        expect(b.x + b.w).toBeLessThanOrEqual(1);
        expect(b.y + b.h).toBeLessThanOrEqual(1);
        expect(b.w).toBeGreaterThan(0);
      }
      checked++;
      if (checked === 3) break;
    }
    const unrelated = await getPage(id, String(rows[0]?.pageStart), "La photosynthèse des plantes vertes");
    expect(unrelated.body.highlights).toStrictEqual([]);
  });

  it("renders a page that is not blank, then serves it from storage with the same ETag, 304 when unchanged", async () => {
    const started = performance.now();
    const first = await getImage(id, "1", "?width=800");
    const renderMs = performance.now() - started;
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/png");
    expect(first.headers.get("cache-control")).toBe("public, max-age=86400, immutable");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{16}-1-800"$/);
    const png = new Uint8Array(await first.arrayBuffer());
    const img = await pixels(png);
    expect(img.width).toBe(800);
    // Printed text: many dark pixels on white, far from a blank (uniform) page.
    expect(img.stddev).toBeGreaterThan(20);
    expect(img.dark).toBeGreaterThan(0.005);

    const cachedFile = path.join(
      process.env.DATA_DIR ?? "",
      "storage",
      "curriculum",
      id,
      "pages",
      `${etag.slice(1, 17)}-p1-w800.png`,
    );
    expect(existsSync(cachedFile)).toBe(true);
    const again = await getImage(id, "1", "?width=800");
    expect(again.status).toBe(200);
    expect(again.headers.get("etag")).toBe(etag);
    expect(new Uint8Array(await again.arrayBuffer())).toStrictEqual(png);
    // Served from that file, not rendered again: what is in it is what is sent.
    writeFileSync(cachedFile, Buffer.concat([Buffer.from(png), Buffer.from("marker")]));
    const fromFile = new Uint8Array(await (await getImage(id, "1", "?width=800")).arrayBuffer());
    expect(Buffer.from(fromFile.subarray(png.length)).toString()).toBe("marker");
    writeFileSync(cachedFile, png);
    console.info(`[curriculum-pages] first render ${Math.round(renderMs)} ms`);

    const notModified = await getImage(id, "1", "?width=800", { "if-none-match": etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("etag")).toBe(etag);
    expect(await notModified.text()).toBe("");
    const otherWidth = await getImage(id, "1", "?width=640", { "if-none-match": etag });
    expect(otherWidth.status).toBe(200);
  });
});
