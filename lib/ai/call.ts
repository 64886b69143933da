import { generateText, type ModelMessage, streamText } from "ai";
import type { DbOrTx } from "@/db/client";
import { env } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";
import { finalizeReservation, releaseReservation, reserveTokens } from "@/lib/wallet";
import { classifyProviderError, type ProviderErrorResponse } from "./errors";
import { chatModel } from "./providers";
import { estimateTokens } from "./tokens";

/** A model failure: an ApiError answered in the specification's shape `{error, code}` with its status. */
export class ProviderFailure extends ApiError {
  constructor(readonly response: ProviderErrorResponse) {
    super(response.body.code, response.body.error, { shape: "error" });
    this.name = "ProviderFailure";
  }
}

export interface BilledCall {
  userId: string;
  system: string;
  messages: ModelMessage[];
  /** Recorded on the reservation and the ledger row: "chat", "course_chat". */
  purpose: string;
  /** The client went away: stop generating, charge what was generated. */
  signal?: AbortSignal;
}

/** How a call ended, for whoever stores the answer. */
export interface CallOutcome {
  text: string;
  status: "complete" | "partial" | "error";
  model: string;
  inputTokens: number;
  outputTokens: number;
  reservationId: string;
  error: ProviderErrorResponse | null;
}

/** The most a call can cost: its whole prompt plus the longest answer allowed. */
export function maxCost(call: Pick<BilledCall, "system" | "messages">): number {
  const prompt = call.messages.reduce(
    (n, m) => n + 4 + estimateTokens(typeof m.content === "string" ? m.content : JSON.stringify(m.content)),
    estimateTokens(call.system),
  );
  return prompt + env().CHAT_MAX_OUTPUT_TOKENS;
}

function signals(call: BilledCall, ...more: AbortSignal[]): AbortSignal {
  const timeout = AbortSignal.timeout(env().CHAT_TIMEOUT_SECONDS * 1000);
  return AbortSignal.any([timeout, ...more, ...(call.signal ? [call.signal] : [])]);
}

/**
 * Reserves the maximum cost before anything else (402 INSUFFICIENT_BALANCE: the model is never
 * called), then calls the model and returns the whole answer. The reservation is finalized with
 * the reported usage, or released on failure; a failure is thrown as ProviderFailure.
 */
export async function completeBilled(db: DbOrTx, call: BilledCall): Promise<CallOutcome> {
  const reservation = await reserveTokens(db, {
    userId: call.userId,
    tokens: maxCost(call),
    purpose: call.purpose,
  });
  const choice = chatModel();
  try {
    const result = await generateText({
      model: choice.model,
      system: call.system,
      messages: call.messages,
      maxOutputTokens: env().CHAT_MAX_OUTPUT_TOKENS,
      maxRetries: 1,
      abortSignal: signals(call),
    });
    const inputTokens =
      result.usage.inputTokens ??
      maxCost({ ...call, messages: call.messages }) - env().CHAT_MAX_OUTPUT_TOKENS;
    const outputTokens = result.usage.outputTokens ?? estimateTokens(result.text);
    await finalizeReservation(db, {
      reservationId: reservation.id,
      actualTokens: inputTokens + outputTokens,
    });
    return {
      text: result.text,
      status: "complete",
      model: choice.id,
      inputTokens,
      outputTokens,
      reservationId: reservation.id,
      error: null,
    };
  } catch (err) {
    if (err instanceof ApiError) throw err; // the wallet's own refusal, already settled
    // A client abort charges 0 too: generateText's unstreamed call yields no partial text or usage.
    await releaseReservation(db, { reservationId: reservation.id, chargeTokens: 0 }).catch((e: unknown) =>
      console.error(`[chat] could not release reservation ${reservation.id}:`, e),
    );
    throw new ProviderFailure(classifyProviderError(err));
  }
}

export interface BilledStream {
  reservationId: string;
  model: string;
  /** The answer as it is generated; ends after the call is settled (billed and reported). */
  textDeltas: AsyncIterable<string>;
  /** Resolves once, when the call has ended and the reservation is finalized or released. */
  outcome: Promise<CallOutcome>;
  /** Stops the model and settles now, for a caller that gives up before reading the answer. */
  cancel(): Promise<void>;
}

/**
 * The streaming twin of completeBilled. The reservation comes first (402 before any model
 * call); the first part of the model's stream is awaited before returning, so a model that is
 * unreachable or refuses still gets its HTTP status (ProviderFailure) instead of a broken
 * stream. After that, the stream is driven here, and a finally block settles the bill exactly
 * once whatever happens: finished → finalize with the usage; failed, cut or abandoned by the
 * client → release, charging what was generated.
 */
export async function streamBilled(db: DbOrTx, call: BilledCall): Promise<BilledStream> {
  const reservation = await reserveTokens(db, {
    userId: call.userId,
    tokens: maxCost(call),
    purpose: call.purpose,
  });
  const choice = chatModel();
  const promptTokens = maxCost(call) - env().CHAT_MAX_OUTPUT_TOKENS;
  let settle!: (o: CallOutcome) => void;
  const outcome = new Promise<CallOutcome>((resolve) => {
    settle = resolve;
  });
  let settled = false;
  let text = "";
  let usage: { input?: number; output?: number } = {};
  let failure: unknown = null;
  let aborted = false;

  const finish = async (): Promise<void> => {
    if (settled) return;
    settled = true;
    const complete = failure === null && !aborted;
    const inputTokens = usage.input ?? promptTokens;
    const outputTokens = usage.output ?? estimateTokens(text);
    const error = complete
      ? null
      : classifyProviderError(failure ?? new DOMException("aborted", "AbortError"));
    try {
      if (complete) {
        await finalizeReservation(db, {
          reservationId: reservation.id,
          actualTokens: inputTokens + outputTokens,
        });
      } else {
        // The prompt was sent and these words were generated: they are paid for, nothing more.
        await releaseReservation(db, {
          reservationId: reservation.id,
          chargeTokens: text ? inputTokens + outputTokens : 0,
        });
      }
    } catch (err) {
      console.error(`[chat] could not settle reservation ${reservation.id}:`, err);
    }
    settle({
      text,
      status: complete ? "complete" : text ? "partial" : "error",
      model: choice.id,
      inputTokens,
      outputTokens,
      reservationId: reservation.id,
      error,
    });
  };

  // Stops the model when the reader of the answer goes away.
  const stop = new AbortController();
  const result = streamText({
    model: choice.model,
    system: call.system,
    messages: call.messages,
    maxOutputTokens: env().CHAT_MAX_OUTPUT_TOKENS,
    maxRetries: 1,
    abortSignal: signals(call, stop.signal),
  });
  const parts = result.fullStream[Symbol.asyncIterator]();
  const pending: string[] = [];

  /** Reads parts until a text delta is available (queued in `pending`) or the stream ends. */
  const pull = async (): Promise<boolean> => {
    while (pending.length === 0) {
      let next: IteratorResult<Awaited<ReturnType<typeof parts.next>>["value"]>;
      try {
        next = await parts.next();
      } catch (err) {
        failure = err; // a connection cut mid-stream surfaces here, and in no callback
        return false;
      }
      if (next.done) return false;
      const part = next.value;
      if (part.type === "text-delta") {
        text += part.text;
        pending.push(part.text);
      } else if (part.type === "error") {
        failure = part.error;
      } else if (part.type === "abort") {
        aborted = true;
      } else if (part.type === "finish") {
        usage = { input: part.totalUsage.inputTokens, output: part.totalUsage.outputTokens };
      }
    }
    return true;
  };

  try {
    const started = await pull();
    if (!started && (failure !== null || aborted)) {
      await finish();
      const o = await outcome;
      throw new ProviderFailure(o.error ?? classifyProviderError(failure));
    }
  } catch (err) {
    if (err instanceof ProviderFailure) throw err;
    failure = err;
    await finish();
    throw new ProviderFailure(classifyProviderError(err));
  }

  async function* deltas(): AsyncGenerator<string> {
    let exhausted = false;
    try {
      for (;;) {
        if (pending.length === 0 && !(await pull())) {
          exhausted = true;
          return;
        }
        const piece = pending.shift();
        if (piece !== undefined) yield piece;
      }
    } finally {
      // The reader stopped before the end (the client went away): stop the model, settle.
      if (!exhausted) {
        if (failure === null) aborted = true;
        stop.abort();
        await parts.return?.(undefined).catch(() => undefined);
      }
      await finish();
    }
  }
  const cancel = async (): Promise<void> => {
    if (failure === null) aborted = true;
    stop.abort();
    await parts.return?.(undefined).catch(() => undefined);
    await finish();
  };
  return { reservationId: reservation.id, model: choice.id, textDeltas: deltas(), outcome, cancel };
}
