// PATCH /api/admin/users/{user_id}/hint-level?hint_level=N – set the pedagogical hint level
import { updateHintLevel } from "@/lib/api/admin-users";
import { toProfileResponse } from "@/lib/api/profile";
import { route } from "@/lib/http/route";
import { setHintLevel } from "@/lib/profiles";

export const PATCH = route(updateHintLevel, async ({ db, params, query }) => ({
  success: true as const,
  data: toProfileResponse(await setHintLevel(db, { userId: params.user_id, hintLevel: query.hint_level })),
}));
