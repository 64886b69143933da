import Link from "next/link";
import { CreateCourseForm } from "@/components/courses";
import { Card } from "@/components/ui";
import { getDb } from "@/db/client";
import { listCourses } from "@/lib/courses";
import { requireUser } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

export default async function CoursesPage() {
  const [{ m }, user] = await Promise.all([getI18n(), requireUser("/courses")]);
  const courses = await listCourses(await getDb(), { userId: user.id });
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-bold">{m.courses.title}</h1>
      <Card>
        <CreateCourseForm />
      </Card>
      {courses.length === 0 ? (
        <p className="text-slate-600">{m.courses.empty}</p>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2">
          {courses.map((c) => (
            <li key={c.id}>
              <Link
                href={`/courses/${c.id}`}
                className="block rounded-xl border border-slate-200 bg-white p-4 hover:border-brand-600"
              >
                <span className="block font-semibold">{c.name}</span>
                {c.description ? <span className="block text-sm text-slate-600">{c.description}</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
