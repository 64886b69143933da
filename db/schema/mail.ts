import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Every e-mail the app sends is written here first; a sender delivers it (log or SMTP). */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    to: text().notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    error: text(),
  },
  (t) => [index("mail_outbox_to_idx").on(t.to, t.createdAt)],
);
