import type { DbOrTx } from "@/db/client";
import type { AuthMode } from "@/lib/api/define";
import { accessTokenFromBackendCookies, authenticateToken } from "@/lib/auth";
import { safeEqual } from "@/lib/auth/crypto";
import { env } from "@/lib/config/env";
import { ApiError, forbidden, unauthorized } from "./errors";
import { readAccessToken } from "./request";
import type { Principal } from "./route";

/**
 * Who is calling, as the endpoint's auth mode requires. Admin routes take an admin's JWT or
 * `X-Admin-Key` (compared in constant time, refused outright when ADMIN_API_KEY is unset).
 */
export async function resolvePrincipal(db: DbOrTx, req: Request, mode: AuthMode): Promise<Principal | null> {
  if (mode === "none") return null;

  if (mode === "cron") {
    const secret = env().CRON_SECRET;
    if (!secret) throw new ApiError("UNAUTHORIZED", "Cron is not configured (CRON_SECRET is unset)");
    const presented = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "")?.[1];
    if (!presented || !safeEqual(presented, secret)) throw unauthorized("Invalid cron secret");
    return null;
  }

  if (mode === "admin") {
    const key = req.headers.get("x-admin-key");
    if (key !== null) {
      const expected = env().ADMIN_API_KEY;
      if (!expected) throw new ApiError("UNAUTHORIZED", "Admin API key authentication is disabled");
      if (!safeEqual(key, expected)) throw new ApiError("UNAUTHORIZED", "Invalid admin key");
      return { kind: "admin_key" };
    }
  }

  const token = readAccessToken(req) ?? (await accessTokenFromBackendCookies(req.headers.get("cookie")));
  if (!token) {
    if (mode === "optional") return null;
    throw unauthorized("Not authenticated");
  }
  const user = await authenticateToken(db, token);
  if (!user) {
    if (mode === "optional") return null;
    throw unauthorized("Invalid or expired token", "INVALID_TOKEN");
  }
  if (mode === "admin" && user.role !== "admin") throw forbidden();
  return { kind: "user", user };
}
