/** The types a material can have (the API's "Supported File Types"). */
export type AllowedMimeType = "application/pdf" | "image/jpeg" | "image/png" | "image/gif" | "image/webp";

export const ALLOWED_MIME_TYPES: readonly AllowedMimeType[] = [
  "application/pdf",
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
];

const isAllowed = (type: string): type is AllowedMimeType =>
  (ALLOWED_MIME_TYPES as readonly string[]).includes(type);

const bytesOf = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function indexOf(bytes: Uint8Array, needle: readonly number[], limit: number): number {
  const end = Math.min(bytes.length, limit) - needle.length;
  for (let i = 0; i <= end; i++) if (startsWith(bytes, needle, i)) return i;
  return -1;
}

const PDF = bytesOf("%PDF-");
const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF87 = bytesOf("GIF87a");
const GIF89 = bytesOf("GIF89a");
const RIFF = bytesOf("RIFF");
const WEBP = bytesOf("WEBP");

/**
 * What the bytes are, among the allowed types, by their magic numbers; null for anything else.
 * A PDF header may follow up to 1 KB of junk: readers (and pdf.js) accept that, so do we.
 */
export function sniffFileType(bytes: Uint8Array): AllowedMimeType | null {
  if (startsWith(bytes, JPEG)) return "image/jpeg";
  if (startsWith(bytes, PNG)) return "image/png";
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return "image/gif";
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return "image/webp";
  if (indexOf(bytes, PDF, 1024) !== -1) return "application/pdf";
  return null;
}

// Recognised only to name what was sent in an error message; none of these is ever accepted.
const OTHER_SIGNATURES: [readonly number[], string][] = [
  [[0x7f, 0x45, 0x4c, 0x46], "application/x-executable"],
  [bytesOf("MZ"), "application/vnd.microsoft.portable-executable"],
  [[0xcf, 0xfa, 0xed, 0xfe], "application/x-mach-binary"],
  [bytesOf("PK\u0003\u0004"), "application/zip"],
  [bytesOf("PK\u0005\u0006"), "application/zip"],
  [[0x1f, 0x8b], "application/gzip"],
  [bytesOf("Rar!\u001a\u0007"), "application/vnd.rar"],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], "application/x-7z-compressed"],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], "application/x-ole-storage"],
  [bytesOf("II*\u0000"), "image/tiff"],
  [bytesOf("MM\u0000*"), "image/tiff"],
  [[0x00, 0x00, 0x01, 0x00], "image/vnd.microsoft.icon"],
];

const RIFF_FORMS: Record<string, string> = { WAVE: "audio/wav", "AVI ": "video/x-msvideo" };

const ISO_BMFF_BRANDS: Record<string, string> = {
  heic: "image/heic",
  heix: "image/heic",
  mif1: "image/heif",
  avif: "image/avif",
  qt: "video/quicktime",
};

// Tab, newlines, form feed, backspace and escape (ANSI colours) do appear in real text files.
const TEXT_CONTROLS = new Set(["\t", "\n", "\r", "\f", "\b", "\u001b"]);
const CONTROL = /\p{Cc}/u;

/** Text is valid UTF-8 without NULs and with hardly any control characters. */
function textType(bytes: Uint8Array): string | undefined {
  const sample = bytes.subarray(0, 4096);
  if (sample.includes(0)) return undefined;
  let text: string;
  try {
    // stream: a multi-byte character cut by the sample's end is not an encoding error.
    text = new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
  } catch {
    return undefined;
  }
  let controls = 0;
  for (const c of text) if (CONTROL.test(c) && !TEXT_CONTROLS.has(c)) controls++;
  if (controls > text.length / 100) return undefined;
  const head = text
    .replace(/^\uFEFF?\s*/, "")
    .slice(0, 256)
    .toLowerCase();
  if (/^<(!doctype html|html|head|body|script|iframe)[\s>]/.test(head)) return "text/html";
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && text.includes("<svg"))) return "image/svg+xml";
  if (head.startsWith("<?xml")) return "application/xml";
  return "text/plain";
}

/** The type of bytes that are not an allowed type, when recognisable: only for error messages. */
function describeContent(bytes: Uint8Array): string | undefined {
  for (const [signature, type] of OTHER_SIGNATURES) if (startsWith(bytes, signature)) return type;
  if (startsWith(bytes, RIFF)) return RIFF_FORMS[String.fromCharCode(...bytes.subarray(8, 12))];
  if (startsWith(bytes, bytesOf("ftyp"), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12)).trim();
    return ISO_BMFF_BRANDS[brand] ?? "video/mp4";
  }
  // After text: two letters are a weak signature ("BMW.txt"), and real bitmaps are not valid text.
  return textType(bytes) ?? (startsWith(bytes, bytesOf("BM")) ? "image/bmp" : undefined);
}

// What browsers and tools send when they do not know the type: it says nothing about the file.
const GENERIC_TYPES = new Set([
  "application/octet-stream",
  "binary/octet-stream",
  "application/binary",
  "application/unknown",
  "application/x-unknown",
  "application/download",
  "application/x-download",
  "application/force-download",
]);

const TYPE_ALIASES: Record<string, AllowedMimeType> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/x-png": "image/png",
  "application/x-pdf": "application/pdf",
  "application/acrobat": "application/pdf",
  "application/vnd.pdf": "application/pdf",
  "text/pdf": "application/pdf",
  "text/x-pdf": "application/pdf",
};

const EXTENSION_TYPES: Record<string, string> = {
  pdf: "application/pdf",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  jpe: "image/jpeg",
  jfif: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  heic: "image/heic",
  heif: "image/heif",
  avif: "image/avif",
  svg: "image/svg+xml",
  ico: "image/vnd.microsoft.icon",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  xml: "application/xml",
  json: "application/json",
  rtf: "application/rtf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  odt: "application/vnd.oasis.opendocument.text",
  zip: "application/zip",
  rar: "application/vnd.rar",
  "7z": "application/x-7z-compressed",
  gz: "application/gzip",
  exe: "application/vnd.microsoft.portable-executable",
  dll: "application/vnd.microsoft.portable-executable",
  msi: "application/x-msi",
  sh: "application/x-sh",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  mov: "video/quicktime",
};

/** The declared type, lower-cased and without parameters; undefined when generic or malformed. */
function declaredMimeType(declared: string): string | undefined {
  const type = declared.split(";")[0]?.trim().toLowerCase() ?? "";
  // A well-formed type only: whatever else the client sent is not echoed back in a message.
  if (type.length > 100 || !/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type))
    return undefined;
  if (GENERIC_TYPES.has(type)) return undefined;
  return TYPE_ALIASES[type] ?? type;
}

function extensionMimeType(fileName: string): string | undefined {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(fileName.trim())?.[1]?.toLowerCase();
  return ext ? EXTENSION_TYPES[ext] : undefined;
}

/** "10 MB"; a fraction of a megabyte (tests, tiny limits) shows as "0.01 MB". */
function formatLimit(maxBytes: number): string {
  const mb = Math.round((maxBytes / (1024 * 1024)) * 100) / 100;
  return mb > 0 ? `${mb} MB` : `${maxBytes} bytes`;
}

export type UploadCheck =
  | { ok: true; mimeType: AllowedMimeType }
  | { ok: false; status: 400 | 413; detail: string };

/**
 * Whether an uploaded file may become a material, and its real type.
 *
 * The bytes decide: content that is an allowed type is accepted with its sniffed type even when the
 * label disagrees (a JPEG saved as "scan.png" is common and harmless, and the stored type is the
 * true one). Content that is not an allowed type is refused with the type the user believes they
 * sent: the declared one, or the extension's when the browser sent a generic type. When that
 * belief is an allowed type (a ".pdf" that is really text or a program), the message says the
 * content does not match it, and what the content looks like.
 */
export function checkUpload({
  bytes,
  declaredType,
  fileName,
  maxBytes,
}: {
  bytes: Uint8Array;
  declaredType: string;
  fileName: string;
  maxBytes: number;
}): UploadCheck {
  if (bytes.byteLength === 0) return { ok: false, status: 400, detail: "File is empty" };
  if (bytes.byteLength > maxBytes) {
    return { ok: false, status: 413, detail: `File too large: maximum is ${formatLimit(maxBytes)}` };
  }
  const sniffed = sniffFileType(bytes);
  if (sniffed) return { ok: true, mimeType: sniffed };

  const claimed = declaredMimeType(declaredType) ?? extensionMimeType(fileName);
  const detected = describeContent(bytes);
  if (claimed && isAllowed(claimed)) {
    const hint = detected ? ` (it looks like ${detected})` : "";
    return { ok: false, status: 400, detail: `File content does not match ${claimed}${hint}` };
  }
  return {
    ok: false,
    status: 400,
    detail: `File type ${claimed ?? detected ?? "application/octet-stream"} not allowed`,
  };
}
