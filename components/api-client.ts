"use client";

export interface ApiFailure {
  status: number;
  detail: string;
  code: string;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** Same-origin call to the JSON API; the session travels in the httpOnly cookie. */
export async function callApi<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, error: { status: 0, detail: "", code: "NETWORK" } };
  }
  const payload = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (res.ok) return { ok: true, data: payload as T };
  return {
    ok: false,
    error: {
      status: res.status,
      detail: typeof payload?.detail === "string" ? payload.detail : "",
      code: typeof payload?.code === "string" ? payload.code : "ERROR",
    },
  };
}
