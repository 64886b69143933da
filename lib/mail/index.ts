import { count, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { mailOutbox } from "@/db/schema";
import { env } from "@/lib/config/env";

export interface Mail {
  to: string;
  subject: string;
  body: string;
}

type Transport = (mail: Mail) => Promise<void>;

let transport: Transport | undefined;

async function getTransport(): Promise<Transport> {
  if (transport) return transport;
  const { SMTP_URL, MAIL_FROM } = env();
  if (SMTP_URL) {
    const nodemailer = await import("nodemailer");
    const smtp = nodemailer.createTransport(SMTP_URL);
    transport = async (m) => {
      await smtp.sendMail({ from: MAIL_FROM, to: m.to, subject: m.subject, text: m.body });
    };
  } else {
    // No SMTP configured: the outbox row is the delivery, and the log shows it to the operator.
    transport = async (m) => {
      console.info(`[mail] to=${m.to} subject=${JSON.stringify(m.subject)}\n${m.body}`);
    };
  }
  return transport;
}

/** Records the mail in the outbox, then tries to deliver it; a failed delivery is recorded, not thrown. */
export async function sendMail(db: DbOrTx, mail: Mail): Promise<void> {
  const [row] = await db.insert(mailOutbox).values(mail).returning({ id: mailOutbox.id });
  if (!row) return;
  try {
    await (await getTransport())(mail);
    await db.update(mailOutbox).set({ sentAt: sql`now()` }).where(eq(mailOutbox.id, row.id));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[mail] delivery to ${mail.to} failed: ${message}`);
    await db.update(mailOutbox).set({ error: message }).where(eq(mailOutbox.id, row.id));
  }
}

export async function listOutbox(
  db: DbOrTx,
  { to, limit, offset }: { to?: string; limit: number; offset: number },
): Promise<{ messages: (typeof mailOutbox.$inferSelect)[]; total: number }> {
  const where = to ? eq(mailOutbox.to, to) : undefined;
  const [messages, [totalRow]] = await Promise.all([
    db.select().from(mailOutbox).where(where).orderBy(desc(mailOutbox.createdAt)).limit(limit).offset(offset),
    db.select({ n: count() }).from(mailOutbox).where(where),
  ]);
  return { messages, total: totalRow?.n ?? 0 };
}
