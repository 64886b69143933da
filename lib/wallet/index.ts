import { createHash } from "node:crypto";
import { and, count, desc, eq, type SQL, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "@/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import {
  financialTransactions,
  idempotencyKeys,
  type ReservationStatus,
  type TransactionType,
  tokenReservations,
  wallets,
} from "@/db/schema";
import { env } from "@/lib/config/env";
import { ApiError, conflict, notFound } from "@/lib/http/errors";

export type Wallet = typeof wallets.$inferSelect;
export type Reservation = typeof tokenReservations.$inferSelect;
export type Transaction = typeof financialTransactions.$inferSelect;

export const insufficientBalance = () => new ApiError("INSUFFICIENT_BALANCE", "Insufficient token balance");

/**
 * Opens a wallet with the starting grant, recorded in the ledger. Idempotent: an account that
 * already has a wallet keeps it (and gets no second grant).
 */
export async function openWallet(
  db: DbOrTx,
  { userId, grant = env().WALLET_SIGNUP_GRANT }: { userId: string; grant?: number },
): Promise<void> {
  await db.transaction(async (tx) => {
    const created = await tx
      .insert(wallets)
      .values({ userId, balance: grant })
      .onConflictDoNothing()
      .returning({ userId: wallets.userId });
    if (created.length === 1 && grant > 0) {
      await tx.insert(financialTransactions).values({
        userId,
        direction: "credit",
        type: "grant",
        tokens: grant,
        description: "Starting grant",
      });
    }
  });
}

/** The user's wallet, opened (with its grant) on first use for accounts older than wallets. */
export async function getWallet(db: DbOrTx, userId: string): Promise<Wallet> {
  const [row] = await db.select().from(wallets).where(eq(wallets.userId, userId));
  if (row) return row;
  try {
    await openWallet(db, { userId });
  } catch (err) {
    // A wallet belongs to an account: there is none for an unknown user.
    if (isForeignKeyViolation(err)) throw notFound("User not found");
    throw err;
  }
  const [opened] = await db.select().from(wallets).where(eq(wallets.userId, userId));
  if (!opened) throw notFound("User not found");
  return opened;
}

export async function getBalance(
  db: DbOrTx,
  userId: string,
): Promise<{
  balance: number;
  reserved: number;
  available: number;
  tier: string;
  pendingReservations: number;
}> {
  const wallet = await getWallet(db, userId);
  const [pending] = await db
    .select({ n: count() })
    .from(tokenReservations)
    .where(and(eq(tokenReservations.userId, userId), eq(tokenReservations.status, "reserved")));
  return {
    balance: wallet.balance,
    reserved: wallet.reserved,
    available: wallet.balance - wallet.reserved,
    tier: wallet.tier,
    pendingReservations: Number(pending?.n ?? 0),
  };
}

export async function listReservations(
  db: DbOrTx,
  {
    userId,
    status,
    limit,
    offset,
  }: { userId: string; status?: ReservationStatus; limit: number; offset: number },
): Promise<{ reservations: Reservation[]; total: number }> {
  const where = and(
    eq(tokenReservations.userId, userId),
    status ? eq(tokenReservations.status, status) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(tokenReservations)
      .where(where)
      .orderBy(desc(tokenReservations.createdAt), desc(tokenReservations.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(tokenReservations).where(where),
  ]);
  return { reservations: rows, total: Number(total?.n ?? 0) };
}

/**
 * Holds `tokens` for one model call, atomically: a single conditional UPDATE takes them only if
 * `balance - reserved` covers them, so concurrent chats can never overspend. 402 otherwise.
 */
export async function reserveTokens(
  db: DbOrTx,
  {
    userId,
    tokens,
    purpose,
    ttlSeconds = env().RESERVATION_TTL_SECONDS,
  }: { userId: string; tokens: number; purpose: string; ttlSeconds?: number },
): Promise<Reservation> {
  if (!Number.isSafeInteger(tokens) || tokens <= 0) throw new RangeError("tokens must be a positive integer");
  await getWallet(db, userId);
  return db.transaction(async (tx) => {
    const held = await tx
      .update(wallets)
      .set({ reserved: sql`${wallets.reserved} + ${tokens}`, updatedAt: sql`now()` })
      .where(and(eq(wallets.userId, userId), sql`${wallets.balance} - ${wallets.reserved} >= ${tokens}`))
      .returning({ userId: wallets.userId });
    if (held.length === 0) throw insufficientBalance();
    const [reservation] = await tx
      .insert(tokenReservations)
      .values({ userId, tokens, purpose, expiresAt: sql`now() + make_interval(secs => ${ttlSeconds})` })
      .returning();
    if (!reservation) throw new Error("reservation insert returned no row");
    return reservation;
  });
}

export interface EndedReservation {
  reservation: Reservation;
  charged: number;
  balance: number;
}

/**
 * Ends a reservation exactly once: charges `chargeTokens` (capped at what was reserved: never
 * overspend), releases the rest, writes the usage to the ledger. A reservation already ended
 * answers 409; an unknown one 404.
 */
async function endReservation(
  db: DbOrTx,
  {
    reservationId,
    status,
    chargeTokens,
    userId,
  }: {
    reservationId: string;
    status: "finalized" | "released" | "expired";
    chargeTokens: number;
    userId?: string;
  },
): Promise<EndedReservation> {
  const charge = Math.max(0, Math.ceil(Number.isFinite(chargeTokens) ? chargeTokens : 0));
  return db.transaction(async (tx) => {
    const [ended] = await tx
      .update(tokenReservations)
      .set({
        status,
        chargedTokens: sql`least(${tokenReservations.tokens}, ${charge})`,
        endedAt: sql`now()`,
      })
      .where(
        and(
          eq(tokenReservations.id, reservationId),
          eq(tokenReservations.status, "reserved"),
          userId ? eq(tokenReservations.userId, userId) : undefined,
        ),
      )
      .returning();
    if (!ended) {
      const [existing] = await tx
        .select({ status: tokenReservations.status })
        .from(tokenReservations)
        .where(eq(tokenReservations.id, reservationId));
      if (!existing) throw notFound("Reservation not found");
      throw conflict(`Reservation already ended (${existing.status})`);
    }
    const charged = ended.chargedTokens ?? 0;
    const [wallet] = await tx
      .update(wallets)
      .set({
        reserved: sql`${wallets.reserved} - ${ended.tokens}`,
        balance: sql`${wallets.balance} - ${charged}`,
        updatedAt: sql`now()`,
      })
      .where(eq(wallets.userId, ended.userId))
      .returning({ balance: wallets.balance });
    if (charged > 0) {
      await tx.insert(financialTransactions).values({
        userId: ended.userId,
        direction: "debit",
        type: "usage",
        tokens: charged,
        description: `${ended.purpose} (${status})`,
        reservationId: ended.id,
      });
    }
    return { reservation: ended, charged, balance: wallet?.balance ?? 0 };
  });
}

/** After the model answered: charge the actual usage, release the rest. */
export function finalizeReservation(
  db: DbOrTx,
  opts: { reservationId: string; actualTokens: number; userId?: string },
): Promise<EndedReservation> {
  return endReservation(db, {
    reservationId: opts.reservationId,
    status: "finalized",
    chargeTokens: opts.actualTokens,
    userId: opts.userId,
  });
}

/** On an error or a disconnect: charge what was generated (maybe 0), release the rest. */
export function releaseReservation(
  db: DbOrTx,
  opts: { reservationId: string; chargeTokens?: number; userId?: string },
): Promise<EndedReservation> {
  return endReservation(db, {
    reservationId: opts.reservationId,
    status: "released",
    chargeTokens: opts.chargeTokens ?? 0,
    userId: opts.userId,
  });
}

/** Reservations past their expiry (a crashed server, a lost stream) give their tokens back. */
export async function expireReservations(db: DbOrTx): Promise<number> {
  const stale = await db
    .select({ id: tokenReservations.id })
    .from(tokenReservations)
    .where(and(eq(tokenReservations.status, "reserved"), sql`${tokenReservations.expiresAt} <= now()`))
    .limit(1000);
  let expired = 0;
  for (const { id } of stale) {
    try {
      await endReservation(db, { reservationId: id, status: "expired", chargeTokens: 0 });
      expired += 1;
    } catch (err) {
      // Ended meanwhile by its chat: nothing to expire.
      if (!(err instanceof ApiError && err.code === "CONFLICT")) throw err;
    }
  }
  return expired;
}

function requestHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

export interface TopUpInput {
  userId: string;
  tokens: number;
  amount?: number | null;
  currency?: string | null;
  note?: string | null;
  createdBy?: string | null;
}

export interface TopUpResult {
  transaction_id: string;
  user_id: string;
  tokens: number;
  amount: number | null;
  currency: string | null;
  new_balance: number;
  created_at: string;
}

/**
 * Credits tokens (an admin's top-up), in the ledger. With an Idempotency-Key the same key
 * credits once and replays its first answer; the same key with other parameters is 409.
 */
/** The currency of an amount given without one: the ouguiya. */
export const DEFAULT_CURRENCY = "MRU";

export async function topUp(
  db: DbOrTx,
  given: TopUpInput,
  { idempotencyKey }: { idempotencyKey?: string | null } = {},
): Promise<{ result: TopUpResult; replayed: boolean }> {
  const input = { ...given, currency: given.currency ?? (given.amount ? DEFAULT_CURRENCY : null) };
  const hash = requestHash({
    userId: input.userId,
    tokens: input.tokens,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    note: input.note ?? null,
  });
  const replay = async (): Promise<{ result: TopUpResult; replayed: boolean } | null> => {
    if (!idempotencyKey) return null;
    const [seen] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, "wallet.topup"), eq(idempotencyKeys.key, idempotencyKey)));
    if (!seen) return null;
    if (seen.requestHash !== hash) {
      throw conflict(
        "This Idempotency-Key was already used with different parameters",
        "IDEMPOTENCY_CONFLICT",
      );
    }
    return { result: seen.response as unknown as TopUpResult, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  await getWallet(db, input.userId);
  try {
    const result = await db.transaction(async (tx) => {
      const [wallet] = await tx
        .update(wallets)
        .set({ balance: sql`${wallets.balance} + ${input.tokens}`, tier: "premium", updatedAt: sql`now()` })
        .where(eq(wallets.userId, input.userId))
        .returning({ balance: wallets.balance });
      if (!wallet) throw notFound("User not found");
      const [row] = await tx
        .insert(financialTransactions)
        .values({
          userId: input.userId,
          direction: "credit",
          type: "topup",
          tokens: input.tokens,
          amount: input.amount ?? null,
          currency: input.currency ?? null,
          description: input.note ?? "Top-up",
          createdBy: input.createdBy ?? null,
        })
        .returning();
      if (!row) throw new Error("transaction insert returned no row");
      const out: TopUpResult = {
        transaction_id: row.id,
        user_id: input.userId,
        tokens: input.tokens,
        amount: row.amount,
        currency: row.currency,
        new_balance: wallet.balance,
        created_at: row.createdAt.toISOString(),
      };
      if (idempotencyKey) {
        await tx.insert(idempotencyKeys).values({
          scope: "wallet.topup",
          key: idempotencyKey,
          requestHash: hash,
          response: out as unknown as Record<string, unknown>,
        });
      }
      return out;
    });
    return { result, replayed: false };
  } catch (err) {
    // The same key sent twice at once: the loser's credit was rolled back; it replays the winner.
    if (isUniqueViolation(err)) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw err;
  }
}

export async function recordExpense(
  db: DbOrTx,
  e: { amount: number; currency: string; category: string; description: string; createdBy?: string | null },
): Promise<Transaction> {
  const [row] = await db
    .insert(financialTransactions)
    .values({
      direction: "debit",
      type: "expense",
      tokens: 0,
      amount: e.amount,
      currency: e.currency,
      category: e.category,
      description: e.description,
      createdBy: e.createdBy ?? null,
    })
    .returning();
  if (!row) throw new Error("transaction insert returned no row");
  return row;
}

export async function listTransactions(
  db: DbOrTx,
  f: {
    direction?: "credit" | "debit";
    type?: TransactionType;
    userId?: string;
    limit: number;
    offset: number;
  },
): Promise<{ transactions: Transaction[]; total: number }> {
  const conditions: SQL[] = [];
  if (f.direction) conditions.push(eq(financialTransactions.direction, f.direction));
  if (f.type) conditions.push(eq(financialTransactions.type, f.type));
  if (f.userId) conditions.push(eq(financialTransactions.userId, f.userId));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(financialTransactions)
      .where(where)
      .orderBy(desc(financialTransactions.createdAt), desc(financialTransactions.id))
      .limit(f.limit)
      .offset(f.offset),
    db.select({ n: count() }).from(financialTransactions).where(where),
  ]);
  return { transactions: rows, total: Number(total?.n ?? 0) };
}

/** Credits minus debits of a user's ledger, in tokens: always equal to the wallet's balance. */
export async function ledgerBalance(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .select({
      sum: sql<number>`coalesce(sum(case when ${financialTransactions.direction} = 'credit'
        then ${financialTransactions.tokens} else -${financialTransactions.tokens} end), 0)::bigint`,
    })
    .from(financialTransactions)
    .where(eq(financialTransactions.userId, userId));
  return Number(row?.sum ?? 0);
}

/**
 * What this user's recent answers needed and cost, from their last `last` charged reservations:
 * the most any of them held (the next answer will likely need as much: its prompt plus the
 * longest reply; conservative on purpose) and the mean actually charged. Null before any answer.
 */
export async function recentAnswerCosts(
  db: DbOrTx,
  userId: string,
  last = 5,
): Promise<{ reserved: number; charged: number } | null> {
  const [row] = rowsOf<{ reserved: number | null; charged: number | null }>(
    await db.execute(sql`select max(tokens)::float8 as reserved, avg(charged)::float8 as charged from (
      select ${tokenReservations.tokens} as tokens, ${tokenReservations.chargedTokens} as charged
      from ${tokenReservations}
      where ${tokenReservations.userId} = ${userId} and ${tokenReservations.chargedTokens} > 0
      order by ${tokenReservations.createdAt} desc limit ${last}) recent`),
  );
  if (!row?.reserved || !row.charged) return null;
  return { reserved: Number(row.reserved), charged: Math.round(Number(row.charged)) };
}

/**
 * What a balance means to a student: whether the tutor will take the next question (it reserves
 * the prompt plus the longest reply first and refuses with 402 when that is not available:
 * judged by what recent answers had to hold) and about how many answers are left.
 */
export function answerOutlook(
  available: number,
  recent: { reserved: number; charged: number } | null,
): { canAsk: boolean; answersLeft: number | null } {
  const canAsk = available > 0 && available >= (recent?.reserved ?? 1);
  if (!recent || !canAsk) return { canAsk, answersLeft: null };
  return { canAsk, answersLeft: 1 + Math.floor((available - recent.reserved) / recent.charged) };
}
