import { z } from "zod";

// Every variable the app reads, parsed once, with its embedded default.
// Nothing else in the code reads process.env (see .env.example for the docs).

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : ["true", "1", "yes"].includes(v)));

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

const shape = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(3000, 1),
  APP_URL: optionalString.pipe(z.url().optional()),
  DATA_DIR: z.string().default(".data"),

  DATABASE_URL: optionalString,
  DATABASE_PREPARE: bool(true),
  DATABASE_POOL_MAX: int(10, 1),

  JWT_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  ACCESS_TOKEN_TTL_SECONDS: int(3600, 60),
  REFRESH_TOKEN_TTL_DAYS: int(30, 1),
  PASSWORD_RESET_TTL_MINUTES: int(60, 5),
  COOKIE_SECURE: bool(false),

  SUPABASE_URL: optionalString.pipe(z.url().optional()),
  SUPABASE_ANON_KEY: optionalString,
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  SUPABASE_JWT_SECRET: optionalString,

  ADMIN_API_KEY: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString,

  SUPABASE_STORAGE_BUCKET: z.string().default("materials"),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  /** Overrides of the models lib/ai/providers.ts chooses (it alone names models). */
  EMBEDDING_MODEL: optionalString,
  CHAT_MODEL: optionalString,
  CHAT_MAX_OUTPUT_TOKENS: int(1024, 16),
  CHAT_TIMEOUT_SECONDS: int(60, 1),
  /** Longest an API request is worked on before a 503 (0: no limit); see Endpoint.deadline. */
  REQUEST_TIMEOUT_SECONDS: int(30, 0, 3600),
  /** The offline tutor's pause before each word, so its answers stream visibly (unset: 10 ms, 0 in tests). */
  OFFLINE_TUTOR_WORD_DELAY_MS: optionalString.pipe(
    z.coerce.number<string>().int().min(0).max(1000).optional(),
  ),

  WALLET_SIGNUP_GRANT: int(20000, 0),
  RESERVATION_TTL_SECONDS: int(300, 10),

  MAX_UPLOAD_MB: z.coerce.number().positive().max(1024).default(10),
  INGEST_MAX_PAGES: int(1000, 1),
  INGEST_LEASE_SECONDS: int(120, 10),
  INGEST_MAX_ATTEMPTS: int(3, 1),
  INGEST_POLL_SECONDS: int(30, 0),
  CRON_SECRET: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),

  KOUTOUBI_BASE_URL: z.url().default("https://www.koutoubi.mr"),
  KOUTOUBI_PDF_HOSTS: z
    .string()
    .default("docs.bsimr.com,bsimr.s3.us-east-2.amazonaws.com,www.koutoubi.mr,koutoubi.mr"),
  // One small public portal: a few pages at a time is polite, more would look like an attack.
  SCRAPER_CONCURRENCY: int(2, 1, 8),
  SCRAPER_DELAY_MS: int(300, 0),
  SCRAPER_TIMEOUT_SECONDS: int(20, 1),
  SCRAPER_RETRIES: int(2, 0),
  CURRICULUM_MAX_MB: z.coerce.number().positive().max(2048).default(100),
  DOWNLOAD_TIMEOUT_SECONDS: int(120, 1),

  SMTP_URL: optionalString,
  MAIL_FROM: z.string().default("BacMR <no-reply@bacmr.local>"),

  AUTH_RATE_LIMIT_REQUESTS: int(10, 1),
  AUTH_RATE_LIMIT_IP_REQUESTS: int(100, 1),
  AUTH_RATE_LIMIT_WINDOW: int(900, 1),
  RATE_LIMIT_REQUESTS: int(10, 1),
  RATE_LIMIT_WINDOW: int(60, 1),
  RATE_LIMIT_USER_REQUESTS: int(30, 1),
  /** Unset: true on Vercel (see parseEnv), false elsewhere. */
  TRUST_PROXY: bool(false),
});

/** The names of every variable the app reads. */
export const ENV_NAMES = Object.keys(shape.shape);

const schema = shape.superRefine((env, ctx) => {
  if (env.SUPABASE_URL && !(env.SUPABASE_ANON_KEY && env.SUPABASE_SERVICE_ROLE_KEY)) {
    ctx.addIssue({
      code: "custom",
      path: ["SUPABASE_URL"],
      message: "SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY are required when SUPABASE_URL is set",
    });
  }
  if (env.RESERVATION_TTL_SECONDS <= env.CHAT_TIMEOUT_SECONDS) {
    ctx.addIssue({
      code: "custom",
      path: ["RESERVATION_TTL_SECONDS"],
      message: "must be longer than CHAT_TIMEOUT_SECONDS (a reservation must outlive its chat)",
    });
  }
  if (env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) {
    ctx.addIssue({ code: "custom", path: ["ADMIN_PASSWORD"], message: "required when ADMIN_EMAIL is set" });
  }
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

/** The validated environment. Throws once, at first use, naming every bad variable. */
export function env(): Env {
  if (!cached) cached = parseEnv(process.env);
  return cached;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Vercel's edge writes the client's address into X-Forwarded-For, and no server.mjs runs
  // there to pass the socket's: trust the header unless told otherwise.
  const withPlatform = source.VERCEL && !source.TRUST_PROXY ? { ...source, TRUST_PROXY: "true" } : source;
  const result = schema.safeParse(withPlatform);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** Tests change process.env between suites; this makes the next env() re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function appUrl(): string {
  const e = env();
  return e.APP_URL ?? `http://localhost:${e.PORT}`;
}
