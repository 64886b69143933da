// GET /api/admin/mail-outbox – mails sent by the app, newest first
import { listMailOutbox } from "@/lib/api/admin-users";
import { route } from "@/lib/http/route";
import { listOutbox } from "@/lib/mail";

export const GET = route(listMailOutbox, async ({ db, query }) => {
  const { messages, total } = await listOutbox(db, query);
  return {
    total,
    messages: messages.map((m) => ({
      id: m.id,
      to: m.to,
      subject: m.subject,
      body: m.body,
      created_at: m.createdAt.toISOString(),
      sent_at: m.sentAt?.toISOString() ?? null,
      error: m.error,
    })),
  };
});
