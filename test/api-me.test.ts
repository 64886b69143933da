import { describe, expect, it } from "vitest";
import * as meRoute from "@/app/api/me/route";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser } from "./helpers/users";

const { db } = useTestDb();
const patch = (token: string, body: unknown) =>
  call(meRoute.PATCH, { path: "/api/me", method: "PATCH", token, body });

describe("/api/me", () => {
  it("updates the full name", async () => {
    const u = await createSignedInUser(db());
    const res = await patch(u.accessToken, { full_name: "  Mohamed Lemine  " });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      id: u.id,
      email: u.email,
      full_name: "Mohamed Lemine",
      role: "student",
      hint_level: 3,
      preferred_language: null,
      created_at: expect.any(String),
    });
    expect((await call(meRoute.GET, { path: "/api/me", token: u.accessToken })).body.full_name).toBe(
      "Mohamed Lemine",
    );
  });

  it("remembers the interface language, and forgets it on null", async () => {
    const u = await createSignedInUser(db());
    const chosen = await patch(u.accessToken, { preferred_language: "ar" });
    expect(chosen.status).toBe(200);
    expect(chosen.body.preferred_language).toBe("ar");
    const read = await call(meRoute.GET, { path: "/api/me", token: u.accessToken });
    expect(read.body).toMatchObject({ preferred_language: "ar", full_name: "student user" });
    const cleared = await patch(u.accessToken, { preferred_language: null });
    expect(cleared.body.preferred_language).toBeNull();
  });

  it.each([
    [{ preferred_language: "de" }, "preferred_language"],
    [{ preferred_language: "AR" }, "preferred_language"],
    [{ role: "admin" }, 'Unrecognized key: "role"'],
    [{ hint_level: 1 }, 'Unrecognized key: "hint_level"'],
    [{ full_name: "" }, "full_name cannot be empty"],
    [{ full_name: 42 }, "full_name: Invalid input: expected string, received number"],
  ])("rejects %j", async (body, detail) => {
    const u = await createSignedInUser(db());
    const res = await patch(u.accessToken, body);
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain(detail);
    expect((await call(meRoute.GET, { path: "/api/me", token: u.accessToken })).body.role).toBe("student");
  });

  it("reads the access cookie when there is no Authorization header", async () => {
    const u = await createSignedInUser(db());
    const res = await call(meRoute.GET, {
      path: "/api/me",
      headers: { cookie: `a=b; bacmr_access=${u.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(u.id);
  });
});
