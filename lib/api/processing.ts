import { z } from "zod";
import { PROCESSING_STATUSES } from "@/db/schema";
import { type MaterialProgress, PROGRESS_STAGES } from "@/lib/courses/material-progress";
import { defineEndpoint } from "./define";
import { uuidParam } from "./schemas";

// Live processing of a course's materials, beside the materials API document: its list and detail
// keep their documented shape, the progress of running jobs has its own endpoint.

export const MaterialProgressResponse = z
  .object({
    id: z.uuid(),
    processing_status: z.enum(PROCESSING_STATUSES),
    stage: z.enum(PROGRESS_STAGES).nullable().meta({
      description:
        "While processing: starting, extract (text layer), ocr (reading a page image), embed, store; null otherwise",
    }),
    pages_done: z.number().int().meta({ description: "Pages read so far (all of them once completed)" }),
    pages_total: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Pages in the file; null until the job has opened it" }),
    error: z.string().nullable().meta({ description: "Why processing failed; null unless failed" }),
  })
  .meta({ id: "MaterialProgress" });

export function toMaterialProgressResponse(p: MaterialProgress): z.input<typeof MaterialProgressResponse> {
  return {
    id: p.id,
    processing_status: p.processingStatus,
    stage: p.stage,
    pages_done: p.pagesDone,
    pages_total: p.pagesTotal,
    error: p.error,
  };
}

export const materialsStatus = defineEndpoint({
  method: "GET",
  path: "/api/courses/{course_id}/materials/status",
  tag: "Materials",
  summary: "Processing progress of a course's materials (page X of Y, stage), newest first",
  description:
    "Small enough to poll every few seconds while a material is pending or processing; stop when none is.",
  auth: "user",
  params: uuidParam("course_id"),
  response: z.array(MaterialProgressResponse),
  errors: [404],
});

export const retryMaterial = defineEndpoint({
  method: "POST",
  path: "/api/materials/{material_id}/retry",
  tag: "Materials",
  summary: "Process a failed material again (409 unless it is failed)",
  description: "The material goes back to pending and its job runs again through the same pipeline.",
  auth: "user",
  params: uuidParam("material_id"),
  status: 202,
  response: z
    .object({ status: z.literal("queued"), material_id: z.uuid(), job_id: z.uuid() })
    .meta({ id: "MaterialRetry" }),
  errors: [404, 409],
});
