import { readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import path from "node:path";
import { APICallError, InvalidResponseDataError } from "@ai-sdk/provider";
import {
  generateText,
  NoOutputGeneratedError,
  RetryError,
  streamText,
  type TextStreamPart,
  type ToolSet,
} from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classifyProviderError } from "@/lib/ai/errors";
import { OFFLINE_TUTOR_MODEL_ID } from "@/lib/ai/offline-tutor";
import { tutorSystemPrompt } from "@/lib/ai/prompts";
import { chatModel, embeddingModel } from "@/lib/ai/providers";
import { resetEnvCache } from "@/lib/config/env";
import { type FakeOpenAIChat, startFakeOpenAIChat } from "./fakes/openai-chat";

const VARS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CHAT_MODEL"] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

function setEnv(values: Partial<Record<(typeof VARS)[number], string>>) {
  for (const v of VARS) {
    if (values[v] === undefined) delete process.env[v];
    else process.env[v] = values[v];
  }
  resetEnvCache();
}

const SERVICE_ERROR = { status: 500, body: { error: "AI service error", code: "SERVICE_ERROR" } };
const LOCAL_AI_API_ERROR = {
  status: 503,
  body: { error: "AI Brain service not available", code: "LOCAL_AI_API_ERROR" },
};
const TIMEOUT_ERROR = { status: 503, body: { error: "AI Brain service timeout", code: "TIMEOUT_ERROR" } };
const INTERNAL_ERROR = {
  status: 500,
  body: { error: "Something went wrong. Please try again.", code: "INTERNAL_ERROR" },
};

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Part = TextStreamPart<ToolSet>;

/** Every part of fullStream, and what iterating it threw (undefined when it ended normally). */
async function drain(stream: AsyncIterable<Part>): Promise<{ parts: Part[]; thrown: unknown }> {
  const parts: Part[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts, thrown: undefined };
  } catch (err) {
    return { parts, thrown: err };
  }
}

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}

let fake: FakeOpenAIChat;

beforeAll(async () => {
  fake = await startFakeOpenAIChat();
});
afterAll(async () => {
  await fake.close();
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  resetEnvCache();
});

describe("chat role without OPENAI_API_KEY", () => {
  it("is the offline tutor", async () => {
    setEnv({});
    const choice = chatModel();
    expect(choice.id).toBe(OFFLINE_TUTOR_MODEL_ID);
    expect(choice.remote).toBe(false);
    expect(choice.model.provider).toBe("bacmr");
    const { text } = await generateText({ model: choice.model, prompt: "Bonjour" });
    expect(text.length).toBeGreaterThan(0);
  });
});

describe("model names", () => {
  it("are chosen in lib/ai/providers.ts, the only source file that names one: env holds overrides only", () => {
    setEnv({ OPENAI_API_KEY: "sk-test" });
    expect(chatModel().id).toBe("gpt-4o-mini");
    expect(embeddingModel().id).toBe("text-embedding-3-small");
    setEnv({ OPENAI_API_KEY: "sk-test", CHAT_MODEL: "llama3.1:8b" });
    expect(chatModel().id).toBe("llama3.1:8b");

    const root = path.resolve(import.meta.dirname, "..");
    const modelName = /["'`](?:gpt-|o\d-|chatgpt-|text-embedding-)[\w.-]*["'`]/;
    const naming = ["app", "components", "db", "lib"]
      .flatMap((dir) =>
        (readdirSync(path.join(root, dir), { recursive: true }) as string[]).map((f) => path.join(dir, f)),
      )
      .concat(["server.mjs", "proxy.ts", "instrumentation.ts"])
      .filter((f) => /\.(ts|tsx|mjs)$/.test(f) && modelName.test(readFileSync(path.join(root, f), "utf8")));
    expect(naming).toStrictEqual([path.join("lib", "ai", "providers.ts")]);
  });
});

describe("chat role with OPENAI_API_KEY (OpenAI-compatible server)", () => {
  beforeEach(() => {
    fake.reset();
    setEnv({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl, CHAT_MODEL: "test-chat-model" });
  });

  it("streams the server's text through /chat/completions and reports its usage", async () => {
    const answer =
      "La demi-vie est la durée au bout de laquelle la moitié des noyaux se sont désintégrés [1].";
    fake.setMode({ text: answer, chunks: 6, usage: { prompt_tokens: 42, completion_tokens: 7 } });
    const choice = chatModel();
    expect(choice.id).toBe("test-chat-model");
    expect(choice.remote).toBe(true);
    const system = tutorSystemPrompt({ hintLevel: 2, language: "fr", passages: [] });
    let onFinishUsage: unknown;
    const result = streamText({
      model: choice.model,
      system,
      prompt: "C'est quoi la demi-vie ?",
      maxOutputTokens: 300,
      maxRetries: 0,
      onFinish: (f) => {
        onFinishUsage = { input: f.totalUsage.inputTokens, output: f.totalUsage.outputTokens };
      },
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toHaveLength(6);
    expect(deltas.join("")).toBe(answer);
    expect(await result.finishReason).toBe("stop");
    const usage = await result.totalUsage;
    expect({ input: usage.inputTokens, output: usage.outputTokens }).toStrictEqual({ input: 42, output: 7 });
    expect(onFinishUsage).toStrictEqual({ input: 42, output: 7 });

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.body).toMatchObject({
      model: "test-chat-model",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 300,
      messages: [
        { role: "system", content: system },
        { role: "user", content: "C'est quoi la demi-vie ?" },
      ],
    });
  });

  it("also answers without streaming (generateText)", async () => {
    fake.setMode({ text: "Bonjour !", usage: { prompt_tokens: 5, completion_tokens: 3 } });
    const result = await generateText({ model: chatModel().model, prompt: "Salut", maxRetries: 0 });
    expect(result.text).toBe("Bonjour !");
    expect(result.usage.inputTokens).toBe(5);
    expect(result.usage.outputTokens).toBe(3);
    expect(fake.requests[0]?.body.stream).toBeUndefined();
  });

  // Callers pass maxRetries: 0 (or 1): the SDK default (2) waits ~2 s then ~4 s between attempts.
  it("an error status is an `error` part and onError, then SERVICE_ERROR", async () => {
    fake.setMode({ status: 500 });
    const errors: unknown[] = [];
    const result = streamText({
      model: chatModel().model,
      prompt: "Bonjour",
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const { parts, thrown } = await drain(result.fullStream);
    expect(thrown).toBeUndefined();
    const errorPart = parts.find((p) => p.type === "error");
    expect(errorPart).toBeDefined();
    const streamed = (errorPart as { error: unknown }).error;
    expect(APICallError.isInstance(streamed) && streamed.statusCode).toBe(500);
    expect(errors).toStrictEqual([streamed]);
    expect(parts.some((p) => p.type === "text-delta")).toBe(false);
    expect(classifyProviderError(streamed)).toStrictEqual(SERVICE_ERROR);
    // result.text loses the cause: classify the streamed error, not this one.
    const text = await rejection(result.text);
    expect(NoOutputGeneratedError.isInstance(text)).toBe(true);
    expect(classifyProviderError(text)).toStrictEqual(SERVICE_ERROR);
    // generateText throws the APICallError itself.
    const generated = await rejection(generateText({ model: chatModel().model, prompt: "x", maxRetries: 0 }));
    expect(classifyProviderError(generated)).toStrictEqual(SERVICE_ERROR);
  });

  it("an unreachable server is an `error` part and onError, then LOCAL_AI_API_ERROR", async () => {
    setEnv({
      OPENAI_API_KEY: fake.apiKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
      CHAT_MODEL: "test-chat-model",
    });
    const errors: unknown[] = [];
    const result = streamText({
      model: chatModel().model,
      prompt: "Bonjour",
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const { parts, thrown } = await drain(result.fullStream);
    expect(thrown).toBeUndefined();
    const streamed = (parts.find((p) => p.type === "error") as { error: unknown } | undefined)?.error;
    expect(APICallError.isInstance(streamed) && streamed.message).toMatch(
      /^Cannot connect to API: .*ECONNREFUSED/,
    );
    expect(errors).toStrictEqual([streamed]);
    expect(classifyProviderError(streamed)).toStrictEqual(LOCAL_AI_API_ERROR);
    const generated = await rejection(generateText({ model: chatModel().model, prompt: "x", maxRetries: 0 }));
    expect(classifyProviderError(generated)).toStrictEqual(LOCAL_AI_API_ERROR);
  });

  it("a server that never answers, with our timeout, is an `abort` part and onAbort, then TIMEOUT_ERROR", async () => {
    fake.setMode({ hang: true });
    for (const limit of [{ abortSignal: AbortSignal.timeout(300) }, { timeout: 300 }]) {
      const events: string[] = [];
      const started = Date.now();
      const result = streamText({
        model: chatModel().model,
        prompt: "Bonjour",
        maxRetries: 0,
        ...limit,
        onError: () => {
          events.push("onError");
        },
        onAbort: () => {
          events.push("onAbort");
        },
        onFinish: () => {
          events.push("onFinish");
        },
      });
      const { parts, thrown } = await drain(result.fullStream);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(thrown).toBeUndefined();
      expect(parts.map((p) => p.type)).toStrictEqual(["start", "abort"]);
      expect(events).toStrictEqual(["onAbort"]);
      // The signal's reason: a DOMException named TimeoutError.
      const text = await rejection(result.text);
      expect(text).toMatchObject({ name: "TimeoutError" });
      expect(classifyProviderError(text)).toStrictEqual(TIMEOUT_ERROR);
    }
    expect(fake.requests).toHaveLength(2);
    const generated = await rejection(
      generateText({
        model: chatModel().model,
        prompt: "x",
        maxRetries: 0,
        abortSignal: AbortSignal.timeout(300),
      }),
    );
    expect(classifyProviderError(generated)).toStrictEqual(TIMEOUT_ERROR);
  });

  it("a connection cut mid-stream makes the stream THROW (no onError), then LOCAL_AI_API_ERROR", async () => {
    fake.setMode({ dropMidStream: true, chunks: 6 });
    const events: string[] = [];
    const result = streamText({
      model: chatModel().model,
      prompt: "Bonjour",
      maxRetries: 0,
      onError: () => {
        events.push("onError");
      },
      onAbort: () => {
        events.push("onAbort");
      },
      onFinish: () => {
        events.push("onFinish");
      },
    });
    const { parts, thrown } = await drain(result.fullStream);
    // Some text arrived before the cut; the stream then rejects instead of ending.
    expect(parts.filter((p) => p.type === "text-delta").length).toBe(3);
    expect(parts.some((p) => p.type === "error" || p.type === "finish")).toBe(false);
    expect(APICallError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ statusCode: 200, message: "Failed to process successful response" });
    expect(classifyProviderError(thrown)).toStrictEqual(LOCAL_AI_API_ERROR);
    expect(events).toStrictEqual([]);
    // result.text rejects with the same error.
    expect(await rejection(result.text)).toBe(thrown);
  });
});

describe("classifyProviderError", () => {
  const url = "http://127.0.0.1:1/v1/chat/completions";
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  const api = (statusCode?: number, cause?: unknown) =>
    new APICallError({ message: "x", url, requestBodyValues: {}, statusCode, cause, isRetryable: true });

  it.each([
    ["fetch failed (refused)", new TypeError("fetch failed", { cause: refused }), LOCAL_AI_API_ERROR],
    [
      "DNS failure",
      api(undefined, Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" })),
      LOCAL_AI_API_ERROR,
    ],
    [
      "connection reset",
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      LOCAL_AI_API_ERROR,
    ],
    [
      "retries exhausted on a refused connection",
      new RetryError({
        message: "Failed after 2 attempts",
        reason: "maxRetriesExceeded",
        errors: [api(500), api(undefined, refused)],
      }),
      LOCAL_AI_API_ERROR,
    ],
    [
      "retries exhausted on a 503",
      new RetryError({
        message: "Failed after 3 attempts",
        reason: "maxRetriesExceeded",
        errors: [api(undefined, refused), api(503)],
      }),
      SERVICE_ERROR,
    ],
    [
      "AbortSignal.timeout",
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      TIMEOUT_ERROR,
    ],
    ["an abort", new DOMException("This operation was aborted", "AbortError"), TIMEOUT_ERROR],
    [
      "undici headers timeout",
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" }),
      }),
      TIMEOUT_ERROR,
    ],
    ["HTTP 429", api(429), SERVICE_ERROR],
    ["HTTP 401", api(401), SERVICE_ERROR],
    ["an invalid response", new InvalidResponseDataError({ data: {}, message: "bad" }), SERVICE_ERROR],
    [
      "OpenAI's error object streamed as an error part",
      { message: "overloaded", type: "server_error" },
      SERVICE_ERROR,
    ],
    ["a bug of ours", new TypeError("cannot read properties of undefined"), INTERNAL_ERROR],
    ["a plain Error", new Error("boom"), INTERNAL_ERROR],
    ["a string", "boom", INTERNAL_ERROR],
    ["undefined", undefined, INTERNAL_ERROR],
  ])("%s", (_name, err, expected) => {
    expect(classifyProviderError(err)).toStrictEqual(expected);
  });

  it("returns a fresh body each time", () => {
    const a = classifyProviderError(undefined);
    a.body.error = "changed";
    expect(classifyProviderError(undefined)).toStrictEqual(INTERNAL_ERROR);
  });
});
