// GET /api/admin/test-role – verify admin privileges (admin JWT or X-Admin-Key)
import { testRole } from "@/lib/api/admin-users";
import { route } from "@/lib/http/route";

export const GET = route(testRole, async ({ principal }) => ({
  status: "ok" as const,
  message: "Admin access granted",
  via: principal.kind === "user" ? ("jwt" as const) : ("admin_key" as const),
  user_id: principal.kind === "user" ? principal.user.id : null,
}));
