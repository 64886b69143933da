// Messages between the caller's thread (pdf-client.ts) and the PDF worker thread (pdf-worker.ts).
// Types only: the worker is started from its source path, outside any bundle, so nothing here may be a
// value the two sides need to share at run time.

/** A grayscale raster (binary PGM, "P5"): what tesseract reads fastest (no PNG decode in WASM). */
export interface GrayImage {
  pgm: ArrayBuffer;
  width: number;
  height: number;
  /** Resolution the page was rendered at (for logs). */
  dpi: number;
}

export interface PageText {
  /** The page's text layer, lines and spaces rebuilt from glyph positions; not yet normalised. */
  text: string;
  /** Text items on the page (0: no text layer at all). */
  items: number;
}

/** A page rendered for display (the page viewer), at a chosen width. */
export interface PagePng {
  png: ArrayBuffer;
  width: number;
  height: number;
}

/** One text item of a page with its box, as fractions (0..1) of the page seen upright. */
export interface LayoutItem {
  str: string;
  /** pdf.js's direction of the run: in "rtl" the first character is at the box's end. */
  dir: string;
  hasEOL: boolean;
  transform: number[];
  width: number;
  height: number;
  box: { x: number; y: number; w: number; h: number };
}

/** A page's text items with their positions, and its size in points (rotation applied). */
export interface PageLayout {
  width: number;
  height: number;
  items: LayoutItem[];
}

export type WorkerRequest =
  // Document ids are chosen by the client and never reused, so a handle from a worker that died can
  // never address another document opened in its replacement.
  | { id: number; op: "open"; doc: number; data: ArrayBuffer }
  | { id: number; op: "text"; doc: number; page: number }
  | { id: number; op: "render"; doc: number; page: number }
  | { id: number; op: "png"; doc: number; page: number; width: number }
  | { id: number; op: "layout"; doc: number; page: number }
  | { id: number; op: "close"; doc: number };

export type WorkerResult =
  | { op: "open"; pages: number }
  | { op: "text"; value: PageText }
  | { op: "render"; value: GrayImage }
  | { op: "png"; value: PagePng }
  | { op: "layout"; value: PageLayout }
  | { op: "close" };

/**
 * "ENCRYPTED" and "CORRUPT" map to ExtractionError codes; "PAGE": pdf.js failed on one page (the others
 * may be fine); "GONE": the document is not open in this worker (it restarted); "INTERNAL": anything else.
 */
export type WorkerErrorCode = "ENCRYPTED" | "CORRUPT" | "PAGE" | "GONE" | "INTERNAL";

export type WorkerResponse =
  | { id: number; ok: true; result: WorkerResult }
  | { id: number; ok: false; code: WorkerErrorCode; message: string };
