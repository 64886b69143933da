"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "./api-client";
import { useI18n } from "./i18n";
import { type DocumentRow, libraryHref, REFERENCE_FILTERS, type ReferenceRow } from "./library-types";
import { Pager } from "./pager";
import { Alert, Badge, Button, Card, Field, Input, ROW, Table, Td, toneOf } from "./ui";
import { useErrorText } from "./use-error-text";

type Status = { kind: "error" | "success"; text: string } | null;
type Query = Record<string, string | undefined>;

function useLabels() {
  const { m, f } = useI18n();
  return {
    level: (level: string | null) =>
      level ? ((m.levels as Record<string, string>)[level] ?? level) : m.levels.other,
    language: (code: string) => m.languages[code] ?? code,
    details: (r: {
      year?: number | null;
      subject: string | null;
      series: string | null;
      edition: string | null;
    }) =>
      [
        r.year ? f(m.adminLibrary.year, { n: r.year }) : null,
        r.subject,
        r.series ? f(m.adminLibrary.series, { s: r.series }) : null,
        r.edition ? f(m.adminLibrary.edition, { e: r.edition }) : null,
      ]
        .filter(Boolean)
        .join(" · "),
  };
}

/** Status tabs as links: the filter lives in the URL, the server page lists accordingly. */
function StatusTabs<S extends string>({
  label,
  all,
  statuses,
  names,
  current,
  href,
}: {
  label: string;
  all: string;
  statuses: readonly S[];
  names: Record<S, string>;
  current: S | undefined;
  href: (status: S | undefined) => string;
}) {
  const tab = "rounded-full border px-3 py-1 text-sm whitespace-nowrap";
  const on = "border-brand-700 bg-brand-700 text-white";
  const off = "border-slate-300 bg-white text-slate-700 hover:bg-slate-50";
  return (
    <nav aria-label={label} className="flex flex-wrap gap-2">
      {[undefined, ...statuses].map((s) => (
        <Link
          key={s ?? "all"}
          href={href(s)}
          aria-current={s === current ? "page" : undefined}
          className={`${tab} ${s === current ? on : off}`}
        >
          {s ? names[s] : all}
        </Link>
      ))}
    </nav>
  );
}

export function ReferencesTable({
  references,
  total,
  limit,
  offset,
  status,
  query,
}: {
  references: ReferenceRow[];
  total: number;
  limit: number;
  offset: number;
  status: ReferenceRow["status"] | undefined;
  query: Query;
}) {
  const { m, f } = useI18n();
  const router = useRouter();
  const labels = useLabels();
  const errorText = useErrorText({ detail: true });
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Status>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});

  async function ingest(ref: ReferenceRow) {
    const force = ref.status === "ready";
    if (force && !window.confirm(f(m.adminLibrary.confirmReingest, { title: ref.title }))) return;
    setBusy(ref.id);
    const r = await callApi(`/api/admin/ingest/${ref.id}${force ? "?force=true" : ""}`, { method: "POST" });
    setBusy(null);
    setRowErrors(({ [ref.id]: _, ...rest }) => (r.ok ? rest : { ...rest, [ref.id]: errorText(r.error) }));
    if (r.ok) {
      setMessage({ kind: "success", text: f(m.adminLibrary.ingestQueued, { title: ref.title }) });
      router.refresh();
    } else {
      setMessage(null);
    }
  }

  return (
    <Card flush className="space-y-4 overflow-hidden">
      <div className="space-y-3 px-4 pt-4 sm:px-5">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-lg font-semibold">{m.adminLibrary.references}</h2>
          <p className="text-sm text-slate-600">{f(m.adminLibrary.referencesTotal, { n: total })}</p>
        </div>
        <StatusTabs
          label={m.adminLibrary.filterByStatus}
          all={m.adminLibrary.all}
          statuses={REFERENCE_FILTERS}
          names={m.statuses.reference}
          current={status}
          href={(s) => libraryHref(query, { ref_status: s, ref_offset: undefined })}
        />
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
      {references.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-slate-600">{m.adminLibrary.noReferences}</p>
      ) : (
        <Table
          head={[
            m.adminLibrary.colTitle,
            m.adminLibrary.colDetails,
            m.adminLibrary.colLanguage,
            m.adminLibrary.colStatus,
            m.adminLibrary.colActions,
          ]}
        >
          {references.map((ref) => (
            <tr key={ref.id} className={ROW} data-testid="reference-row" data-id={ref.id}>
              <Td>
                <a
                  href={ref.pdf_url}
                  target="_blank"
                  rel="noopener noreferrer"
                  dir="auto"
                  className="font-medium break-words hover:underline"
                >
                  {ref.title}
                </a>
              </Td>
              <Td label={m.adminLibrary.colDetails}>
                <span className="block">{labels.level(ref.education_level)}</span>
                <span className="block text-slate-600">{labels.details(ref)}</span>
              </Td>
              <Td label={m.adminLibrary.colLanguage}>{labels.language(ref.language)}</Td>
              <Td label={m.adminLibrary.colStatus}>
                <Badge tone={toneOf(ref.status)}>{m.statuses.reference[ref.status]}</Badge>
                {ref.error_message ? (
                  <span className="mt-1 block text-xs break-words text-red-800">{ref.error_message}</span>
                ) : null}
              </Td>
              <Td label={m.adminLibrary.colActions}>
                <Button
                  variant={ref.status === "ready" ? "secondary" : "primary"}
                  className="min-h-9 px-3 py-1"
                  disabled={busy !== null || ref.status === "queued" || ref.status === "processing"}
                  aria-label={`${ref.status === "ready" ? m.adminLibrary.reingest : m.adminLibrary.ingest} ${ref.title}`}
                  onClick={() => ingest(ref)}
                >
                  {ref.status === "ready" ? m.adminLibrary.reingest : m.adminLibrary.ingest}
                </Button>
                {rowErrors[ref.id] ? (
                  <span role="alert" className="mt-1 block text-xs text-red-800">
                    {rowErrors[ref.id]}
                  </span>
                ) : null}
              </Td>
            </tr>
          ))}
        </Table>
      )}
      <Pager
        offset={offset}
        limit={limit}
        total={total}
        href={(o) => libraryHref(query, { ref_offset: o })}
        labels={{ previous: m.admin.previous, next: m.admin.next }}
      />
    </Card>
  );
}

export function DocumentsTable({
  documents,
  total,
  limit,
  offset,
  query,
}: {
  documents: DocumentRow[];
  total: number;
  limit: number;
  offset: number;
  query: Query;
}) {
  const { m, f } = useI18n();
  const router = useRouter();
  const labels = useLabels();
  const errorText = useErrorText({ detail: true });
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Status>(null);
  const [formError, setFormError] = useState<string | null>(null);

  async function save(doc: DocumentRow, e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const v = Object.fromEntries(
      [...new FormData(e.currentTarget)].map(([k, val]) => [k, String(val).trim()]),
    );
    setBusy(true);
    const r = await callApi(`/api/admin/documents/${doc.id}`, {
      method: "PATCH",
      body: {
        title: v.title,
        major: v.major || null,
        weight: v.weight ? Number(v.weight) : null,
        category: v.category || null,
      },
    });
    setBusy(false);
    if (!r.ok) return setFormError(errorText(r.error));
    setFormError(null);
    setEditing(null);
    setMessage({ kind: "success", text: m.adminLibrary.saved });
    router.refresh();
  }

  async function remove(doc: DocumentRow) {
    if (!window.confirm(f(m.adminLibrary.confirmDelete, { title: doc.title }))) return;
    setBusy(true);
    const r = await callApi(`/api/admin/documents/${doc.id}`, { method: "DELETE" });
    setBusy(false);
    setMessage(
      r.ok ? { kind: "success", text: m.adminLibrary.deleted } : { kind: "error", text: errorText(r.error) },
    );
    if (r.ok) router.refresh();
  }

  return (
    <Card flush className="space-y-4 overflow-hidden">
      <div className="space-y-3 px-4 pt-4 sm:px-5">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-lg font-semibold">{m.adminLibrary.documents}</h2>
          <p className="text-sm text-slate-600">{f(m.adminLibrary.documentsTotal, { n: total })}</p>
        </div>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      </div>
      {documents.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-slate-600">{m.adminLibrary.noDocuments}</p>
      ) : (
        <Table
          head={[
            m.adminLibrary.colTitle,
            m.adminLibrary.colStatus,
            m.adminLibrary.colPages,
            m.adminLibrary.colChunks,
            m.adminLibrary.colMeta,
            m.adminLibrary.colActions,
          ]}
        >
          {documents.flatMap((doc) => {
            const meta = [doc.major, doc.weight === null ? null : String(doc.weight), doc.category];
            const row = (
              <tr key={doc.id} className={ROW} data-testid="document-row" data-id={doc.id}>
                <Td>
                  <div className="font-medium break-words">
                    <span dir="auto" data-testid="document-title">
                      {doc.title}
                    </span>
                  </div>
                  <span className="block text-xs text-slate-600">
                    {[doc.grade, doc.subject, labels.language(doc.language), doc.namespace]
                      .filter(Boolean)
                      .join(" · ")}
                  </span>
                </Td>
                <Td label={m.adminLibrary.colStatus}>
                  <Badge tone={toneOf(doc.status)}>{m.statuses.document[doc.status]}</Badge>
                  {doc.error_message ? (
                    <span className="mt-1 block text-xs break-words text-red-800">{doc.error_message}</span>
                  ) : null}
                </Td>
                <Td label={m.adminLibrary.colPages}>{doc.page_count ?? "—"}</Td>
                <Td label={m.adminLibrary.colChunks}>{doc.chunk_count}</Td>
                <Td label={m.adminLibrary.colMeta}>
                  {meta.some((x) => x) ? meta.map((x) => x ?? "—").join(" · ") : "—"}
                </Td>
                <Td label={m.adminLibrary.colActions}>
                  <div className="flex flex-wrap gap-2">
                    <Button
                      variant="secondary"
                      className="min-h-9 px-3 py-1"
                      aria-expanded={editing === doc.id}
                      disabled={busy}
                      onClick={() => {
                        setFormError(null);
                        setEditing(editing === doc.id ? null : doc.id);
                      }}
                    >
                      {m.adminLibrary.edit}
                    </Button>
                    <Button
                      variant="danger"
                      className="min-h-9 px-3 py-1"
                      disabled={busy}
                      onClick={() => remove(doc)}
                    >
                      {m.adminLibrary.delete}
                    </Button>
                  </div>
                </Td>
              </tr>
            );
            if (editing !== doc.id) return [row];
            return [
              row,
              <tr key={`${doc.id}-edit`} className="max-md:block" data-testid="document-edit">
                <td colSpan={6} className="bg-slate-50 px-4 py-3 max-md:block">
                  <form
                    onSubmit={(e) => save(doc, e)}
                    className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_auto] lg:items-end"
                  >
                    <Field label={m.adminLibrary.fieldTitle}>
                      <Input name="title" defaultValue={doc.title} required maxLength={300} dir="auto" />
                    </Field>
                    <Field label={m.adminLibrary.fieldMajor}>
                      <Input name="major" defaultValue={doc.major ?? ""} maxLength={200} />
                    </Field>
                    <Field label={m.adminLibrary.fieldWeight}>
                      <Input
                        name="weight"
                        type="number"
                        min={0}
                        max={100}
                        step="any"
                        inputMode="decimal"
                        defaultValue={doc.weight ?? ""}
                      />
                    </Field>
                    <Field label={m.adminLibrary.fieldCategory}>
                      <Input name="category" defaultValue={doc.category ?? ""} maxLength={200} />
                    </Field>
                    <div className="flex gap-2">
                      <Button type="submit" disabled={busy}>
                        {m.form.save}
                      </Button>
                      <Button type="button" variant="secondary" onClick={() => setEditing(null)}>
                        {m.adminLibrary.cancel}
                      </Button>
                    </div>
                    {formError ? (
                      <div className="sm:col-span-2 lg:col-span-5">
                        <Alert kind="error">{formError}</Alert>
                      </div>
                    ) : null}
                  </form>
                </td>
              </tr>,
            ];
          })}
        </Table>
      )}
      <Pager
        offset={offset}
        limit={limit}
        total={total}
        href={(o) => libraryHref(query, { doc_offset: o })}
        labels={{ previous: m.admin.previous, next: m.admin.next }}
      />
    </Card>
  );
}
