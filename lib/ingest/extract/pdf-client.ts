// The caller's side of the PDF worker thread: one shared worker per process, started lazily, requests
// matched to responses by id, buffers transferred (not copied) both ways.

import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ExtractionError } from "../types";
import { deprioritizeNewThreads, threadIds } from "./priority";
import type {
  GrayImage,
  PageLayout,
  PagePng,
  PageText,
  WorkerRequest,
  WorkerResponse,
  WorkerResult,
} from "./protocol";

/** Worker source, relative to the project root (process.cwd() in `next dev`/`npm start`, Vitest, tsx). */
export const PDF_WORKER_SOURCE = "lib/ingest/extract/pdf-worker.ts";

/** A parse, text or render request taking longer is a pathological file (or a hung worker). */
export const PDF_REQUEST_TIMEOUT_MS = 60_000;

/** pdf.js failed on one page; the document's other pages may be fine. */
export class PdfPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PdfPageError";
  }
}

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;
type Request = Distribute<WorkerRequest>;

interface Pending {
  resolve: (result: WorkerResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PdfWorkerClient {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextDoc = 1;

  private spawn(): Worker {
    const file = path.join(process.cwd(), PDF_WORKER_SOURCE);
    if (!existsSync(file)) {
      throw new Error(`PDF worker source not found at ${file}: run from the project root`);
    }
    // tsx compiles the worker's TypeScript. On Node 20 `execArgv: ["--import", "tsx"]` does not reach a
    // worker's entry module (ERR_UNKNOWN_FILE_EXTENSION), so a one-line bootstrap imports it through
    // tsx's API instead. It is a string: bundlers leave it alone.
    const bootstrap = `import("tsx/esm/api")
  .then(({ tsImport }) => tsImport(${JSON.stringify(pathToFileURL(file).href)}, ${JSON.stringify(pathToFileURL(`${process.cwd()}/`).href)}))
  .catch((err) => { console.error("[extract] pdf worker failed to start:", err); process.exit(1); });`;
    const threadsBefore = threadIds();
    const worker = new Worker(bootstrap, { eval: true, name: "bacmr-pdf" });
    worker.once("online", () => deprioritizeNewThreads(threadsBefore));
    worker.on("message", (msg: WorkerResponse) => this.onMessage(msg));
    worker.on("error", (err) => this.fail(worker, err));
    worker.on("exit", (code) => this.fail(worker, new Error(`PDF worker exited (code ${code})`)));
    worker.unref();
    return worker;
  }

  private onMessage(msg: WorkerResponse): void {
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    this.settle(msg.id);
    if (msg.ok) pending.resolve(msg.result);
    else if (msg.code === "PAGE") pending.reject(new PdfPageError(msg.message));
    else if (msg.code === "ENCRYPTED" || msg.code === "CORRUPT")
      pending.reject(new ExtractionError(msg.code, msg.message));
    else pending.reject(new Error(`PDF worker: ${msg.message}`));
  }

  private settle(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    // An idle worker must not keep a script or test process alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** The worker died: every request in flight fails (their documents were open in it). */
  private fail(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const [id, pending] of [...this.pending]) {
      this.settle(id);
      pending.reject(err);
    }
  }

  private request(req: Request, transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<WorkerResult> {
    if (signal?.aborted) return Promise.reject(abortError());
    this.worker ??= this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<WorkerResult>((resolve, reject) => {
      const onAbort = () => {
        // The worker finishes the request; its answer is dropped.
        this.settle(id);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        // Only terminating the thread stops pdf.js: requests of other documents fail with it (retryable).
        const err = new ExtractionError(
          "TIMEOUT",
          `PDF ${req.op} took longer than ${PDF_REQUEST_TIMEOUT_MS / 1000} s`,
        );
        this.fail(worker, err);
        void worker.terminate();
      }, PDF_REQUEST_TIMEOUT_MS);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
        timer,
      });
      worker.ref();
      worker.postMessage({ ...req, id }, transfer);
    });
  }

  async open(bytes: Uint8Array, signal?: AbortSignal): Promise<{ doc: number; pages: number }> {
    // A copy: the caller keeps its bytes, the worker gets a buffer it owns.
    const data = bytes.slice().buffer;
    const doc = this.nextDoc++;
    try {
      const r = await this.request({ op: "open", doc, data }, [data], signal);
      if (r.op !== "open") throw new Error(`unexpected PDF worker answer ${r.op}`);
      return { doc, pages: r.pages };
    } catch (err) {
      // An aborted open may still complete in the worker: free it there.
      void this.close(doc);
      throw err;
    }
  }

  async text(doc: number, page: number, signal?: AbortSignal): Promise<PageText> {
    const r = await this.request({ op: "text", doc, page }, [], signal);
    if (r.op !== "text") throw new Error(`unexpected PDF worker answer ${r.op}`);
    return r.value;
  }

  async render(doc: number, page: number, signal?: AbortSignal): Promise<GrayImage> {
    const r = await this.request({ op: "render", doc, page }, [], signal);
    if (r.op !== "render") throw new Error(`unexpected PDF worker answer ${r.op}`);
    return r.value;
  }

  /** The page rendered `width` pixels wide, as a PNG (for display, not OCR). */
  async renderPng(doc: number, page: number, width: number, signal?: AbortSignal): Promise<PagePng> {
    const r = await this.request({ op: "png", doc, page, width }, [], signal);
    if (r.op !== "png") throw new Error(`unexpected PDF worker answer ${r.op}`);
    return r.value;
  }

  /** The page's text items with their positions. */
  async layout(doc: number, page: number, signal?: AbortSignal): Promise<PageLayout> {
    const r = await this.request({ op: "layout", doc, page }, [], signal);
    if (r.op !== "layout") throw new Error(`unexpected PDF worker answer ${r.op}`);
    return r.value;
  }

  /** Frees a document; never throws (called from `finally`). */
  async close(doc: number): Promise<void> {
    if (!this.worker) return;
    await this.request({ op: "close", doc }).catch(() => undefined);
  }

  async terminate(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.fail(worker, new ExtractionError("ABORTED", "extraction shut down"));
    await worker.terminate();
  }
}

function abortError(): ExtractionError {
  return new ExtractionError("ABORTED", "extraction aborted");
}
