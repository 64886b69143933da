import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminCreateUser,
  adminDeleteUser,
  adminSetPassword,
  authenticateToken,
  completePasswordReset,
  getAuthBackend,
  logout,
  refreshSession,
  requestPasswordReset,
  resetAuthBackend,
  signIn,
  signUp,
} from "@/lib/auth";
import { resetEnvCache } from "@/lib/config/env";
import { findProfile } from "@/lib/profiles";
import * as fakeSupabase from "./fakes/supabase-auth";
import { useTestDb } from "./helpers/db";

const ctx = { ip: "10.0.0.2" };
const SUPABASE_VARS = [
  "SUPABASE_URL",
  "SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_JWT_SECRET",
];

function applySupabaseEnv(
  fake: fakeSupabase.FakeSupabaseAuth,
  { withJwtSecret }: { withJwtSecret: boolean },
) {
  process.env.SUPABASE_URL = fake.url;
  process.env.SUPABASE_ANON_KEY = fake.anonKey;
  process.env.SUPABASE_SERVICE_ROLE_KEY = fake.serviceRoleKey;
  if (withJwtSecret) process.env.SUPABASE_JWT_SECRET = fake.jwtSecret;
  else delete process.env.SUPABASE_JWT_SECRET;
  resetEnvCache();
  resetAuthBackend();
}

let fake: fakeSupabase.FakeSupabaseAuth;

// Registered before useTestDb so its beforeAll (which resets the env cache) sees these variables.
beforeAll(async () => {
  fake = await fakeSupabase.start();
  applySupabaseEnv(fake, { withJwtSecret: true });
});

const { db } = useTestDb();

afterAll(async () => {
  for (const name of SUPABASE_VARS) delete process.env[name];
  resetEnvCache();
  resetAuthBackend();
  await fake?.close();
});

const lastMailTo = (email: string) => fake.outbox.filter((m) => m.email === email).at(-1);

describe("supabase auth (HS256 secret)", () => {
  it("uses the Supabase backend", async () => {
    expect((await getAuthBackend()).name).toBe("supabase");
  });

  it("signs up with a profile, refuses a taken email and a wrong password", async () => {
    const profile = await signUp(
      db(),
      { email: "ada@example.com", password: "correct horse", fullName: "Ada" },
      ctx,
    );
    expect(profile).toMatchObject({ email: "ada@example.com", fullName: "Ada", role: "student" });
    expect(fake.userByEmail("ada@example.com")?.id).toBe(profile.id);
    expect(await findProfile(db(), { userId: profile.id })).toBeDefined();

    await expect(
      signUp(db(), { email: "ada@example.com", password: "another one", fullName: "Eve" }, ctx),
    ).rejects.toMatchObject({ status: 409, code: "EMAIL_TAKEN" });
    await expect(
      signIn(db(), { email: "ada@example.com", password: "wrong horse" }, ctx),
    ).rejects.toMatchObject({
      status: 401,
      code: "INVALID_CREDENTIALS",
    });
    await expect(
      signIn(db(), { email: "nobody@example.com", password: "whatever" }, ctx),
    ).rejects.toMatchObject({
      status: 401,
      code: "INVALID_CREDENTIALS",
    });
  });

  it("issues tokens that authenticate, and rotates refresh tokens", async () => {
    const session = await signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx);
    expect(session).toMatchObject({ expiresIn: 3600, user: { email: "ada@example.com" } });
    expect(session.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect((await authenticateToken(db(), session.accessToken))?.id).toBe(session.userId);
    expect(await authenticateToken(db(), `${session.accessToken.slice(0, -4)}AAAA`)).toBeNull();

    const next = await refreshSession(db(), session.refreshToken);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect((await authenticateToken(db(), next.accessToken))?.id).toBe(session.userId);
    await expect(refreshSession(db(), session.refreshToken)).rejects.toMatchObject({
      status: 401,
      code: "INVALID_TOKEN",
    });
    // Reuse ended the session: the rotated token is dead too.
    await expect(refreshSession(db(), next.refreshToken)).rejects.toMatchObject({ status: 401 });
    await expect(refreshSession(db(), "not-a-refresh-token")).rejects.toMatchObject({ status: 401 });
  });

  it("logs out by access token or by refresh token", async () => {
    const a = await signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx);
    const b = await signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx);
    await logout(db(), { accessToken: a.accessToken, refreshToken: a.refreshToken });
    await expect(refreshSession(db(), a.refreshToken)).rejects.toMatchObject({ status: 401 });
    // Only that session ended.
    const b2 = await refreshSession(db(), b.refreshToken);

    await logout(db(), { refreshToken: b2.refreshToken });
    await expect(refreshSession(db(), b2.refreshToken)).rejects.toMatchObject({ status: 401 });

    // Unknown or already-ended tokens are ignored.
    await logout(db(), { accessToken: a.accessToken, refreshToken: "unknown" });
    await logout(db(), { accessToken: "not.a.jwt" });
  });

  it("resets a password with the token from the mail and ends every session", async () => {
    const before = await signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx);
    await requestPasswordReset(db(), { email: "ada@example.com" }, ctx);
    const mail = lastMailTo("ada@example.com");
    expect(mail?.redirectTo).toMatch(/\/reset-password$/);
    if (!mail) throw new Error("no recovery mail");

    await expect(
      completePasswordReset(db(), { token: "bogus", newPassword: "new horse" }),
    ).rejects.toMatchObject({
      status: 401,
      code: "INVALID_TOKEN",
    });
    await completePasswordReset(db(), { token: mail.tokenHash, newPassword: "battery staple" });
    // Single use.
    await expect(
      completePasswordReset(db(), { token: mail.tokenHash, newPassword: "other staple" }),
    ).rejects.toMatchObject({ status: 401, code: "INVALID_TOKEN" });

    await expect(refreshSession(db(), before.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect([...fake.sessions.values()].filter((s) => s.userId === before.userId)).toHaveLength(0);
    await expect(
      signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx),
    ).rejects.toMatchObject({
      status: 401,
    });
    await signIn(db(), { email: "ada@example.com", password: "battery staple" }, ctx);
  });

  it("does not reveal whether an account exists, nor Supabase's resend limit", async () => {
    const sent = fake.outbox.length;
    await requestPasswordReset(db(), { email: "ghost@example.com" }, ctx);
    expect(fake.outbox.length).toBe(sent);
    // A second request within 60 s is refused by Supabase (429); the caller sees no difference.
    await requestPasswordReset(db(), { email: "ada@example.com" }, ctx);
    expect(fake.outbox.length).toBe(sent);
  });

  it("lets an admin create, re-password and delete users", async () => {
    const teacher = await adminCreateUser(db(), {
      email: "grace@example.com",
      password: "initial pass",
      fullName: "Grace",
      role: "teacher",
    });
    expect(teacher).toMatchObject({ email: "grace@example.com", role: "teacher" });
    expect(fake.userByEmail("grace@example.com")?.emailConfirmedAt).toBeTruthy();
    await expect(
      adminCreateUser(db(), { email: "grace@example.com", password: "initial pass", fullName: "G" }),
    ).rejects.toMatchObject({ status: 409, code: "EMAIL_TAKEN" });

    const session = await signIn(db(), { email: "grace@example.com", password: "initial pass" }, ctx);
    await adminSetPassword(db(), { userId: teacher.id, password: "second pass" });
    await expect(refreshSession(db(), session.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect([...fake.sessions.values()].filter((s) => s.userId === teacher.id)).toHaveLength(0);
    await expect(
      signIn(db(), { email: "grace@example.com", password: "initial pass" }, ctx),
    ).rejects.toMatchObject({
      status: 401,
    });
    const again = await signIn(db(), { email: "grace@example.com", password: "second pass" }, ctx);

    await adminDeleteUser(db(), { userId: teacher.id });
    expect(fake.users.has(teacher.id)).toBe(false);
    expect(await findProfile(db(), { userId: teacher.id })).toBeUndefined();
    // Its token still verifies (Supabase tokens live until they expire) but has no profile behind it.
    expect(await authenticateToken(db(), again.accessToken)).toBeNull();
    await expect(
      adminSetPassword(db(), { userId: teacher.id, password: "third pass" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("backend: unknown users are NOT_FOUND for set-password and ignored for delete", async () => {
    const auth = await getAuthBackend();
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(auth.setPassword(db(), { userId: missing, password: "whatever1" })).rejects.toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
    await expect(
      auth.setPassword(db(), { userId: "not-a-uuid", password: "whatever1" }),
    ).rejects.toMatchObject({
      status: 404,
    });
    await auth.deleteUser(db(), { userId: missing });
  });

  it("removes the Supabase user when the profile cannot be created", async () => {
    const auth = await getAuthBackend();
    await expect(
      auth.createUser(
        db(),
        { email: "orphan@example.com", password: "orphan pass", admin: false },
        async () => {
          throw new Error("profile failed");
        },
      ),
    ).rejects.toThrow("profile failed");
    expect(fake.userByEmail("orphan@example.com")).toBeUndefined();

    await expect(
      auth.createUser(
        db(),
        { email: "orphan2@example.com", password: "orphan pass", admin: true },
        async () => {
          throw new Error("profile failed");
        },
      ),
    ).rejects.toThrow("profile failed");
    expect(fake.userByEmail("orphan2@example.com")).toBeUndefined();
  });

  it("reads a session from Supabase's own sb-* cookies through @supabase/ssr", async () => {
    const email = "cookie.user@example.com";
    const profile = await adminCreateUser(db(), { email, password: "password-123", fullName: "C" });
    const { createClient } = await import("@supabase/supabase-js");
    const WebSocket = (await import("ws")).default;
    const browserLike = createClient(fake.url, fake.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const { data } = await browserLike.auth.signInWithPassword({ email, password: "password-123" });
    expect(data.session).toBeTruthy();
    // What @supabase/ssr's browser client writes: base64url JSON under sb-<host label>-auth-token.
    const storageKey = `sb-${new URL(fake.url).hostname.split(".")[0]}-auth-token`;
    const value = `base64-${Buffer.from(JSON.stringify(data.session)).toString("base64url")}`;
    const meRoute = await import("@/app/api/me/route");
    const { call } = await import("./helpers/http");
    const res = await call(meRoute.GET, {
      path: "/api/me",
      headers: { cookie: `other=1; ${storageKey}=${value}` },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(profile.id);
    const tampered = `base64-${Buffer.from(JSON.stringify({ ...data.session, access_token: "x.y.z" })).toString("base64url")}`;
    const bad = await call(meRoute.GET, {
      path: "/api/me",
      headers: { cookie: `${storageKey}=${tampered}` },
    });
    expect(bad.status).toBe(401);
    // An expired session is not refreshed from here (a refresh would have answered 200 with a
    // new token whose rotation is then lost; a forged cookie would make us call Supabase).
    const expired = `base64-${Buffer.from(JSON.stringify({ ...data.session, expires_at: 1 })).toString("base64url")}`;
    const old = await call(meRoute.GET, { path: "/api/me", headers: { cookie: `${storageKey}=${expired}` } });
    expect(old.status).toBe(401);
    // Large sessions are split into .0, .1 … chunks by @supabase/ssr.
    const half = Math.ceil(value.length / 2);
    const chunked = `${storageKey}.0=${value.slice(0, half)}; ${storageKey}.1=${value.slice(half)}`;
    expect((await call(meRoute.GET, { path: "/api/me", headers: { cookie: chunked } })).status).toBe(200);
  });

  it("maps Supabase's password policy to a validation error", async () => {
    await expect(
      signUp(db(), { email: "short@example.com", password: "abc", fullName: "S" }, ctx),
    ).rejects.toMatchObject({ status: 400, code: "VALIDATION_ERROR" });
    expect(fake.userByEmail("short@example.com")).toBeUndefined();
  });
});

describe("supabase auth with email confirmation on", () => {
  let confirming: fakeSupabase.FakeSupabaseAuth;
  beforeAll(async () => {
    confirming = await fakeSupabase.start({ autoconfirm: false });
    applySupabaseEnv(confirming, { withJwtSecret: true });
  });
  afterAll(async () => {
    applySupabaseEnv(fake, { withJwtSecret: true });
    await confirming.close();
  });

  it("treats the look-alike answer for a taken email as EMAIL_TAKEN", async () => {
    const profile = await signUp(
      db(),
      { email: "conf@example.com", password: "conf horse", fullName: "C" },
      ctx,
    );
    expect(confirming.users.get(profile.id)?.emailConfirmedAt).toBeNull();
    await expect(
      signIn(db(), { email: "conf@example.com", password: "conf horse" }, ctx),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      signUp(db(), { email: "conf@example.com", password: "conf horse", fullName: "C" }, ctx),
    ).rejects.toMatchObject({ status: 409, code: "EMAIL_TAKEN" });
    expect(confirming.users.size).toBe(1);
  });
});

describe("supabase auth verified through JWKS (no SUPABASE_JWT_SECRET)", () => {
  let asymmetric: fakeSupabase.FakeSupabaseAuth;
  beforeAll(async () => {
    asymmetric = await fakeSupabase.start({ signing: "es256" });
    applySupabaseEnv(asymmetric, { withJwtSecret: false });
  });
  afterAll(async () => {
    applySupabaseEnv(fake, { withJwtSecret: true });
    await asymmetric.close();
  });

  it("verifies ES256 access tokens against the published keys", async () => {
    const profile = await signUp(
      db(),
      { email: "lin@example.com", password: "jwks horse", fullName: "Lin" },
      ctx,
    );
    const session = await signIn(db(), { email: "lin@example.com", password: "jwks horse" }, ctx);
    expect(
      JSON.parse(Buffer.from(session.accessToken.split(".")[0] ?? "", "base64url").toString()),
    ).toMatchObject({
      alg: "ES256",
    });
    expect((await authenticateToken(db(), session.accessToken))?.id).toBe(profile.id);

    const key = await (await getAuthBackend()).verificationKey(db());
    expect(key.secret).toBeUndefined();
    expect(key.issuer).toBe(`${asymmetric.url}/auth/v1`);

    // An HS256 token signed with the project's legacy secret is not accepted in this mode.
    expect(await authenticateToken(db(), asymmetric.serviceRoleKey)).toBeNull();
  });
});
