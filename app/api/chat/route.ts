// POST /api/chat – the AI teacher: retrieval over the library, billed, streamed (SSE) or JSON
import { createUIMessageStreamResponse } from "ai";
import { askTutor, streamTutorUI, type TutorInput } from "@/lib/ai/tutor";
import { chat } from "@/lib/api/chat";
import { route } from "@/lib/http/route";

export const maxDuration = 120;

/** JSON when the client says so (`"stream": false`, or Accept: application/json without SSE). */
function wantsJson(req: Request, stream: boolean | undefined): boolean {
  if (stream !== undefined) return !stream;
  const accept = req.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/event-stream");
}

export const POST = route(chat, async ({ db, req, body, principal, ip, signal }) => {
  const input: TutorInput = {
    userId: principal.user.id,
    ip,
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
    regenerate: body.regenerate,
    signal,
  };
  if (!wantsJson(req, body.stream))
    return createUIMessageStreamResponse({ stream: await streamTutorUI(db, input) });
  const { answer, sources, conversationId, messageId } = await askTutor(db, input);
  return { answer, sources, conversation_id: conversationId, message_id: messageId };
});
