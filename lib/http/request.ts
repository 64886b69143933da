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
 * The client's IP. Behind a proxy (TRUST_PROXY, the default: Next's server and Vercel both set
 * X-Forwarded-For) the right-most entry is the one our own proxy appended; earlier entries are
 * whatever the client claimed.
 */
export function clientIp(req: Request): string {
  if (env().TRUST_PROXY) {
    const xff = req.headers.get("x-forwarded-for");
    if (xff) {
      const parts = xff
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
      const last = parts[parts.length - 1];
      if (last) return last;
    }
    const real = req.headers.get("x-real-ip");
    if (real) return real.trim();
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
