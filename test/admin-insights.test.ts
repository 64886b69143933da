import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as insightsRoute from "@/app/api/admin/insights/route";
import {
  chunks,
  conversations,
  documents,
  financialTransactions,
  ingestionJobs,
  type JobStatus,
  messages,
} from "@/db/schema";
import { getAdminInsights } from "@/lib/admin/insights";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser } from "./helpers/users";

// The dashboard's chart series over a seeded history in March 2025 (the test's "now" is
// 2025-03-10 18:00 UTC, the window 5 days: 03-06 … 03-10), with rows on both sides of each
// UTC midnight that bounds the window.
const { db } = useTestDb();

const ADMIN_KEY = { "x-admin-key": "test-admin-key-0123456789" };
const NOW = new Date("2025-03-10T18:00:00Z");
const at = (iso: string) => new Date(iso);

let studentId = "";
let studentToken = "";
let adminToken = "";

async function addDocument(createdAt: string, chunkCount: number, chunksAt: string, subject?: string) {
  const [doc] = await db()
    .insert(documents)
    .values({ title: `Manuel ${createdAt}`, subject, createdAt: at(createdAt) })
    .returning({ id: documents.id });
  if (!doc) throw new Error("no document");
  for (let i = 0; i < chunkCount; i++) {
    await db()
      .insert(chunks)
      .values({
        documentId: doc.id,
        chunkIndex: i,
        pageStart: 1,
        pageEnd: 1,
        content: `passage ${i}`,
        searchText: `passage ${i}`,
        searchConfig: "simple",
        createdAt: at(chunksAt),
      });
  }
  return doc.id;
}

async function addConversation(subject: string | null, answers: { at: string; documentId?: string }[]) {
  const [conv] = await db()
    .insert(conversations)
    .values({ userId: studentId, title: "Question", subject })
    .returning({ id: conversations.id });
  if (!conv) throw new Error("no conversation");
  for (const a of answers) {
    // Each answer follows the student's question, which never counts itself.
    await db()
      .insert(messages)
      .values({ conversationId: conv.id, role: "user", content: "?", createdAt: at(a.at) });
    await db()
      .insert(messages)
      .values({
        conversationId: conv.id,
        role: "assistant",
        content: "Réponse",
        sources: a.documentId
          ? [{ document_id: a.documentId, title: "Manuel", page: 1, excerpt: "…", score: 0.9 }]
          : [],
        createdAt: at(a.at),
      });
  }
}

beforeAll(async () => {
  const student = await createSignedInUser(db(), "student");
  studentId = student.id;
  studentToken = student.accessToken;
  adminToken = (await createSignedInUser(db(), "admin")).accessToken;

  const jobs: [JobStatus, number][] = [
    ["queued", 2],
    ["running", 1],
    ["succeeded", 3],
  ];
  for (const [status, n] of jobs) {
    for (let i = 0; i < n; i++) await db().insert(ingestionJobs).values({ kind: "document", status });
  }

  const maths = await addDocument("2025-03-01T08:00:00Z", 2, "2025-03-01T08:00:00Z", "Mathématiques");
  const untitled = await addDocument("2025-03-05T23:59:59.999Z", 1, "2025-03-05T23:59:59.999Z");
  await addDocument("2025-03-06T00:00:00Z", 3, "2025-03-06T00:00:00Z", "Physique");
  // Created late on the 8th, its chunks stored after midnight: they count on the 9th.
  await addDocument("2025-03-08T23:30:00Z", 4, "2025-03-09T00:10:00Z", "Chimie");
  await addDocument("2025-03-11T00:00:00Z", 5, "2025-03-11T00:00:00Z", "Après");

  const ledger: {
    direction: "credit" | "debit";
    type: "grant" | "usage" | "refund" | "adjustment";
    tokens: number;
    at: string;
  }[] = [
    { direction: "debit", type: "usage", tokens: 120, at: "2025-03-07T10:00:00Z" },
    { direction: "debit", type: "usage", tokens: 30, at: "2025-03-07T23:59:59Z" },
    { direction: "debit", type: "usage", tokens: 75, at: "2025-03-09T00:00:00Z" },
    // Not usage, or outside the window: never counted.
    { direction: "credit", type: "grant", tokens: 20000, at: "2025-03-07T09:00:00Z" },
    { direction: "credit", type: "refund", tokens: 10, at: "2025-03-09T12:00:00Z" },
    { direction: "debit", type: "adjustment", tokens: 50, at: "2025-03-08T12:00:00Z" },
    { direction: "debit", type: "usage", tokens: 999, at: "2025-03-05T23:59:59Z" },
    { direction: "debit", type: "usage", tokens: 999, at: "2025-03-11T00:00:00Z" },
  ];
  for (const l of ledger) {
    await db()
      .insert(financialTransactions)
      .values({
        userId: studentId,
        direction: l.direction,
        type: l.type,
        tokens: l.tokens,
        createdAt: at(l.at),
      });
  }

  // Physique 4 (the conversation's subject wins over the cited textbook's), Mathématiques 3
  // (no or a blank subject: the first cited textbook's), Chimie 2, then seven subjects once.
  await addConversation("Physique", [
    { at: "2025-03-06T09:00:00Z", documentId: maths },
    { at: "2025-03-07T09:00:00Z" },
    { at: "2025-03-08T09:00:00Z" },
    { at: "2025-03-10T17:00:00Z" },
  ]);
  await addConversation(null, [
    { at: "2025-03-07T10:00:00Z", documentId: maths },
    { at: "2025-03-09T10:00:00Z", documentId: maths },
    // Cites a textbook without a subject, cites nothing: no subject to count.
    { at: "2025-03-09T11:00:00Z", documentId: untitled },
    { at: "2025-03-09T12:00:00Z" },
  ]);
  await addConversation("  ", [{ at: "2025-03-10T08:00:00Z", documentId: maths }]);
  await addConversation("Chimie", [
    { at: "2025-03-06T12:00:00Z" },
    { at: "2025-03-10T12:00:00Z" },
    // Outside the window.
    { at: "2025-03-05T12:00:00Z" },
    { at: "2025-03-11T00:00:01Z" },
  ]);
  for (const s of ["SVT", "Histoire", "Philosophie", "Anglais", "Géographie", "Arabe", "Français"]) {
    await addConversation(s, [{ at: "2025-03-08T15:00:00Z" }]);
  }
  // A malformed citation matches no textbook instead of failing the query.
  const [conv] = await db()
    .insert(conversations)
    .values({ userId: studentId, title: "Cassé", subject: null })
    .returning({ id: conversations.id });
  await db().execute(sql`insert into messages (conversation_id, role, content, sources, created_at)
    values (${conv?.id}, 'assistant', 'x', '[{"document_id": "not-a-uuid"}]'::jsonb, '2025-03-09T10:00:00Z')`);
});

const EXPECTED = {
  days: 5,
  from: "2025-03-06",
  to: "2025-03-10",
  jobs: [
    { status: "queued", count: 2 },
    { status: "running", count: 1 },
    { status: "succeeded", count: 3 },
    { status: "failed", count: 0 },
  ],
  library: [
    { date: "2025-03-06", documents: 3, chunks: 6 },
    { date: "2025-03-07", documents: 3, chunks: 6 },
    { date: "2025-03-08", documents: 4, chunks: 6 },
    { date: "2025-03-09", documents: 4, chunks: 10 },
    { date: "2025-03-10", documents: 4, chunks: 10 },
  ],
  tokens: [
    { date: "2025-03-06", tokens: 0 },
    { date: "2025-03-07", tokens: 150 },
    { date: "2025-03-08", tokens: 0 },
    { date: "2025-03-09", tokens: 75 },
    { date: "2025-03-10", tokens: 0 },
  ],
  subjects: [
    { subject: "Physique", count: 4 },
    { subject: "Mathématiques", count: 3 },
    { subject: "Chimie", count: 2 },
    { subject: "Anglais", count: 1 },
    { subject: "Arabe", count: 1 },
    { subject: "Français", count: 1 },
    { subject: "Géographie", count: 1 },
    { subject: "Histoire", count: 1 },
  ],
};

describe("getAdminInsights", () => {
  it("gives zero-filled UTC-day series, cumulative library totals and the top subjects", async () => {
    expect(await getAdminInsights(db(), { days: 5, now: NOW })).toStrictEqual(EXPECTED);
  });

  it("counts UTC days whatever the session's time zone", async () => {
    await db().execute(sql`set time zone 'Pacific/Kiritimati'`);
    try {
      expect(await getAdminInsights(db(), { days: 5, now: NOW })).toStrictEqual(EXPECTED);
    } finally {
      await db().execute(sql`set time zone 'UTC'`);
    }
  });

  it("takes today from `now`: one day is today alone", async () => {
    const one = await getAdminInsights(db(), { days: 1, now: new Date("2025-03-07T00:00:00Z") });
    expect(one.library).toStrictEqual([{ date: "2025-03-07", documents: 3, chunks: 6 }]);
    expect(one.tokens).toStrictEqual([{ date: "2025-03-07", tokens: 150 }]);
    expect(one.subjects).toStrictEqual([
      { subject: "Mathématiques", count: 1 },
      { subject: "Physique", count: 1 },
    ]);
  });

  it.each([
    [undefined, 30, "2025-02-09"],
    [0, 1, "2025-03-10"],
    [-4, 1, "2025-03-10"],
    [2.7, 2, "2025-03-09"],
    [1000, 365, "2024-03-11"],
  ])("days %s → %i days from %s", async (days, n, from) => {
    const r = await getAdminInsights(db(), { days, now: NOW });
    expect(r.days).toBe(n);
    expect(r.from).toBe(from);
    expect(r.library).toHaveLength(n);
    expect(r.tokens).toHaveLength(n);
    expect(r.tokens.at(-1)?.date).toBe("2025-03-10");
  });
});

describe("GET /api/admin/insights", () => {
  const get = (query: string, opts: { token?: string; headers?: Record<string, string> } = {}) =>
    call(insightsRoute.GET, { path: `/api/admin/insights${query}`, ...opts });

  it("answers an admin (JWT or key) with the series up to today, 30 days by default", async () => {
    const res = await get("?days=7", { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual(await getAdminInsights(db(), { days: 7 }));
    expect(res.body.to).toBe(new Date().toISOString().slice(0, 10));
    expect(res.body.jobs).toStrictEqual(EXPECTED.jobs);
    // Every seeded document and chunk is older than the window: the totals are flat.
    expect(res.body.library.at(-1)).toStrictEqual({ date: res.body.to, documents: 5, chunks: 15 });

    const byKey = await get("", { headers: ADMIN_KEY });
    expect(byKey.status).toBe(200);
    expect(byKey.body.days).toBe(30);
    expect(byKey.body.tokens).toHaveLength(30);
  });

  it("refuses anonymous callers (401) and students (403)", async () => {
    const anonymous = await get("?days=7");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("UNAUTHORIZED");
    const student = await get("?days=7", { token: studentToken });
    expect(student.status).toBe(403);
    expect(student.body).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
  });

  it.each(["0", "366", "-1", "1.5", "abc", ""])("rejects days=%s with 400", async (days) => {
    const res = await get(`?days=${days}`, { headers: ADMIN_KEY });
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({
      detail: "days must be an integer from 1 to 365",
      code: "VALIDATION_ERROR",
      errors: [{ loc: ["query", "days"], field: "days", msg: "days must be an integer from 1 to 365" }],
    });
  });
});
