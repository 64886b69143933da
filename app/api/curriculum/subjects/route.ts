// GET /api/curriculum/subjects – subjects of the ready textbooks
import * as api from "@/lib/api/library";
import { listSubjects } from "@/lib/curriculum/documents";
import { route } from "@/lib/http/route";

export const GET = route(api.listSubjects, async ({ db }) => {
  const subjects = await listSubjects(db);
  return { subjects, total: subjects.length };
});
