import { z } from "zod";
import { type Db, type DbHandle, dropIfStalled, getDbHandle } from "@/db/client";
import { causes, isDatabaseUnreachable } from "@/db/errors";
import type { AuthMode, Endpoint } from "@/lib/api/define";
import { appUrl, env } from "@/lib/config/env";
import { unlessLate } from "@/lib/deadline";
import type { Profile } from "@/lib/profiles";
import { ApiError, errorBody } from "./errors";
import { resolvePrincipal } from "./principal";
import { type CookieSpec, clientIp, serializeCookie } from "./request";

type Infer<S> = [S] extends [z.ZodType] ? z.output<S> : undefined;
type InferIn<S> = [S] extends [z.ZodType] ? z.input<S> : unknown;

export type Principal = { kind: "user"; user: Profile } | { kind: "admin_key" };
type UserPrincipal = { kind: "user"; user: Profile };

type PrincipalFor<A extends AuthMode> = A extends "user"
  ? UserPrincipal
  : A extends "admin"
    ? Principal
    : A extends "optional"
      ? UserPrincipal | null
      : null;

// biome-ignore lint/suspicious/noExplicitAny: see Endpoint
type AnyEndpoint = Endpoint<any, any, any, any, AuthMode>;
type P<E> = E extends Endpoint<infer X, infer _Q, infer _B, infer _R, infer _A> ? X : never;
type Q<E> = E extends Endpoint<infer _P, infer X, infer _B, infer _R, infer _A> ? X : never;
type B<E> = E extends Endpoint<infer _P, infer _Q, infer X, infer _R, infer _A> ? X : never;
type R<E> = E extends Endpoint<infer _P, infer _Q, infer _B, infer X, infer _A> ? X : never;
type A<E> = E extends Endpoint<infer _P, infer _Q, infer _B, infer _R, infer X> ? X : never;

export interface HandlerContext<E extends AnyEndpoint> {
  req: Request;
  db: Db;
  params: Infer<P<E>>;
  query: Infer<Q<E>>;
  body: Infer<B<E>>;
  principal: PrincipalFor<A<E>>;
  ip: string;
  /** Aborted when the client goes away or the request's deadline passes. */
  signal: AbortSignal;
}

/** A success body plus the headers and cookies to send with it. */
export class Reply<T> {
  constructor(
    readonly body: T,
    readonly init: { status?: number; headers?: Record<string, string>; cookies?: CookieSpec[] } = {},
  ) {}
}

type HandlerResult<E extends AnyEndpoint> = InferIn<R<E>> | Reply<InferIn<R<E>>> | Response;

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function errorResponse(err: ApiError): Response {
  return json(errorBody(err), err.status, err.headers);
}

function fieldName(path: PropertyKey[]): string {
  return path.map(String).join(".");
}

/** A zod failure as a 400 naming the first bad field, with every issue listed. */
function validationError(where: "path" | "query" | "body", error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    loc: [where, ...i.path.map(String)],
    field: fieldName(i.path) || where,
    msg: i.message,
  }));
  const first = issues[0];
  // "field: message", unless the message already names its field ("Query parameter cannot be empty").
  const named = first?.msg.toLowerCase().includes(first.field.split(".").pop()?.toLowerCase() ?? "\0");
  const detail = first ? (named ? first.msg : `${first.field}: ${first.msg}`) : `Invalid ${where}`;
  return new ApiError("VALIDATION_ERROR", detail, { extra: { errors: issues } });
}

/**
 * A JSON body, only when declared as JSON: a cross-site HTML form can post text/plain that
 * happens to parse as JSON, but cannot send application/json without a CORS preflight.
 */
async function readJsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return undefined;
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("INVALID_JSON", "Malformed JSON body");
  }
}

/**
 * Postgres refuses NUL and text that is not valid UTF-8 (a lone UTF-16 surrogate, which JSON's
 * `\ud800` escapes can carry): such input is a 400 naming the field, not a 500 at the first query.
 * Checked on the parsed values, so a part the endpoint does not read (an undeclared query, an
 * unknown field stripped by its schema) cannot make it fail. A file's name is text too.
 */
function assertStorableText(value: unknown, where: "path" | "query" | "body", path: string[] = []): void {
  if (typeof value === "string") {
    const problem = value.includes("\u0000")
      ? "must not contain NUL characters"
      : LONE_SURROGATE.test(value)
        ? "must be valid Unicode (no lone surrogates)"
        : null;
    if (problem) {
      const field = (path.join(".") || where).slice(0, 100);
      throw new ApiError("VALIDATION_ERROR", `${field}: ${problem}`, {
        extra: { errors: [{ loc: [where, ...path], field, msg: problem }] },
      });
    }
  } else if (value instanceof File) {
    assertStorableText(value.name, where, [...path, "filename"]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      assertStorableText(v, where, [...path, String(i)]);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) assertStorableText(v, where, [...path, k]);
  }
}

const LONE_SURROGATE = /\p{Cs}/u;

function parseWith<S extends z.ZodType>(
  schema: S,
  where: "path" | "query" | "body",
  input: unknown,
): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

/**
 * The one shape of every API handler: parse params, query and body with the endpoint's zod
 * schemas, resolve the caller, run the handler, and map the result or the thrown error to the
 * documented response. Unknown errors are logged and answered with a generic 500.
 */
export function route<E extends AnyEndpoint>(
  endpoint: E,
  handler: (ctx: HandlerContext<E>) => Promise<HandlerResult<E>>,
): (req: Request, ctx: RouteContext) => Promise<Response> {
  return async (req, ctx) => {
    const seconds = endpoint.deadline ? endpoint.deadline() : env().REQUEST_TIMEOUT_SECONDS;
    // Aborted at the deadline: a handler that listens (the tutor) stops, bills nothing more and
    // stores nothing, since its client is told the request failed.
    const late = new AbortController();
    let handle: DbHandle | undefined;
    try {
      assertSameOrigin(req);
      handle = await within(seconds, late, openDb());
      const db = handle.db;
      // Who is asking comes first: an anonymous caller learns nothing from validation errors.
      const principal = await within(seconds, late, resolvePrincipal(db, req, endpoint.auth));
      const rawParams = (await ctx?.params) ?? {};
      const params = endpoint.params ? parseWith(endpoint.params, "path", rawParams) : undefined;
      assertStorableText(params, "path");
      const rawQuery = Object.fromEntries(new URL(req.url).searchParams);
      const query = endpoint.query ? parseWith(endpoint.query, "query", rawQuery) : undefined;
      assertStorableText(query, "query");
      // Reading the body is the client's time (a slow phone connection), not the server's: no
      // deadline runs while it arrives.
      let body: unknown;
      const limit = endpoint.maxBodyBytes?.();
      if (limit && Number(req.headers.get("content-length") ?? 0) > limit.bytes) {
        throw new ApiError("PAYLOAD_TOO_LARGE", limit.detail);
      }
      if (endpoint.bodyKind === "multipart") {
        // Fields become an object validated like a JSON body (a file field is a File).
        const form = Object.fromEntries(await readMultipart(req));
        body = endpoint.body ? parseWith(endpoint.body, "body", form) : form;
        assertStorableText(body, "body");
      } else if (endpoint.body) {
        body = parseWith(endpoint.body, "body", await readJsonBody(req));
        assertStorableText(body, "body");
      }
      const result = await within(
        seconds,
        late,
        handler({
          req,
          db,
          params,
          query,
          body,
          principal,
          ip: clientIp(req),
          signal: AbortSignal.any([req.signal, late.signal]),
        } as HandlerContext<E>),
      );
      if (result instanceof Response) return result;
      const reply = result instanceof Reply ? result : new Reply(result);
      const out = endpoint.response ? endpoint.response.parse(reply.body) : reply.body;
      const res = json(out, reply.init.status ?? endpoint.status ?? 200, reply.init.headers);
      for (const c of reply.init.cookies ?? []) res.headers.append("set-cookie", serializeCookie(c));
      return res;
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        console.error(`[api] ${endpoint.method} ${endpoint.path}: no answer within ${err.seconds} s`);
        // A postgres.js pool that stopped answering is dropped (only if a fresh connection gets
        // no answer either: a busy pool is kept), so that the next request reconnects.
        if (handle) void dropIfStalled(handle);
        return failureResponse(endpoint, err.asApiError(req.method));
      }
      return failureResponse(endpoint, err);
    }
  };
}

/** Thrown by `within` when the server's part of a request outlived its deadline. */
class DeadlineExceeded extends Error {
  constructor(readonly seconds: number) {
    super(`no answer within ${seconds} s`);
  }

  /** The 503; only a request that is safe to repeat is invited to (Retry-After). */
  asApiError(method: string): ApiError {
    const repeatable = method === "GET" || method === "HEAD";
    return new ApiError("SERVICE_UNAVAILABLE", "The server took too long to answer; try again", {
      headers: repeatable ? { "Retry-After": "5" } : {},
    });
  }
}

/**
 * `work`, or DeadlineExceeded once `seconds` (false or 0: none) have passed without it; `late` is
 * aborted then. The work itself goes on in the background (nothing can cancel a query in flight)
 * and its outcome is dropped.
 */
async function within<T>(seconds: number | false, late: AbortController, work: Promise<T>): Promise<T> {
  if (!seconds) return work;
  return unlessLate(work, seconds * 1000, () => {
    late.abort(new DeadlineExceeded(seconds));
    throw new DeadlineExceeded(seconds);
  });
}

/**
 * A thrown error as the endpoint's response: an ApiError as it says; an outage (the database
 * restarting, the network) as a 503 the client may retry, logged without a stack trace; anything
 * else logged and answered with a generic 500. An endpoint whose specification writes its own
 * bodies for the last two (Endpoint.failures) gets those.
 */
function failureResponse(endpoint: AnyEndpoint, err: unknown): Response {
  const where = `${endpoint.method} ${endpoint.path}`;
  const unreachable = !(err instanceof ApiError) && isDatabaseUnreachable(err);
  if (unreachable) console.error(`[api] ${where}: database unreachable:`, outageCause(err));
  const outage = unreachable || (err instanceof ApiError && err.code === "SERVICE_UNAVAILABLE");
  if (outage && endpoint.failures) {
    const headers = err instanceof ApiError ? err.headers : undefined;
    return json(endpoint.failures.unavailable.body, endpoint.failures.unavailable.status, headers);
  }
  if (unreachable) return errorResponse(new ApiError("SERVICE_UNAVAILABLE", "Database unavailable"));
  if (err instanceof ApiError) return errorResponse(err);
  console.error(`[api] ${where} failed:`, err);
  const internal = endpoint.failures?.internal ?? INTERNAL_ERROR;
  return json(internal.body, internal.status);
}

const INTERNAL_ERROR = { status: 500, body: { detail: "Internal server error", code: "INTERNAL_ERROR" } };

/** The innermost cause of an error, as `CODE message`, for a one-line log. */
function outageCause(err: unknown): string {
  const e = causes(err).at(-1) as { code?: unknown; message?: unknown };
  return `${typeof e.code === "string" ? `${e.code} ` : ""}${String(e.message ?? e)}`;
}

async function openDb(): Promise<DbHandle> {
  try {
    return await getDbHandle();
  } catch (err) {
    console.error("[api] database unavailable:", err);
    throw new ApiError("SERVICE_UNAVAILABLE", "Database unavailable");
  }
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Cookie-authenticated browsers are protected from cross-site writes: a state-changing request
 * that a browser marks with a foreign Origin is refused. Bearer-token clients are not concerned
 * (a token is never sent by a browser on its own), and neither are clients that send no Origin.
 */
function assertSameOrigin(req: Request): void {
  if (!UNSAFE_METHODS.has(req.method.toUpperCase()) || req.headers.has("authorization")) return;
  const origin = req.headers.get("origin");
  if (!origin) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ApiError("FORBIDDEN", "Cross-site request refused");
  }
  const hosts = [
    new URL(req.url).host,
    req.headers.get("host"),
    req.headers.get("x-forwarded-host"),
    appHost(),
  ];
  if (!hosts.includes(originHost)) throw new ApiError("FORBIDDEN", "Cross-site request refused");
}

function appHost(): string {
  return new URL(appUrl()).host;
}

async function readMultipart(req: Request): Promise<FormData> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Expected multipart/form-data");
  }
  try {
    return await req.formData();
  } catch {
    throw new ApiError("BAD_REQUEST", "Malformed multipart body");
  }
}

export { z };
