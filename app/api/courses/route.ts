// GET, POST /api/courses – your courses; create one
import { createCourse, listCourses, toCourseResponse } from "@/lib/api/courses";
import * as courses from "@/lib/courses";
import { route } from "@/lib/http/route";

export const GET = route(listCourses, async ({ db, principal }) =>
  (await courses.listCourses(db, { userId: principal.user.id })).map(toCourseResponse),
);

export const POST = route(createCourse, async ({ db, principal, body }) =>
  toCourseResponse(await courses.createCourse(db, { userId: principal.user.id, ...body })),
);
