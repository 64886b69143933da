import { TutorChat } from "@/components/tutor-chat";
import { getDb } from "@/db/client";
import { toConversationResponse, toMessageResponse } from "@/lib/api/chat";
import { getConversationOrThrow, listConversations, listMessages } from "@/lib/chat/conversations";
import { listSubjects } from "@/lib/curriculum/documents";
import { ApiError } from "@/lib/http/errors";
import { requireUser } from "@/lib/http/page-auth";
import { isUuid } from "@/lib/ids";
import { getBalance } from "@/lib/wallet";

/** The conversation of `?c=` when it is the student's (a reload reopens it), else none. */
async function openConversation(db: Awaited<ReturnType<typeof getDb>>, userId: string, id?: string) {
  if (!id || !isUuid(id)) return null;
  try {
    const conversation = await getConversationOrThrow(db, { conversationId: id, userId });
    const messages = await listMessages(db, conversation.id);
    return {
      ...toConversationResponse({ ...conversation, messageCount: messages.length }),
      messages: messages.map(toMessageResponse),
    };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export default async function ChatPage({ searchParams }: { searchParams: Promise<{ c?: string }> }) {
  const [user, sp] = await Promise.all([requireUser("/chat"), searchParams]);
  const db = await getDb();
  const [subjects, { conversations }, balance, conversation] = await Promise.all([
    listSubjects(db),
    listConversations(db, { userId: user.id, limit: 50, offset: 0 }),
    getBalance(db, user.id),
    openConversation(db, user.id, sp.c),
  ]);
  return (
    <TutorChat
      profileHintLevel={user.hintLevel}
      subjects={subjects}
      initialConversations={conversations.map(toConversationResponse)}
      initialBalance={{
        balance: balance.balance,
        reserved: balance.reserved,
        available: balance.available,
        tier: balance.tier,
        pending_reservations: balance.pendingReservations,
      }}
      initialConversation={conversation}
    />
  );
}
