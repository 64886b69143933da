import Link from "next/link";
import type { JobStatus } from "@/db/schema";
import type { AdminInsights } from "@/lib/admin/insights";
import type { Locale } from "@/lib/i18n/config";
import { format, type Messages } from "@/lib/i18n/messages";
import { AreaChart, BarChart, CHART_COLORS, ChartFigure, HorizontalBarChart, tickIndices } from "./charts";
import { formatDay, formatNumber } from "./format";
import { Card } from "./ui";

/** The periods the dashboard offers (the API takes any 1–365). */
export const INSIGHT_PERIODS = [7, 30, 90, 365] as const;

const JOB_COLORS: Record<JobStatus, string> = {
  queued: CHART_COLORS.sky,
  running: CHART_COLORS.orange,
  succeeded: CHART_COLORS.brand,
  failed: CHART_COLORS.red,
};

/** The dashboard's charts: jobs by status, library growth, tokens per day, top subjects. */
export function AdminInsightsSection({
  insights,
  locale,
  dir,
  m,
}: {
  insights: AdminInsights;
  locale: Locale;
  dir: "ltr" | "rtl";
  m: Messages;
}) {
  const t = m.insights;
  const n = (v: number) => formatNumber(locale, v);
  const day = (d: string) => formatDay(locale, d);
  const shortDay = (d: string) => formatDay(locale, d, "short");
  const list = (items: { label: string; value: number }[]) =>
    items.map((i) => format(t.listItem, { label: i.label, value: n(i.value) })).join(t.listSeparator);
  const days = { n: n(insights.days) };
  const dateTicks = tickIndices(insights.library.length, dir === "rtl" ? 4 : 5);

  const jobBars = insights.jobs.map((j) => ({
    key: j.status,
    label: m.statuses.job[j.status],
    value: j.count,
    color: JOB_COLORS[j.status],
  }));

  const series = (["documents", "chunks"] as const).map((key) => {
    const points = insights.library.map((p) => ({ key: p.date, label: shortDay(p.date), value: p[key] }));
    const first = insights.library[0];
    const last = insights.library.at(-1);
    return {
      key,
      name: t[key],
      color: key === "documents" ? CHART_COLORS.brand : CHART_COLORS.sky,
      points,
      summary: format(t.librarySummary, {
        series: t[key],
        first: n(first?.[key] ?? 0),
        from: day(insights.from),
        last: n(last?.[key] ?? 0),
        to: day(insights.to),
      }),
    };
  });
  const libraryLast = insights.library.at(-1);

  const totalTokens = insights.tokens.reduce((s, d) => s + d.tokens, 0);
  const peak = insights.tokens.reduce(
    (best, d) => (d.tokens > best.tokens ? d : best),
    insights.tokens[0] ?? {
      date: insights.to,
      tokens: 0,
    },
  );

  return (
    <section aria-labelledby="insights-title" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="insights-title" className="text-lg font-bold">
          {t.title}
        </h2>
        <nav aria-label={t.period} className="flex flex-wrap gap-2 text-sm">
          {INSIGHT_PERIODS.map((p) => {
            const current = p === insights.days;
            return (
              <Link
                key={p}
                href={`/admin?days=${p}`}
                aria-current={current ? "page" : undefined}
                scroll={false}
                className={`rounded-full border px-3 py-1 font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 ${
                  current
                    ? "border-brand-700 bg-brand-700 text-white"
                    : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50"
                }`}
              >
                {format(t.lastDays, { n: n(p) })}
              </Link>
            );
          })}
        </nav>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <ChartFigure
            id="jobs"
            title={t.jobsTitle}
            empty={jobBars.every((b) => b.value === 0) ? { title: t.jobsEmpty, body: t.jobsEmptyHint } : null}
            table={{
              summary: t.showData,
              head: [t.status, t.count],
              rows: jobBars.map((b) => ({ key: b.key, cells: [b.label, n(b.value)] })),
            }}
          >
            <BarChart
              label={format(t.jobsSummary, { list: list(jobBars) })}
              bars={jobBars}
              locale={locale}
              dir={dir}
              showValues
            />
          </ChartFigure>
        </Card>
        <Card>
          <ChartFigure
            id="library"
            title={format(t.libraryTitle, days)}
            empty={
              !libraryLast || (libraryLast.documents === 0 && libraryLast.chunks === 0)
                ? { title: t.libraryEmpty, body: t.libraryEmptyHint }
                : null
            }
            table={{
              summary: t.showData,
              head: [t.date, t.documents, t.chunks],
              rows: insights.library.map((p) => ({
                key: p.date,
                cells: [day(p.date), n(p.documents), n(p.chunks)],
              })),
            }}
          >
            <div className="grid gap-3">
              {series.map((s) => (
                <div key={s.key} data-series={s.key}>
                  <p className="mb-1 flex items-center gap-2 text-sm text-slate-700" aria-hidden>
                    <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: s.color }} />
                    {s.name}
                  </p>
                  <AreaChart
                    label={s.summary}
                    points={s.points}
                    locale={locale}
                    dir={dir}
                    color={s.color}
                    labelled={tickIndices(s.points.length, 3)}
                  />
                </div>
              ))}
            </div>
          </ChartFigure>
        </Card>
        <Card>
          <ChartFigure
            id="tokens"
            title={format(t.tokensTitle, days)}
            empty={totalTokens === 0 ? { title: t.tokensEmpty, body: t.tokensEmptyHint } : null}
            table={{
              summary: t.showData,
              head: [t.date, t.tokens],
              // Newest first: today's figure is the one an admin looks for.
              rows: [...insights.tokens]
                .reverse()
                .map((d) => ({ key: d.date, cells: [day(d.date), n(d.tokens)] })),
            }}
          >
            <BarChart
              label={format(t.tokensSummary, {
                from: day(insights.from),
                to: day(insights.to),
                total: n(totalTokens),
                max: n(peak.tokens),
                maxDate: day(peak.date),
              })}
              bars={insights.tokens.map((d) => ({ key: d.date, label: shortDay(d.date), value: d.tokens }))}
              labelled={dateTicks}
              locale={locale}
              dir={dir}
              color={CHART_COLORS.amber}
            />
          </ChartFigure>
        </Card>
        <Card>
          <ChartFigure
            id="subjects"
            title={format(t.subjectsTitle, days)}
            empty={
              insights.subjects.length === 0 ? { title: t.subjectsEmpty, body: t.subjectsEmptyHint } : null
            }
            table={{
              summary: t.showData,
              head: [t.subject, t.answers],
              rows: insights.subjects.map((s) => ({ key: s.subject, cells: [s.subject, n(s.count)] })),
            }}
          >
            <HorizontalBarChart
              label={format(t.subjectsSummary, {
                list: list(insights.subjects.map((s) => ({ label: s.subject, value: s.count }))),
              })}
              bars={insights.subjects.map((s) => ({ key: s.subject, label: s.subject, value: s.count }))}
              locale={locale}
              dir={dir}
            />
          </ChartFigure>
        </Card>
      </div>
    </section>
  );
}
