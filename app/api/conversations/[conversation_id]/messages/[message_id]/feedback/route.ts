// PUT /api/conversations/{conversation_id}/messages/{message_id}/feedback – rate one of your answers
import { rateMessage } from "@/lib/api/feedback";
import { rateAnswer } from "@/lib/chat/feedback";
import { route } from "@/lib/http/route";

export const PUT = route(rateMessage, async ({ db, principal, params, body }) => {
  const { messageId, rating } = await rateAnswer(db, {
    userId: principal.user.id,
    conversationId: params.conversation_id,
    messageId: params.message_id,
    rating: body.rating,
  });
  return { message_id: messageId, rating };
});
