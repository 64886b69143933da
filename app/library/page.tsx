import Form from "next/form";
import Link from "next/link";
import { LANGUAGES } from "@/components/library-types";
import { Button, Card, Field, Select } from "@/components/ui";
import { getDb } from "@/db/client";
import { toTextbookResponse } from "@/lib/api/library";
import { listSubjects, listTextbooks } from "@/lib/curriculum/documents";
import { GRADES, normaliseGrade } from "@/lib/curriculum/grades";
import { requireUser } from "@/lib/http/page-auth";
import { format } from "@/lib/i18n/messages";
import { getI18n } from "@/lib/i18n/server";

type Language = (typeof LANGUAGES)[number];

export default async function LibraryPage({
  searchParams,
}: {
  searchParams: Promise<{ grade?: string; subject?: string; language?: string }>;
}) {
  const [{ m }, , sp] = await Promise.all([getI18n(), requireUser("/library"), searchParams]);
  // The same rules as GET /api/curriculum/textbooks; an unknown value is simply no filter.
  const filters = {
    grade: (sp.grade && normaliseGrade(sp.grade)) || undefined,
    subject: sp.subject?.trim().slice(0, 100) || undefined,
    language: (LANGUAGES as readonly string[]).includes(sp.language ?? "")
      ? (sp.language as Language)
      : undefined,
  };
  const db = await getDb();
  const [{ levels, total }, subjects] = await Promise.all([listTextbooks(db, filters), listSubjects(db)]);
  const filtered = Boolean(filters.grade || filters.subject || filters.language);
  const levelName = (level: string | null) =>
    level ? ((m.levels as Record<string, string>)[level] ?? level) : m.levels.other;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-bold">{m.library.title}</h1>
        <p className="text-slate-600">{m.library.intro}</p>
      </div>

      <Card>
        {/* Remounted on every filter change so "reset" also resets the selects. */}
        <Form
          key={JSON.stringify(filters)}
          action="/library"
          className="grid gap-3 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-end"
        >
          <Field label={m.library.grade}>
            <Select name="grade" defaultValue={filters.grade ?? ""}>
              <option value="">{m.library.any}</option>
              {GRADES.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={m.library.subject}>
            <Select name="subject" defaultValue={filters.subject ?? ""}>
              <option value="">{m.library.any}</option>
              {subjects.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={m.library.language}>
            <Select name="language" defaultValue={filters.language ?? ""}>
              <option value="">{m.library.any}</option>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {m.languages[l]}
                </option>
              ))}
            </Select>
          </Field>
          <div className="flex items-center gap-3">
            <Button type="submit">{m.library.filter}</Button>
            {filtered ? (
              <Link href="/library" className="text-sm text-brand-800 underline">
                {m.library.reset}
              </Link>
            ) : null}
          </div>
        </Form>
      </Card>

      {total === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">
          {filtered ? m.library.noMatch : m.library.empty}
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-600">{format(m.library.count, { n: total })}</p>
          {levels.map(({ educationLevel, textbooks }) => (
            <section key={educationLevel ?? "other"} aria-labelledby={`level-${educationLevel ?? "other"}`}>
              <h2 id={`level-${educationLevel ?? "other"}`} className="mb-3 text-lg font-semibold">
                {levelName(educationLevel)}
              </h2>
              <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
                {textbooks.map(toTextbookResponse).map((t) => (
                  <li
                    key={t.id}
                    data-testid="textbook"
                    className="flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4"
                  >
                    <h3 dir="auto" className="font-semibold break-words">
                      {t.title}
                    </h3>
                    <p className="text-sm text-slate-700">
                      {[t.grade, t.subject, m.languages[t.language] ?? t.language]
                        .filter(Boolean)
                        .join(" · ")}
                    </p>
                    {t.series || t.edition || t.page_start !== null ? (
                      <p className="text-sm text-slate-600">
                        {[
                          t.series ? format(m.library.series, { s: t.series }) : null,
                          t.edition ? format(m.library.edition, { e: t.edition }) : null,
                          t.page_start !== null && t.page_end !== null
                            ? format(m.library.pages, { start: t.page_start, end: t.page_end })
                            : null,
                        ]
                          .filter(Boolean)
                          .join(" · ")}
                      </p>
                    ) : null}
                    <a
                      href={t.file_url}
                      target="_blank"
                      rel="noopener"
                      className="mt-auto self-start text-sm font-semibold text-brand-800 underline"
                    >
                      {m.library.open}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </div>
  );
}
