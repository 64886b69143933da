// GET /api/conversations/{conversation_id} – one conversation with its messages
import { getConversation, toConversationResponse, toMessageResponse } from "@/lib/api/chat";
import { getConversationOrThrow, listMessages } from "@/lib/chat/conversations";
import { route } from "@/lib/http/route";

export const GET = route(getConversation, async ({ db, principal, params }) => {
  const conversation = await getConversationOrThrow(db, {
    conversationId: params.conversation_id,
    userId: principal.user.id,
  });
  const messages = await listMessages(db, conversation.id);
  return {
    ...toConversationResponse({ ...conversation, messageCount: messages.length }),
    messages: messages.map(toMessageResponse),
  };
});
