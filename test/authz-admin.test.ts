import { beforeAll, describe, expect, it } from "vitest";
import { endpoints } from "@/lib/api";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { createSignedInUser } from "./helpers/users";

// Every admin endpoint of the registry (the same list the OpenAPI document is built from), so a
// new admin route is covered the day it is added: no token → 401, a student's or a teacher's
// token → 403, before anything is validated or touched.
const { db } = useTestDb();

type Handler = Parameters<typeof call>[0];
const ANY_ID = "00000000-0000-4000-8000-000000000000";

async function handlerFor(method: string, path: string): Promise<Handler> {
  const file = path.replace(/\{(\w+)\}/g, "[$1]");
  const mod = (await import(/* @vite-ignore */ `../app${file}/route.ts`)) as Record<string, Handler>;
  const handler = mod[method];
  if (!handler) throw new Error(`${method} ${path}: no handler exported`);
  return handler;
}

const adminEndpoints = endpoints.filter((e) => e.auth === "admin");

describe("admin routes refuse everyone but admins", () => {
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    for (const role of ["student", "teacher"] as const) {
      tokens[role] = (await createSignedInUser(db(), role)).accessToken;
    }
  });

  it("covers every admin endpoint", () => {
    expect(adminEndpoints.length).toBeGreaterThanOrEqual(20);
  });

  it.each(adminEndpoints.map((e) => [`${e.method} ${e.path}`, e] as const))("%s", async (_, endpoint) => {
    const handler = await handlerFor(endpoint.method, endpoint.path);
    const params = Object.fromEntries([...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], ANY_ID]));
    const path = endpoint.path.replace(/\{(\w+)\}/g, ANY_ID);
    const body = endpoint.method === "GET" || endpoint.method === "DELETE" ? undefined : {};

    const anonymous = await call(handler, { path, method: endpoint.method, params, body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toMatch(/UNAUTHORIZED|INVALID_TOKEN/);

    for (const role of ["student", "teacher"] as const) {
      const res = await call(handler, { path, method: endpoint.method, params, body, token: tokens[role] });
      expect(res.status, role).toBe(403);
      expect(res.body).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
    }
  });
});
