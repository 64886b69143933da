import type { APIRequestContext } from "@playwright/test";
import {
  adminHeaders,
  BOOTSTRAP_ADMIN,
  bearer,
  createUser,
  expect,
  ISOLATED_URL,
  ipFor,
  newApiContext,
  type Profile,
  signIn,
  test,
} from "../fixtures";

// The last-admin rule needs to know exactly how many admins exist, so it runs against the isolated
// server, where only the bootstrap admin is an admin and no other file creates admins (the main
// server has several, which parallel tests sign in with). The steps build on each other: serial,
// and each test puts the bootstrap admin back as the only admin.

const LAST_ADMIN = { detail: "Cannot remove the last admin", code: "LAST_ADMIN" };

let api: APIRequestContext;
let bootstrapId: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  api = await newApiContext(ISOLATED_URL);
});
test.afterAll(async () => {
  await api.dispose();
});

async function admins(): Promise<Profile[]> {
  const res = await api.get("/api/admin/users?limit=200", { headers: adminHeaders() });
  expect(res.status()).toBe(200);
  const { users, total } = (await res.json()) as { users: Profile[]; total: number };
  expect(total).toBeLessThanOrEqual(200);
  return users.filter((u) => u.role === "admin");
}

function setRole(id: string, role: string) {
  return api.patch(`/api/admin/users/${id}/role`, { headers: adminHeaders(), data: { role } });
}

function remove(id: string, headers = adminHeaders()) {
  return api.delete(`/api/admin/users/${id}`, { headers });
}

test("the only admin can be neither demoted nor deleted", async () => {
  const only = await admins();
  expect(only.map((a) => a.email)).toStrictEqual([BOOTSTRAP_ADMIN.email]);
  bootstrapId = only[0]?.id ?? "";

  for (const role of ["student", "teacher"]) {
    const res = await setRole(bootstrapId, role);
    expect(res.status(), role).toBe(409);
    expect(await res.json()).toStrictEqual(LAST_ADMIN);
  }
  const del = await remove(bootstrapId);
  expect(del.status()).toBe(409);
  expect(await del.json()).toStrictEqual(LAST_ADMIN);

  // Setting the role it already has is fine.
  const same = await setRole(bootstrapId, "admin");
  expect(same.status()).toBe(200);
  expect((await admins()).map((a) => a.email)).toStrictEqual([BOOTSTRAP_ADMIN.email]);
});

test("with a second admin one may go, then the remaining one is protected, also from itself", async () => {
  const second = await createUser(api, { prefix: "second-admin", role: "admin" });
  try {
    const demoted = await setRole(bootstrapId, "student");
    expect(demoted.status()).toBe(200);
    expect(((await demoted.json()) as { data: Profile }).data.role).toBe("student");
    expect((await admins()).map((a) => a.id)).toStrictEqual([second.id]);

    expect(await (await setRole(second.id, "teacher")).json()).toStrictEqual(LAST_ADMIN);
    expect(await (await remove(second.id)).json()).toStrictEqual(LAST_ADMIN);

    // The same through the admin's own token: it cannot delete itself either.
    const session = await signIn(api, second.email, second.password, {
      "X-Forwarded-For": ipFor(`${test.info().testId}#second-admin`),
    });
    const self = await remove(second.id, bearer(session.access_token));
    expect(self.status()).toBe(409);
    expect(await self.json()).toStrictEqual(LAST_ADMIN);
  } finally {
    expect((await setRole(bootstrapId, "admin")).status()).toBe(200);
  }
  const del = await remove(second.id);
  expect(del.status()).toBe(200);
  expect((await admins()).map((a) => a.email)).toStrictEqual([BOOTSTRAP_ADMIN.email]);
});

test("the last two admins demoted at the same time: exactly one demotion wins", async () => {
  const a = await createUser(api, { prefix: "race-a", role: "admin" });
  const b = await createUser(api, { prefix: "race-b", role: "admin" });
  try {
    expect((await setRole(bootstrapId, "student")).status()).toBe(200);
    const results = await Promise.all([setRole(a.id, "student"), setRole(b.id, "student")]);
    expect(results.map((r) => r.status()).sort()).toStrictEqual([200, 409]);
    expect(await admins()).toHaveLength(1);
  } finally {
    expect((await setRole(bootstrapId, "admin")).status()).toBe(200);
  }
  for (const id of [a.id, b.id]) expect((await remove(id)).status()).toBe(200);

  // The same race with deletions.
  const racers = [
    await createUser(api, { prefix: "race-c", role: "admin" }),
    await createUser(api, { prefix: "race-d", role: "admin" }),
  ];
  try {
    expect((await setRole(bootstrapId, "student")).status()).toBe(200);
    const deletes = await Promise.all(racers.map((r) => remove(r.id)));
    expect(deletes.map((r) => r.status()).sort()).toStrictEqual([200, 409]);
    expect(await admins()).toHaveLength(1);
  } finally {
    expect((await setRole(bootstrapId, "admin")).status()).toBe(200);
  }
  for (const survivor of await admins()) {
    if (survivor.id !== bootstrapId) expect((await remove(survivor.id)).status()).toBe(200);
  }
  expect((await admins()).map((a) => a.email)).toStrictEqual([BOOTSTRAP_ADMIN.email]);
});
