// POST /api/admin/jobs/dispatch – start the oldest queued job now, in the background
import { dispatchJob } from "@/lib/api/library";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { dispatchOldestJob } from "@/lib/ingest/runner";

export const maxDuration = 300;

export const POST = route(dispatchJob, async () => {
  const dispatched = await dispatchOldestJob();
  if (!dispatched) {
    return {
      status: "idle" as const,
      job_id: null,
      reference_id: null,
      document_id: null,
      detail: "No queued jobs",
    };
  }
  const { job, done } = dispatched;
  // Keeps a serverless function alive until the job ends; in-process it is already running.
  afterResponse(() => done);
  return {
    status: "dispatched" as const,
    job_id: job.id,
    reference_id: job.referenceId,
    document_id: job.documentId,
    detail: "Processing started",
  };
});
