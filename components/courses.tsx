"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { callApi } from "./api-client";
import { useI18n } from "./i18n";
import { Alert, Button, Card, Field, Input } from "./ui";
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

const STATUS_STYLE: Record<MaterialRow["processing_status"], string> = {
  pending: "bg-slate-100 text-slate-700",
  processing: "bg-amber-100 text-amber-900",
  completed: "bg-emerald-100 text-emerald-900",
  failed: "bg-red-100 text-red-900",
};

/** Upload with progress (XHR: fetch cannot report upload progress), then live status of each file. */
export function CourseMaterials({ courseId, materials }: { courseId: string; materials: MaterialRow[] }) {
  const { m, f } = useI18n();
  const router = useRouter();
  const errorText = useErrorText();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[] | null>(null);

  const busy = materials.some(
    (x) => x.processing_status === "pending" || x.processing_status === "processing",
  );
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => router.refresh(), 3000);
    return () => clearInterval(t);
  }, [busy, router]);

  function upload(file: File) {
    setError(null);
    setProgress(0);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/courses/${courseId}/materials`);
    xhr.upload.onprogress = (e) => e.lengthComputable && setProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      setProgress(null);
      if (xhr.status === 201) return router.refresh();
      let detail = "";
      let code = "ERROR";
      try {
        const body = JSON.parse(xhr.responseText) as { detail?: string; code?: string };
        detail = body.detail ?? "";
        code = body.code ?? code;
      } catch {}
      setError(errorText({ status: xhr.status === 413 ? 400 : xhr.status, detail, code }));
    };
    xhr.onerror = () => {
      setProgress(null);
      setError(m.errors.network);
    };
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
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
    if (r.ok) router.refresh();
    else setError(errorText(r.error));
  }

  return (
    <div className="space-y-6">
      <Card>
        <h2 className="mb-2 text-lg font-semibold">{m.courses.upload}</h2>
        <p className="mb-3 text-sm text-slate-600">{m.courses.uploadHint}</p>
        <input
          type="file"
          aria-label={m.courses.upload}
          accept="application/pdf,image/jpeg,image/png,image/gif,image/webp"
          disabled={progress !== null}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) upload(file);
            e.target.value = "";
          }}
          className="block w-full text-sm"
        />
        {progress !== null ? (
          <div
            className="mt-3"
            role="progressbar"
            aria-valuenow={progress}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div className="h-2 rounded bg-slate-200">
              <div className="h-2 rounded bg-emerald-600" style={{ width: `${progress}%` }} />
            </div>
            <p className="mt-1 text-xs text-slate-600">
              {m.courses.uploading} {progress}%
            </p>
          </div>
        ) : null}
        {error ? (
          <div className="mt-3">
            <Alert kind="error">{error}</Alert>
          </div>
        ) : null}
      </Card>

      <Card>
        <h2 className="mb-3 text-lg font-semibold">{m.courses.materials}</h2>
        {materials.length === 0 ? (
          <p className="text-sm text-slate-600">{m.courses.noMaterials}</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {materials.map((row) => (
              <li key={row.id} className="flex flex-wrap items-center gap-3 py-3" data-testid="material-row">
                <span className="me-auto min-w-0 break-all font-medium">{row.name}</span>
                <span
                  className={`rounded px-2 py-0.5 text-xs font-semibold ${STATUS_STYLE[row.processing_status]}`}
                >
                  {m.courses.status[row.processing_status]}
                </span>
                {row.error_message ? (
                  <span className="w-full text-sm text-red-800">{row.error_message}</span>
                ) : null}
                <a className="text-sm text-emerald-800 underline" href={`/api/materials/${row.id}/download`}>
                  {m.courses.download}
                </a>
                <Button variant="secondary" onClick={() => remove(row)}>
                  {m.courses.delete}
                </Button>
              </li>
            ))}
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
