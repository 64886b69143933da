// GET /api/courses/{course_id}/materials/search?query=&limit= – hybrid search, best passage per material
import { searchMaterials, toSearchResult } from "@/lib/api/courses";
import { getCourseOrThrow } from "@/lib/courses";
import { route } from "@/lib/http/route";
import { searchCourseMaterials } from "@/lib/retrieval";

export const GET = route(searchMaterials, async ({ db, principal, params, query }) => {
  const course = await getCourseOrThrow(db, { courseId: params.course_id, userId: principal.user.id });
  const results = await searchCourseMaterials(db, {
    courseId: course.id,
    query: query.query,
    limit: query.limit,
  });
  return results.map(toSearchResult);
});
