"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "./api-client";
import { formatDateTime, formatDuration, formatPercent } from "./format";
import { useI18n } from "./i18n";
import { JOB_FILTERS, type JobRow } from "./library-types";
import { useLiveRefresh } from "./live-refresh";
import { Pager } from "./pager";
import { Alert, Badge, Button, Card, ProgressBar, ROW, Table, Td, toneOf } from "./ui";
import { useErrorText } from "./use-error-text";

type Status = { kind: "error" | "success" | "info"; text: string } | null;

interface DispatchResult {
  status: "dispatched" | "idle";
  job_id: string | null;
  detail: string;
}

/** Timings in the order the pipeline runs its stages. */
const STAGES = ["download", "extract", "ocr", "chunk", "embed", "store", "total"];
const stageOrder = (stage: string) => (STAGES.includes(stage) ? STAGES.indexOf(stage) : STAGES.length);

function jobsHref(status: string | undefined, offset = 0): string {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (offset) params.set("offset", String(offset));
  const qs = params.toString();
  return qs ? `/admin/jobs?${qs}` : "/admin/jobs";
}

export function AdminJobs({
  jobs,
  total,
  limit,
  offset,
  status,
}: {
  jobs: JobRow[];
  total: number;
  limit: number;
  offset: number;
  status: JobRow["status"] | undefined;
}) {
  const { m, f, locale } = useI18n();
  const router = useRouter();
  const errorText = useErrorText({ detail: true });
  const [message, setMessage] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  const live = jobs.some((j) => j.status === "queued" || j.status === "running");
  useLiveRefresh(live, 2000);

  async function dispatch() {
    setBusy(true);
    const r = await callApi<DispatchResult>("/api/admin/jobs/dispatch", { method: "POST" });
    setBusy(false);
    if (!r.ok) return setMessage({ kind: "error", text: errorText(r.error) });
    if (r.data.status === "idle") return setMessage({ kind: "info", text: m.jobs.idle });
    const title = jobs.find((j) => j.id === r.data.job_id)?.title ?? r.data.job_id ?? "";
    setMessage({ kind: "success", text: f(m.jobs.dispatched, { title }) });
    router.refresh();
  }

  async function requeue(job: JobRow) {
    setBusy(true);
    const r = await callApi<JobRow>(`/api/admin/jobs/${job.id}/requeue`, { method: "POST" });
    setBusy(false);
    setMessage(
      r.ok ? { kind: "success", text: m.jobs.requeued } : { kind: "error", text: errorText(r.error) },
    );
    router.refresh();
  }

  const tab = "rounded-full border px-3 py-1 text-sm whitespace-nowrap";

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <nav aria-label={m.jobs.filterByStatus} className="flex flex-wrap gap-2">
          {[undefined, ...JOB_FILTERS].map((s) => (
            <Link
              key={s ?? "all"}
              href={jobsHref(s)}
              aria-current={s === status ? "page" : undefined}
              className={`${tab} ${
                s === status
                  ? "border-brand-700 bg-brand-700 text-white"
                  : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
              }`}
            >
              {s ? m.statuses.job[s] : m.jobs.all}
            </Link>
          ))}
        </nav>
        <Button onClick={dispatch} disabled={busy}>
          {m.jobs.dispatch}
        </Button>
      </div>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}

      <Card flush className="overflow-hidden">
        <div className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3 text-sm text-slate-600 sm:px-5">
          <p>{f(m.jobs.total, { n: total })}</p>
          {live ? (
            <p className="inline-flex items-center gap-2">
              <span aria-hidden className="size-2 animate-pulse rounded-full bg-amber-500" />
              {m.jobs.live}
            </p>
          ) : null}
        </div>
        {jobs.length === 0 ? (
          <p className="px-5 pb-5 text-sm text-slate-600">{m.jobs.empty}</p>
        ) : (
          <Table
            head={[
              m.jobs.colJob,
              m.jobs.colStatus,
              m.jobs.colProgress,
              m.jobs.colAttempts,
              m.jobs.colTimings,
              m.jobs.colDates,
              m.jobs.colActions,
            ]}
          >
            {jobs.map((job) => {
              const { done, total: of, percent } = job.progress;
              const timings = Object.entries(job.timings)
                .filter(([, ms]) => ms > 0)
                .sort(([a], [b]) => stageOrder(a) - stageOrder(b));
              return (
                <tr key={job.id} className={ROW} data-testid="job-row" data-id={job.id}>
                  <Td>
                    <div className="font-medium break-words">
                      <span dir="auto" data-testid="job-title">
                        {job.title ?? m.jobs.untitled}
                      </span>
                    </div>
                    <span className="block text-xs text-slate-600">{m.jobs.kinds[job.kind] ?? job.kind}</span>
                  </Td>
                  <Td label={m.jobs.colStatus}>
                    <Badge tone={toneOf(job.status)}>{m.statuses.job[job.status]}</Badge>
                    {job.stage ? (
                      <span className="mt-1 block text-xs text-slate-600">
                        {f(m.jobs.stage, { stage: m.jobs.stages[job.stage] ?? job.stage })}
                      </span>
                    ) : null}
                    {job.error_message ? (
                      <span className="mt-1 block text-xs break-words text-red-800">{job.error_message}</span>
                    ) : null}
                  </Td>
                  <Td label={m.jobs.colProgress} className="md:min-w-36">
                    <ProgressBar
                      // Indeterminate only while running with no known total (a download).
                      percent={percent ?? (job.status === "running" ? null : 0)}
                      label={`${m.jobs.colProgress} ${job.title ?? ""}`.trim()}
                    />
                    <span
                      className="mt-1 block text-xs text-slate-600 tabular-nums"
                      data-testid="job-progress"
                    >
                      {percent !== null
                        ? `${formatPercent(locale, percent)} · ${of === null ? done : `${done}/${of}`}`
                        : done > 0
                          ? done
                          : "—"}
                    </span>
                  </Td>
                  <Td label={m.jobs.colAttempts}>
                    <span className="tabular-nums">
                      {job.attempts}/{job.max_attempts}
                    </span>
                  </Td>
                  <Td label={m.jobs.colTimings}>
                    {timings.length === 0 ? (
                      "—"
                    ) : (
                      <span className="text-xs text-slate-700">
                        {timings
                          .map(([k, ms]) => `${m.jobs.stages[k] ?? k} ${formatDuration(locale, ms)}`)
                          .join(" · ")}
                      </span>
                    )}
                  </Td>
                  <Td label={m.jobs.colDates}>
                    <span className="block text-xs whitespace-nowrap text-slate-700" suppressHydrationWarning>
                      {formatDateTime(locale, job.created_at)}
                    </span>
                    {job.finished_at ? (
                      <span
                        className="block text-xs whitespace-nowrap text-slate-500"
                        suppressHydrationWarning
                      >
                        <span aria-hidden className="inline-block rtl:-scale-x-100">
                          →
                        </span>{" "}
                        {formatDateTime(locale, job.finished_at)}
                      </span>
                    ) : null}
                  </Td>
                  <Td label={m.jobs.colActions} className={job.status === "failed" ? "" : "max-md:hidden"}>
                    {job.status === "failed" ? (
                      <Button
                        variant="secondary"
                        className="min-h-9 px-3 py-1"
                        disabled={busy}
                        aria-label={`${m.jobs.requeue} ${job.title ?? ""}`.trim()}
                        onClick={() => requeue(job)}
                      >
                        {m.jobs.requeue}
                      </Button>
                    ) : null}
                  </Td>
                </tr>
              );
            })}
          </Table>
        )}
        <Pager
          offset={offset}
          limit={limit}
          total={total}
          href={(o) => jobsHref(status, o)}
          labels={{ previous: m.admin.previous, next: m.admin.next }}
        />
      </Card>
    </div>
  );
}
