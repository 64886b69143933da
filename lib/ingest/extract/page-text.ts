// Rebuilds a page's text from pdf.js text items. unpdf's extractText() concatenates items as they come,
// which glues words whenever a PDF positions them apart instead of writing a space ("صلبفي",
// "القوةومتجهة"); here a space is inserted where the glyph boxes leave a gap, and a blank line where
// the vertical gap says a new block starts (the chunker splits on those).

/** The fields of a pdf.js TextItem this needs (marked-content items have no `str`). */
export interface TextItemLike {
  /** Set on marked-content items ("beginMarkedContent"…), which carry no text. */
  type?: string;
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
  hasEOL?: boolean;
}

/** A word space is ~0.25 em; kerning and split glyph runs leave well under 0.1 em. */
const SPACE_GAP_EM = 0.12;
/** A baseline moving by more than this (in em) without an EOL flag starts a new line (not a sub/superscript). */
const NEW_LINE_EM = 0.75;
/** Line spacing is ~1.2 em; a larger jump between lines separates blocks. */
const PARAGRAPH_EM = 1.8;

export function assemblePageText(items: readonly TextItemLike[]): string {
  let out = "";
  let prev: { x0: number; x1: number; y: number; size: number } | null = null;
  let pendingBreak = false;

  for (const item of items) {
    if (typeof item.str !== "string") continue;
    const str = item.str;
    if (str.length > 0) {
      const [, , c = 0, d = 1, e = 0, f = 0] = item.transform ?? [];
      const size = Math.hypot(c, d) || item.height || 1;
      const width = item.width ?? 0;
      const box = { x0: Math.min(e, e + width), x1: Math.max(e, e + width), y: f, size };
      if (prev) {
        const dy = Math.abs(box.y - prev.y);
        const em = Math.max(size, prev.size);
        if (pendingBreak || dy > NEW_LINE_EM * em) {
          out = out.replace(/[ ]+$/, "");
          out += dy > PARAGRAPH_EM * prev.size ? "\n\n" : "\n";
        } else {
          // Direction-agnostic gap between the two boxes: RTL runs advance leftwards.
          const gap = Math.max(box.x0 - prev.x1, prev.x0 - box.x1);
          if (gap > SPACE_GAP_EM * em && !/\s$/.test(out) && !/^\s/.test(str)) out += " ";
        }
      }
      out += str;
      prev = box;
      pendingBreak = false;
    }
    if (item.hasEOL) pendingBreak = true;
  }
  return out;
}
