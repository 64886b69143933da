// GET /api/admin/insights – the dashboard's chart series over the last `days` days
import { getAdminInsights } from "@/lib/admin/insights";
import { adminInsights } from "@/lib/api/insights";
import { route } from "@/lib/http/route";

export const GET = route(adminInsights, async ({ db, query }) => getAdminInsights(db, { days: query.days }));
