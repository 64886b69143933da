// POST /api/scraping/{source}/sync – crawl the portal, record the run, upsert references
import { syncSource } from "@/lib/api/library";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";
import * as scraping from "@/lib/scraping";

export const maxDuration = 300;

export const POST = route(syncSource, async ({ db, params, query, principal }) => {
  const { run, queued } = await scraping.syncSource(db, {
    source: params.source,
    ingest: query.ingest,
    triggeredBy: principal.kind === "user" ? principal.user.id : null,
  });
  if (queued > 0) afterResponse(kickIngestion);
  return {
    run_id: run.id,
    status: run.status,
    found_count: run.foundCount,
    new_count: run.newCount,
    queued_count: queued,
    error_count: run.errors.length,
  };
});
