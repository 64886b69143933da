/** A route handler as Next calls it. */
export type RouteHandler = (
  req: Request,
  ctx: { params: Promise<Record<string, string>> },
) => Promise<Response>;

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON
  body: any;
  headers: Headers;
}

/**
 * Calls a route handler the way Next does: a Request plus a params promise. `body` is sent as
 * JSON, or as multipart when it is a FormData.
 */
export async function call(
  handler: RouteHandler,
  opts: {
    path: string;
    method?: string;
    body?: unknown;
    rawBody?: string;
    token?: string;
    headers?: Record<string, string>;
    params?: Record<string, string>;
  },
): Promise<CallResult> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers.set("content-type", "application/json");
  }
  const req = new Request(`http://localhost${opts.path}`, { method: opts.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
