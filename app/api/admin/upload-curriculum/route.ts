// POST /api/admin/upload-curriculum – an admin's textbook PDF, stored and queued for ingestion
import { toDocumentResponse, uploadCurriculum } from "@/lib/api/library";
import * as curriculum from "@/lib/curriculum/documents";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const maxDuration = 60;

export const POST = route(uploadCurriculum, async ({ db, body }) => {
  const { document, job } = await curriculum.uploadCurriculum(db, {
    file: {
      name: body.file.name,
      type: body.file.type,
      bytes: new Uint8Array(await body.file.arrayBuffer()),
    },
    title: body.title,
    grade: body.grade,
    subject: body.subject,
    language: body.language,
    namespace: body.namespace,
    pdfSource: body.pdf_source,
  });
  afterResponse(kickIngestion);
  return {
    status: "queued" as const,
    job_id: job.id,
    document_id: document.id,
    document: toDocumentResponse(document),
  };
});
