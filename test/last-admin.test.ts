import { describe, expect, it } from "vitest";
import * as roleRoute from "@/app/api/admin/users/[user_id]/role/route";
import * as userRoute from "@/app/api/admin/users/[user_id]/route";
import { setRole } from "@/lib/profiles";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser } from "./helpers/users";

// Its own database: the number of admins must be known exactly.
const { db } = useTestDb();

const demote = (id: string, token: string) =>
  call(roleRoute.PATCH, {
    path: `/api/admin/users/${id}/role`,
    method: "PATCH",
    body: { role: "student" },
    params: { user_id: id },
    token,
  });
const remove = (id: string, token: string) =>
  call(userRoute.DELETE, {
    path: `/api/admin/users/${id}`,
    method: "DELETE",
    params: { user_id: id },
    token,
  });

describe("last admin protection", () => {
  it("the last admin can be neither demoted nor deleted; a second admin unlocks it", async () => {
    const a = await createSignedInUser(db(), "admin");
    const selfDemote = await demote(a.id, a.accessToken);
    expect(selfDemote.status).toBe(409);
    expect(selfDemote.body).toStrictEqual({ detail: "Cannot remove the last admin", code: "LAST_ADMIN" });
    expect((await remove(a.id, a.accessToken)).status).toBe(409);

    const b = await createSignedInUser(db(), "admin");
    expect((await demote(a.id, b.accessToken)).status).toBe(200);
    // b is now the only admin.
    expect((await remove(b.id, b.accessToken)).status).toBe(409);
  });

  // PGlite (also behind pglite-socket) runs one transaction at a time, so this checks the
  // count logic under concurrent calls; on a multi-connection Postgres the FOR UPDATE lock in
  // assertNotLastAdmin is what keeps it true.
  it("two concurrent demotions of the last two admins cannot both succeed", async () => {
    const x = await createSignedInUser(db(), "admin");
    const y = await createSignedInUser(db(), "admin");
    // Leave exactly x and y as admins.
    const { listProfiles } = await import("@/lib/profiles");
    const { users } = await listProfiles(db(), { limit: 200, offset: 0 });
    for (const u of users) {
      if (u.role === "admin" && u.id !== x.id && u.id !== y.id)
        await setRole(db(), { userId: u.id, role: "student" });
    }
    const results = await Promise.allSettled([
      setRole(db(), { userId: x.id, role: "student" }),
      setRole(db(), { userId: y.id, role: "student" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
  });
});
