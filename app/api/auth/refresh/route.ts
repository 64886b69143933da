// POST /api/auth/refresh – rotate a refresh token (body or cookie) into new tokens
import { refresh } from "@/lib/api/auth";
import { toSessionData } from "@/lib/api/session";
import { refreshSession } from "@/lib/auth";
import { unauthorized } from "@/lib/http/errors";
import { REFRESH_COOKIE, readCookie, sessionCookies } from "@/lib/http/request";
import { Reply, route } from "@/lib/http/route";

export const POST = route(refresh, async ({ db, body, req }) => {
  const token = body?.refresh_token ?? readCookie(req, REFRESH_COOKIE);
  if (!token) throw unauthorized("Refresh token required", "INVALID_TOKEN");
  const session = await refreshSession(db, token);
  return new Reply(
    { success: true as const, data: toSessionData(session) },
    { cookies: sessionCookies(session) },
  );
});
