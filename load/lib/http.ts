import { ADMIN_API_KEY } from "./app";

/** What a request to the app answered: its status, its body as JSON (null when not), its text. */
export interface Answer {
  status: number;
  body: unknown;
  text: string;
  ms: number;
}

/**
 * One request to a running app, as a client over HTTP: a bearer token, the admin key, a JSON or
 * multipart body, extra headers, a time limit. A network failure or timeout throws.
 */
export async function fetchApi(
  base: string,
  method: string,
  url: string,
  opts: {
    token?: string;
    admin?: boolean;
    json?: unknown;
    form?: FormData;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.admin) headers["x-admin-key"] = ADMIN_API_KEY;
  let body: BodyInit | undefined = opts.form;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  const started = performance.now();
  const res = await fetch(`${base}${url}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, ms: performance.now() - started };
}
