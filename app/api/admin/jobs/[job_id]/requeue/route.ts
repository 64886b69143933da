// POST /api/admin/jobs/{job_id}/requeue – a failed job back in the queue
import { requeueJob } from "@/lib/admin/jobs";
import * as api from "@/lib/api/library";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const POST = route(api.requeueJob, async ({ db, params }) => {
  const job = await requeueJob(db, params.job_id);
  afterResponse(kickIngestion);
  return api.toJobResponse(job);
});
