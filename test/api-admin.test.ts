import { describe, expect, it } from "vitest";
import * as testRoleRoute from "@/app/api/admin/test-role/route";
import * as hintRoute from "@/app/api/admin/users/[user_id]/hint-level/route";
import * as resetRoute from "@/app/api/admin/users/[user_id]/reset-password/route";
import * as roleRoute from "@/app/api/admin/users/[user_id]/role/route";
import * as userRoute from "@/app/api/admin/users/[user_id]/route";
import * as usersRoute from "@/app/api/admin/users/route";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as meRoute from "@/app/api/me/route";
import { resetEnvCache } from "@/lib/config/env";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser, uniqueEmail } from "./helpers/users";

const { db } = useTestDb();
const KEY = { "x-admin-key": process.env.ADMIN_API_KEY ?? "" };
const MISSING = "00000000-0000-4000-8000-000000000000";

describe("admin authentication", () => {
  const testRole = (opts: { token?: string; headers?: Record<string, string> }) =>
    call(testRoleRoute.GET, { path: "/api/admin/test-role", ...opts });

  it("accepts the right admin key", async () => {
    const res = await testRole({ headers: KEY });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      status: "ok",
      message: "Admin access granted",
      via: "admin_key",
      user_id: null,
    });
  });

  it("accepts an admin's JWT", async () => {
    const admin = await createSignedInUser(db(), "admin");
    const res = await testRole({ token: admin.accessToken });
    expect(res.body).toStrictEqual({
      status: "ok",
      message: "Admin access granted",
      via: "jwt",
      user_id: admin.id,
    });
  });

  it("refuses a wrong key, no credentials, and a wrong key even beside an admin JWT", async () => {
    const admin = await createSignedInUser(db(), "admin");
    const wrong = await testRole({ headers: { "x-admin-key": "nope-nope-nope-nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toStrictEqual({ detail: "Invalid admin key", code: "UNAUTHORIZED" });
    const none = await testRole({});
    expect(none.status).toBe(401);
    expect(none.body).toStrictEqual({ detail: "Not authenticated", code: "UNAUTHORIZED" });
    expect((await testRole({ token: admin.accessToken, headers: { "x-admin-key": "bad" } })).status).toBe(
      401,
    );
  });

  it("refuses students and teachers with 403", async () => {
    for (const role of ["student", "teacher"] as const) {
      const user = await createSignedInUser(db(), role);
      const res = await testRole({ token: user.accessToken });
      expect(res.status).toBe(403);
      expect(res.body).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
    }
  });

  it("refuses the header when ADMIN_API_KEY is unset", async () => {
    const saved = process.env.ADMIN_API_KEY;
    delete process.env.ADMIN_API_KEY;
    resetEnvCache();
    try {
      const res = await testRole({ headers: { "x-admin-key": "" } });
      expect(res.status).toBe(401);
      expect(res.body).toStrictEqual({
        detail: "Admin API key authentication is disabled",
        code: "UNAUTHORIZED",
      });
    } finally {
      process.env.ADMIN_API_KEY = saved;
      resetEnvCache();
    }
  });
});

describe("admin user management", () => {
  const create = (body: unknown) =>
    call(usersRoute.POST, { path: "/api/admin/users", method: "POST", body, headers: KEY });
  const list = (qs: string) => call(usersRoute.GET, { path: `/api/admin/users${qs}`, headers: KEY });
  const patchRole = (id: string, role: unknown, headers: Record<string, string> = KEY) =>
    call(roleRoute.PATCH, {
      path: `/api/admin/users/${id}/role`,
      method: "PATCH",
      body: { role },
      params: { user_id: id },
      headers,
    });
  const patchHint = (id: string, value: string) =>
    call(hintRoute.PATCH, {
      path: `/api/admin/users/${id}/hint-level?hint_level=${value}`,
      method: "PATCH",
      params: { user_id: id },
      headers: KEY,
    });
  const del = (id: string, headers: Record<string, string> = KEY) =>
    call(userRoute.DELETE, {
      path: `/api/admin/users/${id}`,
      method: "DELETE",
      params: { user_id: id },
      headers,
    });

  it("creates a user with a role, who can then sign in", async () => {
    const email = uniqueEmail("teacher");
    const res = await create({ email, password: "password-123", full_name: "Mme Ba", role: "teacher" });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({
      success: true,
      data: {
        id: expect.any(String),
        email,
        full_name: "Mme Ba",
        role: "teacher",
        hint_level: 3,
        preferred_language: null,
        created_at: expect.any(String),
      },
    });
    const signin = await call(signinRoute.POST, {
      path: "/api/auth/signin",
      method: "POST",
      body: { email, password: "password-123" },
    });
    expect(signin.body.data.user.role).toBe("teacher");
    expect((await create({ email, password: "password-123" })).status).toBe(409);
  });

  it("rejects an unknown role", async () => {
    const res = await create({ email: uniqueEmail(), password: "password-123", role: "principal" });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("role must be one of: student, teacher, admin");
  });

  it("lists users with limit and offset", async () => {
    for (let i = 0; i < 3; i++) await create({ email: uniqueEmail("list"), password: "password-123" });
    const all = await list("?limit=200");
    const page = await list("?limit=2&offset=1");
    expect(page.status).toBe(200);
    expect(page.body.limit).toBe(2);
    expect(page.body.offset).toBe(1);
    expect(page.body.total).toBe(all.body.total);
    expect(page.body.users).toStrictEqual(all.body.users.slice(1, 3));
    expect((await list("?limit=0")).status).toBe(400);
    expect((await list("?offset=-1")).status).toBe(400);
  });

  it("changes roles, and unknown users answer 404", async () => {
    const user = await createSignedInUser(db(), "student");
    const res = await patchRole(user.id, "teacher");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: user.id, role: "teacher" });
    expect((await patchRole(user.id, "root")).status).toBe(400);
    const missing = await patchRole(MISSING, "teacher");
    expect(missing.status).toBe(404);
    expect(missing.body).toStrictEqual({ detail: "User not found", code: "NOT_FOUND" });
    const badId = await patchRole("not-a-uuid", "teacher");
    expect(badId.status).toBe(400);
    expect(badId.body.detail).toBe("user_id must be a UUID");
  });

  it.each(["0", "6", "abc", "2.5", ""])("rejects hint_level=%s with 400", async (value) => {
    const user = await createSignedInUser(db(), "student");
    const res = await patchHint(user.id, value);
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("hint_level must be an integer from 1 to 5");
  });

  it("sets the hint level, visible on the user's profile", async () => {
    const user = await createSignedInUser(db(), "student");
    const res = await patchHint(user.id, "5");
    expect(res.status).toBe(200);
    expect(res.body.data.hint_level).toBe(5);
    const me = await call(meRoute.GET, { path: "/api/me", token: user.accessToken });
    expect(me.body.hint_level).toBe(5);
  });

  it("sets a user's password and ends their sessions", async () => {
    const user = await createSignedInUser(db(), "student");
    const res = await call(resetRoute.POST, {
      path: `/api/admin/users/${user.id}/reset-password`,
      method: "POST",
      body: { new_password: "set-by-admin-1" },
      params: { user_id: user.id },
      headers: KEY,
    });
    expect(res.status).toBe(200);
    expect((await call(meRoute.GET, { path: "/api/me", token: user.accessToken })).status).toBe(401);
    const signin = (password: string) =>
      call(signinRoute.POST, {
        path: "/api/auth/signin",
        method: "POST",
        body: { email: user.email, password },
      });
    expect((await signin(user.password)).status).toBe(401);
    expect((await signin("set-by-admin-1")).status).toBe(200);
  });

  it("deletes a user: profile, credentials and sessions", async () => {
    const user = await createSignedInUser(db(), "student");
    const res = await del(user.id);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ success: true, message: "User deleted", user_id: user.id });
    expect((await call(meRoute.GET, { path: "/api/me", token: user.accessToken })).status).toBe(401);
    expect((await del(user.id)).status).toBe(404);
    const signin = await call(signinRoute.POST, {
      path: "/api/auth/signin",
      method: "POST",
      body: { email: user.email, password: user.password },
    });
    expect(signin.status).toBe(401);
  });

  it("a student cannot manage users", async () => {
    const student = await createSignedInUser(db(), "student");
    const other = await createSignedInUser(db(), "student");
    const res = await del(other.id, { authorization: `Bearer ${student.accessToken}` });
    expect(res.status).toBe(403);
    expect(
      (await patchRole(student.id, "admin", { authorization: `Bearer ${student.accessToken}` })).status,
    ).toBe(403);
  });
});
