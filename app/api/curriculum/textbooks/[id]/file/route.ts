// GET /api/curriculum/textbooks/{id}/file – the PDF, inline, to open at a cited page
import { textbookFile } from "@/lib/api/library";
import { openTextbookFile } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";
import { contentDisposition } from "@/lib/storage/keys";

export const GET = route(textbookFile, async ({ db, params }) => {
  const { textbook, stream } = await openTextbookFile(db, params.id);
  return new Response(stream, {
    headers: {
      "content-type": "application/pdf",
      ...(textbook.fileSize ? { "content-length": String(textbook.fileSize) } : {}),
      "content-disposition": contentDisposition(`${textbook.title}.pdf`, "inline"),
      "x-content-type-options": "nosniff",
      "cache-control": "public, max-age=300",
    },
  });
});
