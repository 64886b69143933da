import type { z } from "zod";
import { env } from "@/lib/config/env";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/**
 * none: public; optional: user if a valid token is sent; user: any signed-in user; admin: admin
 * JWT or X-Admin-Key; cron: `Authorization: Bearer $CRON_SECRET` (the scheduler).
 */
export type AuthMode = "none" | "optional" | "user" | "admin" | "cron";

// biome-ignore lint/suspicious/noExplicitAny: endpoint schemas are heterogenous by design
type AnySchema = z.ZodType<any, any>;

/**
 * One endpoint of the public API: the route wrapper validates with these schemas and the
 * OpenAPI document is generated from them, so the docs cannot drift from the code.
 */
export interface Endpoint<
  P extends AnySchema | undefined = AnySchema | undefined,
  Q extends AnySchema | undefined = AnySchema | undefined,
  B extends AnySchema | undefined = AnySchema | undefined,
  R extends AnySchema | undefined = AnySchema | undefined,
  A extends AuthMode = AuthMode,
> {
  method: HttpMethod;
  /** OpenAPI-style path: /api/admin/users/{user_id} */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** json (default) or multipart/form-data (the handler gets the FormData). */
  bodyKind?: "json" | "multipart";
  /** Largest request body accepted (by Content-Length, before reading it): 413 beyond. */
  maxBodyBytes?: () => { bytes: number; detail: string };
  /** Success status (default 200). */
  status?: number;
  /** Schema of the success body; omitted when the handler streams or sends a file. */
  response?: R;
  /** Non-JSON success content (a stream or a file), for the docs. */
  responseContentType?: string;
  /** Error statuses this endpoint documents besides the ones implied by auth and input. */
  errors?: number[];
  /**
   * What the endpoint answers for failures no handler expected, where its specification writes
   * its own bodies: `internal` for any unexpected error (else 500 `{detail: "Internal server
   * error", code: "INTERNAL_ERROR"}`), `unavailable` for an outage of the database or the auth
   * service (else 503 `{detail, code: "SERVICE_UNAVAILABLE"}`); `schema` documents both.
   */
  failures?: { internal: FixedResponse; unavailable: FixedResponse; schema: AnySchema };
  /**
   * Seconds the server works on a request before it answers 503 anyway (a database that stopped
   * answering with its connection open, a jammed queue): REQUEST_TIMEOUT_SECONDS unless said
   * here; `false` for endpoints whose work is long by design (an upload read over a slow phone
   * connection, a portal crawl, a drain of the ingestion queue). Streams count until their
   * response starts.
   */
  deadline?: () => number | false;
}

/** Endpoint.deadline of work that is long by design. */
export const NO_DEADLINE = (): false => false;

/** Endpoint.deadline of a model call: its own timeout (CHAT_TIMEOUT_SECONDS) plus the usual time. */
export const CHAT_DEADLINE = (): number => {
  const { REQUEST_TIMEOUT_SECONDS, CHAT_TIMEOUT_SECONDS } = env();
  return REQUEST_TIMEOUT_SECONDS && CHAT_TIMEOUT_SECONDS + REQUEST_TIMEOUT_SECONDS;
};

/** A response that is always the same: its status and JSON body. */
export interface FixedResponse {
  status: number;
  body: Record<string, unknown>;
}

export function defineEndpoint<
  P extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  B extends AnySchema | undefined = undefined,
  R extends AnySchema | undefined = undefined,
  const A extends AuthMode = AuthMode,
>(endpoint: Endpoint<P, Q, B, R, A>): Endpoint<P, Q, B, R, A> {
  return endpoint;
}
