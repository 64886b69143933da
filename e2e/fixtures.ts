import { createHash, randomBytes } from "node:crypto";
import {
  type APIRequestContext,
  type APIResponse,
  type BrowserContext,
  test as base,
  expect,
  type Page,
  request,
} from "@playwright/test";
import { ADMIN_API_KEY, BASE_URL, type Credentials } from "./constants";

export * from "./constants";
export { expect };

export interface Profile {
  id: string;
  email: string;
  full_name: string;
  role: "student" | "teacher" | "admin";
  hint_level: number;
  created_at: string;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: number;
  user: Profile;
}

export interface CreatedUser extends Credentials {
  id: string;
}

/**
 * A client IP for one test, sent as X-Forwarded-For. The servers run with TRUST_PROXY=true (as
 * behind a reverse proxy) and key their per-IP limits on the right-most X-Forwarded-For entry, so
 * each test gets its own IP bucket (except on DIRECT_URL, which ignores the header).
 * The run id (set by the config) keeps a reused server's buckets from an earlier run out of the way.
 */
export function ipFor(key: string): string {
  const h = createHash("sha256")
    .update(`${process.env.BACMR_E2E_RUN_ID ?? ""}:${key}`)
    .digest();
  return `10.${h[0]}.${h[1]}.${(h[2] ?? 0) % 254 || 1}`;
}

/** Every request of a test (API context and browser pages) carries that test's own client IP. */
export const test = base.extend({
  extraHTTPHeaders: async ({ extraHTTPHeaders }, use, testInfo) => {
    await use({ ...extraHTTPHeaders, "X-Forwarded-For": ipFor(`${testInfo.testId}#${testInfo.retry}`) });
  },
});

let emailCounter = 0;

/** An address no other test (or earlier run against a reused server) has used. */
export function uniqueEmail(prefix: string): string {
  emailCounter += 1;
  const id = `${Date.now().toString(36)}${process.pid.toString(36)}${emailCounter}${randomBytes(2).toString("hex")}`;
  return `${prefix}-${id}@e2e.bacmr.test`.toLowerCase();
}

export function adminHeaders(): Record<string, string> {
  return { "X-Admin-Key": ADMIN_API_KEY };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** A request context with an empty cookie jar and no extra headers (the `request` fixture keeps cookies). */
export function newApiContext(baseURL = BASE_URL): Promise<APIRequestContext> {
  return request.newContext({ baseURL });
}

/** Whole-body matcher for a profile as the API returns it. */
export function profileOf(
  u: { email: string; fullName: string; role: string; id?: string },
  hintLevel = 3,
): Record<string, unknown> {
  return {
    id: u.id ?? expect.any(String),
    email: u.email,
    full_name: u.fullName,
    role: u.role,
    hint_level: hintLevel,
    preferred_language: null,
    created_at: expect.any(String),
  };
}

async function expectStatus(res: APIResponse, status: number, what: string): Promise<void> {
  if (res.status() !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status()} ${await res.text()}`);
  }
}

/**
 * Signs in through the API and returns the session. The response's cookies land in `request`'s
 * jar; pass a context from newApiContext() when the test must stay cookie-free.
 */
export async function signIn(
  request: APIRequestContext,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Session> {
  const res = await request.post("/api/auth/signin", { data: { email, password }, headers });
  await expectStatus(res, 200, `sign-in of ${email}`);
  return ((await res.json()) as { data: Session }).data;
}

/** Creates a user through the admin API (admin key). */
export async function createUser(
  request: APIRequestContext,
  opts: { prefix?: string; role?: Credentials["role"]; fullName?: string; password?: string } = {},
): Promise<CreatedUser> {
  const user: Credentials = {
    email: uniqueEmail(opts.prefix ?? opts.role ?? "user"),
    password: opts.password ?? `Pass-${randomBytes(6).toString("hex")}`,
    fullName: opts.fullName ?? "Utilisateur de test",
    role: opts.role ?? "student",
  };
  const res = await request.post("/api/admin/users", {
    headers: adminHeaders(),
    data: { email: user.email, password: user.password, full_name: user.fullName, role: user.role },
  });
  await expectStatus(res, 201, `creating ${user.email}`);
  const { data } = (await res.json()) as { data: Profile };
  return { ...user, id: data.id };
}

/** The reset link of the newest mail the app sent to `email`, read from the admin outbox. */
export async function readResetLink(request: APIRequestContext, email: string): Promise<string> {
  const res = await request.get(`/api/admin/mail-outbox?to=${encodeURIComponent(email)}`, {
    headers: adminHeaders(),
  });
  await expectStatus(res, 200, `outbox of ${email}`);
  const { messages } = (await res.json()) as { messages: { body: string }[] };
  const link = messages[0]?.body.match(/https?:\/\/\S+\/reset-password\?token=\S+/)?.[0];
  if (!link) throw new Error(`no reset link in the outbox for ${email}: ${JSON.stringify(messages)}`);
  return link;
}

/** The token of a reset link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

// --- Browser helpers ---

/** Signs the page's browser context in through the API (page.request shares the context's cookies). */
export async function signInAs(page: Page, user: { email: string; password: string }): Promise<Session> {
  return signIn(page.request, user.email, user.password);
}

/** The language preference cookie the switcher sets. */
export async function setLocaleCookie(context: BrowserContext, locale: "fr" | "ar" | "en"): Promise<void> {
  const { hostname } = new URL(BASE_URL);
  await context.addCookies([{ name: "bacmr_locale", value: locale, domain: hostname, path: "/" }]);
}

/** True when the page is wider than its viewport (a horizontal scrollbar). */
export async function hasHorizontalScroll(
  page: Page,
): Promise<{ scrollWidth: number; clientWidth: number } | null> {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  return m.scrollWidth > m.clientWidth ? m : null;
}

/**
 * Puts a textbook in the library through the admin API (the admin key) and waits until the
 * server's ingestion made it ready (`GET /api/curriculum/textbooks/{id}` answers only for ready
 * ones). Returns its document id.
 */
export async function uploadTextbook(
  api: APIRequestContext,
  t: {
    file: { name: string; buffer: Buffer };
    title: string;
    subject: string;
    grade?: string;
    language?: "fr" | "ar" | "en";
    timeoutMs?: number;
  },
): Promise<string> {
  const res = await api.post("/api/admin/upload-curriculum", {
    headers: adminHeaders(),
    multipart: {
      file: { name: t.file.name, mimeType: "application/pdf", buffer: t.file.buffer },
      grade: t.grade ?? "7AS",
      subject: t.subject,
      language: t.language ?? "fr",
      title: t.title,
    },
  });
  await expectStatus(res, 201, `uploading the textbook ${t.title}`);
  const { document_id: id } = (await res.json()) as { document_id: string };
  await expect
    .poll(async () => (await api.get(`/api/curriculum/textbooks/${id}`)).status(), {
      timeout: t.timeoutMs ?? 60_000,
      intervals: [500],
    })
    .toBe(200);
  return id;
}
