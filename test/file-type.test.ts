import { describe, expect, it } from "vitest";
import { checkUpload, sniffFileType } from "@/lib/storage/file-type";

const MB = 1024 * 1024;
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : p)));
const text = (s: string) => new TextEncoder().encode(s);

// Real headers, a few bytes past the magic number so nothing passes by length alone.
const FILES = {
  pdf: bytes("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n"),
  jpeg: bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], "JFIF", [0]),
  jpegExif: bytes([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x18], "Exif", [0, 0]),
  png: bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], "IHDR"),
  gif87: bytes("GIF87a", [1, 0, 1, 0]),
  gif89: bytes("GIF89a", [1, 0, 1, 0]),
  webp: bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "),
  bmp: bytes("BM", [0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]),
  elf: bytes([0x7f], "ELF", [2, 1, 1, 0, 0, 0, 0, 0]),
  exe: bytes("MZ", [0x90, 0, 3, 0, 0, 0, 4, 0]),
  zip: bytes("PK", [3, 4, 0x14, 0, 0, 0, 8, 0]),
  tiff: bytes("II*", [0, 8, 0, 0, 0]),
  heic: bytes([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic"),
  mp4: bytes([0, 0, 0, 0x20], "ftypisom", [0, 0, 2, 0]),
  wav: bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "),
  gzip: bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]),
  text: text("Chapitre 1 : la radioactivité.\nUn noyau instable se désintègre.\n"),
  arabicText: text("الدرس الأول: النشاط الإشعاعي\n"),
  html: text("<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>"),
  htmlBom: text("\uFEFF  <html lang=fr><head></head></html>"),
  svg: text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
  xml: text('<?xml version="1.0"?><note/>'),
  binary: bytes([0x00, 0x13, 0x37, 0xc0, 0xff, 0xee, 0x00, 0x01]),
};

describe("sniffFileType", () => {
  it.each([
    ["pdf", "application/pdf"],
    ["jpeg", "image/jpeg"],
    ["jpegExif", "image/jpeg"],
    ["png", "image/png"],
    ["gif87", "image/gif"],
    ["gif89", "image/gif"],
    ["webp", "image/webp"],
    ["bmp", null],
    ["elf", null],
    ["exe", null],
    ["zip", null],
    ["tiff", null],
    ["heic", null],
    ["wav", null],
    ["text", null],
    ["html", null],
    ["svg", null],
    ["binary", null],
  ] as const)("%s → %s", (name, expected) => {
    expect(sniffFileType(FILES[name])).toBe(expected);
  });

  it("finds a PDF header after junk within the first 1024 bytes, not after", () => {
    const header = text("%PDF-1.4\n");
    const withJunk = (junk: number) => new Uint8Array([...new Uint8Array(junk).fill(0x20), ...header]);
    expect(sniffFileType(withJunk(1019))).toBe("application/pdf");
    expect(sniffFileType(withJunk(1020))).toBeNull();
  });

  it.each([
    ["nothing", new Uint8Array()],
    ["half a PNG signature", bytes([0x89, 0x50, 0x4e, 0x47])],
    ["two JPEG bytes", bytes([0xff, 0xd8])],
    ["a RIFF without WEBP", bytes("RIFF", [0, 0, 0, 0])],
    ["GIF without its version", bytes("GIF8")],
    ["%PDF without the dash", bytes("%PDF")],
  ])("is null for %s", (_label, input) => {
    expect(sniffFileType(input)).toBeNull();
  });
});

describe("checkUpload", () => {
  const check = (file: Uint8Array, declaredType: string, fileName: string, maxBytes = 10 * MB) =>
    checkUpload({ bytes: file, declaredType, fileName, maxBytes });

  it.each([
    ["pdf", "application/pdf", "cours.pdf", "application/pdf"],
    ["jpeg", "image/jpeg", "page.jpg", "image/jpeg"],
    ["png", "image/png", "page.png", "image/png"],
    ["gif89", "image/gif", "schema.gif", "image/gif"],
    ["webp", "image/webp", "photo.webp", "image/webp"],
    // Labels that disagree with allowed content: the bytes win and the true type is kept.
    ["jpeg", "image/png", "scan.png", "image/jpeg"],
    ["pdf", "application/octet-stream", "cours", "application/pdf"],
    ["pdf", "", "", "application/pdf"],
    ["png", "image/x-png", "a.png", "image/png"],
    ["jpeg", "image/jpg", "a.jpg", "image/jpeg"],
    ["pdf", "application/pdf; charset=binary", "a.pdf", "application/pdf"],
    ["png", "image/bmp", "a.bmp", "image/png"],
  ] as const)("accepts %s declared %j (%j) as %s", (name, declaredType, fileName, mimeType) => {
    expect(check(FILES[name], declaredType, fileName)).toStrictEqual({ ok: true, mimeType });
  });

  it.each([
    // The spec's own example.
    ["bmp", "image/bmp", "photo.bmp", "File type image/bmp not allowed"],
    ["bmp", "IMAGE/BMP", "photo.bmp", "File type image/bmp not allowed"],
    // A generic declared type: the extension says what the user believes they sent.
    ["bmp", "application/octet-stream", "photo.bmp", "File type image/bmp not allowed"],
    ["exe", "", "setup.exe", "File type application/vnd.microsoft.portable-executable not allowed"],
    ["zip", "application/zip", "cours.zip", "File type application/zip not allowed"],
    [
      "zip",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "cours.docx",
      "File type application/vnd.openxmlformats-officedocument.wordprocessingml.document not allowed",
    ],
    ["text", "text/plain", "notes.txt", "File type text/plain not allowed"],
    ["html", "text/html", "page.html", "File type text/html not allowed"],
    ["svg", "image/svg+xml", "logo.svg", "File type image/svg+xml not allowed"],
    ["tiff", "image/tiff", "scan.tif", "File type image/tiff not allowed"],
    ["heic", "image/heic", "IMG_0001.HEIC", "File type image/heic not allowed"],
    // Neither the label nor the name say anything: the content is named.
    ["elf", "application/octet-stream", "a.out", "File type application/x-executable not allowed"],
    ["bmp", "", "", "File type image/bmp not allowed"],
    ["text", "", "LISEZMOI", "File type text/plain not allowed"],
    ["htmlBom", "", "", "File type text/html not allowed"],
    ["xml", "", "", "File type application/xml not allowed"],
    ["mp4", "application/octet-stream", "video", "File type video/mp4 not allowed"],
    ["gzip", "", "", "File type application/gzip not allowed"],
    ["binary", "application/octet-stream", "blob", "File type application/octet-stream not allowed"],
    // A malformed declared type is not echoed back.
    ["binary", "<script>alert(1)</script>", "x", "File type application/octet-stream not allowed"],
    // Claimed to be an allowed type, but the bytes are something else.
    [
      "text",
      "application/pdf",
      "cours.pdf",
      "File content does not match application/pdf (it looks like text/plain)",
    ],
    [
      "arabicText",
      "application/pdf",
      "درس.pdf",
      "File content does not match application/pdf (it looks like text/plain)",
    ],
    [
      "elf",
      "application/pdf",
      "cours.pdf",
      "File content does not match application/pdf (it looks like application/x-executable)",
    ],
    [
      "exe",
      "application/octet-stream",
      "cours.pdf",
      "File content does not match application/pdf (it looks like application/vnd.microsoft.portable-executable)",
    ],
    ["html", "image/jpeg", "photo.jpg", "File content does not match image/jpeg (it looks like text/html)"],
    ["bmp", "image/png", "photo.png", "File content does not match image/png (it looks like image/bmp)"],
    ["wav", "image/webp", "son.webp", "File content does not match image/webp (it looks like audio/wav)"],
    ["binary", "application/pdf", "cours.pdf", "File content does not match application/pdf"],
  ] as const)("refuses %s declared %j (%j): %s", (name, declaredType, fileName, detail) => {
    expect(check(FILES[name], declaredType, fileName)).toStrictEqual({ ok: false, status: 400, detail });
  });

  it("refuses an empty file before anything else", () => {
    for (const declaredType of ["application/pdf", "image/bmp", ""]) {
      expect(check(new Uint8Array(), declaredType, "empty.pdf")).toStrictEqual({
        ok: false,
        status: 400,
        detail: "File is empty",
      });
    }
  });

  it("refuses a file over the limit with 413, and accepts one exactly at it", () => {
    const atLimit = new Uint8Array(10 * MB);
    atLimit.set(FILES.pdf);
    expect(check(atLimit, "application/pdf", "big.pdf")).toStrictEqual({
      ok: true,
      mimeType: "application/pdf",
    });
    const over = new Uint8Array(10 * MB + 1);
    over.set(FILES.pdf);
    expect(check(over, "application/pdf", "big.pdf")).toStrictEqual({
      ok: false,
      status: 413,
      detail: "File too large: maximum is 10 MB",
    });
  });

  it.each([
    [Math.floor(0.01 * MB), "File too large: maximum is 0.01 MB"],
    [Math.floor(2.5 * MB), "File too large: maximum is 2.5 MB"],
    [100, "File too large: maximum is 100 bytes"],
  ])("names a limit of %d bytes: %s", (maxBytes, detail) => {
    const over = new Uint8Array(maxBytes + 1);
    over.set(FILES.pdf);
    expect(check(over, "application/pdf", "x.pdf", maxBytes)).toStrictEqual({
      ok: false,
      status: 413,
      detail,
    });
  });
});
