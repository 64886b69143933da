// GET /api/courses/{course_id}/materials/search?query=&limit= – hybrid search, best passage per material
import { searchMaterials, toSearchResult } from "@/lib/api/courses";
import * as materials from "@/lib/courses/materials";
import { route } from "@/lib/http/route";

export const GET = route(searchMaterials, async ({ db, principal, params, query }) => {
  const results = await materials.searchMaterials(db, {
    userId: principal.user.id,
    courseId: params.course_id,
    query: query.query,
    limit: query.limit,
  });
  return results.map(toSearchResult);
});
