import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { profiles } from "./profiles";

/**
 * One wallet per account, in tokens. `reserved` is held by chats in flight; what a student can
 * spend is `balance - reserved`. The CHECKs are the invariants: never negative, never more
 * reserved than owned, whatever the code above does.
 */
export const wallets = pgTable(
  "wallets",
  {
    userId: uuid()
      .primaryKey()
      .references(() => profiles.id, { onDelete: "cascade" }),
    balance: bigint({ mode: "number" }).notNull().default(0),
    reserved: bigint({ mode: "number" }).notNull().default(0),
    tier: text().notNull().default("free"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("wallets_balance_nonnegative", sql`${t.balance} >= 0`),
    check("wallets_reserved_range", sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.balance}`),
  ],
);

export const RESERVATION_STATUSES = ["reserved", "finalized", "released", "expired"] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
export const reservationStatus = pgEnum("reservation_status", RESERVATION_STATUSES);

/** Tokens held for one model call; it ends exactly once (finalized, released or expired). */
export const tokenReservations = pgTable(
  "token_reservations",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    tokens: bigint({ mode: "number" }).notNull(),
    status: reservationStatus().notNull().default("reserved"),
    /** Tokens actually charged when it ended (≤ tokens). */
    chargedTokens: bigint({ mode: "number" }),
    purpose: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    check("token_reservations_tokens_positive", sql`${t.tokens} > 0`),
    check(
      "token_reservations_charged_range",
      sql`${t.chargedTokens} is null or (${t.chargedTokens} >= 0 and ${t.chargedTokens} <= ${t.tokens})`,
    ),
    check(
      "token_reservations_ended",
      sql`(${t.status} = 'reserved') = (${t.endedAt} is null and ${t.chargedTokens} is null)`,
    ),
    index("token_reservations_user_idx").on(t.userId, t.createdAt),
    index("token_reservations_expiry_idx").on(t.status, t.expiresAt),
  ],
);

export const TRANSACTION_DIRECTIONS = ["credit", "debit"] as const;
export const transactionDirection = pgEnum("transaction_direction", TRANSACTION_DIRECTIONS);
export const TRANSACTION_TYPES = ["grant", "topup", "usage", "refund", "expense", "adjustment"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export const transactionType = pgEnum("transaction_type", TRANSACTION_TYPES);

/**
 * The ledger. For a user, credits minus debits in tokens equal the wallet's balance (every
 * balance change writes its row in the same transaction). System expenses (API, servers) have
 * no user and no tokens, only money.
 */
export const financialTransactions = pgTable(
  "financial_transactions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().references(() => profiles.id, { onDelete: "set null" }),
    direction: transactionDirection().notNull(),
    type: transactionType().notNull(),
    tokens: bigint({ mode: "number" }).notNull().default(0),
    amount: numeric({ precision: 14, scale: 2, mode: "number" }),
    currency: text(),
    category: text(),
    description: text(),
    reservationId: uuid().references(() => tokenReservations.id, { onDelete: "set null" }),
    createdBy: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "financial_transactions_tokens",
      sql`(${t.type} = 'expense' and ${t.tokens} = 0) or (${t.type} <> 'expense' and ${t.tokens} > 0)`,
    ),
    check("financial_transactions_amount_positive", sql`${t.amount} is null or ${t.amount} > 0`),
    // A type moves tokens one way: a usage row can never credit a wallet, a grant never debit it.
    check(
      "financial_transactions_direction",
      sql`(${t.type} in ('grant', 'topup', 'refund') and ${t.direction} = 'credit') or (${t.type} in ('usage', 'expense') and ${t.direction} = 'debit') or ${t.type} = 'adjustment'`,
    ),
    index("financial_transactions_user_idx").on(t.userId, t.createdAt),
    index("financial_transactions_type_idx").on(t.type, t.createdAt),
  ],
);

/** First answers of requests sent with an Idempotency-Key, replayed for the same key. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    response: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);
