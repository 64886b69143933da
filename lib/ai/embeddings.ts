import type { EmbeddingModelV3 } from "@ai-sdk/provider";
import { embedMany } from "ai";
import { resetEnvCache } from "@/lib/config/env";
import { embeddingModel } from "./providers";

/** Every stored vector has this many dimensions (the chunks.embedding column is vector(512)). */
export const EMBEDDING_DIMENSIONS = 512;

/** Turns texts into vectors of one model. The single embedding interface of the app. */
export interface Embedder {
  /** The model id, recorded with every chunk: searches compare only vectors of the same model. */
  readonly model: string;
  readonly dimensions: typeof EMBEDDING_DIMENSIONS;
  /**
   * One vector per text, in order, each of EMBEDDING_DIMENSIONS numbers. A blank text gets a
   * zero vector without a call (providers reject empty inputs).
   */
  embed(texts: string[], opts?: { signal?: AbortSignal }): Promise<number[][]>;
}

/** A provider's vectors do not fit the column; retrying cannot help, changing EMBEDDING_MODEL can. */
export class EmbeddingDimensionsError extends Error {
  readonly permanent = true;
  constructor(
    readonly model: string,
    readonly received: number,
  ) {
    super(
      `The embedding model "${model}" returned ${received}-dimensional vectors, but BacMR stores ` +
        `${EMBEDDING_DIMENSIONS}. Set EMBEDDING_MODEL to a model that accepts the "dimensions" option ` +
        `(OpenAI text-embedding-3-*) or produces at most ${EMBEDDING_DIMENSIONS} dimensions.`,
    );
    this.name = "EmbeddingDimensionsError";
  }
}

/**
 * Inputs per provider request: far below OpenAI's limits (2,048 inputs, 300k tokens per request)
 * so one request stays small, quick to retry, and under per-minute token limits.
 */
const REMOTE_BATCH = 96;
/** Retries of a rate-limited (429) or failed (5xx, network) request, with the AI SDK's backoff. */
const REMOTE_MAX_RETRIES = 4;
/**
 * Longest input sent. Chunks are ~1,000 characters; this only cuts a pasted essay used as a
 * query, which would otherwise exceed the model's 8,192-token input limit and fail.
 */
const MAX_INPUT_CHARS = 6000;

/**
 * A provider vector as stored: shorter ones are zero-padded (cosine similarity is unchanged),
 * longer ones are refused, since truncating them would silently change every similarity.
 */
export function fitDimensions(vector: number[], model: string): number[] {
  if (vector.length > EMBEDDING_DIMENSIONS || vector.length === 0) {
    throw new EmbeddingDimensionsError(model, vector.length);
  }
  if (!vector.every(Number.isFinite))
    throw new Error(`The embedding model "${model}" returned a non-numeric vector`);
  if (vector.length === EMBEDDING_DIMENSIONS) return vector;
  return [...vector, ...new Array<number>(EMBEDDING_DIMENSIONS - vector.length).fill(0)];
}

function clip(text: string): string {
  if (text.length <= MAX_INPUT_CHARS) return text;
  const code = text.charCodeAt(MAX_INPUT_CHARS - 1);
  // Never end on the first half of a surrogate pair.
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? MAX_INPUT_CHARS - 1 : MAX_INPUT_CHARS);
}

/** An Embedder over any AI SDK embedding model. */
export function createEmbedder(
  choice: { id: string; model: EmbeddingModelV3; remote: boolean },
  opts: { batchSize?: number; maxRetries?: number } = {},
): Embedder {
  // The local model batches itself (and yields to the event loop between batches).
  const batchSize = opts.batchSize ?? (choice.remote ? REMOTE_BATCH : Number.POSITIVE_INFINITY);
  const maxRetries = opts.maxRetries ?? (choice.remote ? REMOTE_MAX_RETRIES : 0);
  return {
    model: choice.id,
    dimensions: EMBEDDING_DIMENSIONS,
    async embed(texts, { signal } = {}) {
      const out: number[][] = texts.map(() => []);
      const todo: number[] = [];
      texts.forEach((t, i) => {
        if (t.trim()) todo.push(i);
        else out[i] = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
      });
      // Batches go one after another: under a rate limit, parallel requests only fail together.
      for (let b = 0; b < todo.length; b += batchSize) {
        signal?.throwIfAborted();
        const batch = todo.slice(b, b + batchSize);
        const { embeddings } = await embedMany({
          model: choice.model,
          values: batch.map((i) => clip(texts[i] as string)),
          maxRetries,
          abortSignal: signal,
          providerOptions: { openai: { dimensions: EMBEDDING_DIMENSIONS } },
        });
        if (embeddings.length !== batch.length) {
          throw new Error(
            `The embedding model "${choice.id}" returned ${embeddings.length} vectors for ${batch.length} texts`,
          );
        }
        batch.forEach((i, k) => {
          out[i] = fitDimensions(embeddings[k] as number[], choice.id);
        });
      }
      return out;
    },
  };
}

let cached: Embedder | undefined;

/** The app's embedder, chosen once from the environment (see providers.ts). */
export function getEmbedder(): Embedder {
  if (!cached) cached = createEmbedder(embeddingModel());
  return cached;
}

/**
 * Checks the configured model once, at start: a model whose vectors cannot be stored is refused
 * with a clear message instead of failing every ingestion job later.
 */
export async function verifyEmbedder(signal?: AbortSignal): Promise<void> {
  await getEmbedder().embed(["BacMR"], { signal });
}

/** Tests change process.env between suites: the next getEmbedder() re-reads it. */
export function resetEmbedder(): void {
  cached = undefined;
  resetEnvCache();
}
