import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

// Tables of the embedded auth backend. With Supabase Auth they stay empty.

export const authUsers = pgTable(
  "auth_users",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Stored lower-cased: emails are compared case-insensitively. */
    email: text().notNull(),
    passwordHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("auth_users_email_key").on(t.email)],
);

/**
 * A session starts at sign-in and ends at logout, password change, or refresh-token reuse.
 * Access tokens carry its id (`session_id`, as Supabase's do), so ending it also ends them.
 */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("auth_sessions_user_idx").on(t.userId)],
);

/**
 * Refresh tokens are stored as SHA-256 hashes. Each use rotates the token: the old row is
 * revoked and points to its successor. Presenting a revoked token ends its whole session,
 * since it means the token was stolen or replayed.
 */
export const authRefreshTokens = pgTable(
  "auth_refresh_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    sessionId: uuid()
      .notNull()
      .references(() => authSessions.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    replacedBy: uuid(),
  },
  (t) => [
    uniqueIndex("auth_refresh_tokens_hash_key").on(t.tokenHash),
    index("auth_refresh_tokens_user_idx").on(t.userId),
    index("auth_refresh_tokens_session_idx").on(t.sessionId),
  ],
);

/** Single-use, expiring password-reset tokens (hashed like refresh tokens). */
export const authPasswordResets = pgTable(
  "auth_password_resets",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("auth_password_resets_hash_key").on(t.tokenHash)],
);
