import type { Db } from "@/db/client";
import { materials } from "@/db/schema";
import { createCourse } from "@/lib/courses";
import { enqueueMaterialJob } from "@/lib/ingest/jobs";
import { createSignedInUser } from "./users";

/** A user with a course and a material row (no file) queued for processing. */
export async function queuedMaterial(db: Db) {
  const user = await createSignedInUser(db);
  const course = await createCourse(db, { userId: user.id, name: "Physique" });
  const [material] = await db
    .insert(materials)
    .values({
      courseId: course.id,
      userId: user.id,
      name: "cours.pdf",
      storageKey: `${user.id}/${course.id}/x-cours.pdf`,
      fileType: "application/pdf",
      fileSize: 10,
    })
    .returning();
  if (!material) throw new Error("no material");
  const job = await enqueueMaterialJob(db, { materialId: material.id });
  return { user, course, material, job };
}
