"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { callApi } from "./api-client";
import { formatDateTime, formatDuration } from "./format";
import { useI18n } from "./i18n";
import type { RunRow } from "./library-types";
import { Alert, Badge, Button, Card, ProgressBar, toneOf } from "./ui";
import { useErrorText } from "./use-error-text";

interface SyncResult {
  run_id: string;
  status: RunRow["status"];
  found_count: number;
  new_count: number;
  queued_count: number;
  error_count: number;
}

const RUNS_URL = "/api/scraping/koutoubi/runs?limit=1";
const STALE_AFTER_MS = 15 * 60_000;

/**
 * The "sync koutoubi" button. The sync request answers only when the crawl is over, so while it
 * is pending the latest run is polled every second for its progress. A run started elsewhere (a
 * 409, or one already running when the page loaded) is followed the same way until it ends.
 */
export function KoutoubiSync({ runs }: { runs: RunRow[] }) {
  const { m, f, locale } = useI18n();
  const router = useRouter();
  const errorText = useErrorText({ detail: true });
  const [pending, setPending] = useState(false);
  const [ingest, setIngest] = useState(false);
  const [live, setLive] = useState<RunRow | null>(null);
  const [result, setResult] = useState<SyncResult | null>(null);
  const [message, setMessage] = useState<{ kind: "error" | "info"; text: string } | null>(null);

  const latest = live ?? runs[0] ?? null;
  // A run whose server died stays "running" until the next sync closes it: stop following it.
  const othersRunning =
    latest?.status === "running" && Date.now() - Date.parse(latest.started_at) < STALE_AFTER_MS;
  const watching = pending || othersRunning;

  useEffect(() => {
    if (!watching) return;
    let stopped = false;
    const tick = async () => {
      const r = await callApi<{ runs: RunRow[] }>(RUNS_URL);
      if (stopped || !r.ok) return;
      const run = r.data.runs[0] ?? null;
      setLive(run);
      // A run this page did not start has ended: show what it found.
      if (!pending && run?.status !== "running") router.refresh();
    };
    void tick();
    const timer = setInterval(tick, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [watching, pending, router]);

  async function sync() {
    setPending(true);
    setResult(null);
    setMessage(null);
    setLive(null);
    const r = await callApi<SyncResult>(`/api/scraping/koutoubi/sync${ingest ? "?ingest=true" : ""}`, {
      method: "POST",
    });
    const last = await callApi<{ runs: RunRow[] }>(RUNS_URL);
    if (last.ok) setLive(last.data.runs[0] ?? null);
    setPending(false);
    if (r.ok) setResult(r.data);
    else if (r.error.status === 409) setMessage({ kind: "info", text: m.adminLibrary.syncAlreadyRunning });
    else setMessage({ kind: "error", text: errorText(r.error) });
    router.refresh();
  }

  // While our own request is pending, an older finished run is not this sync's progress.
  const progressRun = latest?.status === "running" ? latest : null;
  const finished = result ? (latest?.id === result.run_id ? latest : null) : null;

  return (
    <Card className="space-y-4">
      <div>
        <h2 className="text-lg font-semibold">{m.adminLibrary.syncTitle}</h2>
        <p className="text-sm text-slate-600">{m.adminLibrary.syncHint}</p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={sync} disabled={pending}>
          {pending ? m.adminLibrary.syncing : m.adminLibrary.sync}
        </Button>
        <label className="inline-flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="size-4 accent-brand-700"
            checked={ingest}
            disabled={pending}
            onChange={(e) => setIngest(e.target.checked)}
          />
          {m.adminLibrary.syncIngest}
        </label>
      </div>

      {watching ? (
        <div className="space-y-1" data-testid="sync-progress">
          <ProgressBar
            label={m.adminLibrary.syncing}
            percent={
              progressRun?.pages_total ? (progressRun.pages_done / progressRun.pages_total) * 100 : null
            }
          />
          <p className="text-xs text-slate-600" aria-live="polite">
            {progressRun
              ? `${
                  progressRun.pages_total
                    ? f(m.adminLibrary.syncPages, {
                        done: progressRun.pages_done,
                        total: progressRun.pages_total,
                      })
                    : f(m.adminLibrary.syncPagesUnknown, { done: progressRun.pages_done })
                } · ${f(m.adminLibrary.syncFound, { n: progressRun.found_count })}`
              : m.adminLibrary.syncing}
          </p>
        </div>
      ) : null}

      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {result ? (
        <div className="space-y-2" data-testid="sync-result">
          <Alert kind={result.status === "success" ? "success" : "info"}>
            {f(m.adminLibrary.syncDone, { found: result.found_count, new: result.new_count })}
            {result.queued_count > 0 ? ` ${f(m.adminLibrary.syncQueued, { n: result.queued_count })}` : ""}
          </Alert>
          {finished && finished.errors.length > 0 ? (
            <div>
              <h3 className="text-sm font-medium">{m.adminLibrary.syncErrors}</h3>
              <ul className="mt-1 space-y-1 text-sm" data-testid="sync-errors">
                {finished.errors.map((e) => (
                  <li key={e.url} className="break-all">
                    <span dir="ltr">{e.url}</span>
                    {" — "}
                    <span className={e.status === "error" ? "text-red-800" : "text-slate-600"}>
                      {e.status === "not_found"
                        ? m.adminLibrary.pageNotFound
                        : `${m.adminLibrary.pageError}${e.error ? ` (${e.error})` : ""}`}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}

      <div>
        <h3 className="text-sm font-medium">{m.adminLibrary.recentRuns}</h3>
        {runs.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">{m.adminLibrary.noRuns}</p>
        ) : (
          <ul className="mt-1 divide-y divide-slate-100 text-sm">
            {runs.map((run) => (
              <li
                key={run.id}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2"
                data-testid="run-row"
              >
                <time dateTime={run.started_at} className="text-slate-600" suppressHydrationWarning>
                  {formatDateTime(locale, run.started_at)}
                </time>
                <Badge tone={toneOf(run.status)}>{m.statuses.run[run.status]}</Badge>
                <span>
                  {f(m.adminLibrary.runSummary, {
                    found: run.found_count,
                    new: run.new_count,
                    pages: run.pages_total ?? run.pages_done,
                    errors: run.errors.length,
                  })}
                </span>
                {run.timings.total !== undefined ? (
                  <span className="text-slate-500">{formatDuration(locale, run.timings.total)}</span>
                ) : null}
                {run.error_message ? <span className="w-full text-red-800">{run.error_message}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
