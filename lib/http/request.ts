import { env } from "@/lib/config/env";

export const ACCESS_COOKIE = "bacmr_access";
export const REFRESH_COOKIE = "bacmr_refresh";

/** Reads one cookie from a Cookie header. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Bearer header for API clients, the httpOnly cookie for pages. */
export function readAccessToken(req: Request): string | undefined {
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    return m?.[1];
  }
  return readCookie(req, ACCESS_COOKIE);
}

/**
 * The client's IP: the right-most X-Forwarded-For entry. `npm start` (server.mjs) puts the
 * socket's address there, unless TRUST_PROXY says a reverse proxy in front appends the real
 * client address to it (nginx `proxy_add_x_forwarded_for`, Vercel); entries to the left are
 * whatever the client claimed.
 */
export function clientIp(req: Request): string {
  const xff = req.headers.get("x-forwarded-for");
  const last = xff
    ?.split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .pop();
  if (last) return last;
  if (env().TRUST_PROXY) {
    const real = req.headers.get("x-real-ip")?.trim();
    if (real) return real;
  }
  return "unknown";
}

export interface CookieSpec {
  name: string;
  value: string;
  maxAge: number;
}

/** httpOnly, SameSite=Lax: not readable by scripts, not sent on cross-site POSTs. */
export function serializeCookie({ name, value, maxAge }: CookieSpec): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (env().COOKIE_SECURE) parts.push("Secure");
  return parts.join("; ");
}

/** Cookies carrying a session to the pages (the refresh cookie lives as long as the token). */
export function sessionCookies(s: {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}): CookieSpec[] {
  return [
    { name: ACCESS_COOKIE, value: s.accessToken, maxAge: s.expiresIn },
    { name: REFRESH_COOKIE, value: s.refreshToken, maxAge: env().REFRESH_TOKEN_TTL_DAYS * 86_400 },
  ];
}

export function clearedSessionCookies(): CookieSpec[] {
  return [
    { name: ACCESS_COOKIE, value: "", maxAge: 0 },
    { name: REFRESH_COOKIE, value: "", maxAge: 0 },
  ];
}
