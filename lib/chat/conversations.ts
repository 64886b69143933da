import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { conversations, messages, type SourceRef } from "@/db/schema";
import { notFound } from "@/lib/http/errors";

export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;

const conversationNotFound = () => notFound("Conversation not found");

/** A conversation's title: the first question, on one line, at most 80 characters. */
function titleOf(message: string): string {
  const line = message.replace(/\s+/g, " ").trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}

export async function createConversation(
  db: DbOrTx,
  c: {
    userId: string;
    firstMessage: string;
    grade?: string | null;
    subject?: string | null;
    language?: string | null;
  },
): Promise<Conversation> {
  const [row] = await db
    .insert(conversations)
    .values({
      userId: c.userId,
      title: titleOf(c.firstMessage),
      grade: c.grade ?? null,
      subject: c.subject ?? null,
      language: c.language ?? null,
    })
    .returning();
  if (!row) throw new Error("conversation insert returned no row");
  return row;
}

/** The user's conversation, or 404 — also for another user's. */
export async function getConversationOrThrow(
  db: DbOrTx,
  { conversationId, userId }: { conversationId: string; userId: string },
): Promise<Conversation> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.userId, userId)));
  if (!row) throw conversationNotFound();
  return row;
}

export async function listConversations(
  db: DbOrTx,
  { userId, limit, offset }: { userId: string; limit: number; offset: number },
): Promise<{ conversations: (Conversation & { messageCount: number })[]; total: number }> {
  const where = eq(conversations.userId, userId);
  const [rows, [total]] = await Promise.all([
    db
      .select({ c: conversations, n: sql<number>`count(${messages.id})::int` })
      .from(conversations)
      .leftJoin(messages, eq(messages.conversationId, conversations.id))
      .where(where)
      .groupBy(conversations.id)
      .orderBy(desc(conversations.updatedAt), desc(conversations.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(conversations).where(where),
  ]);
  return {
    conversations: rows.map((r) => ({ ...r.c, messageCount: Number(r.n) })),
    total: Number(total?.n ?? 0),
  };
}

export async function listMessages(db: DbOrTx, conversationId: string): Promise<Message[]> {
  return db
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

/** Rows stored before the message `id` (compared in SQL: timestamps keep microseconds there). */
const storedBefore = (id: string) =>
  sql`(${messages.createdAt}, ${messages.id}) < (select m.created_at, m.id from ${messages} m where m.id = ${id})`;
const storedAfter = (id: string) =>
  sql`(${messages.createdAt}, ${messages.id}) > (select m.created_at, m.id from ${messages} m where m.id = ${id})`;

/**
 * The last `turns` messages that carry text, oldest first, as model history; with `before`,
 * only the ones stored before that message (the history of a question asked again).
 */
export async function recentHistory(
  db: DbOrTx,
  conversationId: string,
  turns = 10,
  { before }: { before?: string } = {},
): Promise<{ role: "user" | "assistant"; content: string }[]> {
  const rows = await db
    .select({ role: messages.role, content: messages.content })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        sql`${messages.content} <> ''`,
        before ? storedBefore(before) : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(turns);
  return rows.reverse();
}

/** The conversation's last question (the one a regenerated answer answers), if any. */
export async function lastQuestion(db: DbOrTx, conversationId: string): Promise<Message | null> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.role, "user")))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
  return row ?? null;
}

/** Removes the answers stored after a question (the ones a regenerated answer replaces). */
export async function deleteAnswersAfter(
  db: DbOrTx,
  { conversationId, questionId }: { conversationId: string; questionId: string },
): Promise<number> {
  const gone = await db
    .delete(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.role, "assistant"),
        storedAfter(questionId),
      ),
    )
    .returning({ id: messages.id });
  return gone.length;
}

export async function addMessage(
  db: DbOrTx,
  m: {
    /** Set by the caller when the id must be known before the row exists (a streamed answer). */
    id?: string;
    conversationId: string;
    role: "user" | "assistant";
    content: string;
    sources?: SourceRef[];
    status?: "complete" | "partial" | "error";
    model?: string | null;
    inputTokens?: number | null;
    outputTokens?: number | null;
    reservationId?: string | null;
  },
): Promise<Message> {
  const [row] = await db
    .insert(messages)
    .values({
      ...(m.id ? { id: m.id } : {}),
      conversationId: m.conversationId,
      role: m.role,
      content: m.content,
      sources: m.sources ?? [],
      status: m.status ?? "complete",
      model: m.model ?? null,
      inputTokens: m.inputTokens ?? null,
      outputTokens: m.outputTokens ?? null,
      reservationId: m.reservationId ?? null,
    })
    .returning();
  if (!row) throw new Error("message insert returned no row");
  await db.update(conversations).set({ updatedAt: sql`now()` }).where(eq(conversations.id, m.conversationId));
  return row;
}
