import { AdminFeedback } from "@/components/admin-feedback";
import { getDb } from "@/db/client";
import { toFeedbackItemResponse } from "@/lib/api/feedback";
import { pagination } from "@/lib/api/schemas";
import { listFeedback, RATINGS, type Rating } from "@/lib/chat/feedback";
import { requireAdmin } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

const PAGE_SIZE = 50;

export default async function AdminFeedbackPage({
  searchParams,
}: {
  searchParams: Promise<{ rating?: string; offset?: string }>;
}) {
  const [{ m }, , sp] = await Promise.all([getI18n(), requireAdmin("/admin/feedback"), searchParams]);
  const rating = (RATINGS as readonly string[]).includes(sp.rating ?? "") ? (sp.rating as Rating) : undefined;
  // The API's own pagination schema: a bad or huge offset falls back to the first page.
  const parsed = pagination.offset.safeParse(sp.offset);
  const offset = parsed.success ? parsed.data : 0;
  const { items, total, up, down } = await listFeedback(await getDb(), { rating, limit: PAGE_SIZE, offset });
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-bold">{m.feedback.title}</h1>
        <p className="text-sm text-slate-600">{m.feedback.intro}</p>
      </div>
      <AdminFeedback
        items={items.map(toFeedbackItemResponse)}
        total={total}
        up={up}
        down={down}
        limit={PAGE_SIZE}
        offset={offset}
        rating={rating}
      />
    </div>
  );
}
