import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ingestionJobs, materials, type ProcessingStatus } from "@/db/schema";
import { conflict } from "@/lib/http/errors";
import { enqueueMaterialJob, type IngestionJob, requeueFailedJob } from "@/lib/ingest/jobs";
import { getCourseOrThrow } from "./index";
import { getMaterialOrThrow } from "./materials";

/** What the job is doing now: reading the text layer, OCR of a page image, embedding, saving. */
export const PROGRESS_STAGES = ["starting", "extract", "ocr", "embed", "store"] as const;
export type ProgressStage = (typeof PROGRESS_STAGES)[number];

/** One material's processing as a student sees it while it runs. */
export interface MaterialProgress {
  id: string;
  processingStatus: ProcessingStatus;
  /** Only while processing. */
  stage: ProgressStage | null;
  pagesDone: number;
  /** Null until the job knows how many pages the file has. */
  pagesTotal: number | null;
  /** The readable reason of a failure. */
  error: string | null;
}

function stageOf(status: ProcessingStatus, jobStage: string | null): ProgressStage | null {
  if (status !== "processing") return null;
  // A job just claimed has stage "queued" (set by claimNextJob) until it reports its first page.
  return PROGRESS_STAGES.includes(jobStage as ProgressStage) ? (jobStage as ProgressStage) : "starting";
}

/**
 * The progress of every material of one of the user's courses (404 for anyone else's course),
 * newest first like the list. Each material's latest job carries the page counts and the stage.
 */
export async function listMaterialProgress(
  db: DbOrTx,
  { userId, courseId }: { userId: string; courseId: string },
): Promise<MaterialProgress[]> {
  await getCourseOrThrow(db, { courseId, userId });
  const latestJob = db
    .selectDistinctOn([ingestionJobs.materialId], {
      materialId: ingestionJobs.materialId,
      stage: ingestionJobs.stage,
      progressDone: ingestionJobs.progressDone,
      progressTotal: ingestionJobs.progressTotal,
    })
    .from(ingestionJobs)
    .innerJoin(materials, eq(materials.id, ingestionJobs.materialId))
    .where(eq(materials.courseId, courseId))
    .orderBy(ingestionJobs.materialId, desc(ingestionJobs.createdAt))
    .as("latest_job");
  const rows = await db
    .select({
      id: materials.id,
      status: materials.processingStatus,
      error: materials.errorMessage,
      pageCount: materials.pageCount,
      stage: latestJob.stage,
      done: latestJob.progressDone,
      total: latestJob.progressTotal,
    })
    .from(materials)
    .leftJoin(latestJob, eq(latestJob.materialId, materials.id))
    .where(and(eq(materials.courseId, courseId), eq(materials.userId, userId)))
    .orderBy(desc(materials.createdAt), desc(materials.id));
  return rows.map((r) => {
    const completed = r.status === "completed";
    return {
      id: r.id,
      processingStatus: r.status,
      stage: stageOf(r.status, r.stage),
      pagesDone: completed ? (r.pageCount ?? r.done ?? 0) : r.status === "pending" ? 0 : (r.done ?? 0),
      pagesTotal: completed ? (r.pageCount ?? r.total) : (r.total ?? null),
      error: r.status === "failed" ? r.error : null,
    };
  });
}

/**
 * Runs a failed material again through the same pipeline: its failed job goes back to the queue
 * with fresh attempts (the admin's requeue), or a new job when it has none. 404 for another
 * user's material, 409 when it is not failed (queued, running or done).
 */
export async function retryMaterial(
  db: DbOrTx,
  { userId, materialId }: { userId: string; materialId: string },
): Promise<IngestionJob> {
  const material = await getMaterialOrThrow(db, { materialId, userId });
  if (material.processingStatus !== "failed") {
    throw conflict(`Only failed materials can be retried; this one is ${material.processingStatus}`);
  }
  // The job, the material's status and its old error change together: a retried material never
  // shows "pending" with a queue that has no job for it, nor its previous failure's reason.
  return db.transaction(async (tx) => {
    const [latest] = await tx
      .select()
      .from(ingestionJobs)
      .where(eq(ingestionJobs.materialId, materialId))
      .orderBy(desc(ingestionJobs.createdAt))
      .limit(1);
    let job: IngestionJob | null;
    if (latest && latest.status !== "failed") {
      // Two retries raced: the first one already put the job back in the queue.
      throw conflict(`Only failed materials can be retried; this one is already ${latest.status}`);
    }
    if (latest) {
      job = await requeueFailedJob(tx, latest.id);
      if (!job) throw conflict("Only failed materials can be retried; this one is already queued");
    } else {
      job = await enqueueMaterialJob(tx, { materialId });
    }
    await tx
      .update(materials)
      .set({ processingStatus: "pending", errorMessage: null, updatedAt: sql`now()` })
      .where(eq(materials.id, materialId));
    return job;
  });
}
