import type { z } from "zod";
import type { Session } from "@/lib/auth";
import type { SessionData } from "./auth";
import { toProfileResponse } from "./profile";

export function toSessionData(s: Session): z.input<typeof SessionData> {
  return {
    access_token: s.accessToken,
    refresh_token: s.refreshToken,
    token_type: "bearer",
    expires_in: s.expiresIn,
    expires_at: s.expiresAt,
    user: toProfileResponse(s.user),
  };
}
