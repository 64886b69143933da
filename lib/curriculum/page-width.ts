// Widths of the page images the viewer asks for: shared by the API contract, the renderer and the
// page (its srcset), none of which should load the others' code.

/** Widths a page image may be asked for, in pixels; others are brought within these bounds. */
export const PAGE_WIDTH = { min: 320, max: 1600, default: 1000 } as const;

/** The widths the viewer offers the browser (srcset): few, so each page is rendered a few times at most. */
export const VIEWER_WIDTHS = [640, 1000, 1600] as const;

export function clampPageWidth(width: number): number {
  return Math.min(PAGE_WIDTH.max, Math.max(PAGE_WIDTH.min, Math.round(width)));
}
