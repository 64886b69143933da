// The PDF worker thread: parses PDFs (pdf.js via unpdf) and renders pages to grayscale rasters, so that
// this CPU-heavy work never blocks the event loop of the server or job that asked.
//
// Uploaded images are not decoded here: @napi-rs/canvas 0.1.100 segfaults (killing the whole process)
// on an image whose header is cut short; tesseract's WASM decoder fails cleanly on the same bytes.
//
// It is started from its source path through tsx (see pdf-client.ts), never bundled: Next bundles server
// code, and neither pdf.js's module nor @napi-rs/canvas's native addon survive bundling.

import { parentPort } from "node:worker_threads";
import type { PDFDocumentProxy, PDFPageProxy } from "unpdf/pdfjs";
import { assemblePageText } from "./page-text";
import { usePatchedPdfjs } from "./pdfjs-patch";
import type {
  GrayImage,
  LayoutItem,
  PageLayout,
  PagePng,
  PageText,
  WorkerErrorCode,
  WorkerRequest,
  WorkerResponse,
  WorkerResult,
} from "./protocol";
import { chooseRenderDpi, rgbaToPgm } from "./raster";

if (!parentPort) throw new Error("pdf-worker.ts runs as a worker thread (see pdf-client.ts)");
const port = parentPort;

// pdf.js calls ArrayBuffer.prototype.transferToFixedLength (Node ≥ 21). Without it, on Node 20, a render
// logs a warning and returns a blank page or never settles. Moving the buffer keeps transfer semantics.
if (!("transferToFixedLength" in ArrayBuffer.prototype)) {
  Object.defineProperty(ArrayBuffer.prototype, "transferToFixedLength", {
    configurable: true,
    writable: true,
    value(this: ArrayBuffer, length?: number): ArrayBuffer {
      const moved: ArrayBuffer = structuredClone(this, { transfer: [this] });
      if (length === undefined || length === moved.byteLength) return moved;
      const resized = new ArrayBuffer(length);
      new Uint8Array(resized).set(new Uint8Array(moved, 0, Math.min(length, moved.byteLength)));
      return resized;
    },
  });
}

class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Canvas = typeof import("@napi-rs/canvas");

const pdfjsReady = (async () => {
  await usePatchedPdfjs();
  const unpdf = await import("unpdf");
  return { unpdf, pdfjs: await unpdf.getResolvedPDFJS() };
})();

// Loaded on the first render only: text extraction must not depend on the native addon.
let canvasReady: Promise<Canvas> | null = null;
function canvas(): Promise<Canvas> {
  canvasReady ??= (async () => {
    const { unpdf } = await pdfjsReady;
    const canvasImport = () => import("@napi-rs/canvas");
    // Registers @napi-rs/canvas with pdf.js (for the canvases it creates itself, e.g. to paint images).
    await unpdf.createIsomorphicCanvasFactory(canvasImport);
    return (await canvasImport()) as Canvas;
  })();
  return canvasReady;
}

const docs = new Map<number, PDFDocumentProxy>();

async function open(id: number, data: ArrayBuffer): Promise<WorkerResult> {
  const { unpdf } = await pdfjsReady;
  const bytes = new Uint8Array(data);
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  if (!head.includes("%PDF-")) throw new WorkerError("CORRUPT", "not a PDF file (no %PDF- header)");
  // Looked at now: pdf.js may take the buffer over.
  const encryptDictionary = hasEncryptDictionary(bytes);
  try {
    const doc = await unpdf.getDocumentProxy(bytes, {
      verbosity: 0,
      disableFontFace: true,
    });
    docs.set(id, doc);
    return { op: "open", pages: doc.numPages };
  } catch (err) {
    const name = (err as Error)?.name ?? "";
    const message = (err as Error)?.message ?? String(err);
    // Only a document that needs a password to open is refused: owner-password ("no copy") PDFs, common
    // for textbooks, open with the empty user password and are read like any other.
    if (name === "PasswordException" || (!/InvalidPDF/.test(name) && encryptDictionary)) {
      throw new WorkerError("ENCRYPTED", "the PDF is password-protected");
    }
    throw new WorkerError("CORRUPT", `unreadable PDF: ${message}`);
  }
}

function hasEncryptDictionary(bytes: Uint8Array): boolean {
  // The trailer (or xref stream dictionary) is near the end of the file.
  const tail = new TextDecoder("latin1").decode(bytes.subarray(Math.max(0, bytes.length - 4096)));
  return /\/Encrypt\s/.test(tail);
}

function getDoc(id: number): PDFDocumentProxy {
  const doc = docs.get(id);
  if (!doc) throw new WorkerError("GONE", `document ${id} is not open (the PDF worker restarted)`);
  return doc;
}

/** Runs pdf.js work on one page; its failures are the page's, not the document's. */
async function onPage<T>(
  docId: number,
  pageNumber: number,
  work: (page: PDFPageProxy) => Promise<T>,
): Promise<T> {
  const doc = getDoc(docId);
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(pageNumber);
  } catch (err) {
    throw new WorkerError("PAGE", `page ${pageNumber}: ${(err as Error)?.message ?? err}`);
  }
  try {
    return await work(page);
  } catch (err) {
    throw new WorkerError("PAGE", `page ${pageNumber}: ${(err as Error)?.message ?? err}`);
  } finally {
    page.cleanup();
  }
}

async function pageText(docId: number, pageNumber: number): Promise<PageText> {
  return onPage(docId, pageNumber, async (page) => {
    const content = await page.getTextContent();
    const items = content.items.filter((item) => "str" in item && item.str.length > 0).length;
    return { text: assemblePageText(content.items), items };
  });
}

async function render(docId: number, pageNumber: number): Promise<GrayImage> {
  const [{ pdfjs }, napi] = await Promise.all([pdfjsReady, canvas()]);
  return onPage(docId, pageNumber, async (page) => {
    // The operator list is needed anyway to paint; the render below reuses it (same intent).
    const ops = await page.getOperatorList();
    let largest: { width: number; height: number } | null = null;
    for (let i = 0; i < ops.fnArray.length; i++) {
      if (ops.fnArray[i] !== pdfjs.OPS.paintImageXObject) continue;
      const [, width, height] = ops.argsArray[i] as [string, number, number];
      if (!largest || width * height > largest.width * largest.height) largest = { width, height };
    }
    const unit = page.getViewport({ scale: 1 });
    const dpi = chooseRenderDpi({ width: unit.width / 72, height: unit.height / 72 }, largest);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const width = Math.max(1, Math.ceil(viewport.width));
    const height = Math.max(1, Math.ceil(viewport.height));
    const canvas = napi.createCanvas(width, height);
    const context = canvas.getContext("2d");
    // pdf.js's typings want DOM canvases; @napi-rs/canvas implements the part it uses.
    await page.render({ canvas, canvasContext: context, viewport } as unknown as Parameters<
      typeof page.render
    >[0]).promise;
    const pgm = rgbaToPgm(context.getImageData(0, 0, width, height).data, width, height);
    canvas.width = 0;
    canvas.height = 0;
    return { pgm, width, height, dpi };
  });
}

/** A page as the page viewer shows it: white paper, `width` pixels wide, PNG. */
async function renderPng(docId: number, pageNumber: number, width: number): Promise<PagePng> {
  const [, napi] = await Promise.all([pdfjsReady, canvas()]);
  return onPage(docId, pageNumber, async (page) => {
    const unit = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: width / unit.width });
    const height = Math.max(1, Math.round(viewport.height));
    const canvas = napi.createCanvas(width, height);
    const context = canvas.getContext("2d");
    // Transparent areas would show the viewer's background: paper is white.
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    await page.render({ canvas, canvasContext: context, viewport } as unknown as Parameters<
      typeof page.render
    >[0]).promise;
    const encoded = await canvas.encode("png");
    canvas.width = 0;
    canvas.height = 0;
    const png = encoded.buffer.slice(
      encoded.byteOffset,
      encoded.byteOffset + encoded.byteLength,
    ) as ArrayBuffer;
    return { png, width, height };
  });
}

/** Share of the font size above the baseline and below it that a line of text occupies. */
const ASCENT = 0.85;
const DESCENT = 0.25;

/**
 * The page's text items with their boxes: each item's run (baseline direction and font size from its
 * transform, length from its width) mapped through the upright viewport, as fractions of the page.
 */
async function pageLayout(docId: number, pageNumber: number): Promise<PageLayout> {
  return onPage(docId, pageNumber, async (page) => {
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    const items: LayoutItem[] = [];
    for (const item of content.items) {
      if (!("str" in item) || item.str.length === 0) continue;
      const [a = 1, b = 0, c = 0, d = 1, e = 0, f = 0] = item.transform as number[];
      const size = Math.hypot(c, d) || item.height || 1;
      const run = Math.hypot(a, b) || 1;
      // Along the baseline, and across it (upwards); text with no skew has them at right angles.
      const [ux, uy] = [a / run, b / run];
      const [vx, vy] = Math.hypot(c, d) ? [c / Math.hypot(c, d), d / Math.hypot(c, d)] : [-uy, ux];
      const corners = [
        [0, -DESCENT],
        [item.width, -DESCENT],
        [0, ASCENT],
        [item.width, ASCENT],
      ].map(([along = 0, across = 0]) =>
        viewport.convertToViewportPoint(
          e + ux * along + vx * across * size,
          f + uy * along + vy * across * size,
        ),
      ) as [number, number][];
      const xs = corners.map((p) => p[0]);
      const ys = corners.map((p) => p[1]);
      const x0 = Math.max(0, Math.min(...xs));
      const y0 = Math.max(0, Math.min(...ys));
      const x1 = Math.min(viewport.width, Math.max(...xs));
      const y1 = Math.min(viewport.height, Math.max(...ys));
      items.push({
        str: item.str,
        dir: item.dir,
        hasEOL: item.hasEOL,
        transform: item.transform as number[],
        width: item.width,
        height: item.height,
        box: {
          x: x0 / viewport.width,
          y: y0 / viewport.height,
          w: Math.max(0, x1 - x0) / viewport.width,
          h: Math.max(0, y1 - y0) / viewport.height,
        },
      });
    }
    return { width: viewport.width, height: viewport.height, items };
  });
}

async function handle(req: WorkerRequest): Promise<[WorkerResult, ArrayBuffer[]]> {
  switch (req.op) {
    case "open":
      return [await open(req.doc, req.data), []];
    case "text":
      return [{ op: "text", value: await pageText(req.doc, req.page) }, []];
    case "render": {
      const value = await render(req.doc, req.page);
      return [{ op: "render", value }, [value.pgm]];
    }
    case "png": {
      const value = await renderPng(req.doc, req.page, req.width);
      return [{ op: "png", value }, [value.png]];
    }
    case "layout":
      return [{ op: "layout", value: await pageLayout(req.doc, req.page) }, []];
    case "close": {
      const doc = docs.get(req.doc);
      docs.delete(req.doc);
      await doc?.loadingTask.destroy();
      return [{ op: "close" }, []];
    }
  }
}

port.on("message", (req: WorkerRequest) => {
  handle(req).then(
    ([result, transfer]) =>
      port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse, transfer),
    (err: unknown) => {
      const code = err instanceof WorkerError ? err.code : "INTERNAL";
      const message = err instanceof Error ? err.message : String(err);
      port.postMessage({ id: req.id, ok: false, code, message } satisfies WorkerResponse);
    },
  );
});

// pdf.js reports some font and stream problems as stray rejections; one bad page must not kill the
// thread (and every other document open in it).
process.on("unhandledRejection", (reason) => {
  console.warn("[extract] pdf worker: unhandled rejection:", reason);
});
