import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as chatRoute from "@/app/api/chat/route";
import * as conversationRoute from "@/app/api/conversations/[conversation_id]/route";
import * as conversationsRoute from "@/app/api/conversations/route";
import * as courseChatRoute from "@/app/api/courses/[course_id]/chat/route";
import * as dbClient from "@/db/client";
import {
  chatHistory,
  financialTransactions,
  messages,
  profiles,
  tokenReservations,
  wallets,
} from "@/db/schema";
import { streamBilled } from "@/lib/ai/call";
import { NOT_IN_TEXTBOOKS } from "@/lib/ai/prompts";
import { estimateTokens } from "@/lib/ai/tokens";
import * as tutor from "@/lib/ai/tutor";
import * as conversations from "@/lib/chat/conversations";
import { env, resetEnvCache } from "@/lib/config/env";
import { createCourse } from "@/lib/courses";
import * as courseChat from "@/lib/courses/chat";
import { uploadMaterial } from "@/lib/courses/materials";
import { uploadCurriculum } from "@/lib/curriculum/documents";
import { getBalance, ledgerBalance } from "@/lib/wallet";
import { type FakeOpenAIChat, startFakeOpenAIChat } from "./fakes/openai-chat";
import { textPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { type CallResult, call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";
import { createSignedInUser } from "./helpers/users";

useTempDataDir("chat");
const { db } = useTestDb();
type User = Awaited<ReturnType<typeof createSignedInUser>>;

const PHYSICS = [
  ["La radioactivité est une transformation spontanée, aléatoire et inéluctable d'un noyau instable."],
  [
    "La demi-vie t1/2 est la durée au bout de laquelle la moitié des noyaux radioactifs présents s'est désintégrée.",
  ],
  [
    "L'activité A d'un échantillon se mesure en becquerel (Bq) : 1 Bq correspond à une désintégration par seconde.",
  ],
];

let counter = 0;
const nextIp = () => `10.1.${Math.floor(++counter / 250)}.${counter % 250}`;
/** Each call from its own address, unless a test says otherwise: the per-IP limit is tested apart. */
const ask = (user: User, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(chatRoute.POST, {
    path: "/api/chat",
    method: "POST",
    token: user.accessToken,
    body,
    headers: { "x-forwarded-for": nextIp(), ...headers },
  });
/** POST /api/courses/{id}/chat, from its own address like `ask`. */
const askCourse = (
  user: User,
  courseId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  call(courseChatRoute.POST, {
    path: `/api/courses/${courseId}/chat`,
    method: "POST",
    token: user.accessToken,
    params: { course_id: courseId },
    body,
    headers: { "x-forwarded-for": nextIp(), ...headers },
  });

async function expectWalletConsistent(userId: string) {
  expect(await ledgerBalance(db(), userId)).toBe((await getBalance(db(), userId)).balance);
  const [w] = await db().select().from(wallets).where(eq(wallets.userId, userId));
  expect(w?.balance).toBeGreaterThanOrEqual(0);
  const open = await db().select().from(tokenReservations).where(eq(tokenReservations.userId, userId));
  expect(open.filter((r) => r.status === "reserved")).toHaveLength(0);
}

/** Leaves the user `tokens` in the wallet, the difference written to the ledger as an adjustment. */
async function leaveTokens(userId: string, tokens: number) {
  const { balance } = await getBalance(db(), userId);
  await db().execute(sql`update wallets set balance = ${tokens} where user_id = ${userId}`);
  await db().execute(
    sql`insert into financial_transactions (user_id, direction, type, tokens, description) values (${userId}, 'debit', 'adjustment', ${balance - tokens}, 'test')`,
  );
}

/** Runs `fn` with these variables set, then puts the previous values back. */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  resetEnvCache();
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  }
}

/** An OpenAI base URL on a port nothing listens on (fetch refuses "bad ports" such as 9 before connecting). */
async function unreachableBaseUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  return `http://127.0.0.1:${port}/v1`;
}

/** A course of `user` with one processed material about acids. */
async function acidsCourse(user: User) {
  const course = await createCourse(db(), { userId: user.id, name: "Chimie" });
  await uploadMaterial(db(), {
    userId: user.id,
    courseId: course.id,
    file: {
      name: "cours-acides.pdf",
      type: "application/pdf",
      bytes: await textPdf([
        ["Un acide selon Brønsted est une espèce chimique capable de céder un proton H+."],
      ]),
    },
  });
  await settleIngestion();
  return course;
}

/**
 * The chat model of the enclosing describe: a fake OpenAI-compatible server (the real
 * @ai-sdk/openai path, over HTTP), reset before each test.
 */
function useFakeChatModel(): () => FakeOpenAIChat {
  let fake: FakeOpenAIChat | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAIChat();
    Object.assign(process.env, {
      OPENAI_API_KEY: fake.apiKey,
      OPENAI_BASE_URL: fake.baseUrl,
      CHAT_MODEL: "tutor-test",
    });
    resetEnvCache();
  });
  afterAll(async () => {
    for (const k of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CHAT_MODEL"]) delete process.env[k];
    resetEnvCache();
    await fake?.close();
  });
  beforeEach(() => fake?.reset());
  return () => {
    if (!fake) throw new Error("fake chat model not started yet");
    return fake;
  };
}

const NO_BALANCE = { detail: "Insufficient token balance", code: "INSUFFICIENT_BALANCE" };
const RATE_LIMITED = { detail: "Rate limit exceeded", code: "RATE_LIMITED" };
const SERVICE_ERROR = { error: "AI service error", code: "SERVICE_ERROR" };
const TIMEOUT_ERROR = { error: "AI Brain service timeout", code: "TIMEOUT_ERROR" };
const LOCAL_AI_API_ERROR = { error: "AI Brain service not available", code: "LOCAL_AI_API_ERROR" };

/** The parts of an AI SDK UI message stream (SSE `data:` lines). */
function sseParts(text: string): { type: string; [k: string]: unknown }[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)));
}

beforeAll(async () => {
  process.env.RATE_LIMIT_REQUESTS = "1000";
  process.env.RATE_LIMIT_USER_REQUESTS = "1000";
  resetEnvCache();
  await uploadCurriculum(db(), {
    file: { name: "physique.pdf", type: "application/pdf", bytes: await textPdf(PHYSICS) },
    title: "Physique 7AS",
    grade: "7AS",
    subject: "Physique",
    language: "fr",
    namespace: "curriculum",
  });
  await settleIngestion();
});
afterAll(() => {
  for (const k of ["RATE_LIMIT_REQUESTS", "RATE_LIMIT_USER_REQUESTS"]) delete process.env[k];
  resetEnvCache();
});

describe("the tutor, offline model", () => {
  it("answers in JSON with page citations, bills the wallet and stores the conversation", async () => {
    const ada = await createSignedInUser(db());
    const before = await getBalance(db(), ada.id);
    const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(res.status).toBe(200);
    expect(res.body.answer).toMatch(/hors ligne/i);
    // The three short pages make one passage, cited by its first page.
    expect(res.body.answer).toMatch(/\[1\] \(p\. 1\)/);
    expect(res.body.sources[0]).toMatchObject({
      title: "Physique 7AS",
      page: 1,
      document_id: expect.any(String),
    });
    expect(res.body.sources[0].excerpt).toMatch(/demi-vie/);
    const after = await getBalance(db(), ada.id);
    expect(after.balance).toBeLessThan(before.balance);
    expect(after.reserved).toBe(0);
    await expectWalletConsistent(ada.id);

    const list = await call(conversationsRoute.GET, { path: "/api/conversations", token: ada.accessToken });
    expect(list.body.conversations).toHaveLength(1);
    expect(list.body.conversations[0]).toMatchObject({
      id: res.body.conversation_id,
      title: "Qu'est-ce que la demi-vie ?",
      message_count: 2,
    });
    const one = await call(conversationRoute.GET, {
      path: `/api/conversations/${res.body.conversation_id}`,
      token: ada.accessToken,
      params: { conversation_id: res.body.conversation_id },
    });
    expect(one.body.messages.map((m: { role: string }) => m.role)).toStrictEqual(["user", "assistant"]);
    expect(one.body.messages[1]).toMatchObject({
      status: "complete",
      content: res.body.answer,
      sources: res.body.sources,
    });

    const bob = await createSignedInUser(db());
    const stranger = await call(conversationRoute.GET, {
      path: `/api/conversations/${res.body.conversation_id}`,
      token: bob.accessToken,
      params: { conversation_id: res.body.conversation_id },
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toStrictEqual({ detail: "Conversation not found", code: "NOT_FOUND" });
    const hijack = await ask(bob, {
      message: "Et l'activité ?",
      conversation_id: res.body.conversation_id,
      stream: false,
    });
    expect(hijack.status).toBe(404);
  });

  it("streams the UI message stream: sources first, then the text, stored when it ends", async () => {
    const ada = await createSignedInUser(db());
    const res = await chatRoute.POST(
      new Request("http://localhost/api/chat", {
        method: "POST",
        headers: {
          authorization: `Bearer ${ada.accessToken}`,
          "content-type": "application/json",
          "x-forwarded-for": "10.9.9.9",
        },
        body: JSON.stringify({ message: "En quelle unité se mesure l'activité ?" }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    const parts = sseParts(await res.text());
    const types = parts.map((p) => p.type);
    expect(types[0]).toBe("start");
    const sourcesAt = types.indexOf("data-sources");
    const firstText = types.indexOf("text-delta");
    expect(sourcesAt).toBeGreaterThan(-1);
    expect(sourcesAt).toBeLessThan(firstText);
    expect(types.filter((t) => t === "text-delta").length).toBeGreaterThan(5);
    expect(types.at(-1)).toBe("finish");
    const text = parts
      .filter((p) => p.type === "text-delta")
      .map((p) => p.delta)
      .join("");
    expect(text).toMatch(/becquerel/);
    const conversationPart = parts.find((p) => p.type === "data-conversation");
    const conversationId =
      (conversationPart?.data as { conversation_id?: string } | undefined)?.conversation_id ?? "";
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);
    // Stored once the stream ended.
    await new Promise((r) => setTimeout(r, 50));
    const stored = await db().select().from(messages).where(eq(messages.conversationId, conversationId));
    expect(stored.find((m) => m.role === "assistant")).toMatchObject({ content: text, status: "complete" });
    await expectWalletConsistent(ada.id);
  });

  it("says the answer is not in the textbooks for the fixtures' unanswerable questions", async () => {
    const ada = await createSignedInUser(db());
    const qa = path.resolve(import.meta.dirname, "../../shared/fixtures/qa/questions.jsonl");
    let questions: { lang: string; question: string; doc: string | null }[] = [
      {
        lang: "fr",
        question: "Quelle est la date de l'épreuve de philosophie du bac mauritanien 2024 ?",
        doc: null,
      },
    ];
    try {
      questions = readFileSync(qa, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    } catch {
      console.warn(`[api-chat] ${qa} not found: one built-in unanswerable question only`);
    }
    for (const q of questions.filter((x) => x.doc === null)) {
      const res = await ask(ada, { message: q.question, stream: false });
      expect(res.status, q.question).toBe(200);
      expect(res.body.sources, q.question).toStrictEqual([]);
      expect(res.body.answer.startsWith(NOT_IN_TEXTBOOKS[q.lang as "fr" | "ar"]), q.question).toBe(true);
    }
  });

  it("an answer nobody will read is cancelled: the model stops and the reservation is released at once", async () => {
    const ada = await createSignedInUser(db());
    const stream = await streamBilled(db(), {
      userId: ada.id,
      system: "",
      messages: [{ role: "user", content: "Qu'est-ce que la demi-vie ?" }],
      purpose: "chat",
    });
    await stream.cancel();
    const outcome = await stream.outcome;
    expect(outcome.status).not.toBe("complete");
    const [reservation] = await db()
      .select()
      .from(tokenReservations)
      .where(eq(tokenReservations.id, stream.reservationId));
    expect(reservation?.status).toBe("released");
    await expectWalletConsistent(ada.id);
  });

  it("at hint level 5 asks guiding questions instead of giving the answer", async () => {
    const ada = await createSignedInUser(db());
    await db().update(profiles).set({ hintLevel: 5 }).where(eq(profiles.id, ada.id));
    const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(res.body.answer).toMatch(/\?/);
    expect(res.body.answer).not.toMatch(/moitié des noyaux/);
    // Asking for more help than the profile allows changes nothing; asking for less is honoured.
    const more = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false, hint_level: 1 });
    expect(more.body.answer).not.toMatch(/moitié des noyaux/);
    const bob = await createSignedInUser(db());
    const guided = await ask(bob, { message: "Qu'est-ce que la demi-vie ?", stream: false, hint_level: 5 });
    expect(guided.body.answer).not.toMatch(/moitié des noyaux/);
    const full = await ask(bob, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(full.body.answer).toMatch(/moitié des noyaux/);
  });

  it("refuses with 402 before calling any model when the wallet cannot cover the cost", async () => {
    const ada = await createSignedInUser(db());
    await leaveTokens(ada.id, 10);
    const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(res.status).toBe(402);
    expect(res.body).toStrictEqual(NO_BALANCE);
    const streamed = await ask(ada, { message: "Qu'est-ce que la demi-vie ?" });
    expect(streamed.status).toBe(402);
    expect(
      await db().select().from(tokenReservations).where(eq(tokenReservations.userId, ada.id)),
    ).toHaveLength(0);
    await expectWalletConsistent(ada.id);
  });

  it("validates its input", async () => {
    const ada = await createSignedInUser(db());
    for (const [body, detail] of [
      [{}, /message is required/],
      [{ message: "   " }, /message cannot be empty/],
      [{ message: "x".repeat(4001) }, /at most 4000/],
      [{ message: "ok", conversation_id: "nope" }, /conversation_id must be a UUID/],
      [{ message: "ok", language: "de" }, /language must be fr, ar or en/],
      [{ message: "ok", history: [{ role: "system", content: "x" }] }, /history role/],
    ] as const) {
      const res = await ask(ada, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
  });

  it("limits chats per IP: the 11th in a window is 429 with Retry-After", async () => {
    await withEnv({ RATE_LIMIT_REQUESTS: "10" }, async () => {
      const ada = await createSignedInUser(db());
      const ip = { "x-forwarded-for": "10.77.0.1" };
      for (let i = 0; i < 10; i++) {
        expect((await ask(ada, { message: "Définis la radioactivité", stream: false }, ip)).status).toBe(200);
      }
      const res = await ask(ada, { message: "Définis la radioactivité", stream: false }, ip);
      expect(res.status).toBe(429);
      expect(res.body).toStrictEqual(RATE_LIMITED);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address is not affected.
      expect(
        (
          await ask(
            ada,
            { message: "Définis la radioactivité", stream: false },
            { "x-forwarded-for": "10.77.0.2" },
          )
        ).status,
      ).toBe(200);
    });
  });

  it("limits chats per user whatever the address: RATE_LIMIT_USER_REQUESTS, then 429", async () => {
    await withEnv({ RATE_LIMIT_USER_REQUESTS: "3" }, async () => {
      const ada = await createSignedInUser(db());
      // Each from another address (ask's default): only the per-user bucket fills.
      for (let i = 0; i < 3; i++) {
        expect((await ask(ada, { message: "Définis la radioactivité", stream: false })).status).toBe(200);
      }
      const res = await ask(ada, { message: "Définis la radioactivité", stream: false });
      expect(res.status).toBe(429);
      expect(res.body).toStrictEqual(RATE_LIMITED);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      // The course chat shares the student's budget.
      const course = await createCourse(db(), { userId: ada.id, name: "Physique" });
      expect((await askCourse(ada, course.id, { message: "Salut" })).status).toBe(429);
      // Another student is not affected.
      const bob = await createSignedInUser(db());
      expect((await ask(bob, { message: "Définis la radioactivité", stream: false })).status).toBe(200);
    });
  });

  it("answers in JSON when the client asks with Accept: application/json, even without stream: false", async () => {
    const ada = await createSignedInUser(db());
    for (const [accept, body, json] of [
      ["application/json", {}, true],
      ["application/json; charset=utf-8", {}, true],
      ["text/event-stream", {}, false],
      ["*/*", {}, false],
      // A client that takes both gets the stream; an explicit `stream` wins over Accept.
      ["text/event-stream, application/json", {}, false],
      ["application/json", { stream: true }, false],
      ["text/event-stream", { stream: false }, true],
    ] as const) {
      const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", ...body }, { accept });
      const what = `${accept} ${JSON.stringify(body)}`;
      expect(res.status, what).toBe(200);
      if (json) {
        expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
        expect(res.body, what).toStrictEqual({
          answer: expect.stringMatching(/moitié des noyaux/),
          sources: expect.any(Array),
          conversation_id: expect.any(String),
          message_id: expect.any(String),
        });
      } else {
        expect(res.headers.get("content-type"), what).toMatch(/^text\/event-stream/);
        expect(sseParts(String(res.body)).at(-1)?.type, what).toBe("finish");
      }
    }
  });
});

describe("the tutor through an OpenAI-compatible server", () => {
  const fake = useFakeChatModel();

  it("streams the model's answer and bills the usage it reports", async () => {
    const ada = await createSignedInUser(db());
    fake().setMode({
      text: "La demi-vie est la durée [1] (p. 2).",
      usage: { prompt_tokens: 321, completion_tokens: 12 },
    });
    const before = await getBalance(db(), ada.id);
    const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?" });
    const parts = sseParts(String(res.body ?? ""));
    expect(
      parts
        .filter((p) => p.type === "text-delta")
        .map((p) => p.delta)
        .join(""),
    ).toBe("La demi-vie est la durée [1] (p. 2).");
    expect(fake().requests).toHaveLength(1);
    expect(fake().requests[0]?.body.model).toBe("tutor-test");
    expect(String(fake().requests[0]?.body.messages?.[0]?.content)).toMatch(
      /<passage n="1" title="Physique 7AS" page="1">/,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect((await getBalance(db(), ada.id)).balance).toBe(before.balance - 333);
    await expectWalletConsistent(ada.id);
  });

  it("maps provider failures to the spec's errors and releases the reservation", async () => {
    const ada = await createSignedInUser(db());
    const start = (await getBalance(db(), ada.id)).balance;
    fake().setMode({ status: 500 });
    const failed = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(failed.status).toBe(500);
    expect(failed.body).toStrictEqual(SERVICE_ERROR);
    const failedStream = await ask(ada, { message: "Qu'est-ce que la demi-vie ?" });
    expect(failedStream.status).toBe(500);
    expect(failedStream.body).toStrictEqual(SERVICE_ERROR);

    fake().setMode({ hang: true });
    await withEnv({ CHAT_TIMEOUT_SECONDS: "1" }, async () => {
      const slow = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
      expect(slow.status).toBe(503);
      expect(slow.body).toStrictEqual(TIMEOUT_ERROR);
    });

    await withEnv({ OPENAI_BASE_URL: await unreachableBaseUrl() }, async () => {
      for (const stream of [true, false]) {
        const down = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream });
        expect(down.status, `stream: ${stream}`).toBe(503);
        expect(down.body, `stream: ${stream}`).toStrictEqual(LOCAL_AI_API_ERROR);
      }
    });

    expect((await getBalance(db(), ada.id)).balance).toBe(start);
    await expectWalletConsistent(ada.id);
    // No conversation was left with an unanswered question.
    const list = await call(conversationsRoute.GET, { path: "/api/conversations", token: ada.accessToken });
    expect(list.body.total).toBe(0);
  });

  it("a stream cut midway: the partial answer is stored as such, the reservation released", async () => {
    const ada = await createSignedInUser(db());
    fake().setMode({
      text: "Un deux trois quatre cinq six sept huit neuf dix.",
      chunks: 10,
      dropMidStream: true,
    });
    const before = (await getBalance(db(), ada.id)).balance;
    const res = await ask(ada, { message: "Qu'est-ce que la demi-vie ?" });
    expect(res.status).toBe(200);
    const parts = sseParts(String(res.body ?? ""));
    const text = parts
      .filter((p) => p.type === "text-delta")
      .map((p) => p.delta)
      .join("");
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan("Un deux trois quatre cinq six sept huit neuf dix.".length);
    expect(parts.some((p) => p.type === "error")).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const [reservation] = await db()
      .select()
      .from(tokenReservations)
      .where(eq(tokenReservations.userId, ada.id));
    expect(reservation?.status).toBe("released");
    // Charged only what was used: the prompt (the reservation less the longest answer allowed,
    // no usage arrived) and the words generated before the cut, never the whole reservation.
    const prompt = (reservation?.tokens ?? 0) - env().CHAT_MAX_OUTPUT_TOKENS;
    expect(reservation?.chargedTokens).toBe(prompt + estimateTokens(text));
    expect((await getBalance(db(), ada.id)).balance).toBe(before - (reservation?.chargedTokens ?? 0));
    const stored = await db().select().from(messages).where(eq(messages.role, "assistant"));
    expect(stored.find((m) => m.reservationId === reservation?.id)).toMatchObject({
      status: "partial",
      content: text,
    });
    await expectWalletConsistent(ada.id);
  });

  it("50 simultaneous chats on a wallet that affords 10: at most 10 succeed, the rest 402, never overspent", async () => {
    const ada = await createSignedInUser(db());
    fake().setMode({ usage: { prompt_tokens: 100, completion_tokens: 10 } });
    const probe = await ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false });
    expect(probe.status).toBe(200);
    const [first] = await db().select().from(tokenReservations).where(eq(tokenReservations.userId, ada.id));
    const cost = first?.tokens ?? 0;
    await leaveTokens(ada.id, cost * 10);
    fake().reset();
    fake().setMode({ delayMs: 400, usage: { prompt_tokens: 100, completion_tokens: 10 } });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => ask(ada, { message: "Qu'est-ce que la demi-vie ?", stream: false })),
    );
    const statuses = results.map((r: CallResult) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    expect(fake().requests.length).toBeLessThanOrEqual(10);
    expect(fake().requests.length).toBe(statuses.filter((s) => s === 200).length);
    await expectWalletConsistent(ada.id);
  });
});

describe("course chat (the materials API)", () => {
  it("answers from the course's materials, saves the exchange, lists the history; others get 404", async () => {
    const ada = await createSignedInUser(db());
    const course = await acidsCourse(ada);
    const params = { course_id: course.id };
    const res = await call(courseChatRoute.POST, {
      path: `/api/courses/${course.id}/chat`,
      method: "POST",
      token: ada.accessToken,
      params,
      body: { message: "Qu'est-ce qu'un acide ?", history: [], attachments: [] },
      headers: { "x-forwarded-for": "10.55.0.1" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({ response: expect.any(String), timestamp: expect.any(String) });
    expect(res.body.response).toMatch(/céder un proton/);
    expect(res.body.response).toMatch(/\[1\]/);

    const second = await call(courseChatRoute.POST, {
      path: `/api/courses/${course.id}/chat`,
      method: "POST",
      token: ada.accessToken,
      params,
      body: {
        message: "Et une base ?",
        history: [
          { role: "user", content: "Qu'est-ce qu'un acide ?" },
          { role: "model", content: res.body.response },
        ],
      },
      headers: { "x-forwarded-for": "10.55.0.1" },
    });
    expect(second.status).toBe(201);
    const history = await call(courseChatRoute.GET, {
      path: `/api/courses/${course.id}/chat`,
      token: ada.accessToken,
      params,
    });
    expect(history.body).toHaveLength(2);
    expect(history.body[0]).toStrictEqual({
      id: expect.any(String),
      course_id: course.id,
      history: [
        { role: "user", content: "Qu'est-ce qu'un acide ?" },
        { role: "model", content: res.body.response },
      ],
      created_at: expect.any(String),
    });
    expect(history.body[1].history[0].content).toBe("Et une base ?");

    const bob = await createSignedInUser(db());
    for (const method of ["GET", "POST"] as const) {
      const other = await call(method === "GET" ? courseChatRoute.GET : courseChatRoute.POST, {
        path: `/api/courses/${course.id}/chat`,
        method,
        token: bob.accessToken,
        params,
        body: method === "POST" ? { message: "Salut" } : undefined,
        headers: { "x-forwarded-for": "10.55.0.2" },
      });
      expect(other.status).toBe(404);
      expect(other.body).toStrictEqual({ detail: "Course not found", code: "NOT_FOUND" });
    }
    await expectWalletConsistent(ada.id);
  });

  it("limits course chats per IP: the 11th in a window is 429 with Retry-After", async () => {
    await withEnv({ RATE_LIMIT_REQUESTS: "10" }, async () => {
      const ada = await createSignedInUser(db());
      const course = await createCourse(db(), { userId: ada.id, name: "Physique" });
      const ip = { "x-forwarded-for": "10.78.0.1" };
      for (let i = 0; i < 10; i++) {
        expect((await askCourse(ada, course.id, { message: "Salut" }, ip)).status, `chat ${i + 1}`).toBe(201);
      }
      const res = await askCourse(ada, course.id, { message: "Salut" }, ip);
      expect(res.status).toBe(429);
      expect(res.body).toStrictEqual(RATE_LIMITED);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(
        (await askCourse(ada, course.id, { message: "Salut" }, { "x-forwarded-for": "10.78.0.2" })).status,
      ).toBe(201);
    });
  });
});

describe("course chat through an OpenAI-compatible server", () => {
  const fake = useFakeChatModel();
  const QUESTION = { message: "Qu'est-ce qu'un acide ?", history: [], attachments: [] };
  const reservationsOf = (userId: string) =>
    db().select().from(tokenReservations).where(eq(tokenReservations.userId, userId));
  const historyOf = (courseId: string) =>
    db().select().from(chatHistory).where(eq(chatHistory.courseId, courseId));

  it("charges the usage the model reports: one usage row in the ledger, the reservation finalized", async () => {
    const ada = await createSignedInUser(db());
    const course = await acidsCourse(ada);
    fake().setMode({
      text: "Un acide cède un proton H+ [1].",
      usage: { prompt_tokens: 250, completion_tokens: 9 },
    });
    const before = await getBalance(db(), ada.id);
    const res = await askCourse(ada, course.id, QUESTION);
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({
      response: "Un acide cède un proton H+ [1].",
      timestamp: expect.any(String),
    });
    expect(fake().requests).toHaveLength(1);
    expect(String(fake().requests[0]?.body.messages?.at(-1)?.content)).toMatch(
      /--- RELEVANT COURSE MATERIALS ---\n\n\[Material 1: cours-acides\.pdf\]/,
    );
    const [reservation, ...others] = await reservationsOf(ada.id);
    expect(others).toHaveLength(0);
    expect(reservation).toMatchObject({ status: "finalized", chargedTokens: 259, purpose: "course_chat" });
    expect(reservation?.tokens).toBeGreaterThan(259);
    const usage = await db()
      .select()
      .from(financialTransactions)
      .where(eq(financialTransactions.reservationId, reservation?.id ?? ""));
    expect(usage).toStrictEqual([
      expect.objectContaining({ userId: ada.id, direction: "debit", type: "usage", tokens: 259 }),
    ]);
    const after = await getBalance(db(), ada.id);
    expect(after.balance).toBe(before.balance - 259);
    expect(after.reserved).toBe(0);
    await expectWalletConsistent(ada.id);
  });

  it("refuses with 402 before calling the model when the wallet cannot cover the cost", async () => {
    const ada = await createSignedInUser(db());
    const course = await acidsCourse(ada);
    await leaveTokens(ada.id, 10);
    const res = await askCourse(ada, course.id, QUESTION);
    expect(res.status).toBe(402);
    expect(res.body).toStrictEqual(NO_BALANCE);
    expect(fake().requests).toHaveLength(0);
    expect(await reservationsOf(ada.id)).toHaveLength(0);
    expect(await historyOf(course.id)).toHaveLength(0);
    expect((await getBalance(db(), ada.id)).balance).toBe(10);
    await expectWalletConsistent(ada.id);
  });

  it("maps provider failures to the spec's 500/503 bodies, releases the reservation, saves nothing", async () => {
    const ada = await createSignedInUser(db());
    const course = await acidsCourse(ada);
    const start = (await getBalance(db(), ada.id)).balance;

    fake().setMode({ status: 500 });
    const failed = await askCourse(ada, course.id, QUESTION);
    expect(failed.status).toBe(500);
    expect(failed.body).toStrictEqual(SERVICE_ERROR);

    fake().setMode({ hang: true });
    await withEnv({ CHAT_TIMEOUT_SECONDS: "1" }, async () => {
      const slow = await askCourse(ada, course.id, QUESTION);
      expect(slow.status).toBe(503);
      expect(slow.body).toStrictEqual(TIMEOUT_ERROR);
    });

    await withEnv({ OPENAI_BASE_URL: await unreachableBaseUrl() }, async () => {
      const down = await askCourse(ada, course.id, QUESTION);
      expect(down.status).toBe(503);
      expect(down.body).toStrictEqual(LOCAL_AI_API_ERROR);
    });

    const reservations = await reservationsOf(ada.id);
    expect(reservations.map((r) => [r.status, r.chargedTokens])).toStrictEqual([
      ["released", 0],
      ["released", 0],
      ["released", 0],
    ]);
    expect((await getBalance(db(), ada.id)).balance).toBe(start);
    expect(await historyOf(course.id)).toHaveLength(0);
    await expectWalletConsistent(ada.id);
  });
});

describe("chat endpoints: failures no handler expected", () => {
  const INTERNAL = { error: "Something went wrong. Please try again.", code: "INTERNAL_ERROR" };
  const UNAVAILABLE = { error: "AI Brain service not available", code: "LOCAL_AI_API_ERROR" };
  /** What drizzle throws over postgres.js when the database went away. */
  const outage = () =>
    new Error("Failed query: select 1", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    });
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answer the spec's 500 INTERNAL_ERROR body for a bug, its 503 for a database outage", async () => {
    const ada = await createSignedInUser(db());
    const course = await createCourse(db(), { userId: ada.id, name: "Chimie" });
    const params = { course_id: course.id };
    const coursePath = `/api/courses/${course.id}/chat`;
    const cases = [
      [
        "POST /api/chat (JSON)",
        vi.spyOn(tutor, "askTutor"),
        () => ask(ada, { message: "Salut", stream: false }),
      ],
      ["POST /api/chat (SSE)", vi.spyOn(tutor, "streamTutorUI"), () => ask(ada, { message: "Salut" })],
      [
        "POST course chat",
        vi.spyOn(courseChat, "courseChat"),
        () =>
          call(courseChatRoute.POST, {
            path: coursePath,
            method: "POST",
            token: ada.accessToken,
            params,
            body: { message: "Salut" },
          }),
      ],
      [
        "GET course chat",
        vi.spyOn(courseChat, "getCourseChatHistory"),
        () => call(courseChatRoute.GET, { path: coursePath, token: ada.accessToken, params }),
      ],
    ] as const;
    for (const [name, spy, send] of cases) {
      spy.mockRejectedValueOnce(new TypeError("Cannot read properties of undefined (reading 'id')"));
      const bug = await send();
      expect(bug.status, name).toBe(500);
      expect(bug.body, name).toStrictEqual(INTERNAL);
      spy.mockRejectedValueOnce(outage());
      const down = await send();
      expect(down.status, name).toBe(503);
      expect(down.body, name).toStrictEqual(UNAVAILABLE);
    }
    // The database cannot even be opened.
    vi.spyOn(dbClient, "getDbHandle").mockRejectedValueOnce(new Error("PGlite could not start"));
    const closed = await ask(ada, { message: "Salut", stream: false });
    expect(closed.status).toBe(503);
    expect(closed.body).toStrictEqual(UNAVAILABLE);
  });

  it("other endpoints keep the API's {detail, code} bodies", async () => {
    const ada = await createSignedInUser(db());
    const spy = vi.spyOn(conversations, "listConversations");
    const list = () => call(conversationsRoute.GET, { path: "/api/conversations", token: ada.accessToken });
    spy.mockRejectedValueOnce(new TypeError("boom"));
    const bug = await list();
    expect(bug.status).toBe(500);
    expect(bug.body).toStrictEqual({ detail: "Internal server error", code: "INTERNAL_ERROR" });
    spy.mockRejectedValueOnce(outage());
    const down = await list();
    expect(down.status).toBe(503);
    expect(down.body).toStrictEqual({ detail: "Database unavailable", code: "SERVICE_UNAVAILABLE" });
  });
});
