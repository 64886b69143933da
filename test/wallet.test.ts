import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as cronWalletRoute from "@/app/api/cron/wallet/route";
import * as balanceRoute from "@/app/api/wallet/balance/route";
import * as finalizeRoute from "@/app/api/wallet/internal/finalize/route";
import * as reserveRoute from "@/app/api/wallet/internal/reserve/route";
import * as reservationsRoute from "@/app/api/wallet/reservations/route";
import * as topupRoute from "@/app/api/wallet/topup/route";
import * as expenseRoute from "@/app/api/wallet/transactions/expense/route";
import * as transactionsRoute from "@/app/api/wallet/transactions/route";
import { financialTransactions, wallets } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import {
  answerOutlook,
  expireReservations,
  finalizeReservation,
  getBalance,
  ledgerBalance,
  recentAnswerCosts,
  releaseReservation,
  reserveTokens,
} from "@/lib/wallet";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser } from "./helpers/users";

const { db } = useTestDb();
const ADMIN = { "x-admin-key": "test-admin-key-0123456789" };
const GRANT = 20000;

const topup = (body: unknown, headers: Record<string, string> = {}) =>
  call(topupRoute.POST, {
    path: "/api/wallet/topup",
    method: "POST",
    headers: { ...ADMIN, ...headers },
    body,
  });

async function expectLedgerMatches(userId: string) {
  const [w] = await db().select().from(wallets).where(eq(wallets.userId, userId));
  expect(await ledgerBalance(db(), userId)).toBe(w?.balance);
  expect(w?.reserved).toBeGreaterThanOrEqual(0);
  expect(w?.reserved).toBeLessThanOrEqual(w?.balance ?? 0);
}

describe("wallet", () => {
  it("opens every new account with the starting grant, in the ledger", async () => {
    const ada = await createSignedInUser(db());
    const res = await call(balanceRoute.GET, { path: "/api/wallet/balance", token: ada.accessToken });
    expect(res.body).toStrictEqual({
      balance: GRANT,
      reserved: 0,
      available: GRANT,
      tier: "free",
      pending_reservations: 0,
    });
    const ledger = await call(transactionsRoute.GET, {
      path: `/api/wallet/transactions?user_id=${ada.id}`,
      headers: ADMIN,
    });
    expect(ledger.body.transactions).toStrictEqual([
      expect.objectContaining({ user_id: ada.id, direction: "credit", type: "grant", tokens: GRANT }),
    ]);
    await expectLedgerMatches(ada.id);
  });

  it("reserves, finalizes once (charging the actual usage), and refuses what it cannot afford", async () => {
    const ada = await createSignedInUser(db());
    const reserve = (tokens: number) =>
      call(reserveRoute.POST, {
        path: "/api/wallet/internal/reserve",
        method: "POST",
        headers: ADMIN,
        body: { user_id: ada.id, tokens },
      });
    const r = await reserve(5000);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ user_id: ada.id, tokens: 5000, status: "reserved", charged_tokens: null });
    const mid = await call(balanceRoute.GET, { path: "/api/wallet/balance", token: ada.accessToken });
    expect(mid.body).toMatchObject({
      balance: GRANT,
      reserved: 5000,
      available: GRANT - 5000,
      pending_reservations: 1,
    });

    const tooMuch = await reserve(GRANT - 5000 + 1);
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body).toStrictEqual({
      detail: "Insufficient token balance",
      code: "INSUFFICIENT_BALANCE",
    });

    const finalize = (id: string, actual: number) =>
      call(finalizeRoute.POST, {
        path: "/api/wallet/internal/finalize",
        method: "POST",
        headers: ADMIN,
        body: { reservation_id: id, actual_tokens: actual },
      });
    const done = await finalize(r.body.id, 1234);
    expect(done.body).toMatchObject({
      charged_tokens: 1234,
      new_balance: GRANT - 1234,
      reservation: { status: "finalized", charged_tokens: 1234 },
    });
    const again = await finalize(r.body.id, 1);
    expect(again.status).toBe(409);
    expect(again.body).toStrictEqual({ detail: "Reservation already ended (finalized)", code: "CONFLICT" });
    expect((await finalize("00000000-0000-4000-8000-000000000000", 1)).status).toBe(404);
    const ghost = await call(reserveRoute.POST, {
      path: "/api/wallet/internal/reserve",
      method: "POST",
      headers: ADMIN,
      body: { user_id: "00000000-0000-4000-8000-000000000000", tokens: 10 },
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body).toStrictEqual({ detail: "User not found", code: "NOT_FOUND" });

    // Usage above the reservation is capped: never more than was held.
    const r2 = await reserve(100);
    expect((await finalize(r2.body.id, 5000)).body.charged_tokens).toBe(100);

    const list = await call(reservationsRoute.GET, {
      path: "/api/wallet/reservations?status=finalized",
      token: ada.accessToken,
    });
    expect(list.body.total).toBe(2);
    await expectLedgerMatches(ada.id);
    const end = await call(balanceRoute.GET, { path: "/api/wallet/balance", token: ada.accessToken });
    expect(end.body).toMatchObject({ balance: GRANT - 1334, reserved: 0, pending_reservations: 0 });
  });

  it("50 concurrent reservations on a wallet that affords 10: exactly 10 succeed, never negative", async () => {
    const ada = await createSignedInUser(db());
    const cost = GRANT / 10;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        reserveTokens(db(), { userId: ada.id, tokens: cost, purpose: "chat" }),
      ),
    );
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    expect(ok).toHaveLength(10);
    for (const o of outcomes) {
      if (o.status === "rejected") expect((o.reason as Error).message).toBe("Insufficient token balance");
    }
    // Each finalized with a partial usage, concurrently too.
    await Promise.all(
      ok.map((o, i) =>
        finalizeReservation(db(), {
          reservationId: (o as PromiseFulfilledResult<{ id: string }>).value.id,
          actualTokens: 100 + i,
        }),
      ),
    );
    const b = await getBalance(db(), ada.id);
    expect(b).toMatchObject({ reserved: 0, balance: GRANT - (100 * 10 + 45), pendingReservations: 0 });
    await expectLedgerMatches(ada.id);
  });

  it("a reservation ends exactly once, even when finalize and release race", async () => {
    const ada = await createSignedInUser(db());
    const r = await reserveTokens(db(), { userId: ada.id, tokens: 300, purpose: "chat" });
    const results = await Promise.allSettled([
      finalizeReservation(db(), { reservationId: r.id, actualTokens: 200 }),
      releaseReservation(db(), { reservationId: r.id, chargeTokens: 50 }),
      finalizeReservation(db(), { reservationId: r.id, actualTokens: 10 }),
    ]);
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    const b = await getBalance(db(), ada.id);
    expect(b.reserved).toBe(0);
    expect([GRANT - 200, GRANT - 50, GRANT - 10]).toContain(b.balance);
    await expectLedgerMatches(ada.id);
  });

  it("expires stale reservations (sweep and cron route), giving the tokens back", async () => {
    const ada = await createSignedInUser(db());
    const r = await reserveTokens(db(), { userId: ada.id, tokens: 700, purpose: "chat", ttlSeconds: 1 });
    expect(await expireReservations(db())).toBe(0);
    await new Promise((res) => setTimeout(res, 1100));
    process.env.CRON_SECRET = "cron-secret-0123456789";
    resetEnvCache();
    try {
      const swept = await call(cronWalletRoute.GET, {
        path: "/api/cron/wallet",
        headers: { authorization: "Bearer cron-secret-0123456789" },
      });
      expect(swept.body).toStrictEqual({ expired: 1 });
    } finally {
      delete process.env.CRON_SECRET;
      resetEnvCache();
    }
    const b = await getBalance(db(), ada.id);
    expect(b).toMatchObject({ balance: GRANT, reserved: 0, pendingReservations: 0 });
    await expect(finalizeReservation(db(), { reservationId: r.id, actualTokens: 1 })).rejects.toThrow(
      "Reservation already ended (expired)",
    );
  });

  it("tops up once per Idempotency-Key and replays the first answer", async () => {
    const ada = await createSignedInUser(db());
    const body = { user_id: ada.id, tokens: 5000, amount: 100, currency: "mru", note: "Carte 100 MRU" };
    const first = await topup(body, { "idempotency-key": "card-42" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      user_id: ada.id,
      tokens: 5000,
      amount: 100,
      currency: "MRU",
      new_balance: GRANT + 5000,
    });
    const replay = await topup(body, { "idempotency-key": "card-42" });
    expect(replay.body).toStrictEqual(first.body);
    const other = await topup({ ...body, tokens: 6000 }, { "idempotency-key": "card-42" });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("IDEMPOTENCY_CONFLICT");
    // The same key sent twice at once still credits once.
    const racing = await Promise.all(
      [1, 2, 3].map(() => topup({ ...body, note: "race" }, { "idempotency-key": "race-1" })),
    );
    expect(new Set(racing.map((r) => r.body.transaction_id)).size).toBe(1);
    const b = await getBalance(db(), ada.id);
    expect(b).toMatchObject({ balance: GRANT + 10000, tier: "premium" });
    await expectLedgerMatches(ada.id);
    // Without a key every call credits.
    await topup({ user_id: ada.id, tokens: 1 });
    await topup({ user_id: ada.id, tokens: 1 });
    expect((await getBalance(db(), ada.id)).balance).toBe(GRANT + 10002);
  });

  it("validates top-ups, expenses and filters; students are refused", async () => {
    const ada = await createSignedInUser(db());
    for (const [bad, detail] of [
      [{ user_id: ada.id, tokens: -5 }, /tokens must be a positive integer/],
      [{ user_id: ada.id, tokens: 1.5 }, /tokens must be a positive integer/],
      [{ user_id: ada.id, tokens: "10" }, /tokens must be a positive integer/],
      [{ user_id: ada.id, tokens: 10, currency: "dollars" }, /currency must be a 3-letter code/],
      [{ user_id: "nope", tokens: 10 }, /user_id must be a UUID/],
    ] as const) {
      const res = await topup(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
    const ghost = await topup({ user_id: "00000000-0000-4000-8000-000000000000", tokens: 10 });
    expect(ghost.status).toBe(404);
    expect((await topup({ user_id: ada.id, tokens: 10 }, { "idempotency-key": " " })).status).toBe(400);

    const expense = await call(expenseRoute.POST, {
      path: "/api/wallet/transactions/expense",
      method: "POST",
      headers: ADMIN,
      body: { amount: 12.5, currency: "USD", category: "api", description: "OpenAI, November" },
    });
    expect(expense.status).toBe(201);
    expect(expense.body).toMatchObject({
      user_id: null,
      direction: "debit",
      type: "expense",
      tokens: 0,
      amount: 12.5,
      currency: "USD",
    });
    const badExpense = await call(expenseRoute.POST, {
      path: "/api/wallet/transactions/expense",
      method: "POST",
      headers: ADMIN,
      body: { amount: 0, currency: "USD", category: "api", description: "x" },
    });
    expect(badExpense.status).toBe(400);
    const expenses = await call(transactionsRoute.GET, {
      path: "/api/wallet/transactions?type=expense&direction=debit",
      headers: ADMIN,
    });
    expect(expenses.body.transactions.every((t: { type: string }) => t.type === "expense")).toBe(true);
    expect(
      (await call(transactionsRoute.GET, { path: "/api/wallet/transactions?type=gift", headers: ADMIN }))
        .status,
    ).toBe(400);

    const student = await call(topupRoute.POST, {
      path: "/api/wallet/topup",
      method: "POST",
      token: ada.accessToken,
      body: { user_id: ada.id, tokens: 1000 },
    });
    expect(student.status).toBe(403);
  });

  it("the database itself refuses a negative balance or more reserved than owned", async () => {
    const ada = await createSignedInUser(db());
    await expect(
      db().execute(sql`update wallets set balance = -1 where user_id = ${ada.id}`),
    ).rejects.toThrow();
    await expect(
      db().execute(sql`update wallets set reserved = balance + 1 where user_id = ${ada.id}`),
    ).rejects.toThrow();
    await expect(
      db()
        .insert(financialTransactions)
        .values({ userId: ada.id, direction: "credit", type: "topup", tokens: 0 }),
    ).rejects.toThrow();
    // Each type moves tokens one way (an adjustment either way).
    for (const [type, direction] of [
      ["usage", "credit"],
      ["grant", "debit"],
      ["topup", "debit"],
      ["refund", "debit"],
    ] as const) {
      await expect(
        db().insert(financialTransactions).values({ userId: ada.id, direction, type, tokens: 5 }),
        `${type} as a ${direction}`,
      ).rejects.toThrow();
    }
    for (const direction of ["credit", "debit"] as const) {
      await db()
        .insert(financialTransactions)
        .values({ userId: ada.id, direction, type: "adjustment", tokens: 5 });
    }
  });
});

describe("recentAnswerCosts (the student's wallet page)", () => {
  it("is null before any answer, then the most held and the mean charged of the last answers", async () => {
    const u = await createSignedInUser(db());
    expect(await recentAnswerCosts(db(), u.id)).toBeNull();
    for (const [hold, used] of [
      [2000, 900],
      [2400, 1300],
    ] as const) {
      const r = await reserveTokens(db(), { userId: u.id, tokens: hold, purpose: "chat" });
      await finalizeReservation(db(), { reservationId: r.id, actualTokens: used });
    }
    // A reservation released without charge (an outage) says nothing about an answer's cost.
    const dropped = await reserveTokens(db(), { userId: u.id, tokens: 5000, purpose: "chat" });
    await releaseReservation(db(), { reservationId: dropped.id, chargeTokens: 0 });
    expect(await recentAnswerCosts(db(), u.id)).toStrictEqual({ reserved: 2400, charged: 1100 });
  });

  it("answerOutlook: the next answer fits only when what recent answers held is available", () => {
    const recent = { reserved: 2400, charged: 1100 };
    expect(answerOutlook(6000, recent)).toStrictEqual({ canAsk: true, answersLeft: 4 });
    expect(answerOutlook(2400, recent)).toStrictEqual({ canAsk: true, answersLeft: 1 });
    expect(answerOutlook(2399, recent)).toStrictEqual({ canAsk: false, answersLeft: null });
    expect(answerOutlook(0, null)).toStrictEqual({ canAsk: false, answersLeft: null });
    expect(answerOutlook(500, null)).toStrictEqual({ canAsk: true, answersLeft: null });
  });
});
