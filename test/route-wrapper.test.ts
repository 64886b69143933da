import { describe, expect, it } from "vitest";
import * as mailRoute from "@/app/api/admin/mail-outbox/route";
import * as usersRoute from "@/app/api/admin/users/route";
import * as logoutRoute from "@/app/api/auth/logout/route";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import * as meRoute from "@/app/api/me/route";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser, uniqueEmail } from "./helpers/users";

const { db } = useTestDb();
const KEY = { "x-admin-key": process.env.ADMIN_API_KEY ?? "" };

describe("route wrapper: content type and origin", () => {
  it("refuses a JSON-looking body that is not declared as JSON (cross-site form posts)", async () => {
    const email = uniqueEmail();
    await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123" },
    });
    // What <form enctype="text/plain"> with one field named {"email":…,"x":" sends.
    const res = await call(signinRoute.POST, {
      path: "/api/auth/signin",
      method: "POST",
      rawBody: `{"email":"${email}","password":"password-123","x":"="}`,
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect(res.body).toStrictEqual({
      detail: "Content-Type must be application/json",
      code: "UNSUPPORTED_MEDIA_TYPE",
    });
    expect(res.headers.getSetCookie()).toHaveLength(0);
  });

  it("accepts application/json with a charset and vendor +json types", async () => {
    const email = uniqueEmail();
    for (const type of ["application/json; charset=utf-8", "application/vnd.api+json"]) {
      const res = await call(signupRoute.POST, {
        path: "/api/auth/signup",
        method: "POST",
        rawBody: JSON.stringify({ email: `${type.length}${email}`, password: "password-123" }),
        headers: { "content-type": type },
      });
      expect(res.status).toBe(201);
    }
  });

  it("refuses cookie-authenticated writes from another origin, not same-origin or bearer ones", async () => {
    const u = await createSignedInUser(db());
    const patch = (headers: Record<string, string>) =>
      call(meRoute.PATCH, { path: "/api/me", method: "PATCH", body: { full_name: "X" }, headers });
    const cookie = `bacmr_access=${u.accessToken}`;
    const foreign = await patch({ cookie, origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toStrictEqual({ detail: "Cross-site request refused", code: "FORBIDDEN" });
    expect((await patch({ cookie, origin: "http://localhost" })).status).toBe(200);
    expect((await patch({ cookie })).status).toBe(200);
    expect(
      (await patch({ authorization: `Bearer ${u.accessToken}`, origin: "https://partner.example" })).status,
    ).toBe(200);
    // Forced logout from another site is refused too.
    const out = await call(logoutRoute.POST, {
      path: "/api/auth/logout",
      method: "POST",
      headers: { cookie, origin: "null" },
    });
    expect(out.status).toBe(403);
  });
});

describe("route wrapper: NUL characters", () => {
  it("answers 400 naming the field, for bodies and queries", async () => {
    const res = await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email: uniqueEmail(), password: "password-123", full_name: "a\u0000b" },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("full_name: must not contain NUL characters");
    const q = await call(mailRoute.GET, { path: "/api/admin/mail-outbox?to=a%00b", headers: KEY });
    expect(q.status).toBe(400);
    expect(q.body.detail).toBe("to: must not contain NUL characters");
    const nested = await call(usersRoute.POST, {
      path: "/api/admin/users",
      method: "POST",
      body: { email: uniqueEmail(), password: "pass\u0000word-1" },
      headers: KEY,
    });
    expect(nested.status).toBe(400);
    expect(nested.body.detail).toBe("password: must not contain NUL characters");
  });
});

describe("route wrapper: text Postgres cannot store", () => {
  it("answers 400 naming the field for a lone surrogate (it was a 500 at the first query)", async () => {
    const u = await createSignedInUser(db());
    const rename = (rawBody: string) =>
      call(meRoute.PATCH, {
        path: "/api/me",
        method: "PATCH",
        token: u.accessToken,
        rawBody,
        headers: { "content-type": "application/json" },
      });
    const res = await rename('{"full_name":"Ali \\ud800"}');
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({
      detail: "full_name: must be valid Unicode (no lone surrogates)",
      code: "VALIDATION_ERROR",
      errors: [
        { loc: ["body", "full_name"], field: "full_name", msg: "must be valid Unicode (no lone surrogates)" },
      ],
    });
    // A well-formed pair (an emoji) is text like any other.
    const emoji = await rename('{"full_name":"Ali \\ud83d\\ude00"}');
    expect(emoji.status).toBe(200);
    expect(emoji.body.full_name).toBe("Ali 😀");
  });

  it("ignores what the endpoint does not read: an undeclared query, an unknown query key", async () => {
    const u = await createSignedInUser(db());
    // GET /api/me takes no query: junk in it was a 400 that the endpoint does not document.
    const me = await call(meRoute.GET, { path: "/api/me?x=a%00b", token: u.accessToken });
    expect(me.status).toBe(200);
    const mail = await call(mailRoute.GET, { path: "/api/admin/mail-outbox?junk=a%00b", headers: KEY });
    expect(mail.status).toBe(200);
  });
});
