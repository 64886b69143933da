// PATCH /api/admin/users/{user_id}/role – change a role (never demote the last admin)
import { updateRole } from "@/lib/api/admin-users";
import { toProfileResponse } from "@/lib/api/profile";
import { route } from "@/lib/http/route";
import { setRole } from "@/lib/profiles";

export const PATCH = route(updateRole, async ({ db, params, body }) => ({
  success: true as const,
  data: toProfileResponse(await setRole(db, { userId: params.user_id, role: body.role })),
}));
