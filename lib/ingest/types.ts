/** One page of a document as text, however it was obtained. */
export interface ExtractedPage {
  /** 1-based page number (an image is page 1). */
  page: number;
  /** Normalised text (see lib/text/normalize.ts); may be empty for a blank page. */
  text: string;
  /** "text": the PDF's text layer was good; "ocr": rendered and recognised. */
  method: "text" | "ocr";
  /** Why OCR was chosen for this page (empty layer, too little text, garbage layer…), for logs. */
  reason?: string;
  /** Milliseconds spent on this page (text extraction or render + OCR). */
  ms: number;
}

export interface ExtractOptions {
  /** Called once the page count is known, before the first page is yielded. */
  onTotal?: (pages: number) => void;
  /** Cancels extraction (the job lost its lease, the server is stopping). */
  signal?: AbortSignal;
  /** Documents with more pages are refused with ExtractionError("TOO_MANY_PAGES"). */
  maxPages?: number;
}

export type ExtractionErrorCode =
  | "ENCRYPTED"
  | "CORRUPT"
  | "TOO_MANY_PAGES"
  | "UNSUPPORTED"
  | "TIMEOUT"
  | "ABORTED";

/** A document that cannot be read; `permanent` errors are not retried by the job runner. */
export class ExtractionError extends Error {
  readonly code: ExtractionErrorCode;
  readonly permanent: boolean;
  constructor(
    code: ExtractionErrorCode,
    message: string,
    permanent = code !== "TIMEOUT" && code !== "ABORTED",
  ) {
    super(message);
    this.name = "ExtractionError";
    this.code = code;
    this.permanent = permanent;
  }
}

/** A piece of a document small enough to embed and cite, never losing its pages. */
export interface Chunk {
  index: number;
  content: string;
  pageStart: number;
  pageEnd: number;
}
