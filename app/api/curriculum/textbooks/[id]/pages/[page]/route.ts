// GET /api/curriculum/textbooks/{id}/pages/{page} – a page's text layer and where a cited passage is on it
import { textbookPage, toPageViewResponse } from "@/lib/api/library";
import { getPageView } from "@/lib/curriculum/pages";
import { Reply, route } from "@/lib/http/route";

export const GET = route(textbookPage, async ({ db, params, query }) => {
  const view = await getPageView(db, { documentId: params.id, page: params.page, q: query.q });
  return new Reply(toPageViewResponse(view), { headers: { "cache-control": "public, max-age=300" } });
});
