// POST /api/admin/vector-embedding – legacy: queue a reference's ingestion, return at once
import { vectorEmbedding } from "@/lib/api/library";
import { queueReferenceIngestion } from "@/lib/curriculum/references";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const POST = route(vectorEmbedding, async ({ db, body }) => {
  const job = await queueReferenceIngestion(db, { referenceId: body.reference_id, force: body.force });
  afterResponse(kickIngestion);
  return { status: "queued" as const, job_id: job.id, reference_id: body.reference_id };
});
