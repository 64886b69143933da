import { createServer } from "node:http";
import { listenLocally, openaiError, readJsonPost, send } from "./openai-http";

// A fake OpenAI-compatible /v1/chat/completions server (what Ollama, vLLM, LM Studio and OpenAI
// all speak), on 127.0.0.1 and a random port, so the chat role runs in tests exactly as in
// production: through @ai-sdk/openai's chat model, over HTTP, streamed as server-sent events.
// It can also fail the ways a real server fails: an error status, no answer at all, or a
// connection cut in the middle of the stream.

export const FAKE_OPENAI_CHAT_KEY = "sk-test-fake-openai-chat-key";

/** A /v1/chat/completions request as received (also recorded when it was failed on purpose). */
export interface RecordedChatRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model?: unknown;
    messages?: { role: string; content: unknown }[];
    stream?: unknown;
    stream_options?: { include_usage?: boolean };
    max_tokens?: unknown;
    max_completion_tokens?: unknown;
    [key: string]: unknown;
  };
}

/** How the next requests are answered. `setMode({})` restores the default (a normal answer). */
export interface FakeChatMode {
  /** The answer's text (default: DEFAULT_FAKE_ANSWER). */
  text?: string;
  /** Number of streamed content chunks the text is cut into (default 5). */
  chunks?: number;
  /** Usage reported (default: prompt chars / 4 and answer chars / 4, rounded up). */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer this HTTP status with OpenAI's error body instead (e.g. 500, 429, 401). */
  status?: number;
  /** Accept the request and never answer (until the client gives up or the fake closes). */
  hang?: boolean;
  /** Stream the role chunk and half of the content chunks, then destroy the socket. */
  dropMidStream?: boolean;
  /** Wait this long before answering (a slow model: makes concurrent requests overlap). */
  delayMs?: number;
}

export interface FakeOpenAIChat {
  /** For OPENAI_BASE_URL (ends in /v1, as the real one). */
  baseUrl: string;
  apiKey: string;
  /** Every request, in order of arrival. */
  requests: RecordedChatRequest[];
  setMode(mode: FakeChatMode): void;
  /** Forgets requests and restores the default mode. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_ANSWER =
  "La demi-vie est la durée au bout de laquelle la moitié des noyaux se sont désintégrés [1].";

/** `text` cut into `n` non-empty pieces (fewer when the text is shorter than n). */
function cut(text: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, n)));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

function promptChars(body: RecordedChatRequest["body"]): number {
  return (body.messages ?? []).reduce((sum, m) => {
    if (typeof m.content === "string") return sum + m.content.length;
    return sum + JSON.stringify(m.content ?? "").length;
  }, 0);
}

export async function startFakeOpenAIChat(): Promise<FakeOpenAIChat> {
  let mode: FakeChatMode = {};
  let sequence = 0;
  const fake = {
    baseUrl: "",
    apiKey: FAKE_OPENAI_CHAT_KEY,
    requests: [] as RecordedChatRequest[],
    setMode(next: FakeChatMode) {
      mode = { ...next };
    },
    reset() {
      fake.requests.length = 0;
      mode = {};
    },
    close: async () => {},
  };

  const server = createServer(async (req, res) => {
    try {
      const body = await readJsonPost<RecordedChatRequest["body"]>(req, res, "/v1/chat/completions");
      if (!body) return; // the Responses API (/v1/responses) is refused too, as compatible servers do
      fake.requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const current = mode;

      if (current.hang) return; // the socket stays open; close() or the client's abort ends it
      if (current.delayMs) await new Promise((r) => setTimeout(r, current.delayMs));
      if (current.status !== undefined) {
        send(
          res,
          current.status,
          openaiError(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            null,
          ),
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
      if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.messages.length === 0) {
        send(
          res,
          400,
          openaiError("'model' and a non-empty 'messages' are required", "invalid_request_error", null),
        );
        return;
      }

      const text = current.text ?? DEFAULT_FAKE_ANSWER;
      const usage = current.usage ?? {
        prompt_tokens: Math.ceil(promptChars(body) / 4),
        completion_tokens: Math.ceil(text.length / 4),
      };
      const usageBody = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
      const id = `chatcmpl-fake-${++sequence}`;
      const created = Math.floor(Date.now() / 1000);

      if (body.stream !== true) {
        send(res, 200, {
          id,
          object: "chat.completion",
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
          usage: usageBody,
        });
        return;
      }

      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`;
      const pieces = cut(text, current.chunks ?? 5);
      res.write(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));

      if (current.dropMidStream) {
        for (const piece of pieces.slice(0, Math.max(1, Math.floor(pieces.length / 2)))) {
          res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
        }
        // Let the chunks reach the client, then cut the connection without ending the response.
        setTimeout(() => res.socket?.destroy(), 30);
        return;
      }

      for (const piece of pieces) {
        res.write(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
      }
      res.write(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
      if (body.stream_options?.include_usage) res.write(chunk([], { usage: usageBody }));
      res.end("data: [DONE]\n\n");
    } catch (err) {
      if (!res.headersSent) send(res, 500, openaiError(String(err), "server_error", null));
      else res.destroy();
    }
  });
  const local = await listenLocally(server);
  fake.baseUrl = local.baseUrl;
  fake.close = local.close;
  return fake;
}
