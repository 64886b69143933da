import {
  adminHeaders,
  BOOTSTRAP_ADMIN,
  bearer,
  createUser,
  expect,
  newApiContext,
  type Profile,
  profileOf,
  signIn,
  test,
  USERS,
  uniqueEmail,
} from "../fixtures";

// Other files create and delete users in parallel: nothing here depends on the user count or on
// how many admins exist (the last-admin rule runs on its own server, see last-admin.spec.ts).

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const FORBIDDEN = { detail: "Admin privileges required", code: "FORBIDDEN" };
const NOT_FOUND = { detail: "User not found", code: "NOT_FOUND" };
const HINT_ERROR = {
  detail: "hint_level must be an integer from 1 to 5",
  code: "VALIDATION_ERROR",
  errors: [
    { loc: ["query", "hint_level"], field: "hint_level", msg: "hint_level must be an integer from 1 to 5" },
  ],
};

test.describe("GET /api/admin/test-role", () => {
  test("the admin key is accepted", async ({ request }) => {
    const res = await request.get("/api/admin/test-role", { headers: adminHeaders() });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({
      status: "ok",
      message: "Admin access granted",
      via: "admin_key",
      user_id: null,
    });
  });

  test("a wrong key or none is 401", async ({ request }) => {
    for (const [headers, body] of [
      [
        { "X-Admin-Key": "wrong-key-0123456789abcdef" },
        { detail: "Invalid admin key", code: "UNAUTHORIZED" },
      ],
      [{ "X-Admin-Key": "" }, { detail: "Invalid admin key", code: "UNAUTHORIZED" }],
      [{}, { detail: "Not authenticated", code: "UNAUTHORIZED" }],
    ] as const) {
      const res = await request.get("/api/admin/test-role", { headers });
      expect(res.status(), JSON.stringify(headers)).toBe(401);
      expect(await res.json()).toStrictEqual(body);
    }
  });

  test("a wrong key is refused even next to an admin's token", async ({ request }) => {
    const { access_token } = await signIn(request, USERS.admin.email, USERS.admin.password);
    const res = await request.get("/api/admin/test-role", {
      headers: { ...bearer(access_token), "X-Admin-Key": "wrong-key-0123456789abcdef" },
    });
    expect(res.status()).toBe(401);
    expect(await res.json()).toStrictEqual({ detail: "Invalid admin key", code: "UNAUTHORIZED" });
  });

  test("a student's or a teacher's token is 403, an admin's is 200 via jwt", async ({ request }) => {
    for (const user of [USERS.student, USERS.teacher]) {
      const { access_token } = await signIn(request, user.email, user.password);
      const res = await request.get("/api/admin/test-role", { headers: bearer(access_token) });
      expect(res.status(), user.email).toBe(403);
      expect(await res.json()).toStrictEqual(FORBIDDEN);
    }
    for (const admin of [USERS.admin, BOOTSTRAP_ADMIN]) {
      const session = await signIn(request, admin.email, admin.password);
      const res = await request.get("/api/admin/test-role", { headers: bearer(session.access_token) });
      expect(res.status(), admin.email).toBe(200);
      expect(await res.json()).toStrictEqual({
        status: "ok",
        message: "Admin access granted",
        via: "jwt",
        user_id: session.user.id,
      });
    }
  });

  test("a student is 403 on every admin route, before any validation", async ({ request }) => {
    const { access_token } = await signIn(request, USERS.student.email, USERS.student.password);
    const headers = bearer(access_token);
    for (const [method, url] of [
      ["GET", "/api/admin/users"],
      ["POST", "/api/admin/users"],
      ["DELETE", `/api/admin/users/${UNKNOWN_ID}`],
      ["PATCH", "/api/admin/users/not-a-uuid/role"],
      ["PATCH", `/api/admin/users/${UNKNOWN_ID}/hint-level?hint_level=abc`],
      ["POST", `/api/admin/users/${UNKNOWN_ID}/reset-password`],
      ["GET", "/api/admin/mail-outbox"],
    ] as const) {
      const res = await request.fetch(url, { method, headers, ...(method === "GET" ? {} : { data: {} }) });
      expect(res.status(), `${method} ${url}`).toBe(403);
      expect(await res.json()).toStrictEqual(FORBIDDEN);
    }
  });
});

test.describe("GET /api/admin/users", () => {
  test("lists profiles oldest first, with limit and offset", async ({ request }) => {
    const first = await request.get("/api/admin/users?limit=2", { headers: adminHeaders() });
    expect(first.status()).toBe(200);
    const page1 = (await first.json()) as { users: Profile[]; total: number };
    // The bootstrap admin (created at start), then the global setup's users, in creation order.
    expect(page1).toStrictEqual({
      users: [profileOf(BOOTSTRAP_ADMIN), profileOf(USERS.student)],
      total: expect.any(Number),
      limit: 2,
      offset: 0,
    });
    expect(page1.total).toBeGreaterThanOrEqual(4);

    const second = await request.get("/api/admin/users?limit=2&offset=1", { headers: adminHeaders() });
    expect(await second.json()).toStrictEqual({
      users: [profileOf(USERS.student), profileOf(USERS.teacher)],
      total: expect.any(Number),
      limit: 2,
      offset: 1,
    });

    const defaults = (await (await request.get("/api/admin/users", { headers: adminHeaders() })).json()) as {
      users: Profile[];
      limit: number;
      offset: number;
    };
    expect(defaults.limit).toBe(50);
    expect(defaults.offset).toBe(0);
    expect(defaults.users.slice(0, 4).map((u) => u.email)).toStrictEqual([
      BOOTSTRAP_ADMIN.email,
      USERS.student.email,
      USERS.teacher.email,
      USERS.admin.email,
    ]);
  });

  test("a new user appears at the end, and the total counts it", async ({ request }) => {
    const user = await createUser(request, { prefix: "listed" });
    const all = (await (
      await request.get("/api/admin/users?limit=200", { headers: adminHeaders() })
    ).json()) as {
      users: Profile[];
      total: number;
    };
    expect(all.users.map((u) => u.email)).toContain(user.email);
    expect(all.total).toBeGreaterThanOrEqual(all.users.length);
    const beyond = (await (
      await request.get(`/api/admin/users?limit=5&offset=${all.total + 10}`, { headers: adminHeaders() })
    ).json()) as { users: Profile[] };
    expect(beyond.users).toStrictEqual([]);
  });

  for (const [query, field, msg] of [
    ["limit=0", "limit", "Too small: expected number to be >=1"],
    ["limit=201", "limit", "Too big: expected number to be <=200"],
    ["limit=abc", "limit", "Invalid input: expected number, received NaN"],
    ["offset=-1", "offset", "Too small: expected number to be >=0"],
  ] as const) {
    test(`?${query} is 400 naming ${field}`, async ({ request }) => {
      const res = await request.get(`/api/admin/users?${query}`, { headers: adminHeaders() });
      expect(res.status()).toBe(400);
      expect(await res.json()).toStrictEqual({
        detail: `${field}: ${msg}`,
        code: "VALIDATION_ERROR",
        errors: [{ loc: ["query", field], field, msg }],
      });
    });
  }
});

test.describe("POST /api/admin/users", () => {
  for (const role of ["student", "teacher", "admin"] as const) {
    test(`creates a ${role} who can sign in`, async ({ request }) => {
      const email = uniqueEmail(`created-${role}`);
      const res = await request.post("/api/admin/users", {
        headers: adminHeaders(),
        data: { email, password: "created-password", full_name: "Créé par l'admin", role },
      });
      expect(res.status()).toBe(201);
      const expected = profileOf({ email, fullName: "Créé par l'admin", role });
      expect(await res.json()).toStrictEqual({ success: true, data: expected });
      const session = await signIn(request, email, "created-password");
      expect(session.user).toStrictEqual(expected);
    });
  }

  test("role and name default to student and empty", async ({ request }) => {
    const email = uniqueEmail("created-default");
    const res = await request.post("/api/admin/users", {
      headers: adminHeaders(),
      data: { email, password: "created-password" },
    });
    expect(res.status()).toBe(201);
    expect(await res.json()).toStrictEqual({
      success: true,
      data: profileOf({ email, fullName: "", role: "student" }),
    });
  });

  test("an admin's JWT may create users too", async ({ request }) => {
    const { access_token } = await signIn(request, USERS.admin.email, USERS.admin.password);
    const email = uniqueEmail("created-by-jwt");
    const res = await request.post("/api/admin/users", {
      headers: bearer(access_token),
      data: { email, password: "created-password", role: "teacher" },
    });
    expect(res.status()).toBe(201);
    expect(await res.json()).toStrictEqual({
      success: true,
      data: profileOf({ email, fullName: "", role: "teacher" }),
    });
  });

  test("an unknown role is 400, a taken email 409", async ({ request }) => {
    const unknownRole = await request.post("/api/admin/users", {
      headers: adminHeaders(),
      data: { email: uniqueEmail("bad-role"), password: "created-password", role: "superuser" },
    });
    expect(unknownRole.status()).toBe(400);
    expect(await unknownRole.json()).toStrictEqual({
      detail: "role must be one of: student, teacher, admin",
      code: "VALIDATION_ERROR",
      errors: [{ loc: ["body", "role"], field: "role", msg: "role must be one of: student, teacher, admin" }],
    });

    const taken = await request.post("/api/admin/users", {
      headers: adminHeaders(),
      data: { email: USERS.student.email, password: "created-password" },
    });
    expect(taken.status()).toBe(409);
    expect(await taken.json()).toStrictEqual({
      detail: "A user with this email already exists",
      code: "EMAIL_TAKEN",
    });
  });
});

test.describe("changing a user", () => {
  test("PATCH role changes what the user may do", async ({ request }) => {
    const user = await createUser(request, { prefix: "promoted" });
    const session = await signIn(request, user.email, user.password);

    const res = await request.patch(`/api/admin/users/${user.id}/role`, {
      headers: adminHeaders(),
      data: { role: "admin" },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, data: profileOf({ ...user, role: "admin" }) });
    // Roles are read from the profile on each request: the existing token is an admin's now.
    expect(
      (await request.get("/api/admin/test-role", { headers: bearer(session.access_token) })).status(),
    ).toBe(200);

    const back = await request.patch(`/api/admin/users/${user.id}/role`, {
      headers: adminHeaders(),
      data: { role: "teacher" },
    });
    expect(await back.json()).toStrictEqual({ success: true, data: profileOf({ ...user, role: "teacher" }) });
    expect(
      (await request.get("/api/admin/test-role", { headers: bearer(session.access_token) })).status(),
    ).toBe(403);
  });

  test("PATCH role refuses unknown roles, ids and users", async ({ request }) => {
    const user = await createUser(request, { prefix: "role-errors" });
    const cases = [
      {
        url: `/api/admin/users/${user.id}/role`,
        data: { role: "root" },
        status: 400,
        body: {
          detail: "role must be one of: student, teacher, admin",
          code: "VALIDATION_ERROR",
          errors: [
            { loc: ["body", "role"], field: "role", msg: "role must be one of: student, teacher, admin" },
          ],
        },
      },
      {
        url: "/api/admin/users/not-a-uuid/role",
        data: { role: "teacher" },
        status: 400,
        body: {
          detail: "user_id must be a UUID",
          code: "VALIDATION_ERROR",
          errors: [{ loc: ["path", "user_id"], field: "user_id", msg: "user_id must be a UUID" }],
        },
      },
      { url: `/api/admin/users/${UNKNOWN_ID}/role`, data: { role: "teacher" }, status: 404, body: NOT_FOUND },
    ];
    for (const { url, data, status, body } of cases) {
      const res = await request.patch(url, { headers: adminHeaders(), data });
      expect(res.status(), url).toBe(status);
      expect(await res.json()).toStrictEqual(body);
    }
  });

  test("PATCH hint-level accepts 1 to 5 only", async ({ request }) => {
    const user = await createUser(request, { prefix: "hints" });
    for (const value of ["0", "6", "abc", "2.5", ""]) {
      const res = await request.patch(`/api/admin/users/${user.id}/hint-level?hint_level=${value}`, {
        headers: adminHeaders(),
      });
      expect(res.status(), `hint_level=${value}`).toBe(400);
      expect(await res.json()).toStrictEqual(HINT_ERROR);
    }
    const missing = await request.patch(`/api/admin/users/${user.id}/hint-level`, {
      headers: adminHeaders(),
    });
    expect(missing.status()).toBe(400);
    expect(await missing.json()).toStrictEqual(HINT_ERROR);

    const res = await request.patch(`/api/admin/users/${user.id}/hint-level?hint_level=4`, {
      headers: adminHeaders(),
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, data: profileOf(user, 4) });
    const session = await signIn(request, user.email, user.password);
    expect(session.user.hint_level).toBe(4);

    const unknown = await request.patch(`/api/admin/users/${UNKNOWN_ID}/hint-level?hint_level=4`, {
      headers: adminHeaders(),
    });
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toStrictEqual(NOT_FOUND);
  });

  test("DELETE removes the account: 200, then 404, and its tokens die", async ({ request }) => {
    const user = await createUser(request, { prefix: "deleted" });
    const session = await signIn(request, user.email, user.password);

    const res = await request.delete(`/api/admin/users/${user.id}`, { headers: adminHeaders() });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, message: "User deleted", user_id: user.id });

    const again = await request.delete(`/api/admin/users/${user.id}`, { headers: adminHeaders() });
    expect(again.status()).toBe(404);
    expect(await again.json()).toStrictEqual(NOT_FOUND);

    expect((await request.get("/api/me", { headers: bearer(session.access_token) })).status()).toBe(401);
    const signin = await request.post("/api/auth/signin", {
      data: { email: user.email, password: user.password },
    });
    expect(signin.status()).toBe(401);
    expect(await signin.json()).toStrictEqual({
      detail: "Invalid email or password",
      code: "INVALID_CREDENTIALS",
    });

    // The address is free again.
    const reused = await request.post("/api/auth/signup", {
      data: { email: user.email, password: "new-owner-pass" },
    });
    expect(reused.status()).toBe(201);
  });

  test("DELETE of an unknown uuid is 404, of a non-uuid 400", async ({ request }) => {
    const unknown = await request.delete(`/api/admin/users/${UNKNOWN_ID}`, { headers: adminHeaders() });
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toStrictEqual(NOT_FOUND);

    const bad = await request.delete("/api/admin/users/42", { headers: adminHeaders() });
    expect(bad.status()).toBe(400);
    expect(await bad.json()).toStrictEqual({
      detail: "user_id must be a UUID",
      code: "VALIDATION_ERROR",
      errors: [{ loc: ["path", "user_id"], field: "user_id", msg: "user_id must be a UUID" }],
    });
  });

  test("POST reset-password sets a new password and ends the user's sessions", async ({ request }) => {
    const user = await createUser(request, { prefix: "admin-reset" });
    const session = await signIn(request, user.email, user.password);

    const res = await request.post(`/api/admin/users/${user.id}/reset-password`, {
      headers: adminHeaders(),
      data: { new_password: "set-by-the-admin" },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toStrictEqual({ success: true, message: "Password updated" });

    const old = await request.post("/api/auth/signin", {
      data: { email: user.email, password: user.password },
    });
    expect(old.status()).toBe(401);
    await signIn(request, user.email, "set-by-the-admin");
    expect((await request.get("/api/me", { headers: bearer(session.access_token) })).status()).toBe(401);

    const unknown = await request.post(`/api/admin/users/${UNKNOWN_ID}/reset-password`, {
      headers: adminHeaders(),
      data: { new_password: "set-by-the-admin" },
    });
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toStrictEqual(NOT_FOUND);

    const weak = await request.post(`/api/admin/users/${user.id}/reset-password`, {
      headers: adminHeaders(),
      data: { new_password: "short" },
    });
    expect(weak.status()).toBe(400);
  });

  test("anonymous callers get 401 on admin writes, whatever the input", async () => {
    const api = await newApiContext();
    for (const [method, url] of [
      ["POST", "/api/admin/users"],
      ["DELETE", "/api/admin/users/not-a-uuid"],
      ["PATCH", `/api/admin/users/${UNKNOWN_ID}/role`],
    ] as const) {
      const res = await api.fetch(url, { method, data: { role: "admin" } });
      expect(res.status(), `${method} ${url}`).toBe(401);
      expect(await res.json()).toStrictEqual({ detail: "Not authenticated", code: "UNAUTHORIZED" });
    }
    await api.dispose();
  });
});
