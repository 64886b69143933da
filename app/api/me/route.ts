// GET, PATCH /api/me – the signed-in user's profile
import { getMe, patchMe, toProfileResponse } from "@/lib/api/profile";
import { route } from "@/lib/http/route";
import { updateOwnProfile } from "@/lib/profiles";

export const GET = route(getMe, async ({ principal }) => toProfileResponse(principal.user));

export const PATCH = route(patchMe, async ({ db, body, principal }) =>
  toProfileResponse(
    await updateOwnProfile(db, {
      userId: principal.user.id,
      fullName: body.full_name,
      preferredLanguage: body.preferred_language,
    }),
  ),
);
