// PATCH, DELETE /api/admin/documents/{document_id} – edit metadata; delete with chunks and vectors
import * as api from "@/lib/api/library";
import { deleteDocument, updateDocument } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";

export const PATCH = route(api.updateDocument, async ({ db, params, body }) =>
  api.toDocumentResponse(await updateDocument(db, params.document_id, body)),
);

export const DELETE = route(api.deleteDocument, async ({ db, params }) => {
  const { documentId, referenceId } = await deleteDocument(db, params.document_id);
  return { message: "Document deleted", document_id: documentId, reference_id: referenceId };
});
