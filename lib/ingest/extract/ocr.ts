// OCR with tesseract.js: a small pool of reused workers (each runs recognition in its own thread, so
// the caller's event loop stays free), language data from the @tesseract.js-data packages, never a CDN.

import { copyFile, mkdir, rename, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import Tesseract from "tesseract.js";
import { ExtractionError } from "../types";
import { deprioritizeNewThreads, threadIds } from "./priority";

/**
 * "4.0.0_best_int" over "4.0.0": same speed and output on the French fixtures (the fra LSTM is the same
 * model), better Arabic (CER 0.22 vs 0.31 on the Arabic scan with ara+fra) and 5 MB instead of 19 MB to
 * load. The "4.0.0" files also carry the legacy engine, which OEM LSTM_ONLY never uses.
 */
export const TESSDATA_VARIANT = "4.0.0_best_int";
export const OCR_LANGUAGES = ["fra", "ara", "eng"] as const;

/** Per-page recognition budget; a page over it is skipped (see index.ts). */
export const OCR_PAGE_TIMEOUT_MS = 60_000;

/** Loading a worker takes ~0.4 s (WASM + language data); far longer means it will never come up. */
const WORKER_START_TIMEOUT_MS = 30_000;

/** Workers are freed after this long without work (each holds ~100–150 MB); re-created on demand. */
const IDLE_SHUTDOWN_MS = 120_000;

/** One worker per core, at most 4: recognition is single-threaded WASM and the server needs a core too. */
export function ocrPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * The directory tesseract reads `<lang>.traineddata.gz` from. The packages keep one language per folder
 * and `langPath` is a single directory, so the files are gathered once per process into the temp dir
 * (by copy-and-rename: concurrent processes may do it at the same time).
 */
export async function prepareLangPath(): Promise<string> {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const dir = path.join(tmpdir(), `bacmr-tessdata-${TESSDATA_VARIANT}`);
  await mkdir(dir, { recursive: true });
  for (const lang of OCR_LANGUAGES) {
    const source = path.join(
      path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`)),
      TESSDATA_VARIANT,
      `${lang}.traineddata.gz`,
    );
    const target = path.join(dir, `${lang}.traineddata.gz`);
    const [from, to] = await Promise.all([stat(source), stat(target).catch(() => null)]);
    if (to?.size === from.size) continue;
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await copyFile(source, temp);
    await rename(temp, target);
  }
  return dir;
}

/**
 * The worker_threads Worker behind a tesseract.js worker (an undocumented but stable field). It is
 * unref'd while idle so that an idle pool never keeps a script or test process alive.
 */
function threadOf(worker: Tesseract.Worker): { ref(): void; unref(): void } | undefined {
  const thread = (worker as unknown as { worker?: { ref?: unknown; unref?: unknown } }).worker;
  return thread && typeof thread.ref === "function" && typeof thread.unref === "function"
    ? (thread as { ref(): void; unref(): void })
    : undefined;
}

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  languages: string;
  ms: number;
}

interface Slot {
  worker: Promise<Tesseract.Worker> | null;
  languages: string | null;
  busy: boolean;
  /** Fails the job in flight (shutdown). */
  cancel: ((err: Error) => void) | null;
}

export class OcrPool {
  private readonly slots: Slot[];
  private readonly waiters: (() => void)[] = [];
  private langPath: Promise<string> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(size = ocrPoolSize()) {
    this.slots = Array.from({ length: size }, () => ({
      worker: null,
      languages: null,
      busy: false,
      cancel: null,
    }));
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Recognises a PGM/PNG/JPEG image. Rejects with ExtractionError("TIMEOUT") after `timeoutMs` (the
   * worker is terminated: WASM recognition cannot be interrupted otherwise) or "ABORTED" on `signal`.
   */
  async recognize(
    image: Uint8Array,
    languages: string,
    { timeoutMs = OCR_PAGE_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<OcrResult> {
    const slot = await this.acquire(languages, signal);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let release = true;
    try {
      const worker = await this.workerFor(slot, languages);
      if (signal?.aborted) throw new ExtractionError("ABORTED", "extraction aborted");
      const job = worker.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
      // Its outcome may arrive after the race below is decided (timeout, abort): never unhandled.
      job.catch(() => undefined);
      const stop = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new ExtractionError("TIMEOUT", `OCR took longer than ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        onAbort = () => reject(new ExtractionError("ABORTED", "extraction aborted"));
        signal?.addEventListener("abort", onAbort, { once: true });
        slot.cancel = reject;
      });
      try {
        const { data } = await Promise.race([job, stop]);
        return { text: data.text, confidence: data.confidence, languages, ms: performance.now() - started };
      } catch (err) {
        const code = err instanceof ExtractionError ? err.code : null;
        const aborted = code === "ABORTED";
        if (code === null) {
          // Tesseract rejected the job (an unreadable image): the worker is fine, the input is not.
          const message = err instanceof Error ? err.message : String(err);
          if (/read image/i.test(message)) throw new ExtractionError("CORRUPT", "unreadable image");
          throw new Error(`OCR failed: ${message}`);
        }
        if (aborted && slot.worker) {
          // Cancelled by the caller: the recognition runs on and the slot is freed when it ends.
          release = false;
          job.then(
            () => this.release(slot),
            () => {
              this.discard(slot);
              this.release(slot);
            },
          );
        } else if (!aborted) {
          // Timed out: only terminating the worker stops it.
          this.discard(slot);
        }
        throw err;
      }
    } finally {
      clearTimeout(timer);
      slot.cancel = null;
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      if (release) this.release(slot);
    }
  }

  private async workerFor(slot: Slot, languages: string): Promise<Tesseract.Worker> {
    if (!slot.worker) {
      this.langPath ??= prepareLangPath().catch((err) => {
        this.langPath = null;
        throw err;
      });
      const langPath = await this.langPath;
      slot.languages = languages;
      const threadsBefore = threadIds();
      const created = Tesseract.createWorker(languages, Tesseract.OEM.LSTM_ONLY, {
        langPath,
        gzip: true,
        // "none": never write traineddata into the working directory (the default cache location).
        cacheMethod: "none",
        // Without a handler, tesseract.js also *throws* every failed job from its message listener: an
        // unreadable upload would crash the process. Failures still reject the job's promise.
        errorHandler: () => undefined,
      }).then(async (worker) => {
        deprioritizeNewThreads(threadsBefore);
        // Tesseract prints layout diagnostics ("Image too small to scale!!") to the console otherwise.
        await worker.setParameters({ debug_file: "/dev/null" } as Partial<Tesseract.WorkerParams>);
        return worker;
      });
      // A worker whose script cannot load (tesseract.js bundled instead of external) never answers.
      slot.worker = Promise.race([
        created,
        new Promise<never>((_, reject) => {
          setTimeout(
            () => reject(new Error(`OCR worker did not start within ${WORKER_START_TIMEOUT_MS / 1000} s`)),
            WORKER_START_TIMEOUT_MS,
          ).unref();
        }),
      ]);
      slot.worker.catch(() => this.discard(slot));
    }
    const worker = await slot.worker;
    // Referenced while it works for us: an answer awaited from an unreferenced thread does not keep the
    // process alive, and a script would exit mid-page. Unreferenced again on release.
    threadOf(worker)?.ref();
    if (slot.languages !== languages) {
      // ~150 ms: cheaper than a worker per language set.
      await worker.reinitialize(languages, Tesseract.OEM.LSTM_ONLY);
      slot.languages = languages;
    }
    return worker;
  }

  private acquire(languages: string, signal?: AbortSignal): Promise<Slot> {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const pick = () =>
      this.slots.find((s) => !s.busy && s.worker && s.languages === languages) ??
      this.slots.find((s) => !s.busy && !s.worker) ??
      this.slots.find((s) => !s.busy);
    return new Promise<Slot>((resolve, reject) => {
      if (signal?.aborted) return reject(new ExtractionError("ABORTED", "extraction aborted"));
      const tryTake = () => {
        const slot = pick();
        if (!slot) return false;
        slot.busy = true;
        resolve(slot);
        return true;
      };
      if (tryTake()) return;
      const waiter = () => {
        if (tryTake()) signal?.removeEventListener("abort", onAbort);
        else this.waiters.push(waiter);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new ExtractionError("ABORTED", "extraction aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(slot: Slot): void {
    slot.busy = false;
    slot.worker?.then((w) => threadOf(w)?.unref()).catch(() => undefined);
    this.waiters.shift()?.();
    if (this.slots.every((s) => !s.busy) && this.slots.some((s) => s.worker)) {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => void this.terminate(), IDLE_SHUTDOWN_MS);
      this.idleTimer.unref();
    }
  }

  /** Drops a slot's worker (timed out or broken); the next job creates a fresh one. */
  private discard(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = null;
    slot.languages = null;
    worker?.then((w) => w.terminate()).catch(() => undefined);
  }

  /** Terminates every worker; jobs in flight fail. The pool stays usable (workers are re-created). */
  async terminate(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const workers = this.slots.map((s) => s.worker).filter((w) => w !== null);
    for (const slot of this.slots) {
      slot.cancel?.(new ExtractionError("ABORTED", "extraction shut down"));
      slot.worker = null;
      slot.languages = null;
    }
    await Promise.all(workers.map((w) => w.then((x) => x.terminate()).catch(() => undefined)));
  }
}
