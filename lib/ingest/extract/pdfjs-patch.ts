// Loads unpdf's bundled pdf.js with one bug fixed, for the PDF worker thread only.
//
// pdf.js 6.1 convertRGBToRGBA() (used to paint every RGB image, i.e. every colour or JPEG scan) starts
// its tail loop at the chunk-relative offset `i * 4` instead of `srcPos + i * 4`, so each 16-row chunk
// re-walks the image from the top: painting is quadratic in the image height. A 1700×2400 scan took
// 1.3 s to render instead of 0.2 s, as long as OCR-ing it. The fix is a one-token change applied to a
// copy of the module in the temp dir; if the pattern is not found (another unpdf version) the stock
// module is used, slower but correct.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

// `for(let j=i*4,jj=srcPos+len;j<jj;j+=3)` as minified: the start lacks `srcPos+`.
const BUGGY_TAIL_LOOP = /for\(let (\w+)=(\w+)\*4,(\w+)=(\w+)\+(\w+);\1<\3;\1\+=3\)/g;

/** Path of a patched copy of unpdf/pdfjs, or null to use the stock module. */
export async function patchedPdfjsPath(): Promise<string | null> {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  // "unpdf/pdfjs" is exported for import only; its file sits next to the CommonJS entry.
  const original = path.join(path.dirname(require.resolve("unpdf")), "pdfjs.mjs");
  const source = await readFile(original, "utf8");
  let fixes = 0;
  const patched = source.replace(
    BUGGY_TAIL_LOOP,
    (_m, j: string, i: string, jj: string, srcPos: string, len: string) => {
      fixes++;
      return `for(let ${j}=${srcPos}+${i}*4,${jj}=${srcPos}+${len};${j}<${jj};${j}+=3)`;
    },
  );
  if (fixes === 0) return null;
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const dir = path.join(tmpdir(), "bacmr-pdfjs");
  const file = path.join(dir, `pdfjs-${hash}.mjs`);
  const existing = await stat(file).catch(() => null);
  if (existing?.size !== Buffer.byteLength(patched)) {
    await mkdir(dir, { recursive: true });
    // Write then rename: another thread or process may be importing the same file.
    const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temp, patched);
    await rename(temp, file);
  }
  return file;
}

/** Tells unpdf to use the patched pdf.js (call before any other unpdf function in this thread). */
export async function usePatchedPdfjs(): Promise<boolean> {
  const { definePDFJSModule } = await import("unpdf");
  try {
    const file = await patchedPdfjsPath();
    if (!file) return false;
    await definePDFJSModule(() => import(pathToFileURL(file).href));
    return true;
  } catch (err) {
    console.warn("[extract] patched pdf.js unavailable, using the stock module:", err);
    return false;
  }
}
