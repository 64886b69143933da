// GET, PATCH, DELETE /api/courses/{course_id} – one of your courses
import { deleteCourse, getCourse, toCourseResponse, updateCourse } from "@/lib/api/courses";
import * as courses from "@/lib/courses";
import * as materials from "@/lib/courses/materials";
import { route } from "@/lib/http/route";

export const GET = route(getCourse, async ({ db, principal, params }) =>
  toCourseResponse(
    await courses.getCourseOrThrow(db, { courseId: params.course_id, userId: principal.user.id }),
  ),
);

export const PATCH = route(updateCourse, async ({ db, principal, params, body }) =>
  toCourseResponse(
    await courses.updateCourse(db, { courseId: params.course_id, userId: principal.user.id, ...body }),
  ),
);

export const DELETE = route(deleteCourse, async ({ db, principal, params }) => {
  await materials.deleteCourse(db, { courseId: params.course_id, userId: principal.user.id });
  return { message: "Course deleted successfully" };
});
