import { createOpenAI } from "@ai-sdk/openai";
import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { env } from "@/lib/config/env";
import { localEmbeddingModel } from "./local-embedding";

// The only place that chooses models. Call sites ask for a role ("embedding"; the chat roles come
// with the tutor) and get the production model when OPENAI_API_KEY is set, the embedded offline
// one otherwise. Tests point OPENAI_BASE_URL at a fake server.

/** A model for one role, with the id recorded next to what it produced. */
export interface ModelChoice<M> {
  id: string;
  model: M;
  /** Whether calls leave the machine (and can fail transiently, be rate limited, cost money). */
  remote: boolean;
}

/** OpenAI, or any OpenAI-compatible server when OPENAI_BASE_URL is set (Ollama, vLLM, LM Studio). */
function openai() {
  const e = env();
  return createOpenAI({ apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL });
}

/** The "embedding" role: EMBEDDING_MODEL (text-embedding-3-small) when OPENAI_API_KEY is set, else local. */
export function embeddingModel(): ModelChoice<EmbeddingModelV3> {
  const e = env();
  if (!e.OPENAI_API_KEY)
    return { id: localEmbeddingModel.modelId, model: localEmbeddingModel, remote: false };
  return { id: e.EMBEDDING_MODEL, model: openai().embedding(e.EMBEDDING_MODEL), remote: true };
}
