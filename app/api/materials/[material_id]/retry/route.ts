// POST /api/materials/{material_id}/retry – a failed material back in the processing queue
import { retryMaterial } from "@/lib/api/processing";
import * as progress from "@/lib/courses/material-progress";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const maxDuration = 60;

export const POST = route(retryMaterial, async ({ db, principal, params }) => {
  const job = await progress.retryMaterial(db, {
    userId: principal.user.id,
    materialId: params.material_id,
  });
  // The answer goes out now; processing starts right after, in this process.
  afterResponse(kickIngestion);
  return { status: "queued" as const, material_id: params.material_id, job_id: job.id };
});
