import { and, count, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { conversations, messages, profiles } from "@/db/schema";
import { notFound } from "@/lib/http/errors";
import { getConversationOrThrow } from "./conversations";

/** A student's verdict on an answer; stored as 1 / -1 in `messages.feedback` (null: none). */
export type Rating = "up" | "down";

export const RATINGS = ["up", "down"] as const satisfies readonly Rating[];

export function ratingOf(feedback: number | null): Rating | null {
  return feedback === 1 ? "up" : feedback === -1 ? "down" : null;
}

const storedRating = (rating: Rating | null) => (rating === "up" ? 1 : rating === "down" ? -1 : null);

/**
 * Rates one of the user's own answers (null clears the rating). Another user's conversation, an
 * unknown message or a question (a user message) answer 404 alike.
 */
export async function rateAnswer(
  db: DbOrTx,
  {
    userId,
    conversationId,
    messageId,
    rating,
  }: { userId: string; conversationId: string; messageId: string; rating: Rating | null },
): Promise<{ messageId: string; rating: Rating | null }> {
  await getConversationOrThrow(db, { conversationId, userId });
  const [row] = await db
    .update(messages)
    .set({ feedback: storedRating(rating) })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.conversationId, conversationId),
        eq(messages.role, "assistant"),
      ),
    )
    .returning({ id: messages.id, feedback: messages.feedback });
  if (!row) throw notFound("Message not found");
  return { messageId: row.id, rating: ratingOf(row.feedback) };
}

/** How long the answer excerpt of the admin list is. */
const EXCERPT_CHARS = 280;

export interface FeedbackItem {
  messageId: string;
  conversationId: string;
  userId: string;
  userEmail: string;
  rating: Rating;
  /** The question the answer replied to: the user message stored just before it. */
  question: string;
  answerExcerpt: string;
  sourcesCount: number;
  createdAt: Date;
}

/** Rated answers, newest first, with the question they answered; the counts of each rating. */
export async function listFeedback(
  db: DbOrTx,
  { rating, limit, offset }: { rating?: Rating; limit: number; offset: number },
): Promise<{ items: FeedbackItem[]; total: number; up: number; down: number }> {
  const rated = isNotNull(messages.feedback);
  const where = rating ? eq(messages.feedback, storedRating(rating) ?? 0) : rated;
  const question = sql<string | null>`(
    select q.content from ${messages} q
    where q.conversation_id = ${messages.conversationId} and q.role = 'user'
      and (q.created_at, q.id) < (${messages.createdAt}, ${messages.id})
    order by q.created_at desc, q.id desc limit 1)`;
  const [rows, [totals]] = await Promise.all([
    db
      .select({
        messageId: messages.id,
        conversationId: messages.conversationId,
        userId: conversations.userId,
        userEmail: profiles.email,
        feedback: messages.feedback,
        question,
        answerExcerpt: sql<string>`left(${messages.content}, ${EXCERPT_CHARS})`,
        sourcesCount: sql<number>`jsonb_array_length(${messages.sources})::int`,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(profiles, eq(profiles.id, conversations.userId))
      .where(and(eq(messages.role, "assistant"), where))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(limit)
      .offset(offset),
    db
      .select({
        up: sql<number>`count(*) filter (where ${messages.feedback} = 1)::int`,
        down: sql<number>`count(*) filter (where ${messages.feedback} = -1)::int`,
        all: count(),
      })
      .from(messages)
      .where(and(eq(messages.role, "assistant"), rated)),
  ]);
  const up = Number(totals?.up ?? 0);
  const down = Number(totals?.down ?? 0);
  return {
    items: rows.map((r) => ({
      messageId: r.messageId,
      conversationId: r.conversationId,
      userId: r.userId,
      userEmail: r.userEmail,
      // Only rated answers are selected: feedback is 1 or -1 here.
      rating: r.feedback === 1 ? ("up" as const) : ("down" as const),
      question: r.question ?? "",
      answerExcerpt: r.answerExcerpt,
      sourcesCount: Number(r.sourcesCount),
      createdAt: r.createdAt,
    })),
    total: rating === "up" ? up : rating === "down" ? down : Number(totals?.all ?? 0),
    up,
    down,
  };
}
