import { PDFDocument, StandardFonts } from "pdf-lib";

/** A real PDF with a text layer: one string per page (WinAnsi: French accents are fine). */
export async function textPdf(pages: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([595, 842]);
    let y = 800;
    for (const paragraph of text.split("\n")) {
      const words = paragraph.split(" ");
      let line = "";
      for (const w of words) {
        const next = line ? `${line} ${w}` : w;
        if (font.widthOfTextAtSize(next, 11) > 500) {
          page.drawText(line, { x: 48, y, size: 11, font });
          y -= 15;
          line = w;
        } else {
          line = next;
        }
      }
      if (line) page.drawText(line, { x: 48, y, size: 11, font });
      y -= 22;
    }
  }
  return doc.save();
}
