import { randomUUID } from "node:crypto";
import { isUuid } from "@/lib/ids";

/** The slugged file name at the end of a key, extension included. */
const MAX_NAME_LENGTH = 100;
/** What a download is offered as, at most (longer names would only bloat the header). */
const MAX_DISPLAY_LENGTH = 255;

/** A key that could escape its folder or be misread as a URL or a path. A programming error, never user input. */
export class UnsafeKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`Unsafe storage key ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
    this.name = "UnsafeKeyError";
  }
}

/** `put` never replaces an object: a key is written once (Supabase's `upsert: false`). */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`An object already exists at ${key}`);
    this.name = "ObjectExistsError";
  }
}

// Letters that Unicode decomposition leaves alone but that have a usual ASCII spelling.
const SPELLINGS: Record<string, string> = {
  ß: "ss",
  Æ: "AE",
  æ: "ae",
  Œ: "OE",
  œ: "oe",
  Ø: "O",
  ø: "o",
  Đ: "D",
  đ: "d",
  Ð: "D",
  ð: "d",
  Ł: "L",
  ł: "l",
  Þ: "Th",
  þ: "th",
  ı: "i",
  "‘": "'",
  "’": "'",
  "‚": "'",
  "′": "'",
  "“": '"',
  "”": '"',
  "„": '"',
  "″": '"',
  "«": '"',
  "»": '"',
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "–": "-",
  "—": "-",
  "―": "-",
  "−": "-",
};

/** "Radioactivité – œuvre" → "Radioactivite - oeuvre"; scripts with no Latin spelling are left as they are. */
function transliterate(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^\p{ASCII}]/gu, (c) => SPELLINGS[c] ?? c);
}

/** The last path segment: browsers on Windows have sent whole paths ("C:\fakepath\x.pdf"). */
function baseName(fileName: string): string {
  return fileName.split(/[/\\]/).pop() ?? "";
}

/** "cours.v2.PDF" → { stem: "cours.v2", ext: "PDF" }; ".htaccess" and "x.<script>" have no extension. */
function splitExtension(name: string): { stem: string; ext: string } {
  const match = /^(.*[^.])\.([A-Za-z0-9]{1,10})$/s.exec(name);
  return match ? { stem: match[1] ?? "", ext: match[2] ?? "" } : { stem: name, ext: "" };
}

/**
 * The file-name part of a key: ASCII letters, digits, "-" and "_", one lower-case extension, at most
 * 100 characters. Names with nothing Latin in them (Arabic) become "file" with their extension:
 * the original name is kept in the database, the key only needs to be safe and recognisable.
 */
export function safeFileName(fileName: string): string {
  const { stem, ext } = splitExtension(transliterate(baseName(fileName)).trim());
  const suffix = ext ? `.${ext.toLowerCase()}` : "";
  const slug = stem
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, MAX_NAME_LENGTH - suffix.length)
    .replace(/[-_]+$/, "");
  return `${slug || "file"}${suffix}`;
}

/**
 * A new key for an uploaded file: `${userId}/${courseId}/${uuid}-${safe name}`. The uuid makes every
 * upload its own object (two "cours.pdf" never collide); the name is there for humans browsing a bucket.
 */
export function objectKey({
  userId,
  courseId,
  fileName,
}: {
  userId: string;
  courseId: string;
  fileName: string;
}): string {
  // They become folder names: anything but a UUID could smuggle a separator or a "..".
  if (!isUuid(userId)) throw new TypeError(`objectKey: userId must be a UUID, got ${JSON.stringify(userId)}`);
  if (!isUuid(courseId)) {
    throw new TypeError(`objectKey: courseId must be a UUID, got ${JSON.stringify(courseId)}`);
  }
  const key = `${userId}/${courseId}/${randomUUID()}-${safeFileName(fileName)}`;
  assertSafeKey(key);
  return key;
}

/** A new key for a library PDF: `curriculum/${documentId}/${uuid}-${safe name}` (one object per download). */
export function curriculumKey({ documentId, fileName }: { documentId: string; fileName: string }): string {
  if (!isUuid(documentId)) {
    throw new TypeError(`curriculumKey: documentId must be a UUID, got ${JSON.stringify(documentId)}`);
  }
  const key = `curriculum/${documentId}/${randomUUID()}-${safeFileName(fileName)}`;
  assertSafeKey(key);
  return key;
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "empty";
  if (key.length > 1024) return "longer than 1024 characters";
  if (key.includes("\u0000")) return "NUL character";
  if (key.includes("\\")) return "backslash";
  if (key.startsWith("/") || /^[A-Za-z]:/.test(key)) return "absolute path";
  for (const segment of key.split("/")) {
    if (segment === "") return "empty path segment";
    if (segment === "." || segment === "..") return "dot segment";
    // Temporary files of the local storage start with a dot; keys never do.
    if (segment.startsWith(".")) return "segment starting with a dot";
    if (segment.length > 255) return "path segment longer than 255 characters";
    // supabase-js puts the key in the URL unencoded: "%2e%2e", "?" or "#" would change which object
    // is addressed. objectKey only ever produces these characters.
    if (!/^[A-Za-z0-9._-]+$/.test(segment)) return "character outside A-Z a-z 0-9 . _ -";
  }
  return undefined;
}

/** Every storage operation starts here: a key is a relative path of plain segments, nothing else. */
export function assertSafeKey(key: string): void {
  const problem = typeof key === "string" ? keyProblem(key) : "not a string";
  if (problem) throw new UnsafeKeyError(String(key), problem);
}

/** Percent-encoding of RFC 5987's attr-char set (encodeURIComponent leaves ' ( ) * as they are). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The name a download is offered as: the user's own name, minus what could harm the header or the reader. */
function displayName(fileName: string): string {
  const cleaned = baseName(fileName.toWellFormed().normalize("NFC"))
    // CR/LF would end the header (response splitting); other controls have no business in a name.
    .replace(/\p{Cc}/gu, "")
    // Bidi overrides make "cours\u202Efdp.exe" display as "coursexe.pdf".
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, "")
    .trim();
  if (!cleaned) return "file";
  if (cleaned.length <= MAX_DISPLAY_LENGTH) return cleaned;
  const { stem, ext } = splitExtension(cleaned);
  const suffix = ext ? `.${ext}` : "";
  return `${[...stem].slice(0, MAX_DISPLAY_LENGTH - suffix.length).join("")}${suffix}`;
}

/** For clients that ignore filename* (RFC 6266 §4.3): printable ASCII, never a quote or a backslash. */
function asciiFallback(name: string): string {
  const ascii = transliterate(name)
    .replace(/[^\x20-\x7e]+/g, "_")
    .replace(/"/g, "'")
    .replace(/\\/g, "_")
    // Some agents percent-decode the plain parameter (RFC 6266 appendix D).
    .replace(/%(?=[0-9A-Fa-f]{2})/g, "_");
  const { stem, ext } = splitExtension(ascii);
  return /[A-Za-z0-9]/.test(stem) ? ascii : `file${ext ? `.${ext}` : ""}`;
}

/**
 * A Content-Disposition header value (RFC 6266) offering the original name: an ASCII fallback in
 * `filename` and the exact UTF-8 name in `filename*` (RFC 5987), which every current browser prefers.
 */
export function contentDisposition(
  fileName: string,
  disposition: "attachment" | "inline" = "attachment",
): string {
  const name = displayName(fileName);
  return `${disposition}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
