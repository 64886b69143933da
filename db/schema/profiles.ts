import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const ROLES = ["student", "teacher", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const userRole = pgEnum("user_role", ROLES);

/** One row per account, whatever the auth backend: id is the auth user's id (JWT `sub`). */
export const profiles = pgTable(
  "profiles",
  {
    id: uuid().primaryKey(),
    email: text().notNull(),
    fullName: text().notNull().default(""),
    role: userRole().notNull().default("student"),
    hintLevel: smallint().notNull().default(3),
    /** The interface language the user chose (fr, ar, en); null until they choose one. */
    preferredLanguage: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("profiles_hint_level_range", sql`${t.hintLevel} between 1 and 5`),
    check(
      "profiles_preferred_language",
      sql`${t.preferredLanguage} is null or ${t.preferredLanguage} in ('fr', 'ar', 'en')`,
    ),
    index("profiles_role_idx").on(t.role),
    index("profiles_created_at_idx").on(t.createdAt),
  ],
);
