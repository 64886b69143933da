// GET /api/curriculum/textbooks – ready textbooks grouped by education level
import * as api from "@/lib/api/library";
import { listTextbooks } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";

export const GET = route(api.listTextbooks, async ({ db, query }) => {
  const { levels, total } = await listTextbooks(db, query);
  return {
    levels: levels.map((l) => ({
      education_level: l.educationLevel,
      textbooks: l.textbooks.map(api.toTextbookResponse),
    })),
    total,
  };
});
