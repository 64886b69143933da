import { z } from "zod";
import { MESSAGE_STATUSES } from "@/db/schema";
import { PROVIDER_ERRORS } from "@/lib/ai/errors";
import type { Conversation, Message } from "@/lib/chat/conversations";
import { RATINGS, ratingOf } from "@/lib/chat/feedback";
import { CHAT_DEADLINE, defineEndpoint } from "./define";
import { pagination, uuidParam } from "./schemas";

const messageField = z
  .string("message is required")
  .trim()
  .min(1, "message cannot be empty")
  .max(4000, "message must be at most 4000 characters");

const historyContent = z.string().max(8000, "history content must be at most 8000 characters");

export const SourceSchema = z
  .object({
    document_id: z.uuid(),
    title: z.string(),
    page: z.number().int(),
    excerpt: z.string(),
    score: z.number(),
  })
  .meta({ id: "Source" });

const ProviderError = z
  .object({
    error: z.string(),
    code: z.enum(["LOCAL_AI_API_ERROR", "TIMEOUT_ERROR", "SERVICE_ERROR", "INTERNAL_ERROR"]),
  })
  .meta({ id: "ProviderError" });

export { ProviderError };

/**
 * The chat endpoints fail in the materials API's shape `{error, code}`: an unexpected error is
 * its 500 INTERNAL_ERROR ("Something went wrong. Please try again."), an outage of the database
 * its one 503, LOCAL_AI_API_ERROR: retrieval and billing are part of the service it calls the
 * AI Brain, and its clients read a 503 as "try again later".
 */
const AI_SERVICE_FAILURES = {
  internal: PROVIDER_ERRORS.INTERNAL_ERROR,
  unavailable: PROVIDER_ERRORS.LOCAL_AI_API_ERROR,
  schema: ProviderError,
};

export const chat = defineEndpoint({
  deadline: CHAT_DEADLINE,
  method: "POST",
  path: "/api/chat",
  tag: "Chat",
  summary: "Ask the AI teacher: an answer grounded in the textbooks, with page citations",
  description:
    "Streams by default: `text/event-stream` in the AI SDK UI message stream protocol (what " +
    "`useChat` from @ai-sdk/react reads): a `data-sources` part with the cited passages and a " +
    "`data-conversation` part come before the text. With `Accept: application/json` or " +
    '`"stream": false` the answer comes whole as JSON. The student\'s hint level (profile) sets ' +
    "how much is given away (1 = worked answer … 5 = guiding questions only); the answer is in " +
    "the question's language (or `language`). The maximum cost is reserved from the wallet " +
    "first: 402 INSUFFICIENT_BALANCE and no model call when it is not covered. " +
    "`regenerate: true` (with `conversation_id`) answers the conversation's last question again: " +
    "no new question is stored, the previous answer is deleted once the new one starts, and it " +
    "is billed like any answer (`message` is required but ignored; 409 if the conversation has " +
    "no question). The streamed message id (the `start` part's `messageId`) and the JSON " +
    "`message_id` are the stored answer's id, for PUT …/messages/{message_id}/feedback. 429 beyond " +
    "RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW per IP (and RATE_LIMIT_USER_REQUESTS per user). " +
    'Model failures: 503 {"error","code": LOCAL_AI_API_ERROR | TIMEOUT_ERROR}, 500 SERVICE_ERROR ' +
    "| INTERNAL_ERROR.",
  auth: "user",
  body: z
    .object({
      message: messageField,
      conversation_id: z.uuid("conversation_id must be a UUID").optional(),
      history: z
        .array(
          z.object({
            role: z.enum(["user", "assistant", "model"], "history role must be user, assistant or model"),
            content: historyContent,
          }),
        )
        .max(50, "history must have at most 50 messages")
        .optional(),
      grade: z.string().trim().max(10).optional(),
      subject: z.string().trim().max(100).optional(),
      language: z.enum(["fr", "ar", "en"], "language must be fr, ar or en").optional(),
      hint_level: z
        .number("hint_level must be an integer from 1 to 5")
        .int("hint_level must be an integer from 1 to 5")
        .min(1, "hint_level must be an integer from 1 to 5")
        .max(5, "hint_level must be an integer from 1 to 5")
        .optional()
        .meta({
          description:
            "Ask for fewer hints than your profile's level for this question (a higher level); a lower one is ignored: the level an admin set is the most help you get.",
        }),
      stream: z.boolean("stream must be true or false").optional(),
      regenerate: z
        .boolean("regenerate must be true or false")
        .optional()
        .meta({ description: "Answer the conversation's last question again, replacing its answer." }),
    })
    .refine((b) => !b.regenerate || b.conversation_id !== undefined, {
      path: ["conversation_id"],
      message: "conversation_id is required to regenerate an answer",
    }),
  response: z.object({
    answer: z.string(),
    sources: z.array(SourceSchema),
    conversation_id: z.uuid(),
    message_id: z.uuid(),
  }),
  responseContentType: "text/event-stream",
  errors: [402, 404, 409, 429, 500, 503],
  failures: AI_SERVICE_FAILURES,
});

export const ConversationResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    grade: z.string().nullable(),
    subject: z.string().nullable(),
    language: z.string().nullable(),
    message_count: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Conversation" });

export function toConversationResponse(
  c: Conversation & { messageCount: number },
): z.input<typeof ConversationResponse> {
  return {
    id: c.id,
    title: c.title,
    grade: c.grade,
    subject: c.subject,
    language: c.language,
    message_count: c.messageCount,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export const MessageResponse = z
  .object({
    id: z.uuid(),
    role: z.enum(["user", "assistant"]),
    content: z.string(),
    sources: z.array(SourceSchema),
    status: z.enum(MESSAGE_STATUSES),
    feedback: z
      .enum(RATINGS)
      .nullable()
      .meta({ description: "Your rating of an answer (always null on a question)" }),
    created_at: z.string(),
  })
  .meta({ id: "ChatMessage" });

export function toMessageResponse(m: Message): z.input<typeof MessageResponse> {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    sources: m.sources,
    status: m.status,
    feedback: ratingOf(m.feedback),
    created_at: m.createdAt.toISOString(),
  };
}

export const listConversations = defineEndpoint({
  method: "GET",
  path: "/api/conversations",
  tag: "Chat",
  summary: "Your conversations with the tutor, most recent first",
  auth: "user",
  query: z.object(pagination),
  response: z.object({ conversations: z.array(ConversationResponse), total: z.number().int() }),
});

export const getConversation = defineEndpoint({
  method: "GET",
  path: "/api/conversations/{conversation_id}",
  tag: "Chat",
  summary: "One of your conversations with its messages (answers with their sources)",
  auth: "user",
  params: uuidParam("conversation_id"),
  response: ConversationResponse.extend({ messages: z.array(MessageResponse) }),
  errors: [404],
});

const courseIdParam = uuidParam("course_id");

export const courseChat = defineEndpoint({
  deadline: CHAT_DEADLINE,
  method: "POST",
  path: "/api/courses/{course_id}/chat",
  tag: "Materials",
  summary: "Chat about a course: answers grounded in its three most relevant materials",
  description:
    "Billed and rate limited like POST /api/chat. Saved to the course's chat history. " +
    "`history` roles are user and model; `attachments` is accepted and unused.",
  auth: "user",
  params: courseIdParam,
  body: z.object({
    message: messageField,
    history: z
      .array(
        z.object({
          role: z.enum(["user", "model"], "history role must be user or model"),
          content: historyContent,
        }),
      )
      .max(50, "history must have at most 50 messages")
      .default([]),
    attachments: z.array(z.unknown()).max(10).default([]),
  }),
  status: 201,
  response: z.object({ response: z.string(), timestamp: z.string() }),
  errors: [402, 404, 429, 500, 503],
  failures: AI_SERVICE_FAILURES,
});

export const courseChatHistory = defineEndpoint({
  method: "GET",
  path: "/api/courses/{course_id}/chat",
  tag: "Materials",
  summary: "The course's chat history, oldest first",
  auth: "user",
  params: courseIdParam,
  response: z.array(
    z.object({
      id: z.uuid(),
      course_id: z.uuid(),
      history: z.array(z.object({ role: z.enum(["user", "model"]), content: z.string() })),
      created_at: z.string(),
    }),
  ),
  errors: [404, 503],
  failures: AI_SERVICE_FAILURES,
});
