import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses } from "@/db/schema";
import { notFound } from "@/lib/http/errors";

export type Course = typeof courses.$inferSelect;

const courseNotFound = () => notFound("Course not found");

export async function createCourse(
  db: DbOrTx,
  { userId, name, description }: { userId: string; name: string; description?: string | null },
): Promise<Course> {
  const [row] = await db
    .insert(courses)
    .values({ userId, name, description: description ?? null })
    .returning();
  if (!row) throw new Error("course insert returned no row");
  return row;
}

export async function listCourses(db: DbOrTx, { userId }: { userId: string }): Promise<Course[]> {
  return db.select().from(courses).where(eq(courses.userId, userId)).orderBy(desc(courses.createdAt));
}

/** The user's course, or 404 "Course not found" — also for another user's course. */
export async function getCourseOrThrow(
  db: DbOrTx,
  { courseId, userId }: { courseId: string; userId: string },
) {
  const [row] = await db
    .select()
    .from(courses)
    .where(and(eq(courses.id, courseId), eq(courses.userId, userId)))
    .limit(1);
  if (!row) throw courseNotFound();
  return row;
}

export async function updateCourse(
  db: DbOrTx,
  {
    courseId,
    userId,
    name,
    description,
  }: { courseId: string; userId: string; name?: string; description?: string | null },
): Promise<Course> {
  const [row] = await db
    .update(courses)
    .set({
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(courses.id, courseId), eq(courses.userId, userId)))
    .returning();
  if (!row) throw courseNotFound();
  return row;
}
