import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import * as logoutRoute from "@/app/api/auth/logout/route";
import * as refreshRoute from "@/app/api/auth/refresh/route";
import * as resetConfirmRoute from "@/app/api/auth/reset-password/confirm/route";
import * as resetRoute from "@/app/api/auth/reset-password/route";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import * as meRoute from "@/app/api/me/route";
import { listOutbox } from "@/lib/mail";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { uniqueEmail } from "./helpers/users";

const { db } = useTestDb();
const SECRET = new TextEncoder().encode(process.env.JWT_SECRET);

const signup = (body: unknown) => call(signupRoute.POST, { path: "/api/auth/signup", method: "POST", body });
const signin = (body: unknown) => call(signinRoute.POST, { path: "/api/auth/signin", method: "POST", body });
const me = (token?: string) => call(meRoute.GET, { path: "/api/me", token });

async function newAccount(password = "password-123") {
  const email = uniqueEmail();
  const res = await signup({ email, password, full_name: "Aminetou" });
  expect(res.status).toBe(201);
  return { email, password, userId: res.body.data.user_id as string };
}

describe("POST /api/auth/signup", () => {
  it("creates the account and its profile", async () => {
    const email = uniqueEmail("Mixed.Case").replace("mixed", "MIXED");
    const res = await signup({ email, password: "password-123", full_name: "Sidi" });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({
      success: true,
      data: { user_id: expect.any(String), email: email.toLowerCase() },
    });
    const s = await signin({ email, password: "password-123" });
    const profile = await me(s.body.data.access_token);
    expect(profile.body).toStrictEqual({
      id: res.body.data.user_id,
      email: email.toLowerCase(),
      full_name: "Sidi",
      role: "student",
      hint_level: 3,
      preferred_language: null,
      created_at: expect.any(String),
    });
  });

  it("refuses a duplicate email, whatever its case", async () => {
    const { email } = await newAccount();
    const res = await signup({ email: email.toUpperCase(), password: "password-456" });
    expect(res.status).toBe(409);
    expect(res.body).toStrictEqual({ detail: "A user with this email already exists", code: "EMAIL_TAKEN" });
  });

  it.each([
    [{ email: "not-an-email", password: "password-123" }, "email"],
    [{ email: "a@b.co", password: "short" }, "password"],
    [{ email: "a@b.co", password: "é".repeat(40) }, "password"],
    [{ password: "password-123" }, "email"],
    [{ email: "a@b.co" }, "password"],
    [{ email: "a@b.co", password: 12345678 }, "password"],
  ])("rejects %j naming the field %s", async (body, field) => {
    const res = await signup(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("VALIDATION_ERROR");
    expect(res.body.detail.toLowerCase()).toContain(field);
    expect(res.body.errors[0]).toMatchObject({ loc: ["body", field], field });
  });

  it("answers malformed JSON with 400", async () => {
    const res = await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      rawBody: '{"email": "a@b.co",',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({ detail: "Malformed JSON body", code: "INVALID_JSON" });
  });
});

describe("POST /api/auth/signin", () => {
  it("returns tokens, the profile, and httpOnly SameSite=Lax cookies", async () => {
    const { email, password, userId } = await newAccount();
    const res = await signin({ email, password });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      success: true,
      data: {
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: "bearer",
        expires_in: 3600,
        expires_at: expect.any(Number),
        user: {
          id: userId,
          email,
          full_name: "Aminetou",
          role: "student",
          hint_level: 3,
          preferred_language: null,
          created_at: expect.any(String),
        },
      },
    });
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    for (const c of cookies) expect(c).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it("answers a wrong password and an unknown email identically", async () => {
    const { email } = await newAccount();
    const wrong = await signin({ email, password: "wrong-password" });
    const unknown = await signin({ email: uniqueEmail("ghost"), password: "wrong-password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toStrictEqual({ detail: "Invalid email or password", code: "INVALID_CREDENTIALS" });
    expect(unknown.body).toStrictEqual(wrong.body);
  });
});

describe("access tokens", () => {
  async function token(claims: Record<string, unknown>, opts: { secret?: Uint8Array; exp?: number } = {}) {
    return new SignJWT({ role: "authenticated", ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("bacmr")
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(opts.secret ?? SECRET);
  }

  it.each([
    [
      "expired",
      async (sub: string, sid: string) =>
        token({ sub, session_id: sid, aud: "authenticated" }, { exp: Math.floor(Date.now() / 1000) - 10 }),
    ],
    [
      "forged",
      async (sub: string, sid: string) =>
        token(
          { sub, session_id: sid, aud: "authenticated" },
          { secret: new TextEncoder().encode("another-secret-another-secret-another!") },
        ),
    ],
    [
      "wrong audience",
      async (sub: string, sid: string) => token({ sub, session_id: sid, aud: "service_role" }),
    ],
    [
      "alg none",
      async (sub: string, sid: string) => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const exp = Math.floor(Date.now() / 1000) + 600;
        return `${enc({ alg: "none", typ: "JWT" })}.${enc({ sub, session_id: sid, aud: "authenticated", role: "authenticated", iss: "bacmr", exp })}.`;
      },
    ],
    ["garbage", async () => "not.a.jwt"],
  ])("refuses an %s token with 401", async (_name, make) => {
    const { email, password } = await newAccount();
    const s = await signin({ email, password });
    const payload = JSON.parse(Buffer.from(s.body.data.access_token.split(".")[1], "base64url").toString());
    // The same claims, correctly signed, are accepted: the failures below come from the defect alone.
    expect(
      (await me(await token({ sub: payload.sub, session_id: payload.session_id, aud: "authenticated" })))
        .status,
    ).toBe(200);
    const res = await me(await make(payload.sub, payload.session_id));
    expect(res.status).toBe(401);
    expect(res.body).toStrictEqual({ detail: "Invalid or expired token", code: "INVALID_TOKEN" });
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("answers a missing token with 401", async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.body).toStrictEqual({ detail: "Not authenticated", code: "UNAUTHORIZED" });
  });
});

describe("refresh and logout", () => {
  const refresh = (refresh_token?: string, headers?: Record<string, string>) =>
    call(refreshRoute.POST, {
      path: "/api/auth/refresh",
      method: "POST",
      body: refresh_token === undefined ? undefined : { refresh_token },
      headers,
    });

  it("rotates, and a reused refresh token ends the session", async () => {
    const { email, password } = await newAccount();
    const first = (await signin({ email, password })).body.data;
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.data.refresh_token).not.toBe(first.refresh_token);
    expect((await me(second.body.data.access_token)).status).toBe(200);

    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(401);
    expect(reuse.body).toStrictEqual({ detail: "Invalid or expired refresh token", code: "INVALID_TOKEN" });
    // Whoever held the rotated token is signed out as well.
    expect((await refresh(second.body.data.refresh_token)).status).toBe(401);
    expect((await me(second.body.data.access_token)).status).toBe(401);
  });

  it("two requests racing with one refresh token: one wins, and the session ends", async () => {
    const { email, password } = await newAccount();
    const first = (await signin({ email, password })).body.data;
    const results = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    expect(results.map((r) => r.status).sort()).toStrictEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)?.body.data;
    expect((await refresh(winner.refresh_token)).status).toBe(401);
    expect((await me(winner.access_token)).status).toBe(401);
  });

  it("reads the refresh cookie when the body has none", async () => {
    const { email, password } = await newAccount();
    const first = (await signin({ email, password })).body.data;
    const res = await refresh(undefined, { cookie: `bacmr_refresh=${first.refresh_token}` });
    expect(res.status).toBe(200);
    expect((await refresh(undefined)).status).toBe(401);
  });

  it("logout revokes the refresh token and the access token's session, and clears cookies", async () => {
    const { email, password } = await newAccount();
    const s = (await signin({ email, password })).body.data;
    const out = await call(logoutRoute.POST, {
      path: "/api/auth/logout",
      method: "POST",
      token: s.access_token,
      body: { refresh_token: s.refresh_token },
    });
    expect(out.status).toBe(200);
    expect(out.body).toStrictEqual({ success: true, message: "Signed out" });
    expect(out.headers.getSetCookie().every((c) => c.includes("Max-Age=0"))).toBe(true);
    expect((await refresh(s.refresh_token)).status).toBe(401);
    expect((await me(s.access_token)).status).toBe(401);
  });

  it("logout without any token still succeeds", async () => {
    const out = await call(logoutRoute.POST, { path: "/api/auth/logout", method: "POST" });
    expect(out.status).toBe(200);
  });
});

describe("password reset", () => {
  const request = (email: string) =>
    call(resetRoute.POST, { path: "/api/auth/reset-password", method: "POST", body: { email } });
  const confirm = (token: string, new_password: string) =>
    call(resetConfirmRoute.POST, {
      path: "/api/auth/reset-password/confirm",
      method: "POST",
      body: { token, new_password },
    });

  async function latestToken(email: string): Promise<string> {
    const { messages } = await listOutbox(db(), { to: email, limit: 1, offset: 0 });
    const match = /token=([\w-]+)/.exec(messages[0]?.body ?? "");
    if (!match?.[1]) throw new Error("no reset mail");
    return match[1];
  }

  it("answers the same for known and unknown emails, and mails only the known one", async () => {
    const { email } = await newAccount();
    const ghost = uniqueEmail("ghost");
    const known = await request(email);
    const unknown = await request(ghost);
    expect(known.status).toBe(200);
    expect(unknown.body).toStrictEqual(known.body);
    expect((await listOutbox(db(), { to: email, limit: 5, offset: 0 })).total).toBe(1);
    expect((await listOutbox(db(), { to: ghost, limit: 5, offset: 0 })).total).toBe(0);
  });

  it("sets a new password once, and ends existing sessions", async () => {
    const { email, password } = await newAccount();
    const before = (await signin({ email, password })).body.data;
    await request(email);
    const token = await latestToken(email);
    const ok = await confirm(token, "brand-new-password");
    expect(ok.status).toBe(200);
    expect((await signin({ email, password })).status).toBe(401);
    expect((await signin({ email, password: "brand-new-password" })).status).toBe(200);
    expect((await me(before.access_token)).status).toBe(401);
    const again = await confirm(token, "another-password");
    expect(again.status).toBe(401);
    expect(again.body).toStrictEqual({ detail: "Invalid or expired reset token", code: "INVALID_TOKEN" });
  });

  it("a reset kills the older links too", async () => {
    const { email } = await newAccount();
    await request(email);
    const older = await latestToken(email);
    await request(email);
    const newer = await latestToken(email);
    expect(newer).not.toBe(older);
    expect((await confirm(newer, "brand-new-password")).status).toBe(200);
    expect((await confirm(older, "another-password")).status).toBe(401);
    expect((await signin({ email, password: "brand-new-password" })).status).toBe(200);
  });

  it("validates the new password", async () => {
    const res = await confirm("whatever", "short");
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^new_password: /);
  });
});
