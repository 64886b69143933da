import { createServer } from "node:http";
import { listenLocally, openaiError, readJsonPost, send } from "./openai-http";

// A fake of the OpenAI HTTP API (what BacMR calls of it), on 127.0.0.1 and a random port, so the
// OpenAI code paths run in tests exactly as in production: through @ai-sdk/openai, over HTTP.
// It checks requests as strictly as OpenAI does where our code could go wrong, answers with
// OpenAI's JSON shapes, and can fail the next requests (429, 5xx) to exercise retries.

export const FAKE_OPENAI_KEY = "sk-test-fake-openai-key";

/** A /v1/embeddings request as received (also recorded when it was failed on purpose). */
export interface RecordedEmbeddingRequest {
  authorization: string | undefined;
  body: {
    model?: unknown;
    input?: unknown;
    dimensions?: unknown;
    encoding_format?: unknown;
    [key: string]: unknown;
  };
}

export interface FakeOpenAI {
  /** For OPENAI_BASE_URL (ends in /v1, as the real one). */
  baseURL: string;
  apiKey: string;
  /** Every embeddings request, in order of arrival. */
  embeddingRequests: RecordedEmbeddingRequest[];
  /** The next `count` requests answer `status` (e.g. 429, 500, 503) with OpenAI's error body. */
  failNext(count: number, status: number): void;
  /** Length of the vectors returned; undefined: the request's `dimensions`, else 1536 (the model's). */
  vectorLength: number | undefined;
  /** Milliseconds to wait before answering (to test aborts). */
  delayMs: number;
  /** Forgets requests, failures, delay and vector length. */
  reset(): void;
  close(): Promise<void>;
}

/** The vector the fake returns for a text: deterministic, unit length, any length. */
export function fakeEmbedding(text: string, length: number): number[] {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193);
  // mulberry32: a tiny seeded generator, so the same text always gives the same vector.
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const v = Array.from({ length }, () => next() * 2 - 1);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

/** What OpenAI would refuse in an embeddings request body, or null when it is valid. */
function invalidEmbeddingBody(
  body: RecordedEmbeddingRequest["body"],
): { message: string; param: string } | null {
  if (typeof body.model !== "string" || body.model === "")
    return { message: "you must provide a model parameter", param: "model" };
  const input = body.input;
  // OpenAI also accepts a single string or token arrays; BacMR always sends an array of strings.
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048) {
    return { message: "'input' must be an array of 1 to 2048 strings", param: "input" };
  }
  if (!input.every((s) => typeof s === "string" && s.length > 0)) {
    return { message: "'$.input' is invalid: every item must be a non-empty string", param: "input" };
  }
  if (
    body.dimensions !== undefined &&
    !(Number.isInteger(body.dimensions) && (body.dimensions as number) > 0)
  ) {
    return { message: "'dimensions' must be a positive integer", param: "dimensions" };
  }
  if (body.encoding_format !== undefined && body.encoding_format !== "float") {
    return { message: "this fake only answers encoding_format 'float'", param: "encoding_format" };
  }
  return null;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  let failures: number[] = [];
  const fake = {
    baseURL: "",
    apiKey: FAKE_OPENAI_KEY,
    embeddingRequests: [] as RecordedEmbeddingRequest[],
    failNext(count: number, status: number) {
      failures.push(...new Array<number>(count).fill(status));
    },
    vectorLength: undefined as number | undefined,
    delayMs: 0,
    reset() {
      fake.embeddingRequests.length = 0;
      failures = [];
      fake.vectorLength = undefined;
      fake.delayMs = 0;
    },
    close: async () => {},
  };

  const server = createServer(async (req, res) => {
    try {
      const body = await readJsonPost<RecordedEmbeddingRequest["body"]>(req, res, "/v1/embeddings");
      if (!body) return;
      fake.embeddingRequests.push({ authorization: req.headers.authorization, body });
      if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));

      const failure = failures.shift();
      if (failure === 429) {
        // retry-after-ms is honoured by the AI SDK: tests retry in milliseconds, not seconds.
        send(res, 429, openaiError("Rate limit reached for requests", "requests", "rate_limit_exceeded"), {
          "retry-after-ms": "5",
        });
        return;
      }
      if (failure !== undefined) {
        send(
          res,
          failure,
          openaiError(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            null,
          ),
          { "retry-after-ms": "5" },
        );
        return;
      }
      if (req.headers.authorization !== `Bearer ${fake.apiKey}`) {
        send(
          res,
          401,
          openaiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        );
        return;
      }
      const invalid = invalidEmbeddingBody(body);
      if (invalid) {
        send(res, 400, openaiError(invalid.message, "invalid_request_error", null, invalid.param));
        return;
      }
      const input = body.input as string[];
      const length = fake.vectorLength ?? (body.dimensions as number | undefined) ?? 1536;
      const tokens = input.reduce((s, t) => s + Math.ceil(t.length / 4), 0);
      send(res, 200, {
        object: "list",
        data: input.map((t, index) => ({ object: "embedding", index, embedding: fakeEmbedding(t, length) })),
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    } catch (err) {
      send(res, 500, openaiError(String(err), "server_error", null));
    }
  });
  const local = await listenLocally(server);
  fake.baseURL = local.baseUrl;
  fake.close = local.close;
  return fake;
}
