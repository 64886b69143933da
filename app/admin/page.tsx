import { AdminInsightsSection, INSIGHT_PERIODS } from "@/components/admin-insights";
import { StatCard } from "@/components/admin-stats";
import { formatNumber } from "@/components/format";
import { type Tone, toneOf } from "@/components/ui";
import { getDb } from "@/db/client";
import { DOCUMENT_STATUSES, JOB_STATUSES, REFERENCE_STATUSES, ROLES } from "@/db/schema";
import { getAdminInsights, INSIGHTS_DEFAULT_DAYS } from "@/lib/admin/insights";
import { getAdminStats } from "@/lib/admin/stats";
import { requireAdmin } from "@/lib/http/page-auth";
import { format } from "@/lib/i18n/messages";
import { getI18n } from "@/lib/i18n/server";

export default async function AdminHomePage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const [{ m, locale, dir }, , sp] = await Promise.all([getI18n(), requireAdmin("/admin"), searchParams]);
  // Only the offered periods: the titles' wording ("7 derniers jours") is written for them.
  const days = INSIGHT_PERIODS.find((p) => String(p) === sp.days) ?? INSIGHTS_DEFAULT_DAYS;
  const db = await getDb();
  const [stats, insights] = await Promise.all([getAdminStats(db), getAdminInsights(db, { days })]);
  const n = (v: number) => formatNumber(locale, v);
  const totalLabel = (v: number) => format(m.dashboard.total, { n: n(v) });
  const rows = <K extends string>(keys: readonly K[], counts: Record<K, number>, labels: Record<K, string>) =>
    keys.map((k) => ({ key: k, label: labels[k], value: counts[k], tone: toneOf(k) }));
  const roleTone: Record<(typeof ROLES)[number], Tone> = { student: "good", teacher: "info", admin: "busy" };

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-bold">{m.dashboard.title}</h1>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <StatCard
          id="documents"
          title={m.dashboard.documents}
          total={n(stats.documents.total)}
          totalLabel={totalLabel(stats.documents.total)}
          rows={rows(DOCUMENT_STATUSES, stats.documents, m.statuses.document)}
          link={{ href: "/admin/library", label: m.dashboard.manageLibrary }}
        />
        <StatCard
          id="references"
          title={m.dashboard.references}
          total={n(stats.references.total)}
          totalLabel={totalLabel(stats.references.total)}
          rows={rows(REFERENCE_STATUSES, stats.references, m.statuses.reference)}
          link={{ href: "/admin/library", label: m.dashboard.manageLibrary }}
        />
        <StatCard
          id="jobs"
          title={m.dashboard.jobs}
          total={n(stats.jobs.total)}
          totalLabel={totalLabel(stats.jobs.total)}
          rows={rows(JOB_STATUSES, stats.jobs, m.statuses.job)}
          link={{ href: "/admin/jobs", label: m.dashboard.manageJobs }}
        />
        <StatCard
          id="chunks"
          title={m.dashboard.chunks}
          total={n(stats.chunks.total)}
          totalLabel={totalLabel(stats.chunks.total)}
          rows={[
            {
              key: "documents",
              label: m.dashboard.chunksDocuments,
              value: stats.chunks.documents,
              tone: "good",
            },
            {
              key: "materials",
              label: m.dashboard.chunksMaterials,
              value: stats.chunks.materials,
              tone: "info",
            },
          ]}
        />
        <StatCard
          id="users"
          title={m.dashboard.users}
          total={n(stats.users.total)}
          totalLabel={totalLabel(stats.users.total)}
          rows={ROLES.map((r) => ({ key: r, label: m.roles[r], value: stats.users[r], tone: roleTone[r] }))}
          link={{ href: "/admin/users", label: m.dashboard.manageUsers }}
        />
        <StatCard
          id="student-content"
          title={m.dashboard.studentContent}
          total={n(stats.courses + stats.materials)}
          totalLabel={totalLabel(stats.courses + stats.materials)}
          rows={[
            { key: "courses", label: m.dashboard.courses, value: stats.courses, tone: "good" },
            { key: "materials", label: m.dashboard.materials, value: stats.materials, tone: "info" },
          ]}
        />
      </div>
      <AdminInsightsSection insights={insights} locale={locale} dir={dir} m={m} />
    </div>
  );
}
