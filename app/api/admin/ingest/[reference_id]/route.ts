// POST /api/admin/ingest/{reference_id} – queue a reference's ingestion (?force=true re-ingests)
import { ingestReference } from "@/lib/api/library";
import { queueReferenceIngestion } from "@/lib/curriculum/references";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const POST = route(ingestReference, async ({ db, params, query }) => {
  const job = await queueReferenceIngestion(db, { referenceId: params.reference_id, force: query.force });
  afterResponse(kickIngestion);
  return { status: "queued" as const, job_id: job.id, reference_id: params.reference_id };
});
