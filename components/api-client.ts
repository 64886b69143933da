"use client";

export interface ApiFailure {
  status: number;
  detail: string;
  code: string;
  /** Seconds to wait, from a 429's Retry-After header. */
  retryAfter?: number;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** Same-origin call to the JSON API; the session travels in the httpOnly cookie. */
export async function callApi<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, error: { status: 0, detail: "", code: "NETWORK" } };
  }
  const payload = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.ok) return { ok: true, data: payload as T };
  return { ok: false, error: failureOf(res, payload) };
}

/** An error response as an ApiFailure: `{detail, code}`, or the chat's `{error, code}` shape. */
export function failureOf(res: Response, payload: Record<string, unknown> | null): ApiFailure {
  const retryAfter = Number(res.headers.get("retry-after"));
  const detail = payload?.detail ?? payload?.error;
  return {
    status: res.status,
    detail: typeof detail === "string" ? detail : "",
    code: typeof payload?.code === "string" ? payload.code : "ERROR",
    ...(retryAfter > 0 ? { retryAfter } : {}),
  };
}
