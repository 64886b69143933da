import { count, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { mailOutbox } from "@/db/schema";
import { env } from "@/lib/config/env";

export interface Mail {
  to: string;
  subject: string;
  body: string;
  /** The body holds a secret (a reset link): once delivered by SMTP it is not kept. */
  secret?: boolean;
}

interface Transport {
  /** log: the outbox row is the delivery (development); smtp: a real mail server. */
  kind: "log" | "smtp";
  send(mail: Mail): Promise<void>;
}

let transport: Transport | undefined;

async function getTransport(): Promise<Transport> {
  if (transport) return transport;
  const { SMTP_URL, MAIL_FROM } = env();
  if (SMTP_URL) {
    const nodemailer = await import("nodemailer");
    const smtp = nodemailer.createTransport(SMTP_URL);
    transport = {
      kind: "smtp",
      send: async (m) => {
        await smtp.sendMail({ from: MAIL_FROM, to: m.to, subject: m.subject, text: m.body });
      },
    };
  } else {
    // No SMTP configured: the outbox row is the delivery, and the log shows it to the operator.
    transport = {
      kind: "log",
      send: async (m) => {
        console.info(`[mail] to=${m.to} subject=${JSON.stringify(m.subject)}\n${m.body}`);
      },
    };
  }
  return transport;
}

/**
 * Records the mail in the outbox and delivers it in the background: the caller's answer time
 * must not depend on the mail server (a reset request for an existing account would otherwise
 * be slower than for an unknown one). A failed delivery is recorded on the row.
 */
export async function sendMail(db: DbOrTx, mail: Mail): Promise<void> {
  const { secret: _, ...row } = mail;
  const [inserted] = await db.insert(mailOutbox).values(row).returning({ id: mailOutbox.id });
  if (inserted) void deliver(db, inserted.id, mail);
}

async function deliver(db: DbOrTx, id: string, mail: Mail): Promise<void> {
  try {
    const t = await getTransport();
    await t.send(mail);
    const redact = mail.secret && t.kind === "smtp";
    await db
      .update(mailOutbox)
      .set({
        sentAt: sql`now()`,
        ...(redact ? { body: "[delivered; the body held a single-use link]" } : {}),
      })
      .where(eq(mailOutbox.id, id));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[mail] delivery to ${mail.to} failed: ${message}`);
    await db
      .update(mailOutbox)
      .set({ error: message })
      .where(eq(mailOutbox.id, id))
      .catch((e: unknown) => console.error(`[mail] could not record the failure: ${String(e)}`));
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
