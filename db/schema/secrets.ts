import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Secrets generated on first start when no variable provides them (the embedded JWT key):
 * kept in the database so every instance sharing it agrees, and restarts keep sessions.
 */
export const appSecrets = pgTable("app_secrets", {
  name: text().primaryKey(),
  value: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
