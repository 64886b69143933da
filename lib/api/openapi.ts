import { z } from "zod";
import type { Endpoint } from "./define";
import { endpoints } from "./index";
import { ErrorResponse } from "./schemas";

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input (the detail names the field)",
  401: "Missing, invalid or expired credentials",
  403: "Authenticated but not allowed",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict with the current state",
  413: "Payload too large",
  415: "Unsupported media type",
  429: "Too many requests (see Retry-After)",
  500: "Unexpected server error",
  503: "A backing service is unavailable",
};

/** Converts a zod schema, moving named sub-schemas (`.meta({ id })`) into components. */
function toSchema(schema: z.ZodType, io: "input" | "output", components: Json): Json {
  const raw = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  const out = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  delete out.$schema;
  const defs = out.$defs as Record<string, Json> | undefined;
  delete out.$defs;
  for (const [name, def] of Object.entries(defs ?? {})) components[name] ??= def;
  return out;
}

function parametersOf(e: Endpoint, components: Json): Json[] {
  const params: Json[] = [];
  for (const [where, schema] of [
    ["path", e.params],
    ["query", e.query],
  ] as const) {
    if (!schema) continue;
    const obj = toSchema(schema, "input", components);
    const props = (obj.properties ?? {}) as Record<string, Json>;
    const required = new Set((obj.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      params.push({ name, in: where, required: where === "path" || required.has(name), schema: s });
    }
  }
  return params;
}

/** The error statuses an endpoint documents: its own plus those implied by its auth and its input. */
export function documentedErrors(e: Endpoint): number[] {
  const errors = new Set<number>(e.errors ?? []);
  if (e.params || e.query || e.body) errors.add(400);
  if (e.auth === "user" || e.auth === "admin" || e.auth === "cron") errors.add(401);
  if (e.auth === "admin") errors.add(403);
  // What the route wrapper itself answers: a path naming nothing, a body of another type or too
  // large, an unexpected error, the database out of reach (or a request past its deadline).
  if (e.params) errors.add(404);
  if (e.body || e.bodyKind === "multipart") errors.add(415);
  if (e.maxBodyBytes) errors.add(413);
  errors.add(500);
  errors.add(503);
  return [...errors].sort();
}

function operation(e: Endpoint, components: Json): Json {
  const responses: Json = {};
  const status = String(e.status ?? 200);
  responses[status] = e.response
    ? {
        description: "Success",
        content: { "application/json": { schema: toSchema(e.response, "output", components) } },
      }
    : { description: "Success", content: { [e.responseContentType ?? "application/octet-stream"]: {} } };
  const error = { $ref: "#/components/schemas/Error" };
  // The endpoint's own bodies for an unexpected error and an outage, when its specification has them.
  const failure = e.failures ? toSchema(e.failures.schema, "output", components) : error;
  for (const code of documentedErrors(e)) {
    const statuses = [e.failures?.internal.status, e.failures?.unavailable.status];
    responses[String(code)] = {
      description: STATUS_TEXT[code] ?? "Error",
      content: { "application/json": { schema: statuses.includes(code) ? failure : error } },
    };
  }
  const op: Json = {
    operationId: `${e.method.toLowerCase()}${e.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    summary: e.summary,
    tags: [e.tag],
    parameters: parametersOf(e, components),
    responses,
  };
  if (e.description) op.description = e.description;
  if (e.auth === "user") op.security = [{ bearer: [] }, { cookie: [] }];
  if (e.auth === "optional") op.security = [{ bearer: [] }, { cookie: [] }, {}];
  if (e.auth === "admin") op.security = [{ bearer: [] }, { cookie: [] }, { adminKey: [] }];
  if (e.auth === "cron") op.security = [{ cronSecret: [] }];
  if (e.body) {
    const content =
      e.bodyKind === "multipart"
        ? { "multipart/form-data": { schema: toSchema(e.body, "input", components) } }
        : { "application/json": { schema: toSchema(e.body, "input", components) } };
    op.requestBody = { required: !e.body.safeParse(undefined).success, content };
  }
  return op;
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document, generated from the same schemas the handlers validate with. */
export function buildOpenApiDocument(): Json {
  if (cached) return cached;
  const components: Json = {};
  toSchema(ErrorResponse, "output", components); // registers the Error component
  const paths: Record<string, Json> = {};
  for (const e of endpoints) {
    paths[e.path] ??= {};
    (paths[e.path] as Json)[e.method.toLowerCase()] = operation(e, components);
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "BacMR API",
      version: "1.0.0",
      description:
        "The AI teacher for the Mauritanian baccalauréat. Errors are `{detail, code}` JSON. " +
        "Authenticate with `Authorization: Bearer <access_token>` from /api/auth/signin; admin " +
        "routes also accept `X-Admin-Key`.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        cookie: { type: "apiKey", in: "cookie", name: "bacmr_access" },
        adminKey: { type: "apiKey", in: "header", name: "X-Admin-Key" },
        cronSecret: { type: "http", scheme: "bearer", description: "CRON_SECRET (Vercel Cron)" },
      },
    },
  };
  return cached;
}
