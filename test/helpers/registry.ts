import { z } from "zod";
import type { Endpoint } from "@/lib/api/define";
import type { RouteHandler } from "./http";

/** "POST /api/courses/{course_id}/chat": how suites name an endpoint (and key their lists). */
export const keyOf = (e: Pick<Endpoint, "method" | "path">) => `${e.method} ${e.path}`;

/** The path parameters of an endpoint, in path order. */
export const paramNames = (e: Pick<Endpoint, "path">) =>
  [...e.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");

/** The handler an endpoint is served by: app/api/<path with [param] folders>/route.ts, export <METHOD>. */
export async function handlerFor(e: Pick<Endpoint, "method" | "path">): Promise<RouteHandler> {
  const file = e.path.replace(/\{(\w+)\}/g, "[$1]");
  const mod = (await import(/* @vite-ignore */ `../../app${file}/route.ts`)) as Record<string, RouteHandler>;
  const handler = mod[e.method];
  if (!handler) throw new Error(`${keyOf(e)}: no handler exported`);
  return handler;
}

/** The concrete URL path of an endpoint for these params (values URL-encoded, as a client sends them). */
export function concretePath(e: Pick<Endpoint, "path">, params: Record<string, string>): string {
  return e.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    try {
      return encodeURIComponent(params[name] ?? "");
    } catch {
      return "x"; // a lone surrogate cannot be URL-encoded; the handler reads params, not the URL
    }
  });
}

type Json = Record<string, unknown>;

/** The JSON Schema (input side) of an object schema's properties, e.g. to know a body field's type. */
export function propertiesOf(schema: z.ZodType | undefined): Record<string, Json> {
  if (!schema) return {};
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return (js.properties ?? {}) as Record<string, Json>;
}
