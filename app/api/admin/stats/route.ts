// GET /api/admin/stats – dashboard figures
import { getAdminStats } from "@/lib/admin/stats";
import { adminStats } from "@/lib/api/library";
import { route } from "@/lib/http/route";

export const GET = route(adminStats, async ({ db }) => getAdminStats(db));
