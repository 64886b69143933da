// GET /auth/refresh?next=/path – pages' session renewal: rotate the refresh cookie, go back
import { getDb } from "@/db/client";
import { refreshSession } from "@/lib/auth";
import { ApiError } from "@/lib/http/errors";
import {
  clearedSessionCookies,
  REFRESH_COOKIE,
  readCookie,
  serializeCookie,
  sessionCookies,
} from "@/lib/http/request";
import { safeNextPath } from "@/lib/http/safe-redirect";

export async function GET(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const next = safeNextPath(url.searchParams.get("next"));
  const token = readCookie(req, REFRESH_COOKIE);
  const headers = new Headers();
  try {
    if (!token) throw new ApiError("INVALID_TOKEN", "no refresh cookie");
    const session = await refreshSession(await getDb(), token);
    for (const c of sessionCookies(session)) headers.append("set-cookie", serializeCookie(c));
    headers.set("location", next);
  } catch (err) {
    if (!(err instanceof ApiError)) console.error("[auth] page refresh failed:", err);
    for (const c of clearedSessionCookies()) headers.append("set-cookie", serializeCookie(c));
    headers.set("location", `/signin?next=${encodeURIComponent(next)}`);
  }
  return new Response(null, { status: 303, headers });
}
