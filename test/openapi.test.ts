import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpoints, methodsForPath } from "@/lib/api";
import { buildOpenApiDocument } from "@/lib/api/openapi";

const API_DIR = path.resolve(import.meta.dirname, "../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [full] : [];
  });
}

/** app/api/admin/users/[user_id]/route.ts → /api/admin/users/{user_id} */
function apiPath(file: string): string {
  const rel = path.relative(path.resolve(API_DIR, ".."), path.dirname(file)).split(path.sep);
  return `/${rel.map((seg) => seg.replace(/^\[(.+)\]$/, "{$1}")).join("/")}`;
}

async function servedOperations(): Promise<string[]> {
  const ops: string[] = [];
  for (const file of routeFiles(API_DIR)) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const m of METHODS) if (typeof mod[m] === "function") ops.push(`${m} ${apiPath(file)}`);
  }
  return ops.sort();
}

describe("OpenAPI document", () => {
  it("documents exactly the operations the app serves", async () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const served = await servedOperations();
    expect(served.length).toBeGreaterThan(15);
    expect(documented).toStrictEqual(served);
  });

  it("is OpenAPI 3.1 with a schema for every JSON body and resolvable refs", () => {
    const doc = buildOpenApiDocument() as Record<string, unknown>;
    expect(doc.openapi).toBe("3.1.0");
    const text = JSON.stringify(doc);
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(schemas, `missing component ${name}`).toHaveProperty(name as string);
    }
    expect(text).not.toContain("#/$defs/");
  });

  it("names every path parameter of a templated path", () => {
    for (const e of endpoints) {
      const names = [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = e.params ? Object.keys((e.params as unknown as { shape: object }).shape) : [];
      expect(declared.sort(), `${e.method} ${e.path}`).toStrictEqual(names.sort());
    }
  });

  it("documents the chat endpoints' 500 and 503 in the spec's {error, code} shape, the others' as {detail, code}", () => {
    const doc = buildOpenApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, { content: unknown }> }>>;
    };
    const schemaOf = (p: string, method: string, status: string) =>
      doc.paths[p]?.[method]?.responses[status]?.content;
    const ref = (name: string) => ({
      "application/json": { schema: { $ref: `#/components/schemas/${name}` } },
    });
    for (const [p, method] of [
      ["/api/chat", "post"],
      ["/api/courses/{course_id}/chat", "post"],
      ["/api/courses/{course_id}/chat", "get"],
    ] as const) {
      for (const status of ["500", "503"]) {
        expect(schemaOf(p, method, status), `${method} ${p} ${status}`).toStrictEqual(ref("ProviderError"));
      }
      expect(schemaOf(p, method, "404")).toStrictEqual(ref("Error"));
    }
    expect(schemaOf("/api/conversations", "get", "500")).toStrictEqual(ref("Error"));
  });
});

describe("methodsForPath (the proxy's 404/405)", () => {
  it.each([
    ["/api/health", ["GET"]],
    ["/api/me", ["GET", "PATCH"]],
    ["/api/admin/users/3f1c7a52-1111-4222-8333-444455556666", ["DELETE"]],
    ["/api/admin/users/x/role", ["PATCH"]],
    ["/api/nothing-here", null],
    ["/api/admin/users/a/b/c", null],
  ])("%s → %j", (p, expected) => {
    expect(methodsForPath(p)?.sort() ?? null).toStrictEqual(expected ? [...expected].sort() : null);
  });
});
