// GET /api/scraping/sources – the portals a scraper exists for
import { listSources } from "@/lib/api/library";
import { route } from "@/lib/http/route";
import { SOURCES } from "@/lib/scraping";

export const GET = route(listSources, async () => ({ sources: [...SOURCES] }));
