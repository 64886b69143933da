// GET /api/curriculum/textbooks/{id} – one ready textbook with its page range
import { getTextbook, toTextbookResponse } from "@/lib/api/library";
import { getTextbookOrThrow } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";

export const GET = route(getTextbook, async ({ db, params }) =>
  toTextbookResponse(await getTextbookOrThrow(db, params.id)),
);
