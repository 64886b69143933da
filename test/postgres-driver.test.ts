import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as userRoute from "@/app/api/admin/users/[user_id]/route";
import * as refreshRoute from "@/app/api/auth/refresh/route";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import * as healthRoute from "@/app/api/health/route";
import * as meRoute from "@/app/api/me/route";
import { openPostgres, rowsOf } from "@/db/client";
import { setRole } from "@/lib/profiles";
import { useSocketDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser, uniqueEmail } from "./helpers/users";

// The same routes as the PGlite suites, through postgres.js and a real TCP connection.
const { db } = useSocketDb();

describe("postgres.js driver (pglite-socket on 127.0.0.1)", () => {
  it("is really talking to a server with pgvector", async () => {
    const rows = await db().execute(sql`select extname from pg_extension where extname = 'vector'`);
    expect(rowsOf(rows)).toHaveLength(1);
    const health = await call(healthRoute.GET, { path: "/api/health" });
    expect(health.body).toStrictEqual({ status: "BacMR Online", database: "ok", auth: "embedded" });
  });

  it("signs up, signs in, rotates and reads the profile", async () => {
    const email = uniqueEmail();
    const up = await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123", full_name: "Khadijetou" },
    });
    expect(up.status).toBe(201);
    const s = await call(signinRoute.POST, {
      path: "/api/auth/signin",
      method: "POST",
      body: { email, password: "password-123" },
    });
    expect(s.status).toBe(200);
    const r = await call(refreshRoute.POST, {
      path: "/api/auth/refresh",
      method: "POST",
      body: { refresh_token: s.body.data.refresh_token },
    });
    expect(r.status).toBe(200);
    const me = await call(meRoute.GET, { path: "/api/me", token: r.body.data.access_token });
    expect(me.body).toMatchObject({ email, full_name: "Khadijetou", role: "student" });
    const reuse = await call(refreshRoute.POST, {
      path: "/api/auth/refresh",
      method: "POST",
      body: { refresh_token: s.body.data.refresh_token },
    });
    expect(reuse.status).toBe(401);
  });

  // Found by npm run load: with several connections to pglite-socket, concurrent requests
  // failed with "bind message supplies 4 parameters, but prepared statement "" requires 2".
  it("serves concurrent requests with new statements, in and out of transactions", async () => {
    const users = Array.from({ length: 8 }, (_, i) => ({
      email: uniqueEmail(`conc${i}`),
      password: "password-123",
    }));
    const ups = await Promise.all(
      users.map((u) => call(signupRoute.POST, { path: "/api/auth/signup", method: "POST", body: u })),
    );
    expect(ups.map((r) => r.status)).toStrictEqual(users.map(() => 201));
    const ins = await Promise.all(
      users.map((u) => call(signinRoute.POST, { path: "/api/auth/signin", method: "POST", body: u })),
    );
    expect(ins.map((r) => r.status)).toStrictEqual(users.map(() => 200));
    const mes = await Promise.all(
      ins.map((r) => call(meRoute.GET, { path: "/api/me", token: r.body.data.access_token })),
    );
    expect(mes.map((r) => r.body.email)).toStrictEqual(users.map((u) => u.email));
  });

  // PGlite (also behind pglite-socket) runs one transaction at a time, so this checks the
  // count logic under concurrent calls; on a multi-connection Postgres the FOR UPDATE lock in
  // assertNotLastAdmin is what keeps it true.
  it("keeps the last admin under concurrent requests", async () => {
    const a = await createSignedInUser(db(), "admin");
    const b = await createSignedInUser(db(), "admin");
    const outcomes = await Promise.allSettled([
      setRole(db(), { userId: a.id, role: "student" }),
      setRole(db(), { userId: b.id, role: "student" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const survivor = outcomes[0]?.status === "fulfilled" ? b : a;
    const del = await call(userRoute.DELETE, {
      path: `/api/admin/users/${survivor.id}`,
      method: "DELETE",
      params: { user_id: survivor.id },
      token: survivor.accessToken,
    });
    expect(del.status).toBe(409);
  });

  it("the stalled-pool probe: no server answering within its time is false, quickly", async () => {
    // Port 9 (discard) has nothing listening here: the connection is refused at once.
    const nobody = await openPostgres("postgres://postgres:postgres@127.0.0.1:9/postgres", {
      prepare: true,
      max: 1,
    });
    const t = performance.now();
    expect(await nobody.probe?.(1_000)).toBe(false);
    expect(performance.now() - t).toBeLessThan(3_000);
    await nobody.close();
  });
});
