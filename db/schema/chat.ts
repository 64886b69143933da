import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { courses } from "./courses";
import { profiles } from "./profiles";

/** A source cited by a tutor answer: a textbook page and the passage the answer drew on. */
export interface SourceRef {
  document_id: string;
  title: string;
  page: number;
  excerpt: string;
  score: number;
}

/** A student's conversation with the library tutor. */
export const conversations = pgTable(
  "conversations",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    title: text().notNull(),
    grade: text(),
    subject: text(),
    language: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("conversations_user_idx").on(t.userId, t.updatedAt)],
);

export const MESSAGE_ROLES = ["user", "assistant"] as const;
export const messageRole = pgEnum("message_role", MESSAGE_ROLES);
/** complete; partial: the stream stopped (error, disconnect) after some text; error: no text. */
export const MESSAGE_STATUSES = ["complete", "partial", "error"] as const;
export const messageStatus = pgEnum("message_status", MESSAGE_STATUSES);

export const messages = pgTable(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: messageRole().notNull(),
    content: text().notNull(),
    sources: jsonb().$type<SourceRef[]>().notNull().default([]),
    status: messageStatus().notNull().default("complete"),
    model: text(),
    inputTokens: integer(),
    outputTokens: integer(),
    reservationId: uuid(),
    /** A student's thumbs up (1) or down (-1) on an answer. */
    feedback: smallint(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("messages_conversation_idx").on(t.conversationId, t.createdAt),
    check("messages_feedback", sql`${t.feedback} is null or ${t.feedback} in (-1, 1)`),
  ],
);

/** The materials API's course chat: one row per exchange, `history` = [{role, content}, …]. */
export const chatHistory = pgTable(
  "chat_history",
  {
    id: uuid().primaryKey().defaultRandom(),
    courseId: uuid()
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    userId: uuid().notNull(),
    history: jsonb().$type<{ role: "user" | "model"; content: string }[]>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("chat_history_course_idx").on(t.courseId, t.createdAt)],
);
