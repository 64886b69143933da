"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { callApi } from "./api-client";
import {
  isActive,
  type MaterialProgress,
  ProcessingDetail,
  UploadArea,
  useMaterialProgress,
} from "./course-uploads";
import { useI18n } from "./i18n";
import { Alert, Badge, Button, Card, Field, Input, toneOf } from "./ui";
import { useErrorText } from "./use-error-text";

export function CreateCourseForm() {
  const { m } = useI18n();
  const router = useRouter();
  const errorText = useErrorText();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    const r = await callApi<{ id: string }>("/api/courses", {
      body: {
        name: String(data.get("name") ?? ""),
        description: String(data.get("description") ?? "") || null,
      },
    });
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    form.reset();
    setError(null);
    router.push(`/courses/${r.data.id}`);
  }
  return (
    <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
      <Field label={m.courses.name}>
        <Input name="name" required maxLength={200} />
      </Field>
      <Field label={m.courses.description}>
        <Input name="description" maxLength={2000} />
      </Field>
      <Button type="submit" disabled={busy}>
        {m.courses.create}
      </Button>
      {error ? <Alert kind="error">{error}</Alert> : null}
    </form>
  );
}

export interface MaterialRow {
  id: string;
  name: string;
  file_type: string;
  file_size: number;
  processing_status: "pending" | "processing" | "completed" | "failed";
  error_message: string | null;
  created_at: string;
}

interface SearchHit {
  material_id: string;
  name: string;
  excerpt: string;
  similarity_score: number;
  page: number;
}

/** Upload several files, then watch each one's processing live (polling its progress, not the page). */
export function CourseMaterials({
  courseId,
  materials,
  progress: initialProgress,
}: {
  courseId: string;
  materials: MaterialRow[];
  progress: MaterialProgress[];
}) {
  const { m, f } = useI18n();
  const router = useRouter();
  const errorText = useErrorText();
  const [error, setError] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  // The server's list, plus what this page uploaded since (until the next server render has them).
  const [rows, setRows] = useState(materials);
  useEffect(() => setRows(materials), [materials]);
  const [retrying, setRetrying] = useState<string | null>(null);

  const [active, setActive] = useState(() => initialProgress.some((p) => isActive(p.processing_status)));
  const progress = useMaterialProgress(courseId, initialProgress, active);
  const progressOf = (row: MaterialRow): MaterialProgress =>
    progress.byId[row.id] ?? {
      id: row.id,
      processing_status: row.processing_status,
      stage: null,
      pages_done: 0,
      pages_total: null,
      error: row.error_message,
    };
  const statuses = rows.map((row) => progressOf(row).processing_status);
  const anyActive = statuses.some(isActive);
  useEffect(() => setActive(anyActive), [anyActive]);
  // A material the list does not know yet (uploaded from another tab): fetch the page's list again.
  const unknown = Object.keys(progress.byId)
    .filter((id) => !rows.some((row) => row.id === id))
    .join(",");
  useEffect(() => {
    if (unknown) router.refresh();
  }, [unknown, router]);

  function onUploaded(material: MaterialRow) {
    setRows((prev) => [material, ...prev.filter((row) => row.id !== material.id)]);
  }

  async function retry(row: MaterialRow) {
    setRetrying(row.id);
    const r = await callApi(`/api/materials/${row.id}/retry`, { method: "POST" });
    setRetrying(null);
    if (!r.ok) return setError(errorText(r.error));
    setError(null);
    progress.set({
      id: row.id,
      processing_status: "pending",
      stage: null,
      pages_done: 0,
      pages_total: null,
      error: null,
    });
  }

  async function onSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const q = String(new FormData(e.currentTarget).get("query") ?? "").trim();
    if (!q) return;
    const r = await callApi<SearchHit[]>(
      `/api/courses/${courseId}/materials/search?query=${encodeURIComponent(q)}&limit=5`,
    );
    if (r.ok) setHits(r.data);
    else setError(errorText(r.error));
  }

  async function remove(row: MaterialRow) {
    if (!window.confirm(f(m.courses.confirmDelete, { name: row.name }))) return;
    const r = await callApi(`/api/materials/${row.id}`, { method: "DELETE" });
    if (!r.ok) return setError(errorText(r.error));
    setRows((prev) => prev.filter((x) => x.id !== row.id));
    progress.forget(row.id);
    router.refresh();
  }

  return (
    <div className="space-y-6">
      <Card>
        <h2 className="mb-2 text-lg font-semibold">{m.courses.upload}</h2>
        <UploadArea courseId={courseId} onUploaded={onUploaded} />
        {error ? (
          <div className="mt-3">
            <Alert kind="error">{error}</Alert>
          </div>
        ) : null}
      </Card>

      <Card>
        <h2 className="mb-3 text-lg font-semibold">{m.courses.materials}</h2>
        {progress.failing ? (
          <div className="mb-3">
            <Alert kind="info">{m.processing.statusUnavailable}</Alert>
          </div>
        ) : null}
        {rows.length === 0 ? (
          <p className="text-sm text-slate-600">{m.courses.noMaterials}</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {rows.map((row) => {
              const p = progressOf(row);
              return (
                <li
                  key={row.id}
                  className="flex flex-wrap items-center gap-3 py-3"
                  data-testid="material-row"
                  data-status={p.processing_status}
                >
                  <span className="me-auto min-w-0 break-all font-medium">
                    <bdi>{row.name}</bdi>
                  </span>
                  <span aria-live="polite">
                    <Badge tone={toneOf(p.processing_status)}>{m.courses.status[p.processing_status]}</Badge>
                  </span>
                  <a className="text-sm text-brand-800 underline" href={`/api/materials/${row.id}/download`}>
                    {m.courses.download}
                  </a>
                  <Button variant="secondary" onClick={() => remove(row)}>
                    {m.courses.delete}
                  </Button>
                  <ProcessingDetail
                    name={row.name}
                    progress={p}
                    retrying={retrying === row.id}
                    onRetry={() => retry(row)}
                  />
                </li>
              );
            })}
          </ul>
        )}
      </Card>

      <Card>
        <form onSubmit={onSearch} className="flex flex-wrap gap-2">
          <label className="sr-only" htmlFor="course-search">
            {m.courses.search}
          </label>
          <input
            id="course-search"
            name="query"
            maxLength={500}
            placeholder={m.courses.searchPlaceholder}
            className="min-w-0 flex-1 rounded-lg border border-slate-300 px-3 py-2"
          />
          <Button type="submit">{m.courses.search}</Button>
        </form>
        {hits ? (
          hits.length === 0 ? (
            <p className="mt-3 text-sm text-slate-600">{m.courses.noResults}</p>
          ) : (
            <ol className="mt-3 space-y-3">
              {hits.map((h) => (
                <li
                  key={h.material_id}
                  className="rounded-lg border border-slate-200 p-3"
                  data-testid="search-hit"
                >
                  <p className="text-sm font-semibold">
                    {h.name} · {f(m.courses.page, { n: h.page })}
                  </p>
                  <p className="mt-1 text-sm text-slate-700" dir="auto">
                    {h.excerpt}
                  </p>
                </li>
              ))}
            </ol>
          )
        ) : null}
      </Card>
    </div>
  );
}
