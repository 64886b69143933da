// One page of a textbook, for the page viewer a citation opens: the page rendered as a PNG (phones'
// PDF viewers often ignore #page=N) and its text layer with the cited passage located on it. The PDF
// work runs in the ingestion's PDF worker thread (lib/ingest/extract), never on the server's event
// loop; rendered pages are kept in storage next to the textbook's file, so a page is rendered once.

import { createHash } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { ApiError, notFound } from "@/lib/http/errors";
import { pdfWorker } from "@/lib/ingest/extract";
import { assemblePageText } from "@/lib/ingest/extract/page-text";
import { PdfPageError, type PdfWorkerClient } from "@/lib/ingest/extract/pdf-client";
import type { LayoutItem } from "@/lib/ingest/extract/protocol";
import { ExtractionError } from "@/lib/ingest/types";
import { getStorage } from "@/lib/storage";
import { ObjectExistsError } from "@/lib/storage/keys";
import { looksLikeGarbage, normalizeText } from "@/lib/text/normalize";
import { getTextbookOrThrow, type Textbook } from "./documents";
import { clampPageWidth } from "./page-width";
import { findPassage } from "./passage";

/** Bumped when rendering changes, so cached images and ETags from before are not served. */
const RENDER_VERSION = 1;

/** A box on the page, as fractions (0..1) of its width and height, from its top-left corner. */
export interface PageBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PageView {
  documentId: string;
  title: string;
  page: number;
  pageCount: number;
  /** The page's size in points, rotation applied (its aspect ratio is the image's). */
  width: number;
  height: number;
  /** The text layer, lines rebuilt; empty for scans and unreadable layers. */
  text: string;
  /** Where the passage is on the page image. */
  highlights: PageBox[];
  /** Where the passage is in `text` (UTF-16 offsets, end exclusive). */
  textHighlights: { start: number; end: number }[];
}

// --- Open documents ---------------------------------------------------------------------------

interface Held {
  open: Promise<{ doc: number; pages: number }>;
  users: number;
  timer: NodeJS.Timeout | null;
}

/** Parsing a textbook costs more than rendering one page: the last few stay open a while. */
const MAX_OPEN = 3;
const IDLE_MS = 60_000;

const heldKey = Symbol.for("bacmr.pages.held");
type GlobalWithHeld = typeof globalThis & { [heldKey]?: Map<string, Held> };

function heldDocs(): Map<string, Held> {
  const g = globalThis as GlobalWithHeld;
  g[heldKey] ??= new Map();
  return g[heldKey];
}

function release(pdf: PdfWorkerClient, storageKey: string, held: Held): void {
  const docs = heldDocs();
  if (docs.get(storageKey) === held) docs.delete(storageKey);
  if (held.timer) clearTimeout(held.timer);
  void held.open.then(({ doc }) => pdf.close(doc)).catch(() => undefined);
}

function acquire(pdf: PdfWorkerClient, storageKey: string): Held {
  const docs = heldDocs();
  let held = docs.get(storageKey);
  if (held) {
    docs.delete(storageKey);
  } else {
    const open = getStorage()
      .getBytes(storageKey)
      .then((bytes) => {
        if (!bytes) throw notFound("Textbook file not found");
        return pdf.open(bytes);
      });
    held = { open, users: 0, timer: null };
    // A failed open is not kept.
    const failed = held;
    open.catch(() => release(pdf, storageKey, failed));
  }
  // Most recently used last; the least recently used idle ones go beyond MAX_OPEN.
  docs.set(storageKey, held);
  if (held.timer) clearTimeout(held.timer);
  held.timer = null;
  held.users++;
  for (const [key, other] of docs) {
    if (docs.size <= MAX_OPEN) break;
    if (other.users === 0) release(pdf, key, other);
  }
  return held;
}

function done(pdf: PdfWorkerClient, storageKey: string, held: Held): void {
  held.users--;
  if (held.users > 0 || heldDocs().get(storageKey) !== held) return;
  held.timer = setTimeout(() => release(pdf, storageKey, held), IDLE_MS);
  held.timer.unref();
}

/** Runs PDF work on a textbook's file, opened in the PDF worker (or still open from a recent request). */
async function withPdf<T>(
  textbook: Textbook,
  work: (pdf: PdfWorkerClient, doc: { doc: number; pages: number }) => Promise<T>,
): Promise<T> {
  const storageKey = textbook.storageKey;
  if (!storageKey) throw notFound("Textbook file not found");
  const pdf = pdfWorker();
  for (let attempt = 0; ; attempt++) {
    const held = acquire(pdf, storageKey);
    try {
      return await work(pdf, await held.open);
    } catch (err) {
      // The worker restarted since the document was opened (it died or timed out on another file):
      // open it again, once.
      const gone = err instanceof Error && /is not open|PDF worker exited/.test(err.message);
      if (gone) release(pdf, storageKey, held);
      if (!gone || attempt > 0) throw renderError(err, textbook);
    } finally {
      done(pdf, storageKey, held);
    }
  }
}

function renderError(err: unknown, textbook: Textbook): unknown {
  if (err instanceof PdfPageError || err instanceof ExtractionError) {
    console.warn(`[pages] ${textbook.id}: ${err.message}`);
    return new ApiError("SERVICE_ERROR", "This page of the textbook cannot be displayed");
  }
  return err;
}

// --- Pages ------------------------------------------------------------------------------------

/** A ready textbook and a page within it; anything else is 404. */
async function textbookPage(
  db: DbOrTx,
  documentId: string,
  page: number,
): Promise<{ textbook: Textbook; pageCount: number }> {
  const textbook = await getTextbookOrThrow(db, documentId);
  const pageCount = textbook.pageCount ?? (await withPdf(textbook, async (_pdf, { pages }) => pages));
  if (!Number.isInteger(page) || page < 1 || page > pageCount) {
    throw notFound(`Page not found: this textbook has ${pageCount} page(s)`);
  }
  return { textbook, pageCount };
}

/** The page's text layer and where the passage `q` is on it (no passage: no highlights). */
export async function getPageView(
  db: DbOrTx,
  { documentId, page, q }: { documentId: string; page: number; q?: string },
): Promise<PageView> {
  const { textbook, pageCount } = await textbookPage(db, documentId, page);
  const layout = await withPdf(textbook, (pdf, { doc }) => pdf.layout(doc, page));
  const raw = assemblePageText(layout.items);
  // A scan's layer is empty; a layer in visual order or mojibake (read by OCR at ingestion) is no text.
  const readable = layout.items.length > 0 && raw.trim() !== "" && !looksLikeGarbage(raw).garbage;
  const text = readable ? normalizeText(raw) : "";
  const passage = q?.trim() ?? "";
  return {
    documentId: textbook.id,
    title: textbook.title,
    page,
    pageCount,
    width: round(layout.width, 2),
    height: round(layout.height, 2),
    text,
    highlights: readable && passage ? highlightBoxes(layout.items, passage) : [],
    textHighlights:
      text && passage ? findPassage([text], passage).map(({ start, end }) => ({ start, end })) : [],
  };
}

/** Boxes of the passage's characters: a share of each item's box, lines merged. */
export function highlightBoxes(items: readonly LayoutItem[], passage: string): PageBox[] {
  const boxes: PageBox[] = [];
  for (const { piece, start, end } of findPassage(
    items.map((i) => i.str),
    passage,
  )) {
    const item = items[piece];
    if (!item) continue;
    const { box } = item;
    let part = box;
    // Glyph widths are not known here: the share of the characters stands for the share of the width.
    // Only along a horizontal run; a vertical one is highlighted whole.
    if (box.w >= box.h && item.str.length > 0) {
      let from = start / item.str.length;
      let to = end / item.str.length;
      if (item.dir === "rtl") [from, to] = [1 - to, 1 - from];
      part = { x: box.x + box.w * from, y: box.y, w: box.w * (to - from), h: box.h };
    }
    const last = boxes[boxes.length - 1];
    if (last && sameLine(last, part)) {
      const x = Math.min(last.x, part.x);
      const y = Math.min(last.y, part.y);
      last.w = Math.max(last.x + last.w, part.x + part.w) - x;
      last.h = Math.max(last.y + last.h, part.y + part.h) - y;
      last.x = x;
      last.y = y;
    } else {
      boxes.push({ ...part });
    }
  }
  return boxes.map((b) => ({ x: round(b.x, 5), y: round(b.y, 5), w: round(b.w, 5), h: round(b.h, 5) }));
}

/** Two boxes on one line, side by side (a word split into items, two runs of a line). */
function sameLine(a: PageBox, b: PageBox): boolean {
  const overlap = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const gap = Math.max(b.x - (a.x + a.w), a.x - (b.x + b.w));
  return overlap > 0.5 * Math.min(a.h, b.h) && gap < 0.02;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

// --- Page images ------------------------------------------------------------------------------

const rendering = new Map<string, Promise<Uint8Array>>();

/**
 * The page as a PNG `width` pixels wide, with its ETag. With `ifNoneMatch` equal to the ETag, `png` is
 * null (the caller answers 304) and nothing is read. Rendered once: later requests read the copy kept
 * in storage under the textbook's folder, named after its file (a new file gets new images).
 */
export async function getPageImage(
  db: DbOrTx,
  {
    documentId,
    page,
    width,
    ifNoneMatch,
  }: { documentId: string; page: number; width: number; ifNoneMatch?: string | null },
): Promise<{ etag: string; png: Uint8Array | null }> {
  const { textbook } = await textbookPage(db, documentId, page);
  const w = clampPageWidth(width);
  const fileHash = createHash("sha256")
    .update(`${textbook.storageKey}:${RENDER_VERSION}`)
    .digest("hex")
    .slice(0, 16);
  const etag = `"${fileHash}-${page}-${w}"`;
  if (ifNoneMatch && matchesEtag(ifNoneMatch, etag)) return { etag, png: null };

  const key = `curriculum/${textbook.id}/pages/${fileHash}-p${page}-w${w}.png`;
  const storage = getStorage();
  const cached = await storage.getBytes(key);
  if (cached) return { etag, png: cached };

  let pending = rendering.get(key);
  if (!pending) {
    pending = (async () => {
      const { png } = await withPdf(textbook, (pdf, { doc }) => pdf.renderPng(doc, page, w));
      const bytes = new Uint8Array(png);
      try {
        await storage.put(key, bytes, "image/png");
      } catch (err) {
        // Another process rendered it too: theirs is the same picture.
        if (!(err instanceof ObjectExistsError)) console.warn(`[pages] could not keep ${key}:`, err);
      }
      return bytes;
    })().finally(() => rendering.delete(key));
    rendering.set(key, pending);
  }
  return { etag, png: await pending };
}

/** If-None-Match: a list of ETags (weak or strong) or "*". */
function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
