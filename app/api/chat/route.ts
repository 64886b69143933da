// POST /api/chat – the AI teacher: retrieval over the library, billed, streamed (SSE) or JSON
import { createUIMessageStream, createUIMessageStreamResponse } from "ai";
import { ProviderFailure } from "@/lib/ai/call";
import { classifyProviderError } from "@/lib/ai/errors";
import { askTutor, streamTutor, type TutorInput } from "@/lib/ai/tutor";
import { chat } from "@/lib/api/chat";
import { route } from "@/lib/http/route";
import { enforceChatRateLimit } from "@/lib/rate-limit";

export const maxDuration = 120;

/** JSON when the client says so (`"stream": false`, or Accept: application/json without SSE). */
function wantsJson(req: Request, stream: boolean | undefined): boolean {
  if (stream !== undefined) return !stream;
  const accept = req.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/event-stream");
}

export const POST = route(chat, async ({ db, req, body, principal, ip }) => {
  await enforceChatRateLimit(db, { ip, userId: principal.user.id });
  const input: TutorInput = {
    userId: principal.user.id,
    message: body.message,
    conversationId: body.conversation_id,
    history: body.history?.map((h) => ({
      role: h.role === "model" ? "assistant" : h.role,
      content: h.content,
    })),
    grade: body.grade || undefined,
    subject: body.subject || undefined,
    language: body.language,
    hintLevel: body.hint_level,
    signal: req.signal,
  };
  try {
    if (wantsJson(req, body.stream)) {
      const { answer, sources, conversationId } = await askTutor(db, input);
      return { answer, sources, conversation_id: conversationId };
    }
    const { conversationId, sources, textDeltas, done } = await streamTutor(db, input);
    const stream = createUIMessageStream({
      execute: async ({ writer }) => {
        writer.write({ type: "start" });
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
    return createUIMessageStreamResponse({ stream });
  } catch (err) {
    if (err instanceof ProviderFailure)
      return Response.json(err.response.body, { status: err.response.status });
    throw err;
  }
});
