import type { APIRequestContext, APIResponse } from "@playwright/test";
import {
  adminHeaders,
  createUser,
  DIRECT_URL,
  expect,
  ISOLATED_AUTH_RATE_LIMIT,
  ISOLATED_AUTH_RATE_WINDOW,
  ISOLATED_URL,
  ipFor,
  newApiContext,
  test,
  uniqueEmail,
} from "../fixtures";

// Against the isolated server (AUTH_RATE_LIMIT_REQUESTS=5): the main server runs with a limit high
// enough for the whole suite. Each test uses its own emails and client IPs (X-Forwarded-For), so
// the buckets of one test are never touched by another.

const LIMIT = ISOLATED_AUTH_RATE_LIMIT;
const RATE_LIMITED = { detail: "Too many attempts, try again later", code: "RATE_LIMITED" };
const INVALID_CREDENTIALS = { detail: "Invalid email or password", code: "INVALID_CREDENTIALS" };

let api: APIRequestContext;
test.beforeEach(async () => {
  api = await newApiContext(ISOLATED_URL);
});
test.afterEach(async () => {
  await api.dispose();
});

function signInFrom(ip: string, email: string, password: string): Promise<APIResponse> {
  return api.post("/api/auth/signin", { headers: { "X-Forwarded-For": ip }, data: { email, password } });
}

async function expectRateLimited(res: APIResponse): Promise<void> {
  expect(res.status()).toBe(429);
  expect(await res.json()).toStrictEqual(RATE_LIMITED);
  const retryAfter = Number(res.headers()["retry-after"]);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(ISOLATED_AUTH_RATE_WINDOW);
}

test("sign-in for one email is refused with 429 and Retry-After after the limit, from any IP", async () => {
  const user = await createUser(api, { prefix: "hammered" });
  // A botnet: every attempt from another address, all on one account.
  for (let i = 1; i <= LIMIT; i++) {
    const res = await signInFrom(ipFor(`${user.email}#${i}`), user.email, "wrong-password");
    expect(res.status(), `attempt ${i}`).toBe(401);
    expect(await res.json()).toStrictEqual(INVALID_CREDENTIALS);
  }
  await expectRateLimited(await signInFrom(ipFor(`${user.email}#wrong`), user.email, "wrong-password"));
  // Even the right password is refused while the account is limited: guessing stops here.
  await expectRateLimited(await signInFrom(ipFor(`${user.email}#right`), user.email, user.password));

  // Other accounts are not affected.
  const other = await createUser(api, { prefix: "unaffected" });
  expect((await signInFrom(ipFor(`${other.email}#1`), other.email, other.password)).status()).toBe(200);
});

test("one client IP is refused with 429 after the limit, whatever the emails", async () => {
  const ip = ipFor(`${test.info().testId}#one-ip`);
  for (let i = 1; i <= LIMIT; i++) {
    const res = await signInFrom(ip, uniqueEmail(`spray-${i}`), "some-password");
    expect(res.status(), `attempt ${i}`).toBe(401);
  }
  await expectRateLimited(await signInFrom(ip, uniqueEmail("spray-last"), "some-password"));

  // Sign-in, sign-up and reset count separately: the same IP may still sign up.
  const signup = await api.post("/api/auth/signup", {
    headers: { "X-Forwarded-For": ip },
    data: { email: uniqueEmail("after-spray"), password: "a-good-password" },
  });
  expect(signup.status()).toBe(201);
});

test("password-reset requests for one email are limited too, and still answer the same before", async () => {
  const user = await createUser(api, { prefix: "reset-hammered" });
  for (let i = 1; i <= LIMIT; i++) {
    const res = await api.post("/api/auth/reset-password", {
      headers: { "X-Forwarded-For": ipFor(`${user.email}#reset-${i}`) },
      data: { email: user.email },
    });
    expect(res.status(), `request ${i}`).toBe(200);
  }
  await expectRateLimited(
    await api.post("/api/auth/reset-password", {
      headers: { "X-Forwarded-For": ipFor(`${user.email}#reset-last`) },
      data: { email: user.email },
    }),
  );
  const outbox = await api.get(`/api/admin/mail-outbox?to=${encodeURIComponent(user.email)}`, {
    headers: adminHeaders(),
  });
  expect(((await outbox.json()) as { total: number }).total).toBe(LIMIT);
});

// Served directly (no proxy in front, TRUST_PROXY=false), the app ignores a client-sent
// X-Forwarded-For and keys on the socket address: a client cannot pick a new "IP" per request to
// dodge the per-IP limit.
test("a client cannot escape the per-IP limit by sending its own X-Forwarded-For", async () => {
  const direct = await newApiContext(DIRECT_URL);
  try {
    const statuses: number[] = [];
    for (let i = 1; i <= LIMIT + 1; i++) {
      const res = await direct.post("/api/auth/signin", {
        headers: { "X-Forwarded-For": ipFor(`spoof-${i}`) },
        data: { email: uniqueEmail(`spoof-${i}`), password: "some-password" },
      });
      statuses.push(res.status());
    }
    expect(statuses).toStrictEqual([...Array(LIMIT).fill(401), 429]);
  } finally {
    await direct.dispose();
  }
});
