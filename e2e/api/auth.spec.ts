import {
  ACCESS_TOKEN_TTL_SECONDS,
  bearer,
  expect,
  newApiContext,
  profileOf,
  REFRESH_TOKEN_TTL_DAYS,
  type Session,
  signIn,
  test,
  USERS,
  uniqueEmail,
} from "../fixtures";

const INVALID_CREDENTIALS = { detail: "Invalid email or password", code: "INVALID_CREDENTIALS" };
const INVALID_REFRESH = { detail: "Invalid or expired refresh token", code: "INVALID_TOKEN" };
const INVALID_ACCESS = { detail: "Invalid or expired token", code: "INVALID_TOKEN" };

function sessionBody(user: { email: string; fullName: string; role: string }) {
  return {
    success: true,
    data: {
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "bearer",
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      expires_at: expect.any(Number),
      user: profileOf(user),
    },
  };
}

function validation(where: "body" | "query" | "path", field: string, msg: string, loc = [field]) {
  return {
    // The server prefixes the field unless the message already names it.
    detail: msg.toLowerCase().includes(field.toLowerCase()) ? msg : `${field}: ${msg}`,
    code: "VALIDATION_ERROR",
    errors: [{ loc: [where, ...loc], field, msg }],
  };
}

test.describe("POST /api/auth/signup", () => {
  test("creates a student and answers 201 with its id and normalized email", async ({ request }) => {
    const email = uniqueEmail("Signup");
    const res = await request.post("/api/auth/signup", {
      data: { email: `  ${email.toUpperCase()} `, password: "a-good-password", full_name: "  Sidi Mohamed " },
    });
    expect(res.status()).toBe(201);
    expect(await res.json()).toStrictEqual({ success: true, data: { user_id: expect.any(String), email } });

    const session = await signIn(request, email, "a-good-password");
    expect(session.user).toStrictEqual(profileOf({ email, fullName: "Sidi Mohamed", role: "student" }));
  });

  test("an email already registered (in any case) is 409 EMAIL_TAKEN", async ({ request }) => {
    const email = uniqueEmail("dup");
    expect(
      (await request.post("/api/auth/signup", { data: { email, password: "password-1" } })).status(),
    ).toBe(201);
    for (const again of [email, email.toUpperCase()]) {
      const res = await request.post("/api/auth/signup", { data: { email: again, password: "password-2" } });
      expect(res.status()).toBe(409);
      expect(await res.json()).toStrictEqual({
        detail: "A user with this email already exists",
        code: "EMAIL_TAKEN",
      });
    }
  });

  test("two simultaneous sign-ups with one email: exactly one wins", async ({ request }) => {
    const email = uniqueEmail("race");
    const results = await Promise.all(
      ["password-a1", "password-b2"].map((password) =>
        request.post("/api/auth/signup", { data: { email, password } }),
      ),
    );
    expect(results.map((r) => r.status()).sort()).toStrictEqual([201, 409]);
  });

  const badBodies: { name: string; data: unknown; body: unknown }[] = [
    {
      name: "malformed email",
      data: { email: "not-an-email", password: "password-1" },
      body: validation("body", "email", "Invalid email address"),
    },
    {
      name: "short password",
      data: { email: "short@e2e.bacmr.test", password: "1234567" },
      body: validation("body", "password", "Password must be at least 8 characters"),
    },
    {
      name: "password over 72 bytes",
      data: { email: "long@e2e.bacmr.test", password: "é".repeat(37) },
      body: validation("body", "password", "Password must be at most 72 bytes"),
    },
    {
      name: "full name over 200 characters",
      data: { email: "name@e2e.bacmr.test", password: "password-1", full_name: "x".repeat(201) },
      body: validation("body", "full_name", "Too big: expected string to have <=200 characters"),
    },
  ];
  for (const { name, data, body } of badBodies) {
    test(`${name} is 400 naming the field`, async ({ request }) => {
      const res = await request.post("/api/auth/signup", { data });
      expect(res.status()).toBe(400);
      expect(await res.json()).toStrictEqual(body);
    });
  }

  test("a missing password is 400 naming it", async ({ request }) => {
    const res = await request.post("/api/auth/signup", { data: { email: "nopass@e2e.bacmr.test" } });
    expect(res.status()).toBe(400);
    expect(await res.json()).toStrictEqual(
      validation("body", "password", "Invalid input: expected string, received undefined"),
    );
  });

  test("malformed JSON is 400 INVALID_JSON", async ({ request }) => {
    const res = await request.post("/api/auth/signup", {
      headers: { "content-type": "application/json" },
      // A Buffer is sent as is (a string would be JSON-encoded into a valid JSON string).
      data: Buffer.from('{"email": "x@e2e.bacmr.test", "password": '),
    });
    expect(res.status()).toBe(400);
    expect(await res.json()).toStrictEqual({ detail: "Malformed JSON body", code: "INVALID_JSON" });
  });
});

test.describe("POST /api/auth/signin", () => {
  test("answers 200 with tokens and the profile, and sets httpOnly SameSite=Lax cookies", async () => {
    const api = await newApiContext();
    const { student } = USERS;
    const res = await api.post("/api/auth/signin", {
      data: { email: student.email, password: student.password },
    });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { data: Session };
    expect(body).toStrictEqual(sessionBody(student));
    const now = Math.floor(Date.now() / 1000);
    expect(body.data.expires_at).toBeGreaterThan(now + ACCESS_TOKEN_TTL_SECONDS - 120);
    expect(body.data.expires_at).toBeLessThanOrEqual(now + ACCESS_TOKEN_TTL_SECONDS + 120);

    const cookies = res
      .headersArray()
      .filter((h) => h.name.toLowerCase() === "set-cookie")
      .map((h) => h.value)
      .sort();
    expect(cookies).toStrictEqual([
      `bacmr_access=${encodeURIComponent(body.data.access_token)}; Path=/; Max-Age=${ACCESS_TOKEN_TTL_SECONDS}; HttpOnly; SameSite=Lax`,
      `bacmr_refresh=${encodeURIComponent(body.data.refresh_token)}; Path=/; Max-Age=${REFRESH_TOKEN_TTL_DAYS * 86_400}; HttpOnly; SameSite=Lax`,
    ]);

    // The cookie alone authenticates (that is how the pages call the API).
    const me = await api.get("/api/me");
    expect(me.status()).toBe(200);
    expect(await me.json()).toStrictEqual(profileOf(student));
    await api.dispose();
  });

  test("the email is matched case-insensitively", async ({ request }) => {
    const { teacher } = USERS;
    const res = await request.post("/api/auth/signin", {
      data: { email: teacher.email.toUpperCase(), password: teacher.password },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual(sessionBody(teacher));
  });

  test("a wrong password and an unknown email get the same 401", async ({ request }) => {
    for (const data of [
      { email: USERS.student.email, password: "wrong-password" },
      { email: uniqueEmail("nobody"), password: USERS.student.password },
    ]) {
      const res = await request.post("/api/auth/signin", { data });
      expect(res.status(), data.email).toBe(401);
      expect(await res.json()).toStrictEqual(INVALID_CREDENTIALS);
      expect(res.headers()["set-cookie"]).toBeUndefined();
    }
  });

  test("an empty password is 400 naming it", async ({ request }) => {
    const res = await request.post("/api/auth/signin", {
      data: { email: USERS.student.email, password: "" },
    });
    expect(res.status()).toBe(400);
    expect(await res.json()).toStrictEqual(validation("body", "password", "Password is required"));
  });
});

test.describe("access tokens", () => {
  test("GET /api/me without credentials is 401 UNAUTHORIZED", async () => {
    const api = await newApiContext();
    const res = await api.get("/api/me");
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toBe("Bearer");
    expect(await res.json()).toStrictEqual({ detail: "Not authenticated", code: "UNAUTHORIZED" });
    await api.dispose();
  });

  test("a garbage bearer token is 401 INVALID_TOKEN", async ({ request }) => {
    for (const token of ["garbage", "a.b.c"]) {
      const res = await request.get("/api/me", { headers: bearer(token) });
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toBe("Bearer");
      expect(await res.json()).toStrictEqual(INVALID_ACCESS);
    }
  });
});

test.describe("GET and PATCH /api/me", () => {
  test("returns and updates the caller's own profile", async ({ request }) => {
    const email = uniqueEmail("me");
    await request.post("/api/auth/signup", {
      data: { email, password: "password-me-1", full_name: "Avant" },
    });
    const { access_token } = await signIn(request, email, "password-me-1");

    const me = await request.get("/api/me", { headers: bearer(access_token) });
    expect(me.status()).toBe(200);
    expect(await me.json()).toStrictEqual(profileOf({ email, fullName: "Avant", role: "student" }));

    const patched = await request.patch("/api/me", {
      headers: bearer(access_token),
      data: { full_name: "  Après  " },
    });
    expect(patched.status()).toBe(200);
    expect(await patched.json()).toStrictEqual(profileOf({ email, fullName: "Après", role: "student" }));

    const empty = await request.patch("/api/me", { headers: bearer(access_token), data: {} });
    expect(empty.status()).toBe(200);
    expect(await empty.json()).toStrictEqual(profileOf({ email, fullName: "Après", role: "student" }));
  });

  const badPatches: { name: string; data: unknown; body: unknown }[] = [
    {
      name: "a role",
      data: { role: "admin" },
      body: {
        detail: 'body: Unrecognized key: "role"',
        code: "VALIDATION_ERROR",
        errors: [{ loc: ["body"], field: "body", msg: 'Unrecognized key: "role"' }],
      },
    },
    {
      name: "a hint level next to a name",
      data: { full_name: "X", hint_level: 1 },
      body: {
        detail: 'body: Unrecognized key: "hint_level"',
        code: "VALIDATION_ERROR",
        errors: [{ loc: ["body"], field: "body", msg: 'Unrecognized key: "hint_level"' }],
      },
    },
    {
      name: "an empty name",
      data: { full_name: "   " },
      body: validation("body", "full_name", "full_name cannot be empty"),
    },
  ];
  for (const { name, data, body } of badPatches) {
    test(`PATCH with ${name} is 400 and changes nothing`, async ({ request }) => {
      const { student } = USERS;
      const { access_token } = await signIn(request, student.email, student.password);
      const res = await request.patch("/api/me", { headers: bearer(access_token), data });
      expect(res.status()).toBe(400);
      expect(await res.json()).toStrictEqual(body);
      const me = await request.get("/api/me", { headers: bearer(access_token) });
      expect(await me.json()).toStrictEqual(profileOf(student));
    });
  }
});

test.describe("POST /api/auth/refresh", () => {
  test("rotates: the new tokens work, and replaying the old refresh token ends the session", async ({
    request,
  }) => {
    const { student } = USERS;
    const first = await signIn(request, student.email, student.password);

    const rotated = await request.post("/api/auth/refresh", { data: { refresh_token: first.refresh_token } });
    expect(rotated.status()).toBe(200);
    const second = ((await rotated.json()) as { data: Session }).data;
    expect({ success: true, data: second }).toStrictEqual(sessionBody(student));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await request.get("/api/me", { headers: bearer(second.access_token) })).status()).toBe(200);

    const replay = await request.post("/api/auth/refresh", { data: { refresh_token: first.refresh_token } });
    expect(replay.status()).toBe(401);
    expect(await replay.json()).toStrictEqual(INVALID_REFRESH);

    // The replay was a sign of theft: the whole session is over, for the legitimate holder too.
    const newest = await request.post("/api/auth/refresh", { data: { refresh_token: second.refresh_token } });
    expect(newest.status()).toBe(401);
    expect(await newest.json()).toStrictEqual(INVALID_REFRESH);
    for (const token of [first.access_token, second.access_token]) {
      const me = await request.get("/api/me", { headers: bearer(token) });
      expect(me.status()).toBe(401);
      expect(await me.json()).toStrictEqual(INVALID_ACCESS);
    }

    // Other sessions of the same user are not affected.
    const other = await signIn(request, student.email, student.password);
    expect((await request.get("/api/me", { headers: bearer(other.access_token) })).status()).toBe(200);
  });

  test("one refresh token presented twice at once rotates only once", async ({ request }) => {
    const { teacher } = USERS;
    const session = await signIn(request, teacher.email, teacher.password);
    const results = await Promise.all(
      [1, 2].map(() => request.post("/api/auth/refresh", { data: { refresh_token: session.refresh_token } })),
    );
    expect(results.map((r) => r.status()).sort()).toStrictEqual([200, 401]);
  });

  test("without a body, the refresh cookie is used and rotated", async () => {
    const api = await newApiContext();
    const { teacher } = USERS;
    const first = await signIn(api, teacher.email, teacher.password);
    const res = await api.post("/api/auth/refresh");
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { data: Session };
    expect(body).toStrictEqual(sessionBody(teacher));
    expect(body.data.refresh_token).not.toBe(first.refresh_token);
    const cookies = res.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie");
    expect(cookies.map((c) => c.value.split("=")[0]).sort()).toStrictEqual(["bacmr_access", "bacmr_refresh"]);
    // The jar now holds the rotated cookie, which works once more.
    expect((await api.post("/api/auth/refresh")).status()).toBe(200);
    await api.dispose();
  });

  test("no token at all, or an unknown one, is 401 INVALID_TOKEN", async () => {
    const api = await newApiContext();
    const none = await api.post("/api/auth/refresh");
    expect(none.status()).toBe(401);
    expect(await none.json()).toStrictEqual({ detail: "Refresh token required", code: "INVALID_TOKEN" });
    const unknown = await api.post("/api/auth/refresh", { data: { refresh_token: "not-a-real-token" } });
    expect(unknown.status()).toBe(401);
    expect(await unknown.json()).toStrictEqual(INVALID_REFRESH);
    await api.dispose();
  });
});

test.describe("POST /api/auth/logout", () => {
  test("revokes the refresh token and the access token, and clears the cookies", async ({ request }) => {
    const { student } = USERS;
    const session = await signIn(request, student.email, student.password);
    const res = await request.post("/api/auth/logout", {
      headers: bearer(session.access_token),
      data: { refresh_token: session.refresh_token },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, message: "Signed out" });
    const cleared = res
      .headersArray()
      .filter((h) => h.name.toLowerCase() === "set-cookie")
      .map((h) => h.value)
      .sort();
    expect(cleared).toStrictEqual([
      "bacmr_access=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
      "bacmr_refresh=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
    ]);

    const refresh = await request.post("/api/auth/refresh", {
      data: { refresh_token: session.refresh_token },
    });
    expect(refresh.status()).toBe(401);
    expect(await refresh.json()).toStrictEqual(INVALID_REFRESH);
    const me = await request.get("/api/me", { headers: bearer(session.access_token) });
    expect(me.status()).toBe(401);
    expect(await me.json()).toStrictEqual(INVALID_ACCESS);
  });

  test("with only the access token, the session ends too", async ({ request }) => {
    const { teacher } = USERS;
    const session = await signIn(request, teacher.email, teacher.password);
    const api = await newApiContext();
    const res = await api.post("/api/auth/logout", { headers: bearer(session.access_token) });
    expect(res.status()).toBe(200);
    expect((await api.get("/api/me", { headers: bearer(session.access_token) })).status()).toBe(401);
    expect(
      (await api.post("/api/auth/refresh", { data: { refresh_token: session.refresh_token } })).status(),
    ).toBe(401);
    await api.dispose();
  });

  test("always succeeds, even signed out", async () => {
    const api = await newApiContext();
    const res = await api.post("/api/auth/logout");
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, message: "Signed out" });
    await api.dispose();
  });
});
