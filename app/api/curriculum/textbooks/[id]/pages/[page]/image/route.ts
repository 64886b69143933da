// GET /api/curriculum/textbooks/{id}/pages/{page}/image – the page as a PNG, rendered once and cached
import { textbookPageImage } from "@/lib/api/library";
import { PAGE_WIDTH } from "@/lib/curriculum/page-width";
import { getPageImage } from "@/lib/curriculum/pages";
import { route } from "@/lib/http/route";

export const GET = route(textbookPageImage, async ({ db, params, query, req }) => {
  const { etag, png } = await getPageImage(db, {
    documentId: params.id,
    page: params.page,
    width: query.width ?? PAGE_WIDTH.default,
    ifNoneMatch: req.headers.get("if-none-match"),
  });
  // A page image changes only if its textbook file is replaced, which changes the ETag.
  const caching = { etag, "cache-control": "public, max-age=86400, immutable" };
  if (!png) return new Response(null, { status: 304, headers: caching });
  return new Response(new Blob([png as Uint8Array<ArrayBuffer>]), {
    headers: {
      "content-type": "image/png",
      "content-length": String(png.byteLength),
      "x-content-type-options": "nosniff",
      ...caching,
    },
  });
});
