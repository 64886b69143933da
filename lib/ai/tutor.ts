import { randomUUID } from "node:crypto";
import { createUIMessageStream, type ModelMessage, type UIMessageChunk } from "ai";
import type { DbOrTx } from "@/db/client";
import type { SourceRef } from "@/db/schema";
import {
  addMessage,
  type Conversation,
  createConversation,
  deleteAnswersAfter,
  getConversationOrThrow,
  lastQuestion,
  type Message,
  recentHistory,
} from "@/lib/chat/conversations";
import { badRequest, conflict } from "@/lib/http/errors";
import { getProfileOrThrow } from "@/lib/profiles";
import { enforceChatRateLimit } from "@/lib/rate-limit";
import { excerptAround, searchLibrary } from "@/lib/retrieval";
import { type BilledCall, type CallOutcome, completeBilled, ProviderFailure, streamBilled } from "./call";
import { classifyProviderError } from "./errors";
import { detectLanguage, type TutorLanguage, tutorSystemPrompt } from "./prompts";

/** A failure of the embedding model (OpenAI down) answers like one of the chat model. */
export function asProviderFailure(err: unknown): never {
  // The AI SDK's errors are named AI_*: anything else (the database) keeps its own handling.
  if (err instanceof Error && err.name.startsWith("AI_"))
    throw new ProviderFailure(classifyProviderError(err));
  throw err;
}

/** Passages given to the tutor per question. */
const PASSAGES = 5;
/** Earlier messages of the conversation sent with a question. */
const HISTORY_TURNS = 10;

export interface TutorInput {
  userId: string;
  /** The client's address, for the per-IP chat limit. */
  ip: string;
  message: string;
  conversationId?: string;
  /** Prior turns sent by a client that keeps its own history (ignored when conversationId is set). */
  history?: { role: "user" | "assistant"; content: string }[];
  grade?: string;
  subject?: string;
  language?: TutorLanguage;
  /** A stricter level for this question (never more help than the profile's level). */
  hintLevel?: number;
  /**
   * Answer the conversation's last question again: its previous answer is replaced and no new
   * question is stored (`message` is then ignored). Needs `conversationId`.
   */
  regenerate?: boolean;
  signal?: AbortSignal;
}

interface PreparedTutor {
  conversation: Conversation | null;
  /** The stored question answered again, when regenerating. */
  question: Message | null;
  /** What is asked: the new message, or the stored question when regenerating. */
  message: string;
  sources: SourceRef[];
  language: TutorLanguage;
  call: BilledCall;
}

/**
 * Everything before the model call, with no writes: the student's hint level, the conversation
 * (404 if not theirs), the library passages for the question (filtered by grade, subject and
 * textbook language), and the prompt.
 */
async function prepare(db: DbOrTx, input: TutorInput): Promise<PreparedTutor> {
  await enforceChatRateLimit(db, { ip: input.ip, userId: input.userId });
  const profile = await getProfileOrThrow(db, { userId: input.userId });
  if (input.regenerate && !input.conversationId)
    throw badRequest("conversation_id is required to regenerate an answer");
  const conversation = input.conversationId
    ? await getConversationOrThrow(db, { conversationId: input.conversationId, userId: input.userId })
    : null;
  const question = conversation && input.regenerate ? await lastQuestion(db, conversation.id) : null;
  if (input.regenerate && !question) throw conflict("This conversation has no question to answer again");
  const message = question?.content ?? input.message;
  const history = conversation
    ? await recentHistory(db, conversation.id, HISTORY_TURNS, { before: question?.id })
    : (input.history ?? []).slice(-HISTORY_TURNS);
  const language = input.language ?? detectLanguage(message);
  const passages = await searchLibrary(db, {
    query: message,
    grade: input.grade,
    subject: input.subject,
    language: input.language,
    limit: PASSAGES,
  }).catch(asProviderFailure);
  const sources = passages.map((p) => ({
    document_id: p.documentId,
    title: p.title,
    page: p.page,
    excerpt: excerptAround(p.content, message, 300),
    score: p.similarity,
  }));
  const system = tutorSystemPrompt({
    hintLevel: Math.max(profile.hintLevel, input.hintLevel ?? 1),
    language,
    passages: passages.map((p, i) => ({ n: i + 1, title: p.title, page: p.page, text: p.content })),
  });
  const messages: ModelMessage[] = [
    ...history.map((h) => ({ role: h.role, content: h.content }) as ModelMessage),
    { role: "user", content: message },
  ];
  return {
    conversation,
    question,
    message,
    sources,
    language,
    call: { userId: input.userId, system, messages, purpose: "chat", signal: input.signal },
  };
}

/**
 * The conversation a new exchange goes to, with the student's message stored in it; when
 * regenerating, the question is already there and its previous answer goes.
 */
async function openTurn(db: DbOrTx, input: TutorInput, prepared: PreparedTutor): Promise<Conversation> {
  if (prepared.conversation && prepared.question) {
    await deleteAnswersAfter(db, {
      conversationId: prepared.conversation.id,
      questionId: prepared.question.id,
    });
    return prepared.conversation;
  }
  const conversation =
    prepared.conversation ??
    (await createConversation(db, {
      userId: input.userId,
      firstMessage: input.message,
      grade: input.grade,
      subject: input.subject,
      language: prepared.language,
    }));
  await addMessage(db, { conversationId: conversation.id, role: "user", content: input.message });
  return conversation;
}

async function closeTurn(
  db: DbOrTx,
  conversationId: string,
  sources: SourceRef[],
  o: CallOutcome,
  messageId?: string,
) {
  await addMessage(db, {
    id: messageId,
    conversationId,
    role: "assistant",
    content: o.text,
    sources,
    status: o.status,
    model: o.model,
    inputTokens: o.inputTokens,
    outputTokens: o.outputTokens,
    reservationId: o.reservationId,
  });
}

/** One question, answered whole (JSON clients). */
export async function askTutor(
  db: DbOrTx,
  input: TutorInput,
): Promise<{ answer: string; sources: SourceRef[]; conversationId: string; messageId: string }> {
  const prepared = await prepare(db, input);
  const outcome = await completeBilled(db, prepared.call);
  const conversation = await openTurn(db, input, prepared);
  const messageId = randomUUID();
  await closeTurn(db, conversation.id, prepared.sources, outcome, messageId);
  return { answer: outcome.text, sources: prepared.sources, conversationId: conversation.id, messageId };
}

/**
 * One question, streamed. Returns once the model has started answering (so failures before
 * that get their HTTP status); the answer is stored when the stream ends, as complete or, if it
 * was cut, as partial.
 */
export async function streamTutor(
  db: DbOrTx,
  input: TutorInput,
): Promise<{
  conversationId: string;
  /** The id the answer is stored under once the stream ends. */
  messageId: string;
  sources: SourceRef[];
  textDeltas: AsyncIterable<string>;
  done: Promise<CallOutcome>;
}> {
  const prepared = await prepare(db, input);
  const stream = await streamBilled(db, prepared.call);
  let conversation: Conversation;
  try {
    conversation = await openTurn(db, input, prepared);
  } catch (err) {
    // Nobody will read this answer: stop the model and give the tokens back now.
    await stream.cancel();
    throw err;
  }
  const messageId = randomUUID();
  const done = stream.outcome.then(async (o) => {
    await closeTurn(db, conversation.id, prepared.sources, o, messageId).catch((err: unknown) =>
      console.error(`[chat] could not store the answer of conversation ${conversation.id}:`, err),
    );
    return o;
  });
  return {
    conversationId: conversation.id,
    messageId,
    sources: prepared.sources,
    textDeltas: stream.textDeltas,
    done,
  };
}

/**
 * The streamed answer as the AI SDK UI message stream (what `useChat` reads): the answer's
 * stored id as the message id (so it can be rated at once), the conversation id and the sources
 * as data parts before the text, an error part if the model failed midway.
 */
export async function streamTutorUI(db: DbOrTx, input: TutorInput): Promise<ReadableStream<UIMessageChunk>> {
  const { conversationId, messageId, sources, textDeltas, done } = await streamTutor(db, input);
  return createUIMessageStream({
    execute: async ({ writer }) => {
      writer.write({ type: "start", messageId });
      writer.write({ type: "data-conversation", data: { conversation_id: conversationId } });
      writer.write({ type: "data-sources", data: sources });
      writer.write({ type: "text-start", id: "answer" });
      for await (const delta of textDeltas) writer.write({ type: "text-delta", id: "answer", delta });
      writer.write({ type: "text-end", id: "answer" });
      const outcome = await done;
      if (outcome.error) writer.write({ type: "error", errorText: outcome.error.body.error });
      writer.write({ type: "finish" });
    },
    onError: (err) => classifyProviderError(err).body.error,
  });
}
