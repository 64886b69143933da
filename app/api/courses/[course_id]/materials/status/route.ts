// GET /api/courses/{course_id}/materials/status – live processing progress of the course's materials
import { materialsStatus, toMaterialProgressResponse } from "@/lib/api/processing";
import { listMaterialProgress } from "@/lib/courses/material-progress";
import { route } from "@/lib/http/route";

export const GET = route(materialsStatus, async ({ db, principal, params }) =>
  (await listMaterialProgress(db, { userId: principal.user.id, courseId: params.course_id })).map(
    toMaterialProgressResponse,
  ),
);
