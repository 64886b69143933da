// Pixel helpers for the PDF worker. Tesseract gets binary PGM: measured on the fixture scans it
// recognises a grayscale PGM 0.3–0.5 s faster than the same page as PNG (no PNG decode in WASM), with
// the same accuracy on scans, and producing it costs ~50 ms instead of ~250 ms for a PNG encode.

/** Binary PGM (P5) of RGBA pixels, luminance composited over white (transparent areas are paper). */
export function rgbaToPgm(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): ArrayBuffer {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const pixels = width * height;
  const out = new Uint8Array(header.length + pixels);
  out.set(header, 0);
  for (let i = 0, j = header.length, k = 0; i < pixels; i++, j++, k += 4) {
    const a = rgba[k + 3] ?? 255;
    // Rec. 601 luma in 8.8 fixed point.
    const luma = ((rgba[k] ?? 0) * 77 + (rgba[k + 1] ?? 0) * 150 + (rgba[k + 2] ?? 0) * 29) >> 8;
    out[j] = a === 255 ? luma : (luma * a + 255 * (255 - a) + 127) / 255;
  }
  return out.buffer;
}

/** Largest side, in pixels, of an image or rendered page handed to OCR (memory and time bound). */
export const MAX_OCR_SIDE = 5000;
/** Render resolution for vector pages; scans are rendered at their own resolution within these bounds. */
export const RENDER_DPI = 300;
export const MIN_RENDER_DPI = 150;

/**
 * Render resolution for a page: a scan's own resolution (upsampling a 200 dpi scan to 300 dpi made OCR
 * slower and, on the Arabic fixture, worse), else RENDER_DPI. `image` is the largest raster on the page;
 * it counts as a scan when it is large and shaped like the page (a photo inside a text page is not).
 */
export function chooseRenderDpi(
  pageInches: { width: number; height: number },
  image: { width: number; height: number } | null,
): number {
  let dpi = RENDER_DPI;
  const pageRatio = pageInches.width / pageInches.height;
  const shapedLikePage = (w: number, h: number) => Math.abs(w / h / pageRatio - 1) < 0.12;
  if (
    image &&
    image.width * image.height >= 1_000_000 &&
    (shapedLikePage(image.width, image.height) || shapedLikePage(image.height, image.width))
  ) {
    const native = Math.sqrt((image.width * image.height) / (pageInches.width * pageInches.height));
    dpi = Math.min(RENDER_DPI, Math.max(MIN_RENDER_DPI, Math.round(native)));
  }
  const longest = Math.max(pageInches.width, pageInches.height) * dpi;
  if (longest > MAX_OCR_SIDE) dpi = Math.floor(MAX_OCR_SIDE / Math.max(pageInches.width, pageInches.height));
  return Math.max(1, dpi);
}
