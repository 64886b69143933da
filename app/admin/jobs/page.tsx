import { AdminJobs } from "@/components/admin-jobs";
import { getDb } from "@/db/client";
import { JOB_STATUSES, type JobStatus } from "@/db/schema";
import { listJobs } from "@/lib/admin/jobs";
import { toJobResponse } from "@/lib/api/library";
import { pagination } from "@/lib/api/schemas";
import { requireAdmin } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

const PAGE_SIZE = 50;

export default async function AdminJobsPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string; offset?: string }>;
}) {
  const [{ m }, , sp] = await Promise.all([getI18n(), requireAdmin("/admin/jobs"), searchParams]);
  const status = (JOB_STATUSES as readonly string[]).includes(sp.status ?? "")
    ? (sp.status as JobStatus)
    : undefined;
  // The API's own pagination schema: a bad or huge offset falls back to the first page.
  const parsed = pagination.offset.safeParse(sp.offset);
  const offset = parsed.success ? parsed.data : 0;
  const { jobs, total } = await listJobs(await getDb(), { status, limit: PAGE_SIZE, offset });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-bold">{m.jobs.title}</h1>
      <AdminJobs
        jobs={jobs.map(toJobResponse)}
        total={total}
        limit={PAGE_SIZE}
        offset={offset}
        status={status}
      />
    </div>
  );
}
