// GET /api/admin/feedback – rated tutor answers with their questions, and the counts of each rating
import { listFeedback, toFeedbackItemResponse } from "@/lib/api/feedback";
import * as feedback from "@/lib/chat/feedback";
import { route } from "@/lib/http/route";

export const GET = route(listFeedback, async ({ db, query }) => {
  const { items, total, up, down } = await feedback.listFeedback(db, query);
  return { items: items.map(toFeedbackItemResponse), total, up, down };
});
