// npm run bench:ingest — ingestion speed and memory on the embedded defaults, with the native
// tools (pdftotext, tesseract) as reference when installed. Documents are assembled from the
// real fixtures in ../shared/fixtures. Prints figures and ratios; writes bench/results/ingest.json.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { PDFDocument } from "pdf-lib";

const FIXTURES = path.resolve(import.meta.dirname, "../../shared/fixtures");
if (!existsSync(FIXTURES)) {
  console.error(`bench:ingest needs the fixtures at ${FIXTURES}`);
  process.exit(1);
}
const work = mkdtempSync(path.join(tmpdir(), "bacmr-bench-"));
process.env.DATA_DIR = work;
process.env.AUTH_RATE_LIMIT_REQUESTS = "100000";
process.env.INGEST_MAX_PAGES = "1000";
// Assembled documents repeat the fixtures' embedded fonts and images: far above the 10 MB default.
process.env.MAX_UPLOAD_MB = "500";

const { openPglite, rowsOf, setDbHandle } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { adminCreateUser } = await import("@/lib/auth");
const { createCourse } = await import("@/lib/courses");
const { uploadMaterial } = await import("@/lib/courses/materials");
const { claimNextJob } = await import("@/lib/ingest/jobs");
const { runJob } = await import("@/lib/ingest/runner");
const { searchCourseMaterials } = await import("@/lib/retrieval");
const { extractPages, shutdownExtraction } = await import("@/lib/ingest/extract");

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** A PDF of `pages` pages cycling through the pages of `sources`. */
async function assemble(sources: string[], pages: number): Promise<Uint8Array> {
  const out = await PDFDocument.create();
  const docs = await Promise.all(
    sources.map(async (f) => PDFDocument.load(readFileSync(path.join(FIXTURES, f)))),
  );
  const all = docs.flatMap((d) => d.getPageIndices().map((i) => ({ d, i })));
  for (let n = 0; n < pages; n++) {
    const src = all[n % all.length];
    if (!src) break;
    const [copy] = await out.copyPages(src.d, [src.i]);
    if (copy) out.addPage(copy);
  }
  return out.save();
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const handle = await openPglite(path.join(work, "pglite"));
await migrateDb(handle);
setDbHandle(handle);
const db = handle.db;
const user = await adminCreateUser(db, {
  email: "bench@example.com",
  password: "bench-password",
  fullName: "Bench",
});
const course = await createCourse(db, { userId: user.id, name: "Bench" });

async function ingest(name: string, bytes: Uint8Array) {
  const t0 = performance.now();
  const m = await uploadMaterial(db, {
    userId: user.id,
    courseId: course.id,
    file: { name, type: "application/pdf", bytes },
  });
  const job = await claimNextJob(db);
  if (!job || job.materialId !== m.id) throw new Error("unexpected job");
  const outcome = await runJob(job);
  const seconds = (performance.now() - t0) / 1000;
  const rows = rowsOf<{ timings: Record<string, number> }>(
    await db.execute(sql`select timings from ingestion_jobs where id = ${job.id}`),
  );
  const timings = rows[0]?.timings;
  return { outcome, seconds, timings };
}

async function searchLatency(n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await searchCourseMaterials(db, {
      courseId: course.id,
      query: "conservation de la charge électrique",
      limit: 3,
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

const results: Record<string, unknown> = {};
const line = (k: string, v: string) => console.info(`${k.padEnd(48)} ${v}`);

// The memory figure is taken in a process of its own (BENCH_PART=rss), so that what the earlier
// runs left in the heap does not count against the 200-page ingestion.
const rssOnly = process.env.BENCH_PART === "rss";
if (!rssOnly) {
  // 1. A 100-page text PDF: upload to searchable.
  const text100 = await assemble(
    ["documents/fr_pc_radioactivite_cours.pdf", "documents/fr_math_bac2023_metropole_sujet1.pdf"],
    100,
  );
  const textRun = await ingest("text-100.pdf", text100);
  results.text100 = textRun;
  line(
    "100-page text PDF, upload → searchable",
    `${textRun.seconds.toFixed(1)} s (target ≤ 15 s) ${textRun.outcome}`,
  );
  line("  per stage (ms)", JSON.stringify(textRun.timings));

  // Text extraction alone vs pdftotext.
  const textPath = path.join(work, "text-100.pdf");
  writeFileSync(textPath, text100);
  let t = performance.now();
  for await (const _ of extractPages(text100, "application/pdf")) {
    /* drain */
  }
  const oursText = (performance.now() - t) / 1000;
  line("text extraction, ours (100 pages)", `${oursText.toFixed(2)} s`);
  if (have("pdftotext")) {
    t = performance.now();
    execFileSync("pdftotext", ["-layout", textPath, "/dev/null"]);
    const native = (performance.now() - t) / 1000;
    results.textExtraction = { ours: oursText, pdftotext: native };
    line(
      "text extraction, pdftotext",
      `${native.toFixed(2)} s (ours is ${(oursText / native).toFixed(1)}× slower)`,
    );
  } else line("pdftotext", "not installed (apt-get install poppler-utils)");

  // 2. A 50-page scanned PDF, while measuring search latency idle vs during ingestion.
  const idle = await searchLatency(20);
  const scan50 = await assemble(
    [
      "documents/fr_math_equadiff_scan.pdf",
      "scans/fr_math_bac2023_metropole_sujet1_scan.pdf",
      "scans/ar_phys_travail_puissance_lecon2_scan.pdf",
    ],
    50,
  );
  let busyLatency = 0;
  const scanRunPromise = ingest("scan-50.pdf", scan50);
  await new Promise((r) => setTimeout(r, 3000));
  busyLatency = await searchLatency(20);
  const scanRun = await scanRunPromise;
  results.scan50 = scanRun;
  results.searchLatencyMs = { idle, duringIngestion: busyLatency };
  line("50-page scanned PDF, upload → searchable", `${scanRun.seconds.toFixed(1)} s ${scanRun.outcome}`);
  line("  per stage (ms)", JSON.stringify(scanRun.timings));
  line(
    "  OCR throughput, ours",
    `${(50 / ((scanRun.timings?.ocr ?? 1) / 1000)).toFixed(2)} pages/s of OCR time`,
  );
  line(
    "search latency idle / during ingestion",
    `${idle.toFixed(1)} ms / ${busyLatency.toFixed(1)} ms (${(busyLatency / idle).toFixed(2)}×, target ≤ 2×)`,
  );

  // Native tesseract on the same pages, one thread per process, as many processes as cores.
  if (have("tesseract") && have("pdftoppm")) {
    const pngDir = path.join(work, "png");
    mkdirSync(pngDir);
    const scanPath = path.join(work, "scan-50.pdf");
    writeFileSync(scanPath, scan50);
    execFileSync("pdftoppm", ["-r", "300", "-gray", "-png", scanPath, path.join(pngDir, "p")]);
    const files = execFileSync("sh", ["-c", `ls ${pngDir}/*.png`])
      .toString()
      .trim()
      .split("\n");
    t = performance.now();
    execFileSync("sh", [
      "-c",
      `printf '%s\\n' ${files.join(" ")} | OMP_THREAD_LIMIT=1 xargs -P ${Math.max(1, (await import("node:os")).availableParallelism())} -I{} tesseract {} - -l fra+ara >/dev/null 2>&1`,
    ]);
    const native = (performance.now() - t) / 1000;
    const oursWall = scanRun.seconds;
    results.ocr = { oursWallSeconds: oursWall, nativeSeconds: native };
    line(
      "OCR 50 pages, native tesseract (all cores)",
      `${native.toFixed(1)} s; ours ${oursWall.toFixed(1)} s → ${(native / oursWall).toFixed(2)}× native (target ≥ 0.8×)`,
    );
  } else
    line(
      "native tesseract",
      "not installed (apt-get install tesseract-ocr tesseract-ocr-fra tesseract-ocr-ara poppler-utils)",
    );
}

// 3. Peak RSS while ingesting a 200-page scanned PDF.
if (rssOnly) {
  peakRss = process.memoryUsage().rss;
  const scan200 = await assemble(
    ["documents/fr_math_equadiff_scan.pdf", "scans/fr_math_bac2023_metropole_sujet1_scan.pdf"],
    200,
  );
  const big = await ingest("scan-200.pdf", scan200);
  results.scan200 = { ...big, peakRssMB: Math.round(peakRss / 1048576) };
  line("200-page scanned PDF", `${big.seconds.toFixed(1)} s ${big.outcome}`);
  line("  peak RSS while ingesting", `${Math.round(peakRss / 1048576)} MB (target < 1024 MB)`);
}

clearInterval(sampler);
if (rssOnly) {
  console.info(`RSS_RESULT ${JSON.stringify(results.scan200)}`);
} else {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "ingest.ts")],
    {
      env: { ...process.env, BENCH_PART: "rss" },
      encoding: "utf8",
    },
  );
  process.stdout.write(
    child.stdout
      .split("\n")
      .filter((l) => !l.startsWith("RSS_RESULT"))
      .join("\n"),
  );
  const m = /RSS_RESULT (.*)/.exec(child.stdout);
  if (m?.[1]) results.scan200 = JSON.parse(m[1]);
  else console.error(child.stderr);
  mkdirSync(path.resolve(import.meta.dirname, "results"), { recursive: true });
  writeFileSync(path.resolve(import.meta.dirname, "results/ingest.json"), JSON.stringify(results, null, 2));
}
await shutdownExtraction();
await handle.close();
rmSync(work, { recursive: true, force: true });
