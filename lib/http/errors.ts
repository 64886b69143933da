/** Machine-readable error codes and the HTTP status each maps to. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  INSUFFICIENT_BALANCE: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  IDEMPOTENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_ERROR: 500,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  LOCAL_AI_API_ERROR: 503,
  TIMEOUT_ERROR: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error class handlers throw; the route wrapper turns it into `{detail, code}`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  /** "detail" (the API's usual `{detail, code}`) or "error" (`{error, code}`: the AI-service errors of the spec). */
  readonly shape: "detail" | "error";

  constructor(
    code: ErrorCode,
    detail: string,
    opts: {
      headers?: Record<string, string>;
      extra?: Record<string, unknown>;
      shape?: "detail" | "error";
    } = {},
  ) {
    super(detail);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = opts.headers ?? {};
    this.extra = opts.extra ?? {};
    this.shape = opts.shape ?? "detail";
  }
}

export const notFound = (detail: string) => new ApiError("NOT_FOUND", detail);
export const badRequest = (detail: string) => new ApiError("BAD_REQUEST", detail);
export const conflict = (detail: string, code: ErrorCode = "CONFLICT") => new ApiError(code, detail);
export const unauthorized = (detail = "Not authenticated", code: ErrorCode = "UNAUTHORIZED") =>
  new ApiError(code, detail, { headers: { "WWW-Authenticate": "Bearer" } });
export const forbidden = (detail = "Admin privileges required") => new ApiError("FORBIDDEN", detail);

export function errorBody(err: ApiError): Record<string, unknown> {
  return err.shape === "error"
    ? { error: err.message, code: err.code, ...err.extra }
    : { detail: err.message, code: err.code, ...err.extra };
}
