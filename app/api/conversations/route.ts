// GET /api/conversations – the caller's tutor conversations
import { listConversations, toConversationResponse } from "@/lib/api/chat";
import * as chat from "@/lib/chat/conversations";
import { route } from "@/lib/http/route";

export const GET = route(listConversations, async ({ db, principal, query }) => {
  const { conversations, total } = await chat.listConversations(db, { userId: principal.user.id, ...query });
  return { conversations: conversations.map(toConversationResponse), total };
});
