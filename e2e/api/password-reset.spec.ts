import {
  adminHeaders,
  BASE_URL,
  bearer,
  createUser,
  expect,
  readResetLink,
  signIn,
  test,
  tokenOf,
  uniqueEmail,
} from "../fixtures";

const SENT = { success: true, message: "If an account exists for this email, a reset link has been sent." };
const INVALID_CREDENTIALS = { detail: "Invalid email or password", code: "INVALID_CREDENTIALS" };

test("POST /api/auth/reset-password answers the same for known and unknown emails", async ({ request }) => {
  const user = await createUser(request, { prefix: "reset-known" });
  const unknown = uniqueEmail("reset-unknown");
  for (const email of [user.email, unknown]) {
    const res = await request.post("/api/auth/reset-password", { data: { email } });
    expect(res.status(), email).toBe(200);
    expect(await res.json()).toStrictEqual(SENT);
  }

  const known = await request.get(`/api/admin/mail-outbox?to=${encodeURIComponent(user.email)}`, {
    headers: adminHeaders(),
  });
  expect(known.status()).toBe(200);
  expect(await known.json()).toStrictEqual({
    total: 1,
    messages: [
      {
        id: expect.any(String),
        to: user.email,
        subject: "BacMR — réinitialisation du mot de passe / Password reset",
        body: expect.stringMatching(
          new RegExp(`\\n${BASE_URL.replace(/[.]/g, "\\.")}/reset-password\\?token=[A-Za-z0-9_%-]+\\n`),
        ),
        created_at: expect.any(String),
        sent_at: expect.any(String),
        error: null,
      },
    ],
  });

  const none = await request.get(`/api/admin/mail-outbox?to=${encodeURIComponent(unknown)}`, {
    headers: adminHeaders(),
  });
  expect(await none.json()).toStrictEqual({ total: 0, messages: [] });
});

test("a reset link sets a new password once and ends every session", async ({ request }) => {
  const user = await createUser(request, { prefix: "reset-flow" });
  const before = await signIn(request, user.email, user.password);

  await request.post("/api/auth/reset-password", { data: { email: user.email } });
  const token = tokenOf(await readResetLink(request, user.email));

  const confirm = await request.post("/api/auth/reset-password/confirm", {
    data: { token, new_password: "brand-new-password" },
  });
  expect(confirm.status()).toBe(200);
  expect(await confirm.json()).toStrictEqual({
    success: true,
    message: "Password updated, sign in with the new password.",
  });

  const old = await request.post("/api/auth/signin", {
    data: { email: user.email, password: user.password },
  });
  expect(old.status()).toBe(401);
  expect(await old.json()).toStrictEqual(INVALID_CREDENTIALS);
  await signIn(request, user.email, "brand-new-password");

  // Sessions opened with the old password are over.
  expect((await request.get("/api/me", { headers: bearer(before.access_token) })).status()).toBe(401);
  expect(
    (await request.post("/api/auth/refresh", { data: { refresh_token: before.refresh_token } })).status(),
  ).toBe(401);

  const reuse = await request.post("/api/auth/reset-password/confirm", {
    data: { token, new_password: "another-new-password" },
  });
  expect(reuse.status()).toBe(401);
  expect(await reuse.json()).toStrictEqual({
    detail: "Invalid or expired reset token",
    code: "INVALID_TOKEN",
  });
  await signIn(request, user.email, "brand-new-password");
});

test("an unknown reset token is refused, and a weak new password is 400", async ({ request }) => {
  const unknown = await request.post("/api/auth/reset-password/confirm", {
    data: { token: "made-up-token", new_password: "whatever-password" },
  });
  expect(unknown.status()).toBe(401);
  expect(await unknown.json()).toStrictEqual({
    detail: "Invalid or expired reset token",
    code: "INVALID_TOKEN",
  });

  const user = await createUser(request, { prefix: "reset-weak" });
  await request.post("/api/auth/reset-password", { data: { email: user.email } });
  const token = tokenOf(await readResetLink(request, user.email));
  const weak = await request.post("/api/auth/reset-password/confirm", {
    data: { token, new_password: "short" },
  });
  expect(weak.status()).toBe(400);
  expect(await weak.json()).toStrictEqual({
    detail: "new_password: Password must be at least 8 characters",
    code: "VALIDATION_ERROR",
    errors: [
      {
        loc: ["body", "new_password"],
        field: "new_password",
        msg: "Password must be at least 8 characters",
      },
    ],
  });
  // The refused attempt did not burn the token.
  const ok = await request.post("/api/auth/reset-password/confirm", {
    data: { token, new_password: "long-enough-password" },
  });
  expect(ok.status()).toBe(200);
});

test("asking again sends a new link, and the new link works", async ({ request }) => {
  const user = await createUser(request, { prefix: "reset-two" });
  await request.post("/api/auth/reset-password", { data: { email: user.email } });
  const firstToken = tokenOf(await readResetLink(request, user.email));
  await request.post("/api/auth/reset-password", { data: { email: user.email } });
  const secondToken = tokenOf(await readResetLink(request, user.email));
  expect(secondToken).not.toBe(firstToken);
  const res = await request.post("/api/auth/reset-password/confirm", {
    data: { token: secondToken, new_password: "second-link-password" },
  });
  expect(res.status()).toBe(200);
  await signIn(request, user.email, "second-link-password");
});

test("the mail outbox is admin-only", async ({ request }) => {
  const res = await request.get("/api/admin/mail-outbox");
  expect(res.status()).toBe(401);
  expect(await res.json()).toStrictEqual({ detail: "Not authenticated", code: "UNAUTHORIZED" });
});
