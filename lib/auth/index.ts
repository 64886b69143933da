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
import { hitRateLimit, peekRateLimit } from "@/lib/rate-limit";
import { openWallet } from "@/lib/wallet";
import { embeddedAuth } from "./embedded";
import { userNotFound } from "./errors";
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
 * Sign-in, sign-up and reset requests are limited per client IP and per email, so neither a
 * single client nor a botnet spread over many IPs can brute-force one account. The per-IP
 * ceiling is higher: a school's students may all come from one address.
 */
function authLimits(action: string, { ip, email }: { ip: string; email: string }) {
  const e = env();
  return [
    {
      key: `${action}:ip:${ip}`,
      limit: e.AUTH_RATE_LIMIT_IP_REQUESTS,
      windowSeconds: e.AUTH_RATE_LIMIT_WINDOW,
    },
    {
      key: `${action}:email:${email}`,
      limit: e.AUTH_RATE_LIMIT_REQUESTS,
      windowSeconds: e.AUTH_RATE_LIMIT_WINDOW,
    },
  ];
}

function rateLimited(retryAfter: number): ApiError {
  return new ApiError("RATE_LIMITED", "Too many attempts, try again later", {
    headers: { "Retry-After": String(retryAfter) },
  });
}

/** Counts this request against every limit of the action. */
async function enforceAuthRateLimit(db: DbOrTx, action: string, who: { ip: string; email: string }) {
  for (const limit of authLimits(action, who)) {
    const r = await hitRateLimit(db, limit);
    if (!r.allowed) throw rateLimited(r.retryAfter);
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
    await openWallet(tx, { userId });
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
  // Only failed sign-ins count, so students signing in normally never lock anyone out;
  // once a limit is reached even the right password is refused until the window ends.
  const limits = authLimits("signin", { ip: ctx.ip, email: input.email });
  for (const limit of limits) {
    const r = await peekRateLimit(db, limit);
    if (!r.allowed) throw rateLimited(r.retryAfter);
  }
  const auth = await getAuthBackend();
  let tokens: AuthTokens;
  try {
    tokens = await auth.signIn(db, input);
  } catch (err) {
    if (err instanceof ApiError && err.code === "INVALID_CREDENTIALS") {
      for (const limit of limits) await hitRateLimit(db, limit);
    }
    throw err;
  }
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
  // of the last two admins cannot both succeed. Credentials kept in our database go in the
  // same transaction; a remote backend's are removed after the commit, so that an HTTP call
  // never holds the admin row locks (and a retry finishes the job: see below).
  const found = await db.transaction(async (tx) => {
    const profile = await findProfile(tx, { userId });
    if (!profile) return false;
    if (profile.role === "admin") await assertNotLastAdmin(tx, { userId });
    if (auth.credentialsInDatabase) await auth.deleteUser(tx, { userId });
    await deleteProfile(tx, { userId });
    return true;
  });
  // Also for an unknown profile: it may be a retry after the remote call failed (idempotent).
  if (!auth.credentialsInDatabase) await auth.deleteUser(db, { userId });
  if (!found) throw userNotFound();
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
