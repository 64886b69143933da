// GET /api/admin/jobs – ingestion jobs, filtered by status
import { listJobs } from "@/lib/admin/jobs";
import * as api from "@/lib/api/library";
import { route } from "@/lib/http/route";

export const GET = route(api.listJobs, async ({ db, query }) => {
  const { jobs, total } = await listJobs(db, query);
  return { jobs: jobs.map(api.toJobResponse), total, limit: query.limit, offset: query.offset };
});
