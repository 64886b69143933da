import { APICallError } from "@ai-sdk/provider";
import { RetryError } from "ai";

// What a chat model failure becomes in an API response, with the codes and bodies of the
// materials API specification. How each failure reaches the caller of streamText (measured with
// ai 6.0 and @ai-sdk/openai 3.0 against test/fakes/openai-chat.ts):
//
// | failure                            | streamText                                   | error to classify            | code               |
// |------------------------------------|----------------------------------------------|------------------------------|--------------------|
// | HTTP error status (500, 401, 429…) | `error` part in fullStream + onError; the    | APICallError (statusCode)    | SERVICE_ERROR      |
// |                                    | stream then ends normally; textStream ends   | (RetryError when retried)    |                    |
// |                                    | silently; result.text rejects with           |                              |                    |
// |                                    | NoOutputGeneratedError (no cause)            |                              |                    |
// | server unreachable (refused, DNS)  | same as above                                | APICallError, no statusCode, | LOCAL_AI_API_ERROR |
// |                                    |                                              | cause ECONNREFUSED/ENOTFOUND |                    |
// | connection cut mid-stream          | fullStream/textStream iteration THROWS; no   | APICallError statusCode 200, | LOCAL_AI_API_ERROR |
// |                                    | onError, no onFinish, no onAbort; result.text| cause TypeError "terminated" |                    |
// |                                    | rejects with the same error                  | → UND_ERR_SOCKET             |                    |
// | our timeout / abort                | `abort` part in fullStream + onAbort; stream | DOMException TimeoutError    | TIMEOUT_ERROR      |
// |                                    | ends normally; result.text rejects with the  | (AbortSignal.timeout, the    |                    |
// |                                    | signal's reason                              | `timeout` option) or AbortError |                 |
//
// streamText never throws at call. generateText throws the "error to classify" itself. The offline
// tutor fails only by abort (same as the last row). Merged into createUIMessageStream, an error
// part becomes an `error` chunk whose text is `toUIMessageStream({ onError })`'s return (default
// "An error occurred."): classify there; a thrown error (cut mid-stream) reaches
// createUIMessageStream's own onError instead; a timeout is an `abort` chunk and onFinish's
// isAborted.

export type ProviderErrorCode = "LOCAL_AI_API_ERROR" | "TIMEOUT_ERROR" | "SERVICE_ERROR" | "INTERNAL_ERROR";

export interface ProviderErrorResponse {
  status: 500 | 503;
  body: { error: string; code: ProviderErrorCode };
}

/** The response of each code, as the specification writes them. */
export const PROVIDER_ERRORS: Record<ProviderErrorCode, ProviderErrorResponse> = {
  LOCAL_AI_API_ERROR: {
    status: 503,
    body: { error: "AI Brain service not available", code: "LOCAL_AI_API_ERROR" },
  },
  TIMEOUT_ERROR: { status: 503, body: { error: "AI Brain service timeout", code: "TIMEOUT_ERROR" } },
  SERVICE_ERROR: { status: 500, body: { error: "AI service error", code: "SERVICE_ERROR" } },
  INTERNAL_ERROR: {
    status: 500,
    body: { error: "Something went wrong. Please try again.", code: "INTERNAL_ERROR" },
  },
};

/** Socket-level codes of a server that cannot be reached or went away (Node, undici, Bun). */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ConnectionRefused",
  "ConnectionClosed",
  "FailedToOpenSocket",
]);
/** Codes of a server that is reachable but too slow. */
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
/** undici's messages for a failed request and for a body cut short ("terminated"). */
const CONNECTION_MESSAGES = new Set(["fetch failed", "failed to fetch", "terminated", "other side closed"]);
/** AI SDK errors that mean the provider answered something unusable. */
const PROVIDER_ERROR_NAMES = new Set([
  "AI_APICallError",
  "AI_RetryError",
  "AI_InvalidResponseDataError",
  "AI_JSONParseError",
  "AI_TypeValidationError",
  "AI_EmptyResponseBodyError",
  "AI_NoContentGeneratedError",
  "AI_NoOutputGeneratedError",
  "AI_NoSuchModelError",
  "AI_LoadAPIKeyError",
]);

const MAX_DEPTH = 12;

/** The error and everything it wraps: a RetryError's last attempt, `cause` chains. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < MAX_DEPTH) {
    const e = queue.shift();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    out.push(e);
    // The last attempt says what the provider is doing now.
    if (RetryError.isInstance(e)) queue.push(e.lastError);
    if (typeof e === "object" && "cause" in e) queue.push((e as { cause?: unknown }).cause);
  }
  return out;
}

function field(e: unknown, key: string): unknown {
  return typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

function isTimeout(e: unknown): boolean {
  const name = field(e, "name");
  // Every abort that reaches a response is ours: a client that went away has nobody to answer.
  if (name === "TimeoutError" || name === "AbortError") return true;
  const code = field(e, "code");
  return typeof code === "string" && TIMEOUT_CODES.has(code);
}

function isConnectionFailure(e: unknown): boolean {
  const code = field(e, "code");
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  const message = field(e, "message");
  return (
    e instanceof TypeError && typeof message === "string" && CONNECTION_MESSAGES.has(message.toLowerCase())
  );
}

function isProviderError(e: unknown): boolean {
  if (APICallError.isInstance(e) || RetryError.isInstance(e)) return true;
  const name = field(e, "name");
  if (typeof name === "string" && PROVIDER_ERROR_NAMES.has(name)) return true;
  // An error event inside an OpenAI stream is streamed as OpenAI's raw error object.
  return e instanceof Error ? false : typeof field(e, "message") === "string" && "type" in (e as object);
}

/**
 * Maps anything thrown by, or streamed as an error from, streamText/generateText to the
 * specification's response: unreachable provider (refused, reset, DNS, connection cut) → 503
 * LOCAL_AI_API_ERROR; timeout or abort → 503 TIMEOUT_ERROR; another provider failure (an error
 * status, an unusable response) → 500 SERVICE_ERROR; anything else → 500 INTERNAL_ERROR.
 * Wrappers (RetryError, NoOutputGeneratedError, `cause`) are unwrapped; the most specific reason
 * anywhere in the chain wins (timeout, then connection, then provider).
 */
export function classifyProviderError(err: unknown): ProviderErrorResponse {
  const all = chain(err);
  const code: ProviderErrorCode = all.some(isTimeout)
    ? "TIMEOUT_ERROR"
    : all.some(isConnectionFailure)
      ? "LOCAL_AI_API_ERROR"
      : all.some(isProviderError)
        ? "SERVICE_ERROR"
        : "INTERNAL_ERROR";
  const { status, body } = PROVIDER_ERRORS[code];
  return { status, body: { ...body } };
}
