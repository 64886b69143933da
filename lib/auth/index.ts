import type { DbOrTx } from "@/db/client";
import type { Role } from "@/db/schema";
import { appUrl, env } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";
import {
  assertNotLastAdmin,
  createProfile,
  deleteProfile,
  findProfile,
  findProfileByEmail,
  getProfileOrThrow,
  type Profile,
  setRole,
} from "@/lib/profiles";
import { hitRateLimit } from "@/lib/rate-limit";
import { embeddedAuth } from "./embedded";
import { verifyAccessToken } from "./jwt";
import type { AuthBackend, AuthTokens } from "./types";

export type { AuthBackend, AuthTokens } from "./types";

let backend: AuthBackend | undefined;

/** Supabase Auth when SUPABASE_URL is set, the embedded accounts otherwise. */
export async function getAuthBackend(): Promise<AuthBackend> {
  if (backend) return backend;
  let chosen: AuthBackend = embeddedAuth;
  if (env().SUPABASE_URL) {
    const { createSupabaseAuth } = await import("./supabase");
    chosen = createSupabaseAuth();
  }
  backend = chosen;
  return chosen;
}

/** Tests switch backends by changing the environment. */
export function resetAuthBackend(): void {
  backend = undefined;
}

export interface Session extends AuthTokens {
  user: Profile;
}

/**
 * Sign-in and sign-up are limited per client IP and per email, so neither a single client
 * nor a botnet spread over many IPs can brute-force one account.
 */
async function enforceAuthRateLimit(
  db: DbOrTx,
  action: string,
  { ip, email }: { ip: string; email: string },
) {
  const { AUTH_RATE_LIMIT_REQUESTS: limit, AUTH_RATE_LIMIT_WINDOW: windowSeconds } = env();
  for (const key of [`${action}:ip:${ip}`, `${action}:email:${email}`]) {
    const r = await hitRateLimit(db, { key, limit, windowSeconds });
    if (!r.allowed) {
      throw new ApiError("RATE_LIMITED", "Too many attempts, try again later", {
        headers: { "Retry-After": String(r.retryAfter) },
      });
    }
  }
}

export interface NewUser {
  email: string;
  password: string;
  fullName: string;
  role?: Role;
}

/** Credentials and profile, created together (a profile is never created lazily). */
async function registerUser(db: DbOrTx, user: NewUser, admin: boolean): Promise<Profile> {
  const auth = await getAuthBackend();
  let profile: Profile | undefined;
  await auth.createUser(db, { email: user.email, password: user.password, admin }, async (tx, userId) => {
    profile = await createProfile(tx, {
      id: userId,
      email: user.email,
      fullName: user.fullName,
      role: user.role,
    });
  });
  if (!profile) throw new Error("profile was not created");
  return profile;
}

export async function signUp(
  db: DbOrTx,
  input: Omit<NewUser, "role">,
  ctx: { ip: string },
): Promise<Profile> {
  await enforceAuthRateLimit(db, "signup", { ip: ctx.ip, email: input.email });
  return registerUser(db, { ...input, role: "student" }, false);
}

export async function signIn(
  db: DbOrTx,
  input: { email: string; password: string },
  ctx: { ip: string },
): Promise<Session> {
  await enforceAuthRateLimit(db, "signin", { ip: ctx.ip, email: input.email });
  const auth = await getAuthBackend();
  const tokens = await auth.signIn(db, input);
  const user = await findProfile(db, { userId: tokens.userId });
  if (!user) throw new ApiError("INVALID_CREDENTIALS", "Invalid email or password");
  return { ...tokens, user };
}

export async function refreshSession(db: DbOrTx, refreshToken: string): Promise<Session> {
  const auth = await getAuthBackend();
  const tokens = await auth.refresh(db, refreshToken);
  const user = await findProfile(db, { userId: tokens.userId });
  if (!user) throw new ApiError("INVALID_TOKEN", "Invalid or expired refresh token");
  return { ...tokens, user };
}

export async function logout(
  db: DbOrTx,
  tokens: { accessToken?: string; refreshToken?: string },
): Promise<void> {
  await (await getAuthBackend()).logout(db, tokens);
}

export async function requestPasswordReset(db: DbOrTx, { email }: { email: string }, ctx: { ip: string }) {
  await enforceAuthRateLimit(db, "reset", { ip: ctx.ip, email });
  await (await getAuthBackend()).requestPasswordReset(db, { email, resetUrl: `${appUrl()}/reset-password` });
}

export async function completePasswordReset(db: DbOrTx, input: { token: string; newPassword: string }) {
  await (await getAuthBackend()).completePasswordReset(db, input);
}

/**
 * The profile behind an access token, or null when the token is invalid, expired, of a
 * session that ended, or of a user that no longer exists.
 */
export async function authenticateToken(db: DbOrTx, token: string): Promise<Profile | null> {
  const auth = await getAuthBackend();
  const claims = await verifyAccessToken(token, await auth.verificationKey(db));
  if (!claims) return null;
  if (!(await auth.isSessionActive(db, claims))) return null;
  return (await findProfile(db, { userId: claims.sub })) ?? null;
}

/** A token from the auth backend's own cookies, for requests that carry neither header nor ours. */
export async function accessTokenFromBackendCookies(
  cookieHeader: string | null,
): Promise<string | undefined> {
  if (!cookieHeader) return undefined;
  return (await getAuthBackend()).accessTokenFromCookies?.(cookieHeader);
}

// --- Admin user management ---

export async function adminCreateUser(db: DbOrTx, input: NewUser): Promise<Profile> {
  return registerUser(db, input, true);
}

export async function adminDeleteUser(db: DbOrTx, { userId }: { userId: string }): Promise<void> {
  const auth = await getAuthBackend();
  // Profile removal and the last-admin check share a transaction so two concurrent deletes
  // of the last two admins cannot both succeed; the credentials go in the same transaction
  // for the embedded backend (Supabase's are removed by its API, first, inside it).
  await db.transaction(async (tx) => {
    const profile = await getProfileOrThrow(tx, { userId });
    if (profile.role === "admin") await assertNotLastAdmin(tx, { userId });
    await auth.deleteUser(tx, { userId });
    await deleteProfile(tx, { userId });
  });
}

export async function adminSetPassword(
  db: DbOrTx,
  input: { userId: string; password: string },
): Promise<void> {
  await getProfileOrThrow(db, { userId: input.userId });
  await (await getAuthBackend()).setPassword(db, input);
}

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD, or promotes that account. Idempotent. */
export async function ensureAdmin(
  db: DbOrTx,
  { email, password, fullName = "Administrator" }: { email: string; password: string; fullName?: string },
): Promise<{ created: boolean; profile: Profile }> {
  const normalized = email.trim().toLowerCase();
  const existing = await findProfileByEmail(db, { email: normalized });
  if (existing) {
    if (existing.role === "admin") return { created: false, profile: existing };
    return { created: false, profile: await setRole(db, { userId: existing.id, role: "admin" }) };
  }
  const profile = await registerUser(db, { email: normalized, password, fullName, role: "admin" }, true);
  return { created: true, profile };
}
