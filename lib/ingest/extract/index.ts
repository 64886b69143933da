// Text extraction for the ingestion pipeline: a document's bytes in, its pages' text out, one page at a
// time. PDF pages come from their text layer when it is trustworthy, else they are rendered and OCR'd;
// images are OCR'd. Parsing and rendering run in a worker thread (pdf-worker.ts), recognition in
// tesseract.js's own worker threads: the caller's event loop only routes messages.

import { looksLikeGarbage, normalizeText, scriptStats } from "@/lib/text/normalize";
import { type ExtractedPage, ExtractionError, type ExtractOptions } from "../types";
import { OCR_PAGE_TIMEOUT_MS, OcrPool, type OcrResult } from "./ocr";
import { PdfPageError, PdfWorkerClient } from "./pdf-client";
import type { GrayImage } from "./protocol";

export interface ExtractEngineOptions extends ExtractOptions {
  /** Per-page OCR budget (default 60 s). A page over it is yielded empty with a reason, not fatal. */
  ocrTimeoutMs?: number;
}

/** Pages whose text layer has fewer letters than this are OCR'd too (scans with a stamp, headers only). */
export const MIN_TEXT_LAYER_LETTERS = 40;
/** Consecutive OCR timeouts after which the document fails (retryable): the machine is overloaded. */
const MAX_CONSECUTIVE_TIMEOUTS = 3;
/** Below this mean confidence, a page read as French is read again as Arabic+French. */
const LATIN_CONFIDENCE_FLOOR = 60;

const PDF_TYPES = new Set(["application/pdf", "application/x-pdf"]);
const IMAGE_TYPES = new Set([
  "image/jpeg",
  "image/jpg",
  "image/pjpeg",
  "image/png",
  "image/gif",
  "image/webp",
  "image/bmp",
]);

interface Engine {
  pdf: PdfWorkerClient;
  ocr: OcrPool;
}

// One engine per process, kept on globalThis so that Next's dev reloads do not leak workers.
const globalKey = Symbol.for("bacmr.extract.engine");
type GlobalWithEngine = typeof globalThis & { [globalKey]?: Engine };

function engine(): Engine {
  const g = globalThis as GlobalWithEngine;
  g[globalKey] ??= { pdf: new PdfWorkerClient(), ocr: new OcrPool() };
  return g[globalKey];
}

/** The process's PDF worker, for other readers of PDFs (the page viewer renders and locates text with it). */
export function pdfWorker(): PdfWorkerClient {
  return engine().pdf;
}

/** Terminates the OCR workers and the PDF worker (tests, server shutdown). Extraction can start again. */
export async function shutdownExtraction(): Promise<void> {
  const g = globalThis as GlobalWithEngine;
  const current = g[globalKey];
  if (!current) return;
  delete g[globalKey];
  await Promise.all([current.ocr.terminate(), current.pdf.terminate()]);
}

/**
 * The document kind. The bytes win over the declared type when they are clearly a PDF or an image
 * (browsers and phones mislabel uploads); otherwise the declared type decides, and an unsupported one
 * is refused.
 */
export function detectKind(bytes: Uint8Array, mimeType: string): "pdf" | "image" | null {
  if (new TextDecoder("latin1").decode(bytes.subarray(0, 1024)).includes("%PDF-")) return "pdf";
  if (imageFormat(bytes)) return "image";
  const mime = mimeType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (PDF_TYPES.has(mime)) return "pdf";
  if (IMAGE_TYPES.has(mime)) return "image";
  return null;
}

/**
 * Yields the pages of a PDF or image, in order. Throws ExtractionError: UNSUPPORTED (type), CORRUPT,
 * ENCRYPTED (needs a password), TOO_MANY_PAGES (checked before any page work), ABORTED (opts.signal),
 * TIMEOUT (the PDF worker hung, or OCR timed out on several pages in a row). A single page whose OCR
 * times out is yielded with empty text and a reason: one bad page should not cost a whole document.
 */
export async function* extractPages(
  bytes: Uint8Array,
  mimeType: string,
  opts: ExtractEngineOptions = {},
): AsyncGenerator<ExtractedPage> {
  const kind = detectKind(bytes, mimeType);
  if (!kind) throw new ExtractionError("UNSUPPORTED", `unsupported document type: ${mimeType || "unknown"}`);
  if (opts.signal?.aborted) throw new ExtractionError("ABORTED", "extraction aborted");
  if (kind === "image") yield* extractImage(bytes, opts);
  else yield* extractPdf(bytes, opts);
}

async function* extractImage(bytes: Uint8Array, opts: ExtractEngineOptions): AsyncGenerator<ExtractedPage> {
  // Tesseract decodes the upload itself (WASM: a malformed file is an error, not a crash, and the EXIF
  // orientation of phone photos is applied); recognising the original costs ~0.3 s more per image than
  // a raw raster would, which only matters for the many pages of a PDF.
  const format = imageFormat(bytes);
  if (!format)
    throw new ExtractionError("CORRUPT", "unreadable image (not a JPEG, PNG, GIF, WebP or BMP file)");
  const started = performance.now();
  opts.onTotal?.(1);
  const result = await ocrPage(engine().ocr, { bytes, describe: format }, new DocumentScript(), null, opts);
  yield {
    page: 1,
    text: result.text,
    method: "ocr",
    reason: `image; ${result.reason}`,
    ms: Math.round(performance.now() - started),
  };
}

function imageFormat(bytes: Uint8Array): string | null {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 16));
  if (head.startsWith("\xff\xd8\xff")) return "JPEG";
  if (head.startsWith("\x89PNG\r\n\x1a\n")) return "PNG";
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "GIF";
  if (head.startsWith("RIFF") && head.slice(8, 12) === "WEBP") return "WebP";
  if (head.startsWith("BM")) return "BMP";
  return null;
}

async function* extractPdf(bytes: Uint8Array, opts: ExtractEngineOptions): AsyncGenerator<ExtractedPage> {
  const { pdf, ocr } = engine();
  // Aborted when the consumer stops early too: pages still queued for OCR are dropped.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  opts = { ...opts, signal };
  const { doc, pages } = await pdf.open(bytes, opts.signal);
  try {
    if (opts.maxPages !== undefined && pages > opts.maxPages) {
      throw new ExtractionError(
        "TOO_MANY_PAGES",
        `the document has ${pages} pages (at most ${opts.maxPages})`,
      );
    }
    if (pages === 0) throw new ExtractionError("CORRUPT", "the PDF has no pages");
    opts.onTotal?.(pages);

    const script = new DocumentScript();
    const timedOut = new Set<number>();
    let consecutiveTimeouts = 0;
    const processPage = async (page: number): Promise<ExtractedPage> => {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let text = "";
      let letters = 0;
      let reason: string;
      let hint: Script | null = null;
      try {
        const layer = await pdf.text(doc, page, opts.signal);
        text = normalizeText(layer.text);
        const stats = scriptStats(text);
        letters = stats.letters;
        if (layer.items === 0 || letters === 0) reason = "no text layer";
        else if (letters < MIN_TEXT_LAYER_LETTERS) reason = `too little text (${letters} letters)`;
        else {
          const verdict = looksLikeGarbage(layer.text);
          if (!verdict.garbage) {
            script.observe(stats);
            return { page, text, method: "text", ms: elapsed() };
          }
          reason = `garbage text layer: ${verdict.reason}`;
          // Still tells the script: "شغم و قدرج" is Arabic.
          hint = scriptOf(stats);
        }
      } catch (err) {
        if (!(err instanceof PdfPageError)) throw err;
        reason = `unreadable text layer (${err.message})`;
      }

      let image: GrayImage;
      try {
        image = await pdf.render(doc, page, opts.signal);
      } catch (err) {
        if (!(err instanceof PdfPageError)) throw err;
        // One broken page must not cost the whole document; a short but sound layer is still worth keeping.
        const short = letters > 0 && letters < MIN_TEXT_LAYER_LETTERS;
        return {
          page,
          text: short ? text : "",
          method: short ? "text" : "ocr",
          reason: `${reason}; unrenderable page (${err.message})`,
          ms: elapsed(),
        };
      }
      const input = {
        bytes: new Uint8Array(image.pgm),
        describe: `${image.width}×${image.height} px at ${image.dpi} dpi`,
      };
      const result = await ocrPage(ocr, input, script, hint, opts);
      if (result.timedOut) {
        timedOut.add(page);
        return { page, text: "", method: "ocr", reason: `${reason}; ${result.reason}`, ms: elapsed() };
      }
      if (letters > 0 && letters < MIN_TEXT_LAYER_LETTERS && scriptStats(result.text).letters <= letters) {
        // OCR found nothing the short layer lacked (a title page, a nearly blank page): keep the layer.
        return { page, text, method: "text", reason: `${reason}; OCR found no more text`, ms: elapsed() };
      }
      return { page, text: result.text, method: "ocr", reason: `${reason}; ${result.reason}`, ms: elapsed() };
    };

    // Pages are worked on a few at a time (as many as OCR workers, plus one rendering) and yielded in
    // order: memory stays flat whatever the page count, and the OCR pool stays busy.
    const lookahead = ocr.size + 1;
    const inFlight = new Map<number, Promise<ExtractedPage>>();
    let next = 1;
    try {
      for (let page = 1; page <= pages; page++) {
        while (next <= pages && next < page + lookahead) {
          const p = processPage(next);
          // Settled later, in order; an early failure must not surface as an unhandled rejection.
          p.catch(() => undefined);
          inFlight.set(next, p);
          next++;
        }
        const result = await inFlight.get(page);
        inFlight.delete(page);
        if (!result) continue;
        if (opts.signal?.aborted) throw new ExtractionError("ABORTED", "extraction aborted");
        consecutiveTimeouts = timedOut.has(page) ? consecutiveTimeouts + 1 : 0;
        if (consecutiveTimeouts >= MAX_CONSECUTIVE_TIMEOUTS) {
          throw new ExtractionError("TIMEOUT", `OCR timed out on ${consecutiveTimeouts} pages in a row`);
        }
        yield result;
      }
    } finally {
      // Early exit (consumer stopped, error): pages still in flight are abandoned.
      stop.abort();
      inFlight.clear();
    }
  } finally {
    await pdf.close(doc);
  }
}

// ---------------------------------------------------------------------------------------------------
// OCR languages
//
// "fra" reads French (and English) at ~1.3 s per scanned page; "ara+fra" reads Arabic with its Latin
// formulas at ~1.5–1.8 s but costs twice as much as "fra" on a French page, and "fra" on an Arabic page
// returns junk at low confidence in ~0.6 s. So: use what the document has shown so far (text layers,
// earlier OCR'd pages); with nothing to go on, read with "fra" and re-read with "ara+fra" when the
// confidence is low. The first page of a document without any hint is read alone, the others wait for
// its verdict instead of each paying for a wrong guess.

type Script = "arabic" | "latin";

function scriptOf(stats: { letters: number; arabicShare: number }): Script | null {
  if (stats.letters < 20) return null;
  return stats.arabicShare >= 0.3 ? "arabic" : "latin";
}

class DocumentScript {
  script: Script | null = null;
  private probe: Promise<void> | null = null;

  observe(stats: { letters: number; arabicShare: number }): void {
    const s = scriptOf(stats);
    if (s) this.script = s;
  }

  /** Runs `read` as the document's first probe, or waits for the probe under way. */
  async guard<T>(read: () => Promise<T>): Promise<T> {
    if (this.script || !this.probe) {
      if (this.script) return read();
      let done!: () => void;
      this.probe = new Promise<void>((resolve) => {
        done = resolve;
      });
      try {
        return await read();
      } finally {
        done();
      }
    }
    await this.probe;
    return read();
  }
}

interface PageOcr {
  text: string;
  reason: string;
  timedOut: boolean;
}

async function ocrPage(
  ocr: OcrPool,
  { bytes, describe }: { bytes: Uint8Array; describe: string },
  doc: DocumentScript,
  hint: Script | null,
  opts: ExtractEngineOptions,
): Promise<PageOcr> {
  const options = { timeoutMs: opts.ocrTimeoutMs ?? OCR_PAGE_TIMEOUT_MS, signal: opts.signal };
  try {
    const read = async (): Promise<OcrResult> => {
      const script = hint ?? doc.script;
      if (script === "arabic") return ocr.recognize(bytes, "ara+fra", options);
      const latin = await ocr.recognize(bytes, "fra", options);
      // A blank page has confidence 0 too, and nothing to re-read.
      if (latin.confidence >= LATIN_CONFIDENCE_FLOOR || latin.text.trim() === "") return latin;
      const arabic = await ocr.recognize(bytes, "ara+fra", options);
      return arabic.confidence > latin.confidence ? arabic : latin;
    };
    const result = hint ? await read() : await doc.guard(read);
    const text = normalizeText(result.text);
    // A page read with low confidence (handwriting, a figure) says little about the document's script.
    if (result.confidence >= LATIN_CONFIDENCE_FLOOR) doc.observe(scriptStats(text));
    return {
      text,
      reason: `OCR ${result.languages}, confidence ${Math.round(result.confidence)}, ${describe}`,
      timedOut: false,
    };
  } catch (err) {
    if (err instanceof ExtractionError && err.code === "TIMEOUT") {
      return { text: "", reason: `OCR timed out (${describe})`, timedOut: true };
    }
    throw err;
  }
}
