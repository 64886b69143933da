import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { courses, materials } from "@/db/schema";
import { env } from "@/lib/config/env";
import { ApiError, notFound } from "@/lib/http/errors";
import { enqueueMaterialJob } from "@/lib/ingest/jobs";
import { type MaterialSearchResult, searchCourseMaterials } from "@/lib/retrieval";
import { getStorage } from "@/lib/storage";
import { checkUpload } from "@/lib/storage/file-type";
import { objectKey } from "@/lib/storage/keys";
import { getCourseOrThrow } from "./index";

export type Material = typeof materials.$inferSelect;

const materialNotFound = () => notFound("Material not found");

export function maxUploadBytes(): number {
  return Math.floor(env().MAX_UPLOAD_MB * 1024 * 1024);
}

/**
 * Stores the file and queues its processing. The type is judged by the bytes; the stored key is
 * generated. The file is written before the rows, and removed again if the rows cannot be
 * written, so no material ever points to a missing file.
 */
export async function uploadMaterial(
  db: DbOrTx,
  {
    userId,
    courseId,
    file,
  }: { userId: string; courseId: string; file: { name: string; type: string; bytes: Uint8Array } },
): Promise<Material> {
  await getCourseOrThrow(db, { courseId, userId });
  const check = checkUpload({
    bytes: file.bytes,
    declaredType: file.type,
    fileName: file.name,
    maxBytes: maxUploadBytes(),
  });
  if (!check.ok) throw new ApiError(check.status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", check.detail);
  const name = file.name.trim() || "upload";
  const key = objectKey({ userId, courseId, fileName: name });
  const storage = getStorage();
  try {
    await storage.put(key, file.bytes, check.mimeType);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiError("INTERNAL_ERROR", `Failed to upload material: ${reason}`);
  }
  try {
    // The material and its job are created together: a material is never left without a job.
    return await db.transaction(async (tx) => {
      const [material] = await tx
        .insert(materials)
        .values({
          courseId,
          userId,
          name,
          storageKey: key,
          fileType: check.mimeType,
          fileSize: file.bytes.byteLength,
        })
        .returning();
      if (!material) throw new Error("material insert returned no row");
      await enqueueMaterialJob(tx, { materialId: material.id });
      return material;
    });
  } catch (err) {
    await storage.delete(key).catch((e: unknown) => console.error(`[materials] orphan file ${key}:`, e));
    throw err;
  }
}

export async function listMaterials(
  db: DbOrTx,
  { userId, courseId }: { userId: string; courseId: string },
): Promise<Material[]> {
  await getCourseOrThrow(db, { courseId, userId });
  return db
    .select()
    .from(materials)
    .where(and(eq(materials.courseId, courseId), eq(materials.userId, userId)))
    .orderBy(desc(materials.createdAt), desc(materials.id));
}

/** The user's material, or 404 "Material not found" — also for another user's material. */
export async function getMaterialOrThrow(
  db: DbOrTx,
  { materialId, userId }: { materialId: string; userId: string },
): Promise<Material> {
  const [row] = await db
    .select({ material: materials })
    .from(materials)
    .innerJoin(courses, eq(courses.id, materials.courseId))
    .where(and(eq(materials.id, materialId), eq(courses.userId, userId)))
    .limit(1);
  if (!row) throw materialNotFound();
  return row.material;
}

/** Rows first (chunks, vectors and jobs go with them), then the file. */
export async function deleteMaterial(
  db: DbOrTx,
  { materialId, userId }: { materialId: string; userId: string },
) {
  const material = await getMaterialOrThrow(db, { materialId, userId });
  await db.delete(materials).where(eq(materials.id, material.id));
  await getStorage()
    .delete(material.storageKey)
    .catch((e: unknown) => console.error(`[materials] could not delete file ${material.storageKey}:`, e));
}

export async function openMaterialFile(
  db: DbOrTx,
  { materialId, userId }: { materialId: string; userId: string },
): Promise<{ material: Material; stream: ReadableStream<Uint8Array> }> {
  const material = await getMaterialOrThrow(db, { materialId, userId });
  const stream = await getStorage().getStream(material.storageKey);
  if (!stream) throw materialNotFound();
  return { material, stream };
}

/** A course with everything in it: rows in one statement (cascade), then the files. */
export async function deleteCourse(db: DbOrTx, { courseId, userId }: { courseId: string; userId: string }) {
  await getCourseOrThrow(db, { courseId, userId });
  const keys = await db
    .select({ key: materials.storageKey })
    .from(materials)
    .where(eq(materials.courseId, courseId));
  await db.delete(courses).where(and(eq(courses.id, courseId), eq(courses.userId, userId)));
  const storage = getStorage();
  for (const { key } of keys) {
    await storage
      .delete(key)
      .catch((e: unknown) => console.error(`[materials] could not delete file ${key}:`, e));
  }
}

/** Search within one of the user's courses (404 "Course not found" for anyone else's). */
export async function searchMaterials(
  db: DbOrTx,
  { userId, courseId, query, limit }: { userId: string; courseId: string; query: string; limit: number },
): Promise<MaterialSearchResult[]> {
  await getCourseOrThrow(db, { courseId, userId });
  return searchCourseMaterials(db, { courseId, query, limit });
}
