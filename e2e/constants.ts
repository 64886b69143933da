// Known values shared by playwright.config.ts (the servers' environment), the global setup and the
// specs. No Playwright imports here: the config loads this file too.

import path from "node:path";

/** The app under test. 127.0.0.1, not localhost: APP_URL, cookies and reset links use the same host. */
export const PORT = Number(process.env.E2E_PORT ?? 3100);
export const BASE_URL = `http://127.0.0.1:${PORT}`;

/**
 * A second instance of the same build with its own empty database and a low auth rate limit, for
 * tests that need global state to themselves: the rate limiter, and the last-admin rule (the main
 * server has several admins that parallel tests sign in with).
 */
export const ISOLATED_PORT = PORT + 1;
export const ISOLATED_URL = `http://127.0.0.1:${ISOLATED_PORT}`;
export const ISOLATED_AUTH_RATE_LIMIT = 5;
export const ISOLATED_AUTH_RATE_WINDOW = 900;

/**
 * A third instance served as in production without a proxy in front (TRUST_PROXY=false): the
 * app ignores a client-sent X-Forwarded-For and keys on the socket address server.mjs passes. The
 * others trust the header, like an app behind a reverse proxy, so tests can play distinct clients.
 */
export const DIRECT_PORT = PORT + 2;
export const DIRECT_URL = `http://127.0.0.1:${DIRECT_PORT}`;

/**
 * A fourth instance for the end-to-end journeys: its own database and a small signup grant, so a
 * student who signs up there runs out of tokens after a few real answers.
 */
export const JOURNEY_PORT = PORT + 3;
export const JOURNEY_URL = `http://127.0.0.1:${JOURNEY_PORT}`;
export const JOURNEY_SIGNUP_GRANT = 10_000;

/**
 * A static copy of the koutoubi.mr portal (e2e/koutoubi-site.mjs) that the main server's sync
 * crawls. The fixture lives next to the repository (../shared); a lone clone has none.
 */
export const KOUTOUBI_SITE_PORT = Number(process.env.E2E_KOUTOUBI_PORT ?? 3190);
export const KOUTOUBI_SITE_URL = `http://127.0.0.1:${KOUTOUBI_SITE_PORT}`;
export const KOUTOUBI_SITE_DIR = path.resolve(import.meta.dirname, "..", "../shared/fixtures/koutoubi/site");

export const ADMIN_API_KEY = "e2e-admin-api-key-0123456789abcdef";
/** Set on the servers so tests can mint tokens (expired, wrong audience) the server would accept otherwise. */
export const JWT_SECRET = "e2e-jwt-secret-that-is-at-least-32-characters-long";
export const JWT_ISSUER = "bacmr";
export const JWT_AUDIENCE = "authenticated";
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_DAYS = 30;

export interface Credentials {
  email: string;
  password: string;
  fullName: string;
  role: "student" | "teacher" | "admin";
}

/** Created by `npm run db:migrate` at server start from ADMIN_EMAIL / ADMIN_PASSWORD. */
export const BOOTSTRAP_ADMIN: Credentials = {
  email: "bootstrap-admin@e2e.bacmr.test",
  password: "Bootstrap-admin-pass-1",
  fullName: "Administrator",
  role: "admin",
};

/** Created by e2e/global-setup.ts through the admin API, in this order. Never modified by a test. */
export const USERS = {
  student: {
    email: "student@e2e.bacmr.test",
    password: "Student-pass-e2e-1",
    fullName: "Aïcha Ould Élève",
    role: "student",
  },
  teacher: {
    email: "teacher@e2e.bacmr.test",
    password: "Teacher-pass-e2e-1",
    fullName: "Mohamed Enseignant",
    role: "teacher",
  },
  admin: {
    email: "admin@e2e.bacmr.test",
    password: "Admin-pass-e2e-1",
    fullName: "Mariem Admin",
    role: "admin",
  },
} satisfies Record<string, Credentials>;

/** The environment both server instances share. */
export function serverEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    NEXT_TELEMETRY_DISABLED: "1",
    ADMIN_API_KEY,
    ADMIN_EMAIL: BOOTSTRAP_ADMIN.email,
    ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password,
    JWT_SECRET,
    ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    REFRESH_TOKEN_TTL_DAYS: String(REFRESH_TOKEN_TTL_DAYS),
    COOKIE_SECURE: "false",
    TRUST_PROXY: "true",
    // The developer's shell must not point the servers at a real database, Supabase or SMTP.
    DATABASE_URL: "",
    SUPABASE_URL: "",
    SUPABASE_ANON_KEY: "",
    SUPABASE_SERVICE_ROLE_KEY: "",
    SMTP_URL: "",
    ...overrides,
  };
}
