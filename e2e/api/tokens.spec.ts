import { decodeJwt, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import {
  bearer,
  expect,
  JWT_AUDIENCE,
  JWT_ISSUER,
  JWT_SECRET,
  profileOf,
  signIn,
  test,
  USERS,
} from "../fixtures";

// The servers run with a known JWT_SECRET, so these tokens differ from a real one only in the
// defect under test; the first test proves a correctly minted one is accepted.

const INVALID_ACCESS = { detail: "Invalid or expired token", code: "INVALID_TOKEN" };
const secret = new TextEncoder().encode(JWT_SECRET);

interface Mint {
  secret?: Uint8Array;
  audience?: string;
  issuer?: string;
  expiresAt?: number;
  claims?: JWTPayload;
}

async function mint(real: JWTPayload, opts: Mint = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    email: real.email,
    role: "authenticated",
    session_id: real.session_id,
    ...opts.claims,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(real.sub))
    .setAudience(opts.audience ?? JWT_AUDIENCE)
    .setIssuer(opts.issuer ?? JWT_ISSUER)
    .setIssuedAt(now - 10)
    .setExpirationTime(opts.expiresAt ?? now + 600)
    .sign(opts.secret ?? secret);
}

test.describe("access tokens presented to GET /api/me", () => {
  let real: JWTPayload;

  test.beforeEach(async ({ request }) => {
    const { access_token } = await signIn(request, USERS.student.email, USERS.student.password);
    real = decodeJwt(access_token);
  });

  test("the server's own token is HS256 with the expected claims", async () => {
    expect(real).toStrictEqual({
      email: USERS.student.email,
      role: "authenticated",
      session_id: expect.any(String),
      sub: expect.any(String),
      aud: JWT_AUDIENCE,
      iss: JWT_ISSUER,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
  });

  test("a token minted with the server's secret for a live session is accepted", async ({ request }) => {
    const res = await request.get("/api/me", { headers: bearer(await mint(real)) });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual(profileOf(USERS.student));
  });

  const bad: { name: string; token: () => Promise<string> }[] = [
    { name: "expired", token: () => mint(real, { expiresAt: Math.floor(Date.now() / 1000) - 60 }) },
    {
      name: "signed with another secret",
      token: () =>
        mint(real, { secret: new TextEncoder().encode("another-secret-of-at-least-32-characters!") }),
    },
    {
      name: "alg none",
      token: async () =>
        new UnsecuredJWT({ email: real.email, role: "authenticated", session_id: real.session_id })
          .setSubject(String(real.sub))
          .setAudience(JWT_AUDIENCE)
          .setIssuer(JWT_ISSUER)
          .setIssuedAt()
          .setExpirationTime("10m")
          .encode(),
    },
    { name: "for another audience", token: () => mint(real, { audience: "anon" }) },
    { name: "from another issuer", token: () => mint(real, { issuer: "someone-else" }) },
    {
      name: "of a session that does not exist",
      token: () => mint(real, { claims: { session_id: "00000000-0000-4000-8000-000000000000" } }),
    },
    {
      name: "without a session id",
      token: () => mint(real, { claims: { session_id: undefined } }),
    },
    {
      name: "of a user that does not exist",
      token: async () => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ role: "authenticated", session_id: real.session_id })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("00000000-0000-4000-8000-000000000000")
          .setAudience(JWT_AUDIENCE)
          .setIssuer(JWT_ISSUER)
          .setExpirationTime(now + 600)
          .sign(secret);
      },
    },
  ];
  for (const { name, token } of bad) {
    test(`a token ${name} is 401 INVALID_TOKEN`, async ({ request }) => {
      const res = await request.get("/api/me", { headers: bearer(await token()) });
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toBe("Bearer");
      expect(await res.json()).toStrictEqual(INVALID_ACCESS);
    });
  }

  test("a student's token re-signed with role admin is still a student", async ({ request }) => {
    const token = await mint(real, { claims: { role: "admin", user_role: "admin", app_role: "admin" } });
    expect((await request.get("/api/me", { headers: bearer(token) })).status()).toBe(200);
    const res = await request.get("/api/admin/test-role", { headers: bearer(token) });
    expect(res.status()).toBe(403);
    expect(await res.json()).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
  });
});
