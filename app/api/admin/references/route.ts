// GET /api/admin/references – references across all sources
import { adminReferences, toReferenceResponse } from "@/lib/api/library";
import { listReferences } from "@/lib/curriculum/references";
import { route } from "@/lib/http/route";

export const GET = route(adminReferences, async ({ db, query }) => {
  const { references, total } = await listReferences(db, query);
  return { references: references.map(toReferenceResponse), total, limit: query.limit, offset: query.offset };
});
