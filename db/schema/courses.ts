import { bigint, boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { profiles } from "./profiles";

/** A student's or teacher's own course: a home for their materials and course chat. */
export const courses = pgTable(
  "courses",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    name: text().notNull(),
    description: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("courses_user_idx").on(t.userId, t.createdAt)],
);

export const PROCESSING_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];
export const processingStatus = pgEnum("processing_status", PROCESSING_STATUSES);

/** An uploaded file of a course; its text lives in `chunks`. */
export const materials = pgTable(
  "materials",
  {
    id: uuid().primaryKey().defaultRandom(),
    courseId: uuid()
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    userId: uuid().notNull(),
    /** The original file name, as uploaded (metadata only: never part of a path). */
    name: text().notNull(),
    /** The generated storage key: user_id/course_id/<uuid>-<sanitised name>. */
    storageKey: text().notNull(),
    fileType: text().notNull(),
    fileSize: bigint({ mode: "number" }).notNull(),
    processingStatus: processingStatus().notNull().default("pending"),
    processedAt: timestamp({ withTimezone: true }),
    errorMessage: text(),
    hasEmbedding: boolean().notNull().default(false),
    pageCount: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("materials_course_idx").on(t.courseId, t.createdAt),
    index("materials_user_idx").on(t.userId),
  ],
);
