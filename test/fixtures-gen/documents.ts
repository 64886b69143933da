// Generated documents for the extraction tests: small, deterministic, made at test time so that the
// suite needs no binary fixtures. Text in images is drawn with the Geist font shipped inside `next`
// (always installed), so OCR tests do not depend on the host's system fonts.

import { existsSync } from "node:fs";
import path from "node:path";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import { PDFDocument, StandardFonts } from "pdf-lib";

const FONT_FILE = path.join(process.cwd(), "node_modules/next/dist/compiled/@vercel/og/Geist-Regular.ttf");
let fontFamily: string | null = null;

function font(): string {
  if (fontFamily) return fontFamily;
  fontFamily =
    existsSync(FONT_FILE) && GlobalFonts.registerFromPath(FONT_FILE, "TestGeist")
      ? "TestGeist"
      : "sans-serif";
  return fontFamily;
}

/** A PDF with a text layer, one entry per page, each entry a list of lines (WinAnsi: French accents ok). */
export async function textPdf(pages: string[][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const helvetica = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    let y = 790;
    for (const line of lines) {
      if (line) page.drawText(line, { x: 56, y, size: 12, font: helvetica });
      y -= 16;
    }
  }
  return doc.save();
}

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

/** Black text on white, 40 px high letters (≈ 12 pt at 240 dpi): what a phone photo of a page gives. */
export async function textImage(lines: string[], format: ImageFormat = "png"): Promise<Uint8Array> {
  const size = 40;
  const width = 1400;
  const height = 80 + lines.length * size * 1.6;
  const canvas = createCanvas(width, Math.round(height));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#111111";
  ctx.font = `${size}px ${font()}`;
  lines.forEach((line, i) => {
    ctx.fillText(line, 60, 60 + size + i * size * 1.6);
  });
  const encoded =
    format === "jpeg"
      ? await canvas.encode("jpeg", 90)
      : format === "webp"
        ? await canvas.encode("webp", 95)
        : format === "gif"
          ? await canvas.encode("gif")
          : await canvas.encode("png");
  return new Uint8Array(encoded);
}

/** A PDF whose pages are images only (no text layer): what a scanner produces. */
export async function imagePdf(pages: string[][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const lines of pages) {
    const png = await doc.embedPng(await textImage(lines, "png"));
    // The image spans the page width, like a scan (≈ 170 dpi for 1400 px on A4).
    const page = doc.addPage([595, 842]);
    const scale = 595 / png.width;
    page.drawImage(png, { x: 0, y: 842 - png.height * scale, width: 595, height: png.height * scale });
  }
  return doc.save();
}

/** A PDF mixing the two: page 1 has a text layer, page 2 is an image only. */
export async function mixedPdf(text: string[], scanned: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.load(await textPdf([text]));
  const scan = await PDFDocument.load(await imagePdf([scanned]));
  const [page] = await doc.copyPages(scan, [0]);
  if (page) doc.addPage(page);
  return doc.save();
}

/**
 * A hand-made PDF whose trailer points to a Standard security handler with a user password: readers
 * must ask for a password before showing anything.
 */
export function encryptedPdf(): Uint8Array {
  const hex32 = (seed: number) =>
    Array.from({ length: 32 }, (_, i) => ((seed * (i + 7) * 31) & 0xff).toString(16).padStart(2, "0")).join(
      "",
    );
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    "<< /Length 44 >>\nstream\nBT /F1 12 Tf 56 790 Td (secret text) Tj ET\nendstream",
    `<< /Filter /Standard /V 1 /R 2 /O <${hex32(3)}> /U <${hex32(5)}> /P -3904 >>`,
  ];
  let body = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R /ID [<${hex32(9)}> <${hex32(9)}>] >>\n`;
  body += `startxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, "latin1"));
}

/** The first third of a real PDF: header present, objects cut, no xref or trailer. */
export async function truncatedPdf(): Promise<Uint8Array> {
  const whole = await textPdf([["Un document coupé en plein milieu."], ["Deuxième page."]]);
  return whole.slice(0, Math.floor(whole.length / 3));
}
