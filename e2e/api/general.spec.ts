import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "../fixtures";

test("GET /api/health reports the service, its database and auth backend", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/json");
  expect(await res.json()).toStrictEqual({ status: "BacMR Online", database: "ok", auth: "embedded" });
});

test("HEAD is served wherever GET is", async ({ request }) => {
  const res = await request.head("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.text()).toBe("");
});

test("an unknown /api path is a JSON 404", async ({ request }) => {
  for (const [method, url] of [
    ["GET", "/api/nope"],
    ["POST", "/api/auth/nope"],
    ["DELETE", "/api/admin/users/x/y/z"],
  ] as const) {
    const res = await request.fetch(url, { method });
    expect(res.status(), `${method} ${url}`).toBe(404);
    expect(await res.json()).toStrictEqual({ detail: `No API endpoint at ${url}`, code: "NOT_FOUND" });
  }
});

test("a wrong method on a known path is a JSON 405 listing the allowed methods", async ({ request }) => {
  const cases = [
    { method: "PUT", url: "/api/me", allow: ["GET", "HEAD", "PATCH"] },
    { method: "DELETE", url: "/api/health", allow: ["GET", "HEAD"] },
    { method: "GET", url: "/api/auth/signin", allow: ["POST"] },
    { method: "POST", url: "/api/admin/users/00000000-0000-4000-8000-000000000000", allow: ["DELETE"] },
  ];
  for (const { method, url, allow } of cases) {
    const res = await request.fetch(url, { method });
    expect(res.status(), `${method} ${url}`).toBe(405);
    expect(await res.json()).toStrictEqual({
      detail: `Method ${method} not allowed`,
      code: "METHOD_NOT_ALLOWED",
    });
    const allowed = (res.headers().allow ?? "").split(",").map((m) => m.trim());
    expect(allowed.sort()).toStrictEqual(allow);
  }
});

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Every route handler under app/api, as OpenAPI paths with the methods each file exports. */
function routesOnDisk(): Map<string, string[]> {
  const root = path.resolve("app/api");
  const routes = new Map<string, string[]>();
  for (const file of readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (path.basename(file) !== "route.ts") continue;
    const dir = path.dirname(file).split(path.sep).join("/");
    const apiPath = `/api/${dir}`.replace(/\[([^\]]+)\]/g, "{$1}");
    const source = readFileSync(path.join(root, file), "utf8");
    const methods = HTTP_METHODS.filter((m) =>
      new RegExp(
        `export\\s+(?:const\\s+${m}\\b|(?:async\\s+)?function\\s+${m}\\b|\\{[^}]*\\b${m}\\b[^}]*\\})`,
      ).test(source),
    );
    routes.set(apiPath, methods.sort());
  }
  return routes;
}

test("GET /api/openapi.json documents exactly the routes and methods under app/api", async ({ request }) => {
  const res = await request.get("/api/openapi.json");
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  expect(doc.openapi).toBe("3.1.0");

  const onDisk = routesOnDisk();
  expect(onDisk.size).toBeGreaterThan(10);
  const documented = new Map(
    Object.entries(doc.paths).map(([p, ops]) => [
      p,
      Object.keys(ops)
        .map((m) => m.toUpperCase())
        .sort(),
    ]),
  );
  expect(Object.fromEntries(documented)).toStrictEqual(Object.fromEntries(onDisk));
});

test("GET /api/openapi.json describes each operation with responses and a security scheme", async ({
  request,
}) => {
  const doc = (await (await request.get("/api/openapi.json")).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  };
  expect(doc.paths["/api/admin/users"]?.get?.security).toStrictEqual([
    { bearer: [] },
    { cookie: [] },
    { adminKey: [] },
  ]);
  // Its own errors, and what the route wrapper answers for any JSON body (415) and any outage (503).
  expect(Object.keys(doc.paths["/api/auth/signup"]?.post?.responses ?? {}).sort()).toStrictEqual([
    "201",
    "400",
    "409",
    "415",
    "429",
    "500",
    "503",
  ]);
});
