// npm run bench:ingest — ingestion speed and memory on the embedded defaults, with the native
// tools (pdftotext, pdftoppm + tesseract CLI) as reference when installed (reported as unavailable
// otherwise). Documents are assembled from the real fixtures in ../shared/fixtures. Every figure
// is median/p95 over BENCH_RUNS runs (default 3), except the 200-page peak RSS (one run, in a
// child process). Writes bench/results/ingest-<timestamp>.json/.md (see bench/lib.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { PDFDocument } from "pdf-lib";
import {
  benchRuns,
  benchWorkspace,
  FIXTURES,
  have,
  mp,
  num,
  repeat,
  requireFixtures,
  type Stats,
  summarize,
  table,
  timeMs,
  writeResults,
} from "./lib";

const startedAt = new Date();
const RUNS = benchRuns();

requireFixtures("bench:ingest");
const work = benchWorkspace("bench-ingest", {
  AUTH_RATE_LIMIT_REQUESTS: "100000",
  INGEST_MAX_PAGES: "1000",
  // Assembled documents repeat the fixtures' embedded fonts and images: far above the 10 MB default.
  MAX_UPLOAD_MB: "500",
});

const { openPglite, rowsOf, setDbHandle } = await import("@/db/client");
const { migrateDb } = await import("@/db/migrate");
const { adminCreateUser } = await import("@/lib/auth");
const { createCourse } = await import("@/lib/courses");
const { uploadMaterial } = await import("@/lib/courses/materials");
const { claimNextJob } = await import("@/lib/ingest/jobs");
const { runJob } = await import("@/lib/ingest/runner");
const { searchCourseMaterials } = await import("@/lib/retrieval");
const { extractPages, shutdownExtraction } = await import("@/lib/ingest/extract");

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

async function searchLatencies(n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(
      await timeMs(() =>
        searchCourseMaterials(db, {
          courseId: course.id,
          query: "conservation de la charge électrique",
          limit: 3,
        }),
      ),
    );
  }
  return times;
}

const results: Record<string, unknown> = { runs: RUNS };
const line = (k: string, v: string) => console.info(`${k.padEnd(48)} ${v}`);
const rows: (string | number)[][] = [];
const cores = availableParallelism();

// The memory figure is taken in a process of its own (BENCH_PART=rss), so that what the earlier
// runs left in the heap does not count against the 200-page ingestion.
const rssOnly = process.env.BENCH_PART === "rss";
if (!rssOnly) {
  // 1. A 100-page text PDF: upload to searchable.
  const text100 = await assemble(
    ["documents/fr_pc_radioactivite_cours.pdf", "documents/fr_math_bac2023_metropole_sujet1.pdf"],
    100,
  );
  const textRuns = await repeat(RUNS, async (i) => (await ingest(`text-100-${i}.pdf`, text100)).seconds);
  results.text100Seconds = textRuns;
  line("100-page text PDF, upload → searchable (s)", `${mp(textRuns)} (target ≤ 15 s)`);
  rows.push(["100-page text PDF, upload → searchable (s)", mp(textRuns), "–", "–", "target ≤ 15 s"]);

  // Text extraction alone vs pdftotext.
  const textPath = path.join(work, "text-100.pdf");
  writeFileSync(textPath, text100);
  const oursText = await repeat(RUNS, async () =>
    timeMs(async () => {
      for await (const _ of extractPages(text100, "application/pdf")) {
        /* drain */
      }
    }).then((ms) => ms / 1000),
  );
  const nativeText = have("pdftotext")
    ? await repeat(RUNS, () =>
        timeMs(() => execFileSync("pdftotext", ["-layout", textPath, "/dev/null"])).then((ms) => ms / 1000),
      )
    : null;
  results.textExtractionSeconds = { ours: oursText, pdftotext: nativeText };
  line(
    "text extraction, 100 pages (s): ours / pdftotext",
    `${mp(oursText, 2)} / ${nativeText ? mp(nativeText, 2) : "pdftotext not installed"}`,
  );
  rows.push([
    "text extraction, 100 pages (s)",
    mp(oursText, 2),
    nativeText ? `pdftotext ${mp(nativeText, 2)}` : "pdftotext unavailable",
    nativeText ? `${num(oursText.median / nativeText.median, 1)}× slower` : "–",
    "reference only",
  ]);

  // 2. A 50-page scanned PDF, while measuring search latency idle vs during ingestion.
  const scan50 = await assemble(
    [
      "documents/fr_math_equadiff_scan.pdf",
      "scans/fr_math_bac2023_metropole_sujet1_scan.pdf",
      "scans/ar_phys_travail_puissance_lecon2_scan.pdf",
    ],
    50,
  );
  const idle: number[] = [];
  const busy: number[] = [];
  const ocrStage: number[] = [];
  const scanRuns = await repeat(RUNS, async (i) => {
    idle.push(...(await searchLatencies(20)));
    const run = ingest(`scan-50-${i}.pdf`, scan50);
    await new Promise((r) => setTimeout(r, 3000));
    busy.push(...(await searchLatencies(20)));
    const done = await run;
    if (done.outcome !== "succeeded") throw new Error(`scan ingestion ${done.outcome}`);
    ocrStage.push((done.timings?.ocr ?? 0) / 1000);
    return done.seconds;
  });
  const idleStats = summarize(idle);
  const busyStats = summarize(busy);
  results.scan50Seconds = scanRuns;
  results.scan50OcrStageSeconds = summarize(ocrStage);
  results.searchLatencyMs = { idle: idleStats, duringIngestion: busyStats };

  // Native: pdftoppm at 300 dpi, then tesseract with one thread per process and as many
  // processes as cores (its default OpenMP threading is several times slower on 2 cores).
  let native: Stats | null = null;
  if (have("tesseract") && have("pdftoppm")) {
    const scanPath = path.join(work, "scan-50.pdf");
    writeFileSync(scanPath, scan50);
    native = await repeat(RUNS, async (i) => {
      const pngDir = path.join(work, `png-${i}`);
      mkdirSync(pngDir);
      const ms = await timeMs(() => {
        execFileSync("pdftoppm", ["-r", "300", "-gray", "-png", scanPath, path.join(pngDir, "p")]);
        execFileSync("sh", [
          "-c",
          `ls ${pngDir}/*.png | OMP_THREAD_LIMIT=1 xargs -P ${cores} -I{} tesseract {} - -l fra+ara >/dev/null 2>&1`,
        ]);
      });
      rmSync(pngDir, { recursive: true, force: true });
      return ms / 1000;
    });
  }
  results.scan50NativeSeconds = native;
  line(
    "50-page scan, upload → searchable (s)",
    `${mp(scanRuns)}; native pdftoppm + tesseract ${native ? mp(native) : "unavailable"}`,
  );
  rows.push([
    "50-page scan, upload → searchable (s)",
    mp(scanRuns),
    native ? `pdftoppm + tesseract CLI ${mp(native)}` : "tesseract/pdftoppm unavailable",
    native ? `${num(native.median / scanRuns.median, 2)}× native throughput` : "–",
    "target ≥ 0.8× native",
  ]);
  rows.push([
    "  OCR stage, per-page times summed over the parallel workers (s)",
    mp(summarize(ocrStage)),
    "–",
    "–",
    "",
  ]);
  const ratio = busyStats.median / idleStats.median;
  line("search latency idle / during OCR (ms)", `${mp(idleStats)} / ${mp(busyStats)} (${num(ratio, 2)}×)`);
  rows.push(["search latency idle (ms)", mp(idleStats), "–", "–", ""]);
  rows.push([
    "search latency during OCR (ms)",
    mp(busyStats),
    "–",
    `${num(ratio, 2)}× idle (median)`,
    "target ≤ 2× idle",
  ]);
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
  const big = results.scan200 as { seconds: number; peakRssMB: number; outcome: string } | undefined;
  rows.push([
    "200-page scan: peak RSS (MB), one run",
    big ? `${big.peakRssMB} (${num(big.seconds)} s, ${big.outcome})` : "failed",
    "–",
    "–",
    "target < 1024 MB",
  ]);
  const markdown = [
    `Documents assembled from the fixtures' pages; embedded defaults (PGlite, local embedding, tesseract.js). ` +
      `${RUNS} runs per figure (search latencies: 20 queries per run); the 200-page RSS figure is one run in a ` +
      "process of its own. Native reference: poppler's pdftotext; pdftoppm at 300 dpi + tesseract CLI " +
      `(fra+ara, OMP_THREAD_LIMIT=1, ${cores} processes).`,
    "",
    table(["figure", "ours (median / p95)", "native reference", "ratio", "target"], rows),
  ].join("\n");
  writeResults("ingest", { startedAt, data: results, markdown });
  console.info(`\n${markdown}`);
}
await shutdownExtraction();
await handle.close();
rmSync(work, { recursive: true, force: true });
