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
 * Set by server.mjs (`npm start`) to the name of the header in which it puts each request's
 * socket address, after deleting any copy a client sent. A process global, not a variable or a
 * header a client could set: under `next dev` or a bare `next start` it is absent.
 */
export const SERVER_IP_HEADER_KEY = "__bacmrClientIpHeader";

function serverIpHeader(): string | undefined {
  const name = (globalThis as Record<string, unknown>)[SERVER_IP_HEADER_KEY];
  return typeof name === "string" ? name : undefined;
}

let warnedUnknown = false;

/**
 * The client's IP, from what cannot be forged. With TRUST_PROXY (a reverse proxy in front that
 * appends the client's address: nginx `proxy_add_x_forwarded_for`, Vercel), the right-most
 * X-Forwarded-For entry (entries to its left are whatever the client claimed), else X-Real-IP.
 * Without it, X-Forwarded-For is the client's own word and is ignored: the socket address that
 * server.mjs passes in its own header is used. With neither (`next dev`), every client is
 * "unknown" and shares one rate-limit bucket: too strict rather than dodgeable.
 */
export function clientIp(req: Request): string {
  if (env().TRUST_PROXY) {
    const last = req.headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .pop();
    if (last) return last;
    const real = req.headers.get("x-real-ip")?.trim();
    if (real) return real;
  }
  const header = serverIpHeader();
  const socket = header ? req.headers.get(header)?.trim() : undefined;
  if (socket) return socket;
  if (!header && !env().TRUST_PROXY && !warnedUnknown) {
    warnedUnknown = true;
    console.warn(
      "[http] client addresses unknown (not served by `npm start`, TRUST_PROXY unset): all clients share one per-IP rate limit",
    );
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
