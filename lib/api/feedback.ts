import { z } from "zod";
import { type FeedbackItem, RATINGS } from "@/lib/chat/feedback";
import { defineEndpoint } from "./define";
import { pagination } from "./schemas";

const ratingField = z.enum(RATINGS, "rating must be up, down or null");

export const rateMessage = defineEndpoint({
  method: "PUT",
  path: "/api/conversations/{conversation_id}/messages/{message_id}/feedback",
  tag: "Chat",
  summary: "Rate one of the tutor's answers: thumbs up, thumbs down, or null to clear",
  description:
    "Only on your own conversations' answers: another user's conversation, an unknown message " +
    "or a question (your own message) answer 404.",
  auth: "user",
  params: z.object({
    conversation_id: z.uuid("conversation_id must be a UUID"),
    message_id: z.uuid("message_id must be a UUID"),
  }),
  body: z.object({ rating: ratingField.nullable() }),
  response: z.object({ message_id: z.uuid(), rating: ratingField.nullable() }),
  errors: [404],
});

export const FeedbackItemResponse = z
  .object({
    message_id: z.uuid(),
    conversation_id: z.uuid(),
    user_id: z.uuid(),
    user_email: z.string(),
    rating: z.enum(RATINGS),
    question: z.string().meta({ description: "The student's question the answer replied to" }),
    answer: z.string().meta({ description: "The start of the answer (280 characters at most)" }),
    sources_count: z.number().int().meta({ description: "How many textbook passages the answer cited" }),
    created_at: z.string(),
  })
  .meta({ id: "FeedbackItem" });

export function toFeedbackItemResponse(f: FeedbackItem): z.input<typeof FeedbackItemResponse> {
  return {
    message_id: f.messageId,
    conversation_id: f.conversationId,
    user_id: f.userId,
    user_email: f.userEmail,
    rating: f.rating,
    question: f.question,
    answer: f.answerExcerpt,
    sources_count: f.sourcesCount,
    created_at: f.createdAt.toISOString(),
  };
}

export const listFeedback = defineEndpoint({
  method: "GET",
  path: "/api/admin/feedback",
  tag: "Admin",
  summary: "Rated tutor answers, newest first, with the question each answered",
  description:
    "`total` counts the answers matching `rating` (all rated answers without it); `up` and " +
    "`down` count every rated answer.",
  auth: "admin",
  query: z.object({ rating: z.enum(RATINGS, "rating must be up or down").optional(), ...pagination }),
  response: z.object({
    items: z.array(FeedbackItemResponse),
    total: z.number().int(),
    up: z.number().int(),
    down: z.number().int(),
  }),
});
