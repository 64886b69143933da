// GET /api/scraping/{source}/references – curriculum files discovered on one source
import { listSourceReferences, toReferenceResponse } from "@/lib/api/library";
import { listReferences } from "@/lib/curriculum/references";
import { route } from "@/lib/http/route";
import { assertSource } from "@/lib/scraping";

export const GET = route(listSourceReferences, async ({ db, params, query }) => {
  assertSource(params.source);
  const { references, total } = await listReferences(db, { source: params.source, ...query });
  return { references: references.map(toReferenceResponse), total, limit: query.limit, offset: query.offset };
});
