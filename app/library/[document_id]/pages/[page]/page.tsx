import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { formatNumber } from "@/components/format";
import { PageImage } from "@/components/page-image";
import { ErrorState } from "@/components/ui";
import { getDb } from "@/db/client";
import { PAGE_WIDTH, VIEWER_WIDTHS } from "@/lib/curriculum/page-width";
import { getPageView, type PageView } from "@/lib/curriculum/pages";
import { ApiError } from "@/lib/http/errors";
import { requireUser } from "@/lib/http/page-auth";
import { format } from "@/lib/i18n/messages";
import { getI18n } from "@/lib/i18n/server";
import { isUuid } from "@/lib/ids";

// One page of a textbook, opened from a citation: the page as a picture (phones' PDF viewers often
// ignore #page=N), the cited passage (?q=) highlighted on it and marked in the page's text.

type Params = { document_id: string; page: string };

export async function generateMetadata(): Promise<Metadata> {
  const { m } = await getI18n();
  return { title: `${m.viewer.title} · ${m.brand}` };
}

const LINK =
  "inline-flex min-h-10 items-center rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-semibold text-brand-900 hover:border-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700";

export default async function TextbookPageViewer({
  params,
  searchParams,
}: {
  params: Promise<Params>;
  searchParams: Promise<{ q?: string | string[] }>;
}) {
  const [{ document_id: documentId, page: pageParam }, sp] = await Promise.all([params, searchParams]);
  const q = (Array.isArray(sp.q) ? sp.q[0] : sp.q)?.trim().slice(0, 1000) ?? "";
  const here = `/library/${documentId}/pages/${pageParam}${q ? `?${new URLSearchParams({ q })}` : ""}`;
  const [{ locale, m }] = await Promise.all([getI18n(), requireUser(here)]);
  if (!isUuid(documentId) || !/^\d{1,6}$/.test(pageParam)) notFound();
  const page = Number(pageParam);
  const pdfHref = `/api/curriculum/textbooks/${documentId}/file#page=${page}`;

  let view: PageView;
  try {
    view = await getPageView(await getDb(), { documentId, page, q });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    if (!(err instanceof ApiError)) console.error(`[viewer] ${documentId} p. ${page}:`, err);
    return (
      <div className="mx-auto max-w-3xl space-y-4">
        <BackLink label={m.viewer.backToLibrary} />
        <ErrorState
          title={m.viewer.errorTitle}
          action={
            <div className="flex flex-wrap gap-3">
              <a href={here} className={LINK}>
                {m.viewer.retry}
              </a>
              <a href={pdfHref} target="_blank" rel="noopener" className={LINK}>
                {m.viewer.openPdf}
              </a>
            </div>
          }
        >
          {m.viewer.errorBody}
        </ErrorState>
      </div>
    );
  }

  const n = (x: number) => formatNumber(locale, x);
  const image = (w: number) => `/api/curriculum/textbooks/${documentId}/pages/${page}/image?width=${w}`;
  const imageHeight = Math.round((PAGE_WIDTH.default * view.height) / view.width);
  const pageHref = (p: number) => `/library/${documentId}/pages/${p}`;

  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <BackLink label={m.viewer.backToLibrary} />
      <header className="space-y-1">
        <h1 dir="auto" className="text-xl font-bold break-words">
          {view.title}
        </h1>
        <p className="text-slate-700" data-testid="page-of">
          {format(m.viewer.pageOf, { n: n(view.page), total: n(view.pageCount) })}
        </p>
      </header>

      <nav aria-label={m.viewer.pages} className="flex flex-wrap items-center gap-2">
        {view.page > 1 ? (
          <Link href={pageHref(view.page - 1)} rel="prev" className={LINK}>
            <span aria-hidden="true" className="me-1 inline-block rtl:rotate-180">
              ←
            </span>
            {m.viewer.previous}
          </Link>
        ) : null}
        {view.page < view.pageCount ? (
          <Link href={pageHref(view.page + 1)} rel="next" className={LINK}>
            {m.viewer.next}
            <span aria-hidden="true" className="ms-1 inline-block rtl:rotate-180">
              →
            </span>
          </Link>
        ) : null}
        <a href={pdfHref} target="_blank" rel="noopener" className={`${LINK} ms-auto`}>
          {m.viewer.openPdf}
        </a>
      </nav>

      {q ? (
        <p className="text-sm text-slate-700" role="status">
          {view.highlights.length > 0 ? m.viewer.passageShown : m.viewer.passageMissing}
        </p>
      ) : null}

      <PageImage
        src={image(PAGE_WIDTH.default)}
        srcSet={VIEWER_WIDTHS.map((w) => `${image(w)} ${w}w`).join(", ")}
        sizes="(min-width: 48rem) 48rem, 100vw"
        width={PAGE_WIDTH.default}
        height={imageHeight}
        alt={format(m.viewer.imageAlt, { n: n(view.page), title: view.title })}
        highlights={view.highlights}
        pdfHref={pdfHref}
      />

      <details
        className="rounded-xl border border-slate-200 bg-white p-4"
        open={view.textHighlights.length > 0}
      >
        <summary className="cursor-pointer font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700">
          {m.viewer.text}
        </summary>
        {view.text ? (
          <p
            dir="auto"
            data-testid="page-text"
            className="mt-3 whitespace-pre-wrap break-words text-slate-800"
          >
            {marked(view.text, view.textHighlights)}
          </p>
        ) : (
          <p className="mt-3 text-sm text-slate-600">{m.viewer.noText}</p>
        )}
      </details>
    </div>
  );
}

function BackLink({ label }: { label: string }) {
  return (
    <Link href="/library" className="text-sm font-semibold text-brand-800 underline">
      {label}
    </Link>
  );
}

/** The text with the passage's ranges in <mark>. */
function marked(text: string, ranges: { start: number; end: number }[]): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const { start, end } of [...ranges].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    if (start > at) out.push(text.slice(at, start));
    out.push(
      <mark key={start} className="rounded-sm bg-yellow-200 text-slate-900">
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
