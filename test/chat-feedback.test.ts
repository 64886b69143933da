import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as adminFeedbackRoute from "@/app/api/admin/feedback/route";
import * as chatRoute from "@/app/api/chat/route";
import * as feedbackRoute from "@/app/api/conversations/[conversation_id]/messages/[message_id]/feedback/route";
import * as conversationRoute from "@/app/api/conversations/[conversation_id]/route";
import { financialTransactions, messages, tokenReservations } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import { uploadCurriculum } from "@/lib/curriculum/documents";
import { getBalance, ledgerBalance } from "@/lib/wallet";
import { textPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";
import { createSignedInUser } from "./helpers/users";

useTempDataDir("chat-feedback");
const { db } = useTestDb();
type User = Awaited<ReturnType<typeof createSignedInUser>>;

let counter = 0;
const headers = () => ({ "x-forwarded-for": `10.2.${Math.floor(++counter / 250)}.${counter % 250}` });

async function askJson(user: User, body: Record<string, unknown>) {
  const res = await call(chatRoute.POST, {
    path: "/api/chat",
    method: "POST",
    token: user.accessToken,
    body: { stream: false, ...body },
    headers: headers(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { answer: string; conversation_id: string; message_id: string };
}

/** The SSE `data:` parts of a streamed answer. */
async function askStreamed(user: User, body: Record<string, unknown>) {
  const res = await chatRoute.POST(
    new Request("http://localhost/api/chat", {
      method: "POST",
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        "content-type": "application/json",
        ...headers(),
      },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );
  expect(res.status).toBe(200);
  return (await res.text())
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
    .map((l) => JSON.parse(l.slice(6)) as { type: string; [k: string]: unknown });
}

const rate = (user: User | null, conversationId: string, messageId: string, body: unknown) =>
  call(feedbackRoute.PUT, {
    path: `/api/conversations/${conversationId}/messages/${messageId}/feedback`,
    method: "PUT",
    token: user?.accessToken,
    params: { conversation_id: conversationId, message_id: messageId },
    body,
  });

const detail = (user: User, conversationId: string) =>
  call(conversationRoute.GET, {
    path: `/api/conversations/${conversationId}`,
    token: user.accessToken,
    params: { conversation_id: conversationId },
  });

const adminList = (token: string | undefined, query = "") =>
  call(adminFeedbackRoute.GET, { path: `/api/admin/feedback${query}`, token });

async function storedMessages(conversationId: string) {
  return db()
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

beforeAll(async () => {
  process.env.TRUST_PROXY = "true";
  process.env.RATE_LIMIT_REQUESTS = "1000";
  process.env.RATE_LIMIT_USER_REQUESTS = "1000";
  resetEnvCache();
  await uploadCurriculum(db(), {
    file: {
      name: "physique.pdf",
      type: "application/pdf",
      bytes: await textPdf([
        ["La demi-vie est la durée au bout de laquelle la moitié des noyaux radioactifs s'est désintégrée."],
        ["L'activité d'un échantillon se mesure en becquerel (Bq)."],
      ]),
    },
    title: "Physique 7AS",
    grade: "7AS",
    subject: "Physique",
    language: "fr",
    namespace: "curriculum",
  });
  await settleIngestion();
  return () => {
    for (const k of ["TRUST_PROXY", "RATE_LIMIT_REQUESTS", "RATE_LIMIT_USER_REQUESTS"]) delete process.env[k];
    resetEnvCache();
  };
});

describe("rating an answer", () => {
  it("rates one's own answer up, then down, then clears it; the conversation shows it", async () => {
    const ada = await createSignedInUser(db());
    const { conversation_id: c, message_id: answerId } = await askJson(ada, {
      message: "Qu'est-ce que la demi-vie ?",
    });
    const one = await detail(ada, c);
    expect(
      one.body.messages.map((m: { id: string; role: string; feedback: unknown }) => [m.role, m.feedback]),
    ).toStrictEqual([
      ["user", null],
      ["assistant", null],
    ]);
    expect(one.body.messages[1].id).toBe(answerId);

    const up = await rate(ada, c, answerId, { rating: "up" });
    expect(up.status).toBe(200);
    expect(up.body).toStrictEqual({ message_id: answerId, rating: "up" });
    expect((await detail(ada, c)).body.messages[1].feedback).toBe("up");
    const [stored] = await db().select().from(messages).where(eq(messages.id, answerId));
    expect(stored?.feedback).toBe(1);

    const down = await rate(ada, c, answerId, { rating: "down" });
    expect(down.body).toStrictEqual({ message_id: answerId, rating: "down" });
    expect((await detail(ada, c)).body.messages[1].feedback).toBe("down");

    const cleared = await rate(ada, c, answerId, { rating: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toStrictEqual({ message_id: answerId, rating: null });
    expect((await detail(ada, c)).body.messages[1].feedback).toBeNull();
  });

  it("rates a streamed answer by the message id of its stream", async () => {
    const ada = await createSignedInUser(db());
    const parts = await askStreamed(ada, { message: "En quelle unité se mesure l'activité ?" });
    const start = parts.find((p) => p.type === "start");
    const conversation = parts.find((p) => p.type === "data-conversation")?.data as {
      conversation_id: string;
    };
    expect(start?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    // The answer is stored as the stream ends.
    await expect.poll(async () => (await storedMessages(conversation.conversation_id)).length).toBe(2);
    const [, answer] = await storedMessages(conversation.conversation_id);
    expect(answer).toMatchObject({ id: start?.messageId, role: "assistant" });
    const res = await rate(ada, conversation.conversation_id, String(start?.messageId), { rating: "up" });
    expect(res.body).toStrictEqual({ message_id: start?.messageId, rating: "up" });
  });

  it("answers 404 for another user's answer, a question, or unknown ids, and leaves them unrated", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const { conversation_id: c, message_id: answerId } = await askJson(ada, { message: "La demi-vie ?" });
    const [question] = await storedMessages(c);
    const bobs = await askJson(bob, { message: "Le becquerel ?" });
    const unknown = "00000000-0000-4000-8000-000000000000";

    const cases: [string, User, string, string, string][] = [
      ["another user's conversation", bob, c, answerId, "Conversation not found"],
      // Bob's own conversation id does not open Ada's message.
      [
        "another user's message in one's own conversation",
        bob,
        bobs.conversation_id,
        answerId,
        "Message not found",
      ],
      ["a question (user message)", ada, c, question?.id ?? "", "Message not found"],
      ["an unknown message", ada, c, unknown, "Message not found"],
      ["an unknown conversation", ada, unknown, answerId, "Conversation not found"],
    ];
    for (const [label, user, conversationId, messageId, text] of cases) {
      const res = await rate(user, conversationId, messageId, { rating: "down" });
      expect(res.status, label).toBe(404);
      expect(res.body, label).toStrictEqual({ detail: text, code: "NOT_FOUND" });
    }
    const rows = await storedMessages(c);
    expect(rows.map((r) => r.feedback)).toStrictEqual([null, null]);
  });

  it("refuses a malformed body with 400 and the field named, and anonymous callers with 401", async () => {
    const ada = await createSignedInUser(db());
    const { conversation_id: c, message_id: answerId } = await askJson(ada, { message: "La demi-vie ?" });
    const bad: [unknown, string][] = [
      [{ rating: "meh" }, "rating must be up, down or null"],
      [{ rating: 1 }, "rating must be up, down or null"],
      [{}, "rating must be up, down or null"],
    ];
    for (const [body, msg] of bad) {
      const res = await rate(ada, c, answerId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ detail: msg, code: "VALIDATION_ERROR" });
      expect(res.body.errors[0]).toMatchObject({ field: "rating", loc: ["body", "rating"] });
    }
    const notJson = await call(feedbackRoute.PUT, {
      path: `/api/conversations/${c}/messages/${answerId}/feedback`,
      method: "PUT",
      token: ada.accessToken,
      params: { conversation_id: c, message_id: answerId },
      rawBody: "{",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toStrictEqual({ detail: "Malformed JSON body", code: "INVALID_JSON" });
    const badId = await rate(ada, c, "nope", { rating: "up" });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ detail: "message_id must be a UUID", code: "VALIDATION_ERROR" });

    const anonymous = await rate(null, c, answerId, { rating: "up" });
    expect(anonymous.status).toBe(401);
    const [stored] = await db().select().from(messages).where(eq(messages.id, answerId));
    expect(stored?.feedback).toBeNull();
  });
});

describe("the admin's feedback list", () => {
  it("lists rated answers with their question, filtered by rating, with the counts", async () => {
    const admin = await createSignedInUser(db(), "admin");
    const before = await adminList(admin.accessToken);
    expect(before.status).toBe(200);

    const ada = await createSignedInUser(db());
    const first = await askJson(ada, { message: "Qu'est-ce que la demi-vie ?" });
    const second = await askJson(ada, {
      message: "Et le becquerel ?",
      conversation_id: first.conversation_id,
    });
    const third = await askJson(ada, { message: "Et l'activité ?", conversation_id: first.conversation_id });
    await rate(ada, first.conversation_id, first.message_id, { rating: "up" });
    await rate(ada, first.conversation_id, second.message_id, { rating: "down" });
    await rate(ada, first.conversation_id, third.message_id, { rating: "up" });
    // Rated then cleared: not listed.
    await rate(ada, first.conversation_id, third.message_id, { rating: null });

    const all = await adminList(admin.accessToken);
    expect(all.body.up).toBe(before.body.up + 1);
    expect(all.body.down).toBe(before.body.down + 1);
    expect(all.body.total).toBe(before.body.total + 2);
    // Newest first: the second answer, then the first.
    expect(all.body.items.slice(0, 2)).toStrictEqual([
      {
        message_id: second.message_id,
        conversation_id: first.conversation_id,
        user_id: ada.id,
        user_email: ada.email,
        rating: "down",
        question: "Et le becquerel ?",
        answer: second.answer.slice(0, 280),
        sources_count: expect.any(Number),
        created_at: expect.any(String),
      },
      {
        message_id: first.message_id,
        conversation_id: first.conversation_id,
        user_id: ada.id,
        user_email: ada.email,
        rating: "up",
        question: "Qu'est-ce que la demi-vie ?",
        answer: first.answer.slice(0, 280),
        sources_count: expect.any(Number),
        created_at: expect.any(String),
      },
    ]);
    expect(all.body.items[1].sources_count).toBeGreaterThan(0);

    const downs = await adminList(admin.accessToken, "?rating=down");
    expect(downs.body.total).toBe(all.body.down);
    expect(downs.body.items.every((i: { rating: string }) => i.rating === "down")).toBe(true);
    expect(downs.body.items.map((i: { message_id: string }) => i.message_id)).toContain(second.message_id);
    expect(downs.body.items.map((i: { message_id: string }) => i.message_id)).not.toContain(first.message_id);

    const ups = await adminList(admin.accessToken, "?rating=up&limit=1&offset=0");
    expect(ups.body.items).toHaveLength(1);
    expect(ups.body.items[0].message_id).toBe(first.message_id);
    expect(ups.body.total).toBe(all.body.up);
    expect([ups.body.up, ups.body.down]).toStrictEqual([all.body.up, all.body.down]);

    const bad = await adminList(admin.accessToken, "?rating=meh");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: "rating must be up or down", code: "VALIDATION_ERROR" });
  });

  it("is for admins only: a student gets 403, an anonymous caller 401", async () => {
    const student = await createSignedInUser(db());
    const res = await adminList(student.accessToken);
    expect(res.status).toBe(403);
    expect(res.body).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
    const anonymous = await adminList(undefined);
    expect(anonymous.status).toBe(401);
  });
});

describe("regenerating the last answer", () => {
  it("answers the same question again, replaces the answer, bills both, stores no new question", async () => {
    const ada = await createSignedInUser(db());
    const start = await getBalance(db(), ada.id);
    const first = await askJson(ada, { message: "Qu'est-ce que la demi-vie ?" });
    const c = first.conversation_id;
    await rate(ada, c, first.message_id, { rating: "down" });
    const afterFirst = await getBalance(db(), ada.id);
    expect(afterFirst.balance).toBeLessThan(start.balance);

    // Streamed, as the page does it; `message` is ignored: the stored question is asked again.
    const parts = await askStreamed(ada, { message: "ignored", conversation_id: c, regenerate: true });
    const newId = parts.find((p) => p.type === "start")?.messageId;
    expect(newId).toMatch(/^[0-9a-f-]{36}$/);
    expect(newId).not.toBe(first.message_id);
    const text = parts
      .filter((p) => p.type === "text-delta")
      .map((p) => p.delta)
      .join("");
    expect(text).toMatch(/demi-vie/);
    await expect
      .poll(async () => (await storedMessages(c)).find((m) => m.id === newId)?.status)
      .toBe("complete");

    const rows = await storedMessages(c);
    expect(rows.map((r) => [r.role, r.content])).toStrictEqual([
      ["user", "Qu'est-ce que la demi-vie ?"],
      ["assistant", text],
    ]);
    expect(rows[1]?.id).toBe(newId);
    expect(rows[1]?.feedback).toBeNull();
    const shown = await detail(ada, c);
    expect(shown.body.message_count).toBe(2);
    expect(shown.body.messages.map((m: { id: string }) => m.id)).toStrictEqual([rows[0]?.id, newId]);
    // The replaced answer is gone: rating it is a 404.
    expect((await rate(ada, c, first.message_id, { rating: "up" })).status).toBe(404);

    // Both answers were billed: two finalized chat reservations, two usage debits.
    const afterSecond = await getBalance(db(), ada.id);
    expect(afterSecond.balance).toBeLessThan(afterFirst.balance);
    expect(afterSecond.reserved).toBe(0);
    const reservations = await db()
      .select()
      .from(tokenReservations)
      .where(eq(tokenReservations.userId, ada.id));
    expect(reservations.map((r) => [r.purpose, r.status])).toStrictEqual([
      ["chat", "finalized"],
      ["chat", "finalized"],
    ]);
    const usage = await db()
      .select()
      .from(financialTransactions)
      .where(and(eq(financialTransactions.userId, ada.id), eq(financialTransactions.type, "usage")));
    expect(usage).toHaveLength(2);
    expect(usage.reduce((sum, u) => sum + u.tokens, 0)).toBe(start.balance - afterSecond.balance);
    expect(await ledgerBalance(db(), ada.id)).toBe(afterSecond.balance);

    // A follow-up question after a regenerated answer goes on normally.
    const next = await askJson(ada, { message: "Et le becquerel ?", conversation_id: c });
    const regenerated = await askJson(ada, { message: "x", conversation_id: c, regenerate: true });
    expect(regenerated.message_id).not.toBe(next.message_id);
    expect((await storedMessages(c)).map((r) => [r.role, r.content])).toStrictEqual([
      ["user", "Qu'est-ce que la demi-vie ?"],
      ["assistant", text],
      ["user", "Et le becquerel ?"],
      ["assistant", regenerated.answer],
    ]);
  });

  it("needs the caller's own conversation", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const { conversation_id: c } = await askJson(ada, { message: "La demi-vie ?" });
    const noConversation = await call(chatRoute.POST, {
      path: "/api/chat",
      method: "POST",
      token: ada.accessToken,
      body: { message: "La demi-vie ?", regenerate: true, stream: false },
      headers: headers(),
    });
    expect(noConversation.status).toBe(400);
    expect(noConversation.body).toMatchObject({
      detail: "conversation_id is required to regenerate an answer",
      code: "VALIDATION_ERROR",
    });
    const bobs = await call(chatRoute.POST, {
      path: "/api/chat",
      method: "POST",
      token: bob.accessToken,
      body: { message: "La demi-vie ?", conversation_id: c, regenerate: true, stream: false },
      headers: headers(),
    });
    expect(bobs.status).toBe(404);
    expect(await storedMessages(c)).toHaveLength(2);
    expect((await getBalance(db(), bob.id)).reserved).toBe(0);
  });
});
