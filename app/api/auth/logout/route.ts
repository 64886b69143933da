// POST /api/auth/logout – end the session and clear the page cookies
import { logout as logoutEndpoint } from "@/lib/api/auth";
import { logout } from "@/lib/auth";
import { clearedSessionCookies, REFRESH_COOKIE, readAccessToken, readCookie } from "@/lib/http/request";
import { Reply, route } from "@/lib/http/route";

export const POST = route(logoutEndpoint, async ({ db, body, req }) => {
  await logout(db, {
    accessToken: readAccessToken(req),
    refreshToken: body?.refresh_token ?? readCookie(req, REFRESH_COOKIE),
  });
  return new Reply({ success: true as const, message: "Signed out" }, { cookies: clearedSessionCookies() });
});
