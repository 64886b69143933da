// GET, POST /api/courses/{course_id}/chat – the course's chat history; ask about its materials
import { courseChat, courseChatHistory } from "@/lib/api/chat";
import { courseChat as askCourse, getCourseChatHistory } from "@/lib/courses/chat";
import { route } from "@/lib/http/route";

export const maxDuration = 120;

export const GET = route(courseChatHistory, async ({ db, principal, params }) =>
  (await getCourseChatHistory(db, { userId: principal.user.id, courseId: params.course_id })).map((row) => ({
    id: row.id,
    course_id: row.courseId,
    history: row.history,
    created_at: row.createdAt.toISOString(),
  })),
);

export const POST = route(courseChat, async ({ db, principal, params, body, ip, signal }) => {
  const { response, timestamp } = await askCourse(db, {
    userId: principal.user.id,
    courseId: params.course_id,
    message: body.message,
    history: body.history,
    ip,
    signal,
  });
  return { response, timestamp: timestamp.toISOString() };
});
