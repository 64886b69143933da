// Shared by every benchmark: repeated measurements summarised as median/p95, the machine they ran
// on, and the results writer (bench/results/<name>-<timestamp>.json + .md, and latest.md, which
// aggregates the newest summary of each benchmark). bench/results/ is git-ignored.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const RESULTS_DIR = path.resolve(import.meta.dirname, "results");
/** The shared fixtures: ../shared/fixtures beside the repository. */
export const FIXTURES = path.resolve(import.meta.dirname, "../../shared/fixtures");

/** Ends the run (exit 1) when the fixtures a benchmark reads are missing. */
export function requireFixtures(label: string): void {
  if (existsSync(path.join(FIXTURES, "qa", "questions.jsonl"))) return;
  console.error(`${label} needs the fixtures at ${FIXTURES}`);
  process.exit(1);
}

/** Settings that would send a benchmark to a remote service instead of the embedded defaults. */
const REMOTE_SETTINGS = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "EMBEDDING_MODEL",
  "DATABASE_URL",
  "SUPABASE_URL",
];

/**
 * A benchmark's own temporary DATA_DIR and settings, on the embedded defaults (PGlite, the local
 * embedding, the offline tutor) whatever the shell says. Call it before importing the app, which
 * reads its settings once. Returns the directory.
 */
export function benchWorkspace(label: string, settings: Record<string, string> = {}): string {
  const work = mkdtempSync(path.join(os.tmpdir(), `bacmr-${label.replace(/\W+/g, "-")}-`));
  for (const k of REMOTE_SETTINGS) delete process.env[k];
  Object.assign(process.env, { ...settings, DATA_DIR: work });
  return work;
}
/** The order of the sections in latest.md (and of `npm run bench`). */
export const BENCHMARKS = ["ingest", "search", "chat", "wallet"] as const;
export type BenchName = (typeof BENCHMARKS)[number];

/** Repetitions of each measured figure (BENCH_RUNS); small by default so `npm run bench` stays ~20 min. */
export function benchRuns(fallback = 3): number {
  const n = Number(process.env.BENCH_RUNS ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_RUNS must be a positive integer, got ${n}`);
  return n;
}

export interface Stats {
  runs: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Median and nearest-rank p95 (with fewer than 20 runs the p95 is the maximum). */
export function summarize(values: number[]): Stats {
  if (values.length === 0) throw new Error("summarize: no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] as number;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    runs: s.length,
    median: r(median),
    p95: r(p95),
    min: r(s[0] as number),
    max: r(s.at(-1) as number),
  };
}

/** Runs `measure` `runs` times in sequence; each call returns its figure (e.g. seconds or ms). */
export async function repeat(
  runs: number,
  measure: (run: number) => Promise<number> | number,
): Promise<Stats & { values: number[] }> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure(i));
  return { ...summarize(values), values };
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryMB: number;
  /** 1-minute load averages when the benchmark started and ended: above the core count means a shared, noisy machine. */
  loadAverageStart: number;
  loadAverageEnd: number;
}

const loadAtStart = os.loadavg()[0] ?? 0;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function machine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    totalMemoryMB: Math.round(os.totalmem() / 1048576),
    loadAverageStart: round2(loadAtStart),
    loadAverageEnd: round2(os.loadavg()[0] ?? 0),
  };
}

/** A GitHub-flavoured Markdown table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A number with at most `digits` decimals, for tables. */
export function num(x: number, digits = 1): string {
  return Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : "–";
}

/** "median / p95" of a figure. */
export function mp(s: Stats, digits = 1): string {
  return `${num(s.median, digits)} / ${num(s.p95, digits)}`;
}

/**
 * Writes `<name>-<ISO timestamp>.json` (the data plus the machine and timing) and `.md` (the
 * summary), then rebuilds latest.md from the newest summary of each benchmark. Returns the paths.
 */
export function writeResults(
  name: BenchName,
  { startedAt, data, markdown }: { startedAt: Date; data: unknown; markdown: string },
): { json: string; md: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replaceAll(":", "-");
  const base = path.join(RESULTS_DIR, `${name}-${stamp}`);
  const m = machine();
  const finishedAt = new Date();
  const seconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10;
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ benchmark: name, startedAt, finishedAt, seconds, machine: m, results: data }, null, 2)}\n`,
  );
  const header =
    `## ${name} — ${startedAt.toISOString()}\n\n` +
    `${m.cpus} × ${m.cpuModel}, ${m.totalMemoryMB} MB, Node ${m.node}, ${m.platform}; ` +
    `load average ${m.loadAverageStart} at the start, ${m.loadAverageEnd} at the end; took ${seconds} s. Figures are median / p95 unless said otherwise.\n\n`;
  writeFileSync(`${base}.md`, `${header}${markdown.trim()}\n`);
  writeLatest();
  return { json: `${base}.json`, md: `${base}.md` };
}

/** latest.md: the newest summary of each benchmark, in BENCHMARKS order. */
export function writeLatest(): string {
  const files = existsSync(RESULTS_DIR) ? readdirSync(RESULTS_DIR) : [];
  const parts: string[] = [];
  for (const name of BENCHMARKS) {
    // ISO timestamps sort lexicographically.
    const newest = files
      .filter((f) => f.startsWith(`${name}-`) && f.endsWith(".md"))
      .sort()
      .at(-1);
    if (newest) parts.push(readFileSync(path.join(RESULTS_DIR, newest), "utf8").trim());
    else parts.push(`## ${name}\n\nNot run yet (\`npm run bench:${name}\`).`);
  }
  const text = `# Benchmarks — latest results\n\n${parts.join("\n\n")}\n`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, "latest.md"), text);
  return text;
}

// `tsx bench/lib.ts --print-latest`: what `npm run bench` prints at the end.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  if (process.argv.includes("--print-latest")) process.stdout.write(writeLatest());
}
