// GET /api/admin/jobs/{job_id} – one job with progress and per-stage timings
import { getJobOrThrow } from "@/lib/admin/jobs";
import { getJob, toJobResponse } from "@/lib/api/library";
import { route } from "@/lib/http/route";

export const GET = route(getJob, async ({ db, params }) =>
  toJobResponse(await getJobOrThrow(db, params.job_id)),
);
