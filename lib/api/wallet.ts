import { z } from "zod";
import { RESERVATION_STATUSES, TRANSACTION_TYPES } from "@/db/schema";
import type { Reservation, Transaction } from "@/lib/wallet";
import { defineEndpoint } from "./define";
import { pagination } from "./schemas";

const tokensField = (name: string) =>
  z
    .number(`${name} must be a positive integer`)
    .int(`${name} must be a positive integer`)
    .positive(`${name} must be a positive integer`)
    .max(1_000_000_000, `${name} must be at most 1000000000`);

const money = (name: string) =>
  z
    .number(`${name} must be a positive number`)
    .positive(`${name} must be a positive number`)
    .max(1_000_000_000, `${name} is too large`)
    // Money is kept to the cent (numeric(14,2)); the rounding is said here rather than left to the db.
    .transform((v) => Math.round(v * 100) / 100)
    .refine((v) => v > 0, `${name} must be at least 0.01`);

const currencyField = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "currency must be a 3-letter code such as MRU")
  .transform((c) => c.toUpperCase());

export const ReservationResponse = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    tokens: z.number().int(),
    status: z.enum(RESERVATION_STATUSES),
    charged_tokens: z.number().int().nullable(),
    purpose: z.string(),
    expires_at: z.string(),
    created_at: z.string(),
    ended_at: z.string().nullable(),
  })
  .meta({ id: "TokenReservation" });

export function toReservationResponse(r: Reservation): z.input<typeof ReservationResponse> {
  return {
    id: r.id,
    user_id: r.userId,
    tokens: r.tokens,
    status: r.status,
    charged_tokens: r.chargedTokens,
    purpose: r.purpose,
    expires_at: r.expiresAt.toISOString(),
    created_at: r.createdAt.toISOString(),
    ended_at: r.endedAt?.toISOString() ?? null,
  };
}

export const TransactionResponse = z
  .object({
    id: z.uuid(),
    user_id: z.uuid().nullable(),
    direction: z.enum(["credit", "debit"]),
    type: z.enum(TRANSACTION_TYPES),
    tokens: z.number().int(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    category: z.string().nullable(),
    description: z.string().nullable(),
    reservation_id: z.uuid().nullable(),
    created_at: z.string(),
  })
  .meta({ id: "FinancialTransaction" });

export function toTransactionResponse(t: Transaction): z.input<typeof TransactionResponse> {
  return {
    id: t.id,
    user_id: t.userId,
    direction: t.direction,
    type: t.type,
    tokens: t.tokens,
    amount: t.amount,
    currency: t.currency,
    category: t.category,
    description: t.description,
    reservation_id: t.reservationId,
    created_at: t.createdAt.toISOString(),
  };
}

export const getBalance = defineEndpoint({
  method: "GET",
  path: "/api/wallet/balance",
  tag: "Wallet",
  summary: "Your token balance, what is reserved by chats in flight, and what you can spend",
  auth: "user",
  response: z.object({
    balance: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    tier: z.string(),
    pending_reservations: z.number().int(),
  }),
});

export const listReservations = defineEndpoint({
  method: "GET",
  path: "/api/wallet/reservations",
  tag: "Wallet",
  summary: "Your token reservations, newest first",
  auth: "user",
  query: z.object({
    status: z
      .enum(RESERVATION_STATUSES, `status must be one of: ${RESERVATION_STATUSES.join(", ")}`)
      .optional(),
    ...pagination,
  }),
  response: z.object({ reservations: z.array(ReservationResponse), total: z.number().int() }),
});

export const topUp = defineEndpoint({
  method: "POST",
  path: "/api/wallet/topup",
  tag: "Wallet",
  summary: "Top up a student's wallet with tokens (recorded in the ledger)",
  description:
    "Send an `Idempotency-Key` header to make retries safe: the same key credits once and " +
    "replays the first answer; the same key with other parameters answers 409.",
  auth: "admin",
  body: z.object({
    user_id: z.uuid("user_id must be a UUID"),
    tokens: tokensField("tokens"),
    amount: money("amount").optional(),
    currency: currencyField.optional(),
    note: z.string().trim().max(500).optional(),
  }),
  response: z.object({
    transaction_id: z.uuid(),
    user_id: z.uuid(),
    tokens: z.number().int(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    new_balance: z.number().int(),
    created_at: z.string(),
  }),
  errors: [404, 409],
});

export const recordExpense = defineEndpoint({
  method: "POST",
  path: "/api/wallet/transactions/expense",
  tag: "Wallet",
  summary: "Log a system expense (API costs, servers)",
  auth: "admin",
  body: z.object({
    amount: money("amount"),
    currency: currencyField,
    category: z.string().trim().min(1, "category is required").max(100),
    description: z.string().trim().min(1, "description is required").max(1000),
  }),
  status: 201,
  response: TransactionResponse,
});

export const listTransactions = defineEndpoint({
  method: "GET",
  path: "/api/wallet/transactions",
  tag: "Wallet",
  summary: "The ledger, newest first, with filters",
  auth: "admin",
  query: z.object({
    direction: z.enum(["credit", "debit"], "direction must be credit or debit").optional(),
    type: z.enum(TRANSACTION_TYPES, `type must be one of: ${TRANSACTION_TYPES.join(", ")}`).optional(),
    user_id: z.uuid("user_id must be a UUID").optional(),
    ...pagination,
  }),
  response: z.object({
    transactions: z.array(TransactionResponse),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
});

export const internalReserve = defineEndpoint({
  method: "POST",
  path: "/api/wallet/internal/reserve",
  tag: "Wallet",
  summary: "Create a token reservation by hand (testing)",
  description: "402 INSUFFICIENT_BALANCE when the user's available tokens do not cover it.",
  auth: "admin",
  body: z.object({
    user_id: z.uuid("user_id must be a UUID"),
    tokens: tokensField("tokens"),
    ttl_seconds: z.number().int().min(1).max(86_400).optional(),
  }),
  status: 201,
  response: ReservationResponse,
  errors: [402, 404],
});

export const internalFinalize = defineEndpoint({
  method: "POST",
  path: "/api/wallet/internal/finalize",
  tag: "Wallet",
  summary: "Finalize a token reservation by hand (testing): charge the actual usage, release the rest",
  auth: "admin",
  body: z.object({
    reservation_id: z.uuid("reservation_id must be a UUID"),
    actual_tokens: z
      .number("actual_tokens must be a non-negative integer")
      .int("actual_tokens must be a non-negative integer")
      .min(0, "actual_tokens must be a non-negative integer")
      .max(1_000_000_000),
  }),
  response: z.object({
    reservation: ReservationResponse,
    charged_tokens: z.number().int(),
    new_balance: z.number().int(),
  }),
  errors: [404, 409],
});
