import { createOpenAI } from "@ai-sdk/openai";
import type { EmbeddingModelV3, LanguageModelV3 } from "@ai-sdk/provider";
import { env } from "@/lib/config/env";
import { localEmbeddingModel } from "./local-embedding";
import { createOfflineTutorModel, OFFLINE_TUTOR_MODEL_ID } from "./offline-tutor";

// The only place that chooses models. Call sites ask for a role ("embedding", "chat") and get the
// production model when OPENAI_API_KEY is set, the embedded offline one otherwise. Tests point
// OPENAI_BASE_URL at a fake server.

/** A model for one role, with the id recorded next to what it produced. */
export interface ModelChoice<M> {
  id: string;
  model: M;
  /** Whether calls leave the machine (and can fail transiently, be rate limited, cost money). */
  remote: boolean;
}

/** The "embedding" role's model unless EMBEDDING_MODEL names another (asked for 512 dimensions). */
const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
/** The "chat" role's model unless CHAT_MODEL names another. */
const DEFAULT_CHAT_MODEL = "gpt-4o-mini";

/** OpenAI, or any OpenAI-compatible server when OPENAI_BASE_URL is set (Ollama, vLLM, LM Studio). */
function openai() {
  const e = env();
  return createOpenAI({ apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL });
}

/** The "embedding" role: EMBEDDING_MODEL (or the default) when OPENAI_API_KEY is set, else local. */
export function embeddingModel(): ModelChoice<EmbeddingModelV3> {
  const e = env();
  if (!e.OPENAI_API_KEY)
    return { id: localEmbeddingModel.modelId, model: localEmbeddingModel, remote: false };
  const id = e.EMBEDDING_MODEL ?? DEFAULT_EMBEDDING_MODEL;
  return { id, model: openai().embedding(id), remote: true };
}

/**
 * Pause before each word of the offline tutor outside tests, so the chat visibly streams as with a
 * remote model (~100 words per second); tests get the answer at once. OFFLINE_TUTOR_WORD_DELAY_MS
 * overrides both (the browser tests slow it down to press Stop mid-answer).
 */
const OFFLINE_WORD_DELAY_MS = 10;

/**
 * The "chat" role: CHAT_MODEL (or the default) through the Chat Completions API
 * (`/chat/completions`, the one OpenAI-compatible servers speak; `openai(model)` would call
 * OpenAI's Responses API) when OPENAI_API_KEY is set, else the offline tutor. Callers pass `maxRetries: 0` or `1` and a
 * timeout (CHAT_TIMEOUT_SECONDS): the SDK's default of 2 retries with backoff keeps a student
 * waiting seconds for an answer that will fail anyway.
 */
export function chatModel(): ModelChoice<LanguageModelV3> {
  const e = env();
  if (!e.OPENAI_API_KEY) {
    const delayMs = e.OFFLINE_TUTOR_WORD_DELAY_MS ?? (e.NODE_ENV === "test" ? 0 : OFFLINE_WORD_DELAY_MS);
    return { id: OFFLINE_TUTOR_MODEL_ID, model: createOfflineTutorModel({ delayMs }), remote: false };
  }
  const id = e.CHAT_MODEL ?? DEFAULT_CHAT_MODEL;
  return { id, model: openai().chat(id), remote: true };
}
