// GET /api/admin/documents – library documents in any state
import * as api from "@/lib/api/library";
import { listDocuments } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";

export const GET = route(api.listDocuments, async ({ db, query }) => {
  const { documents, total } = await listDocuments(db, query);
  return {
    documents: documents.map((d) => ({ ...api.toDocumentResponse(d), chunk_count: d.chunkCount })),
    total,
    limit: query.limit,
    offset: query.offset,
  };
});
