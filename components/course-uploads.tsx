"use client";

import { type DragEvent, useCallback, useEffect, useRef, useState } from "react";
import { callApi } from "./api-client";
import { formatNumber, formatPercent } from "./format";
import { useI18n } from "./i18n";
import { Alert, Button, ProgressBar } from "./ui";
import { useErrorText } from "./use-error-text";

// Uploads of course materials, several files at once, and the live progress of their processing.

export type ProcessingStatus = "pending" | "processing" | "completed" | "failed";

/** One item of GET /api/courses/{course_id}/materials/status. */
export interface MaterialProgress {
  id: string;
  processing_status: ProcessingStatus;
  stage: string | null;
  pages_done: number;
  pages_total: number | null;
  error: string | null;
}

export const isActive = (status: ProcessingStatus) => status === "pending" || status === "processing";

const POLL_MS = 2000;

/**
 * The progress of a course's materials, polled every 2 s while `active` (something is pending or
 * processing) and the tab is visible; one request at a time. `set` records a local change (a
 * retry) until the next answer.
 */
export function useMaterialProgress(
  courseId: string,
  initial: MaterialProgress[],
  active: boolean,
): {
  byId: Record<string, MaterialProgress>;
  set: (p: MaterialProgress) => void;
  /** A deleted material. */
  forget: (id: string) => void;
  failing: boolean;
} {
  const [byId, setById] = useState(() => Object.fromEntries(initial.map((p) => [p.id, p])));
  const [failing, setFailing] = useState(false);
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let stopped = false;
    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && !document.hidden) timer = setTimeout(tick, POLL_MS);
    };
    const tick = async () => {
      if (inFlight) return;
      inFlight = true;
      const r = await callApi<MaterialProgress[]>(`/api/courses/${courseId}/materials/status`);
      inFlight = false;
      if (stopped) return;
      if (r.ok) setById(Object.fromEntries(r.data.map((p) => [p.id, p])));
      setFailing(!r.ok);
      schedule();
    };
    const onVisibility = () => {
      clearTimeout(timer);
      if (!document.hidden) void tick();
    };
    schedule();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [active, courseId]);
  const set = useCallback((p: MaterialProgress) => setById((prev) => ({ ...prev, [p.id]: p })), []);
  const forget = useCallback((id: string) => setById(({ [id]: _gone, ...rest }) => rest), []);
  return { byId, set, forget, failing };
}

// The pipeline's fixed failure messages (lib/ingest), shown in the reader's language.
const REASONS: Record<string, string> = {
  "This file is damaged or is not a valid PDF/image": "corrupt",
  "This PDF is password-protected; upload a version without a password": "encrypted",
  "No readable text was found in this file": "noText",
  "This file type cannot be read": "unsupported",
  "The uploaded file is missing from storage": "missing",
  "Processing failed unexpectedly; it will be retried": "unexpected",
  "Processing stopped responding too many times; upload the file again or ask an admin": "stalled",
};

/** Where a material's processing stands: a bar with "page X of Y" and the stage, pages, or why it failed. */
export function ProcessingDetail({
  name,
  progress,
  onRetry,
  retrying,
}: {
  name: string;
  progress: MaterialProgress;
  onRetry: () => void;
  retrying: boolean;
}) {
  const { m, f, locale } = useI18n();
  const p = m.processing;
  const n = (x: number) => formatNumber(locale, x);
  const { processing_status: status, pages_done: done, pages_total: total } = progress;
  if (status === "pending") {
    return <p className="w-full text-sm text-slate-600">{p.queuedHint}</p>;
  }
  if (status === "processing") {
    const known = total !== null && total > 0;
    return (
      <div className="w-full space-y-1" data-testid="processing-progress">
        <ProgressBar percent={known ? (done / total) * 100 : null} label={f(p.processingOf, { name })} />
        <p className="text-sm text-slate-700">
          {progress.stage ? (p.stage[progress.stage] ?? progress.stage) : null}
          {known ? ` · ${f(p.pageOf, { done: n(done), total: n(total) })}` : null}
        </p>
      </div>
    );
  }
  if (status === "completed") {
    const pages = total ?? done;
    return pages > 0 ? (
      <p className="w-full text-sm text-slate-600">{pages === 1 ? p.onePage : f(p.pages, { n: n(pages) })}</p>
    ) : null;
  }
  const reason = progress.error ? (p.reasons[REASONS[progress.error] ?? ""] ?? progress.error) : null;
  return (
    <div className="flex w-full flex-wrap items-center gap-3">
      {reason ? (
        <p className="me-auto text-sm text-red-800" data-testid="failure-reason">
          <bdi>{reason}</bdi>
        </p>
      ) : null}
      <Button variant="secondary" onClick={onRetry} disabled={retrying} aria-label={f(p.retryOf, { name })}>
        {p.retry}
      </Button>
    </div>
  );
}

interface UploadItem {
  key: number;
  file: File;
  state: "queued" | "uploading" | "done" | "failed";
  percent: number;
  error?: string;
}

/** A created material as POST /api/courses/{course_id}/materials answers it. */
export interface UploadedMaterial {
  id: string;
  name: string;
  file_type: string;
  file_size: number;
  processing_status: ProcessingStatus;
  error_message: string | null;
  created_at: string;
}

/**
 * Several files at once, by the file picker (which offers the camera on phones: accept image/*)
 * or by drag and drop. Files go one after the other, each with its own bar; a refused file shows
 * the server's reason and the next one goes on.
 */
export function UploadArea({
  courseId,
  onUploaded,
}: {
  courseId: string;
  onUploaded: (material: UploadedMaterial) => void;
}) {
  const { m, f, locale } = useI18n();
  const p = m.processing;
  const errorText = useErrorText();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextKey = useRef(0);
  const uploaded = useRef(onUploaded);
  uploaded.current = onUploaded;

  const update = useCallback(
    (key: number, patch: Partial<UploadItem>) =>
      setItems((prev) => prev.map((it) => (it.key === key ? { ...it, ...patch } : it))),
    [],
  );

  function add(files: FileList | File[] | null) {
    const list = Array.from(files ?? []);
    if (list.length === 0) return;
    setItems((prev) => [
      ...prev,
      ...list.map((file) => ({ key: nextKey.current++, file, state: "queued" as const, percent: 0 })),
    ]);
  }

  // One upload at a time: when none is running, the oldest queued file starts.
  const current = items.find((it) => it.state === "uploading");
  const next = items.find((it) => it.state === "queued");
  const started = useRef(new Set<number>());
  useEffect(() => {
    if (current || !next || started.current.has(next.key)) return;
    const { key, file } = next;
    started.current.add(key);
    update(key, { state: "uploading" });
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/courses/${courseId}/materials`);
    // fetch cannot report upload progress; XHR can.
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) update(key, { percent: Math.round((e.loaded / e.total) * 100) });
    };
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {}
      if (xhr.status === 201) {
        update(key, { state: "done", percent: 100 });
        uploaded.current(body as unknown as UploadedMaterial);
        return;
      }
      // 400 and 413 say why the file was refused (type, size, empty): show that reason.
      const detail = typeof body.detail === "string" ? body.detail : "";
      const code = typeof body.code === "string" ? body.code : "ERROR";
      const status = xhr.status === 413 ? 400 : xhr.status;
      update(key, { state: "failed", error: errorText({ status, detail, code }) });
    };
    xhr.onerror = () => update(key, { state: "failed", error: m.errors.network });
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  }, [current, next, courseId, update, errorText, m.errors.network]);

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  }

  const finished = items.some((it) => it.state === "done" || it.state === "failed");
  return (
    <div className="space-y-3">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the file input inside is the keyboard way */}
      <div
        data-testid="drop-zone"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
        className={`rounded-xl border-2 border-dashed p-4 transition ${
          dragging ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-slate-50"
        }`}
      >
        <p className="mb-2 text-sm text-slate-700">{dragging ? p.dropping : p.dropZone}</p>
        <input
          type="file"
          multiple
          aria-label={m.courses.upload}
          aria-describedby="upload-hints"
          // PDFs and any image: on phones image/* offers the camera (no `capture`: the gallery
          // stays available). The server judges the bytes and names what it refuses.
          accept="application/pdf,image/*"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
          className="block w-full text-sm file:me-3 file:rounded-lg file:border-0 file:bg-brand-700 file:px-4 file:py-2 file:font-semibold file:text-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700"
        />
        <div id="upload-hints" className="mt-2 space-y-1 text-xs text-slate-600">
          <p>{m.courses.uploadHint}</p>
          <p>{p.photoHint}</p>
        </div>
      </div>
      {items.length > 0 ? (
        <section aria-label={p.uploads}>
          <ul className="space-y-3">
            {items.map((it) => (
              <li key={it.key} className="space-y-1" data-testid="upload-row" data-state={it.state}>
                <div className="flex flex-wrap items-baseline gap-2 text-sm">
                  {/* bdi: a Latin name keeps its order in Arabic while me-auto follows the page's direction */}
                  <span className="me-auto min-w-0 break-all font-medium">
                    <bdi>{it.file.name}</bdi>
                  </span>
                  <span className="text-xs text-slate-600">
                    {f(p.upload[it.state] ?? it.state, { percent: formatPercent(locale, it.percent) })}
                  </span>
                </div>
                {it.state === "failed" ? (
                  <Alert kind="error">{it.error}</Alert>
                ) : (
                  <ProgressBar percent={it.percent} label={f(p.uploadOf, { name: it.file.name })} />
                )}
              </li>
            ))}
          </ul>
          {finished && !current && !next ? (
            <Button
              variant="secondary"
              className="mt-3"
              onClick={() =>
                setItems((prev) => prev.filter((it) => it.state !== "done" && it.state !== "failed"))
              }
            >
              {p.clearUploads}
            </Button>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
