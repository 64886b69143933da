"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { GRADES } from "@/lib/curriculum/grades";
import { useI18n } from "./i18n";
import { LANGUAGES } from "./library-types";
import { Alert, Button, Card, Field, Input, ProgressBar, Select } from "./ui";
import { useErrorText } from "./use-error-text";

/**
 * An admin's textbook PDF for the library, sent with XHR for its upload progress (fetch cannot
 * report it). The server queues its ingestion; the documents table then shows its live status.
 */
export function CurriculumUpload({ maxMb, subjects }: { maxMb: number; subjects: string[] }) {
  const { m, f } = useI18n();
  const router = useRouter();
  const errorText = useErrorText({ detail: true });
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState<{ kind: "error" | "success"; text: string } | null>(null);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0) {
      setStatus({ kind: "error", text: m.adminLibrary.chooseFile });
      return;
    }
    setStatus(null);
    setProgress(0);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/admin/upload-curriculum");
    xhr.upload.onprogress = (ev) => ev.lengthComputable && setProgress((ev.loaded / ev.total) * 100);
    xhr.onload = () => {
      setProgress(null);
      let body: { detail?: string; code?: string; document?: { title: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 201) {
        form.reset();
        setStatus({
          kind: "success",
          text: f(m.adminLibrary.uploaded, { title: body.document?.title ?? file.name }),
        });
        router.refresh();
        return;
      }
      setStatus({
        kind: "error",
        text: errorText({ status: xhr.status, detail: body.detail ?? "", code: body.code ?? "ERROR" }),
      });
    };
    xhr.onerror = () => {
      setProgress(null);
      setStatus({ kind: "error", text: m.errors.network });
    };
    xhr.send(data);
  }

  const busy = progress !== null;
  return (
    <Card>
      <h2 className="text-lg font-semibold">{m.adminLibrary.upload}</h2>
      <p className="mb-3 text-sm text-slate-600">{f(m.adminLibrary.uploadHint, { max: maxMb })}</p>
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2" aria-label={m.adminLibrary.upload}>
        <div className="sm:col-span-2">
          <Field label={m.adminLibrary.file}>
            <input
              name="file"
              type="file"
              accept="application/pdf"
              required
              disabled={busy}
              className="block w-full text-sm file:me-3 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3 file:py-2 file:text-sm file:font-semibold"
            />
          </Field>
        </div>
        <Field label={m.adminLibrary.grade}>
          <Select name="grade" required defaultValue="7AS">
            {GRADES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={m.adminLibrary.subject}>
          <Input name="subject" required maxLength={100} list="curriculum-subjects" />
          <datalist id="curriculum-subjects">
            {subjects.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </Field>
        <Field label={m.adminLibrary.language}>
          <Select name="language" required defaultValue="fr">
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {m.languages[l]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={m.adminLibrary.namespace}>
          <Input name="namespace" defaultValue="curriculum" maxLength={100} dir="ltr" />
        </Field>
        <Field label={m.adminLibrary.titleOptional}>
          <Input name="title" maxLength={300} dir="auto" />
        </Field>
        <Field label={m.adminLibrary.pdfSource}>
          <Input name="pdf_source" maxLength={2000} dir="ltr" />
        </Field>
        <div className="space-y-3 sm:col-span-2">
          {busy ? (
            <div>
              <ProgressBar percent={progress} label={m.adminLibrary.send} />
              <p className="mt-1 text-xs text-slate-600">
                {f(m.adminLibrary.uploading, { p: Math.round(progress ?? 0) })}
              </p>
            </div>
          ) : null}
          {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
          <Button type="submit" disabled={busy}>
            {m.adminLibrary.send}
          </Button>
        </div>
      </form>
    </Card>
  );
}
