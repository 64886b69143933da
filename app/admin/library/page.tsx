import { DocumentsTable, ReferencesTable } from "@/components/admin-library";
import { CurriculumUpload } from "@/components/curriculum-upload";
import { KoutoubiSync } from "@/components/koutoubi-sync";
import { LiveRefresh } from "@/components/live-refresh";
import { getDb } from "@/db/client";
import { REFERENCE_STATUSES, type ReferenceStatus } from "@/db/schema";
import { toDocumentResponse, toReferenceResponse, toScrapeRunResponse } from "@/lib/api/library";
import { pagination } from "@/lib/api/schemas";
import { env } from "@/lib/config/env";
import { listDocuments, listSubjects } from "@/lib/curriculum/documents";
import { listReferences } from "@/lib/curriculum/references";
import { requireAdmin } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";
import { listRuns } from "@/lib/scraping";

const REFERENCES_PER_PAGE = 25;
const DOCUMENTS_PER_PAGE = 25;
const RECENT_RUNS = 5;

/** The API's own pagination schema: a bad or huge offset falls back to the first page. */
function offsetOf(value: string | undefined): number {
  const parsed = pagination.offset.safeParse(value);
  return parsed.success ? parsed.data : 0;
}

export default async function AdminLibraryPage({
  searchParams,
}: {
  searchParams: Promise<{ ref_status?: string; ref_offset?: string; doc_offset?: string }>;
}) {
  const [{ m }, , sp] = await Promise.all([getI18n(), requireAdmin("/admin/library"), searchParams]);
  const status = (REFERENCE_STATUSES as readonly string[]).includes(sp.ref_status ?? "")
    ? (sp.ref_status as ReferenceStatus)
    : undefined;
  const refOffset = offsetOf(sp.ref_offset);
  const docOffset = offsetOf(sp.doc_offset);
  const db = await getDb();
  const [runs, refs, docs, subjects] = await Promise.all([
    listRuns(db, { source: "koutoubi", limit: RECENT_RUNS, offset: 0 }),
    listReferences(db, { status, limit: REFERENCES_PER_PAGE, offset: refOffset }),
    listDocuments(db, { limit: DOCUMENTS_PER_PAGE, offset: docOffset }),
    listSubjects(db),
  ]);
  const query = {
    ref_status: status,
    ref_offset: refOffset ? String(refOffset) : undefined,
    doc_offset: docOffset ? String(docOffset) : undefined,
  };
  // Statuses change while jobs run: the page follows them until nothing is in progress.
  const inProgress =
    docs.documents.some((d) => d.status === "pending" || d.status === "processing") ||
    refs.references.some((r) => r.status === "queued" || r.status === "processing");

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-bold">{m.adminLibrary.title}</h1>
      <LiveRefresh active={inProgress} />
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <KoutoubiSync runs={runs.runs.map(toScrapeRunResponse)} />
        <CurriculumUpload maxMb={env().CURRICULUM_MAX_MB} subjects={subjects} />
      </div>
      <ReferencesTable
        references={refs.references.map(toReferenceResponse)}
        total={refs.total}
        limit={REFERENCES_PER_PAGE}
        offset={refOffset}
        status={status}
        query={query}
      />
      <DocumentsTable
        documents={docs.documents.map((d) => ({ ...toDocumentResponse(d), chunk_count: d.chunkCount }))}
        total={docs.total}
        limit={DOCUMENTS_PER_PAGE}
        offset={docOffset}
        query={query}
      />
    </div>
  );
}
