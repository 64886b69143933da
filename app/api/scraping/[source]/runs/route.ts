// GET /api/scraping/{source}/runs – recent runs of one source
import { listSourceRuns, toScrapeRunResponse } from "@/lib/api/library";
import { route } from "@/lib/http/route";
import { assertSource, listRuns } from "@/lib/scraping";

export const GET = route(listSourceRuns, async ({ db, params, query }) => {
  assertSource(params.source);
  const { runs, total } = await listRuns(db, { source: params.source, ...query });
  return { runs: runs.map(toScrapeRunResponse), total, limit: query.limit, offset: query.offset };
});
