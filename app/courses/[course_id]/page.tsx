import Link from "next/link";
import { notFound } from "next/navigation";
import { CourseChat } from "@/components/course-chat";
import { CourseMaterials } from "@/components/courses";
import { getDb } from "@/db/client";
import { toMaterialResponse } from "@/lib/api/courses";
import { toMaterialProgressResponse } from "@/lib/api/processing";
import { getCourseOrThrow } from "@/lib/courses";
import { getCourseChatHistory } from "@/lib/courses/chat";
import { listMaterialProgress } from "@/lib/courses/material-progress";
import { listMaterials } from "@/lib/courses/materials";
import { ApiError } from "@/lib/http/errors";
import { requireUser } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

export default async function CoursePage({ params }: { params: Promise<{ course_id: string }> }) {
  const { course_id } = await params;
  const [{ m }, user] = await Promise.all([getI18n(), requireUser(`/courses/${course_id}`)]);
  const db = await getDb();
  if (!/^[0-9a-f-]{36}$/i.test(course_id)) notFound();
  try {
    const course = await getCourseOrThrow(db, { courseId: course_id, userId: user.id });
    const [materials, progress, chat] = await Promise.all([
      listMaterials(db, { courseId: course.id, userId: user.id }),
      listMaterialProgress(db, { courseId: course.id, userId: user.id }),
      getCourseChatHistory(db, { courseId: course.id, userId: user.id }),
    ]);
    return (
      <div className="space-y-4">
        <h1 className="text-xl font-bold">{course.name}</h1>
        {course.description ? <p className="text-slate-600">{course.description}</p> : null}
        <CourseMaterials
          courseId={course.id}
          materials={materials.map(toMaterialResponse)}
          progress={progress.map(toMaterialProgressResponse)}
        />
        <CourseChat courseId={course.id} initialHistory={chat.flatMap((row) => row.history)} />
        <Link href="/courses" className="inline-block text-sm text-brand-800 underline">
          ← {m.courses.title}
        </Link>
      </div>
    );
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  }
}
