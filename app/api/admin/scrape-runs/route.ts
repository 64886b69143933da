// GET /api/admin/scrape-runs – scrape runs across all sources
import { adminScrapeRuns, toScrapeRunResponse } from "@/lib/api/library";
import { route } from "@/lib/http/route";
import { listRuns } from "@/lib/scraping";

export const GET = route(adminScrapeRuns, async ({ db, query }) => {
  const { runs, total } = await listRuns(db, query);
  return { runs: runs.map(toScrapeRunResponse), total, limit: query.limit, offset: query.offset };
});
