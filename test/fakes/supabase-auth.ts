import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";

/**
 * A fake of the Supabase Auth (GoTrue) HTTP API, as far as supabase-js 2.119 uses it for BacMR:
 * routes, status codes, error bodies (`{code, message}` when the client sends
 * X-Supabase-Api-Version 2024-01-01, the legacy `{code, error_code, msg}` otherwise) and
 * session/user shapes follow supabase/auth so supabase-js raises the same AuthErrors.
 * Refresh tokens rotate with no reuse interval (GoTrue's default is 10 s): a reused one ends its
 * session. Recovery mail is not sent but recorded in `outbox`.
 */

export interface FakeUser {
  id: string;
  email: string;
  /** sha256 of the password: a fake, not a password store. */
  passwordHash: string;
  emailConfirmedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
  recoveryTokenHash: string | null;
  recoverySentAt: number | null;
}

export interface RecoveryMail {
  email: string;
  /** The 6-digit code of the mail ({{ .Token }}). */
  otp: string;
  /** What the link carries ({{ .TokenHash }}), for `verifyOtp({ token_hash, type: "recovery" })`. */
  tokenHash: string;
  redirectTo: string | null;
}

export interface FakeSupabaseAuth {
  /** The project URL (SUPABASE_URL); the API is under `${url}/auth/v1`. */
  url: string;
  /** Signs the anon/service keys, and the access tokens in "hs256" mode (SUPABASE_JWT_SECRET). */
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  users: Map<string, FakeUser>;
  outbox: RecoveryMail[];
  /** Live sessions by id (a sign-out or a reused refresh token removes them). */
  sessions: Map<string, { userId: string }>;
  userByEmail(email: string): FakeUser | undefined;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** "hs256": tokens signed with `jwtSecret` (legacy). "es256": an asymmetric key published as JWKS. */
  signing?: "hs256" | "es256";
  /** Off: sign-ups need email confirmation (no session, taken emails answered with a look-alike). */
  autoconfirm?: boolean;
}

const ACCESS_TTL = 3600;
const RECOVERY_TTL_MS = 3600_000;
const RECOVERY_MAX_FREQUENCY_MS = 60_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const nowIso = () => new Date().toISOString();

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new HttpError(400, "bad_json", "Could not parse request body as JSON");
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

export async function start(options: FakeOptions = {}): Promise<FakeSupabaseAuth> {
  const signing = options.signing ?? "hs256";
  const autoconfirm = options.autoconfirm ?? true;
  const jwtSecret = randomBytes(32).toString("base64url");
  const secretKey = new TextEncoder().encode(jwtSecret);
  const kid = randomUUID();
  const pair = signing === "es256" ? await generateKeyPair("ES256", { extractable: true }) : undefined;
  const publicJwk: JWK | undefined = pair
    ? { ...(await exportJWK(pair.publicKey)), kid, alg: "ES256", use: "sig", key_ops: ["verify"] }
    : undefined;

  const users = new Map<string, FakeUser>();
  const sessions = new Map<string, { userId: string }>();
  const refreshTokens = new Map<string, { sessionId: string; revoked: boolean }>();
  const outbox: RecoveryMail[] = [];

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/auth/v1`;

  // Legacy API keys are long-lived HS256 JWTs whose role the server trusts (anon, service_role).
  const apiKey = (role: string) =>
    new SignJWT({ role, iss: "supabase" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt()
      .setExpirationTime("10y")
      .sign(secretKey);
  const anonKey = await apiKey("anon");
  const serviceRoleKey = await apiKey("service_role");

  const userByEmail = (email: string) => [...users.values()].find((u) => u.email === email.toLowerCase());

  function userJson(u: FakeUser) {
    const identity = {
      identity_id: sha256(`identity:${u.id}`).slice(0, 32),
      id: u.id,
      user_id: u.id,
      identity_data: {
        email: u.email,
        email_verified: !!u.emailConfirmedAt,
        phone_verified: false,
        sub: u.id,
      },
      provider: "email",
      last_sign_in_at: u.lastSignInAt ?? u.createdAt,
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      email: u.email,
    };
    return {
      id: u.id,
      aud: "authenticated",
      role: "authenticated",
      email: u.email,
      email_confirmed_at: u.emailConfirmedAt ?? undefined,
      phone: "",
      confirmed_at: u.emailConfirmedAt ?? undefined,
      confirmation_sent_at: u.emailConfirmedAt ? undefined : u.createdAt,
      recovery_sent_at: u.recoverySentAt ? new Date(u.recoverySentAt).toISOString() : undefined,
      last_sign_in_at: u.lastSignInAt ?? undefined,
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {
        email: u.email,
        email_verified: !!u.emailConfirmedAt,
        phone_verified: false,
        sub: u.id,
      },
      identities: [identity],
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      is_anonymous: false,
    };
  }

  async function signAccess(user: FakeUser, sessionId: string): Promise<{ token: string; exp: number }> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + ACCESS_TTL;
    const jwt = new SignJWT({
      email: user.email,
      phone: "",
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: { email: user.email, sub: user.id },
      role: "authenticated",
      aal: "aal1",
      amr: [{ method: "password", timestamp: iat }],
      session_id: sessionId,
      is_anonymous: false,
    })
      .setSubject(user.id)
      .setAudience("authenticated")
      .setIssuer(issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp);
    const token = pair
      ? await jwt.setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(pair.privateKey)
      : await jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secretKey);
    return { token, exp };
  }

  function newRefreshToken(sessionId: string): string {
    const token = randomBytes(9).toString("base64url");
    refreshTokens.set(token, { sessionId, revoked: false });
    return token;
  }

  function endSession(sessionId: string): void {
    sessions.delete(sessionId);
    for (const [token, row] of refreshTokens) if (row.sessionId === sessionId) refreshTokens.delete(token);
  }

  function endUserSessions(userId: string, except?: string): void {
    for (const [id, s] of sessions) if (s.userId === userId && id !== except) endSession(id);
  }

  async function sessionResponse(user: FakeUser, sessionId: string, refreshToken: string) {
    const { token, exp } = await signAccess(user, sessionId);
    return {
      access_token: token,
      token_type: "bearer",
      expires_in: ACCESS_TTL,
      expires_at: exp,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  async function newSession(user: FakeUser) {
    const sessionId = randomUUID();
    sessions.set(sessionId, { userId: user.id });
    user.lastSignInAt = nowIso();
    return sessionResponse(user, sessionId, newRefreshToken(sessionId));
  }

  function bearer(req: IncomingMessage): string {
    const header = req.headers.authorization ?? "";
    return header.startsWith("Bearer ") ? header.slice(7) : "";
  }

  /** GoTrue's requireAuthentication: a valid user JWT whose session still exists. */
  async function authenticate(req: IncomingMessage): Promise<{ user: FakeUser; sessionId: string }> {
    const token = bearer(req);
    if (!token) throw new HttpError(401, "no_authorization", "This endpoint requires a Bearer token");
    let claims: JWTPayload;
    try {
      ({ payload: claims } = pair
        ? await jwtVerify(token, pair.publicKey, { issuer, audience: "authenticated" })
        : await jwtVerify(token, secretKey, { issuer, audience: "authenticated" }));
    } catch (err) {
      throw new HttpError(403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${String(err)}`);
    }
    const user = users.get(String(claims.sub));
    if (!user) throw new HttpError(403, "user_not_found", "User from sub claim in JWT does not exist");
    const sessionId = String(claims.session_id ?? "");
    if (!sessions.has(sessionId)) {
      throw new HttpError(403, "session_not_found", "Session from session_id claim in JWT does not exist");
    }
    return { user, sessionId };
  }

  async function requireServiceRole(req: IncomingMessage): Promise<void> {
    try {
      const { payload } = await jwtVerify(bearer(req), secretKey, { algorithms: ["HS256"] });
      if (payload.role === "service_role") return;
    } catch {
      // Falls through to the refusal.
    }
    throw new HttpError(403, "not_admin", "User not allowed");
  }

  function validEmail(v: unknown): string {
    const email = str(v).trim().toLowerCase();
    if (!email) throw new HttpError(400, "validation_failed", "An email address is required");
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new HttpError(400, "email_address_invalid", `Email address "${email}" is invalid`);
    }
    return email;
  }

  function validPassword(v: unknown): string {
    const password = str(v);
    if (password.length < 6) {
      throw new HttpError(422, "weak_password", "Password should be at least 6 characters.", {
        weak_password: { reasons: ["length"] },
      });
    }
    return password;
  }

  function createUser(email: string, password: string, confirmed: boolean): FakeUser {
    const at = nowIso();
    const user: FakeUser = {
      id: randomUUID(),
      email,
      passwordHash: sha256(password),
      emailConfirmedAt: confirmed ? at : null,
      createdAt: at,
      updatedAt: at,
      lastSignInAt: null,
      recoveryTokenHash: null,
      recoverySentAt: null,
    };
    users.set(user.id, user);
    return user;
  }

  function adminUser(id: string): FakeUser {
    const user = users.get(id);
    if (!user) throw new HttpError(404, "user_not_found", "User not found");
    return user;
  }

  type Handler = (
    req: IncomingMessage,
    body: Record<string, unknown>,
    query: URLSearchParams,
  ) => Promise<unknown>;

  const routes: Record<string, Handler> = {
    "POST /signup": async (_req, body) => {
      const email = validEmail(body.email);
      const password = validPassword(body.password);
      const existing = userByEmail(email);
      if (existing) {
        if (autoconfirm) throw new HttpError(422, "user_already_exists", "User already registered");
        // Against enumeration: a look-alike of a new user, with no identities.
        const fake = userJson({ ...existing, id: randomUUID(), createdAt: nowIso(), updatedAt: nowIso() });
        return { ...fake, identities: [] };
      }
      const user = createUser(email, password, autoconfirm);
      return autoconfirm ? newSession(user) : userJson(user);
    },

    "POST /token": async (_req, body, query) => {
      const grant = query.get("grant_type");
      if (grant === "password") {
        const user = userByEmail(str(body.email));
        if (!user || user.passwordHash !== sha256(str(body.password))) {
          throw new HttpError(400, "invalid_credentials", "Invalid login credentials");
        }
        if (!user.emailConfirmedAt) throw new HttpError(400, "email_not_confirmed", "Email not confirmed");
        return newSession(user);
      }
      if (grant === "refresh_token") {
        const presented = str(body.refresh_token);
        const row = refreshTokens.get(presented);
        if (!row) {
          throw new HttpError(
            400,
            "refresh_token_not_found",
            "Invalid Refresh Token: Refresh Token Not Found",
          );
        }
        if (row.revoked) {
          // Reuse detection: whoever holds a copy loses the session along with the thief.
          endSession(row.sessionId);
          throw new HttpError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
        }
        const session = sessions.get(row.sessionId);
        const user = session && users.get(session.userId);
        if (!user) throw new HttpError(400, "session_not_found", "Invalid Refresh Token: Session Not Found");
        row.revoked = true;
        return sessionResponse(user, row.sessionId, newRefreshToken(row.sessionId));
      }
      throw new HttpError(400, "validation_failed", "unsupported_grant_type");
    },

    "POST /logout": async (req, _body, query) => {
      const { user, sessionId } = await authenticate(req);
      const scope = query.get("scope") || "global";
      if (scope === "local") endSession(sessionId);
      else if (scope === "others") endUserSessions(user.id, sessionId);
      else if (scope === "global") endUserSessions(user.id);
      else throw new HttpError(400, "validation_failed", `Unsupported logout scope "${scope}"`);
      return undefined;
    },

    "POST /recover": async (_req, body, query) => {
      const email = validEmail(body.email);
      const user = userByEmail(email);
      if (!user) return {};
      if (user.recoverySentAt && Date.now() - user.recoverySentAt < RECOVERY_MAX_FREQUENCY_MS) {
        throw new HttpError(
          429,
          "over_email_send_rate_limit",
          "For security purposes, you can only request this once every 60 seconds",
        );
      }
      const otp = String(randomInt(0, 1_000_000)).padStart(6, "0");
      // GoTrue stores sha224(email + otp) as hex: the {{ .TokenHash }} of the mail template.
      const tokenHash = createHash("sha224")
        .update(user.email + otp)
        .digest("hex");
      user.recoveryTokenHash = tokenHash;
      user.recoverySentAt = Date.now();
      outbox.push({ email: user.email, otp, tokenHash, redirectTo: query.get("redirect_to") });
      return {};
    },

    "POST /verify": async (_req, body) => {
      if (str(body.type) !== "recovery")
        throw new HttpError(400, "validation_failed", "Unsupported verification type");
      let tokenHash = str(body.token_hash);
      if (!tokenHash && body.email && body.token) {
        tokenHash = createHash("sha224")
          .update(str(body.email).toLowerCase() + str(body.token))
          .digest("hex");
      }
      const user = tokenHash ? [...users.values()].find((u) => u.recoveryTokenHash === tokenHash) : undefined;
      if (!user?.recoverySentAt || Date.now() - user.recoverySentAt > RECOVERY_TTL_MS) {
        throw new HttpError(403, "otp_expired", "Email link is invalid or has expired");
      }
      user.recoveryTokenHash = null;
      user.emailConfirmedAt ??= nowIso();
      return newSession(user);
    },

    "GET /user": async (req) => userJson((await authenticate(req)).user),

    "PUT /user": async (req, body) => {
      const { user, sessionId } = await authenticate(req);
      if (body.password !== undefined) {
        user.passwordHash = sha256(validPassword(body.password));
        // GoTrue ends the user's other sessions on a password change.
        endUserSessions(user.id, sessionId);
      }
      user.updatedAt = nowIso();
      return userJson(user);
    },

    "POST /admin/users": async (req, body) => {
      await requireServiceRole(req);
      const email = validEmail(body.email);
      if (userByEmail(email)) {
        throw new HttpError(
          422,
          "email_exists",
          "A user with this email address has already been registered",
        );
      }
      const password = validPassword(body.password);
      return userJson(createUser(email, password, body.email_confirm === true));
    },
  };

  const userRoutes: Record<
    string,
    (req: IncomingMessage, id: string, body: Record<string, unknown>) => unknown
  > = {
    GET: (_req, id) => userJson(adminUser(id)),
    PUT: (_req, id, body) => {
      const user = adminUser(id);
      if (body.password !== undefined) user.passwordHash = sha256(validPassword(body.password));
      if (body.email_confirm === true) user.emailConfirmedAt ??= nowIso();
      user.updatedAt = nowIso();
      return userJson(user);
    },
    DELETE: (_req, id) => {
      adminUser(id);
      endUserSessions(id);
      users.delete(id);
      return {};
    },
  };

  function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    const versioned = req.headers["x-supabase-api-version"] === "2024-01-01";
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (versioned) headers["X-Supabase-Api-Version"] = "2024-01-01";
    if (body === undefined) {
      res.writeHead(status === 200 ? 204 : status, headers).end();
      return;
    }
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  function sendError(req: IncomingMessage, res: ServerResponse, err: HttpError): void {
    const versioned = req.headers["x-supabase-api-version"] === "2024-01-01";
    const body = versioned
      ? { code: err.code, message: err.message, ...err.extra }
      : { code: err.status, error_code: err.code, msg: err.message, ...err.extra };
    send(req, res, err.status, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? "/", url);
    const path = reqUrl.pathname.replace(/^\/auth\/v1/, "");
    if (path === reqUrl.pathname) {
      send(req, res, 404, { message: "no Route matched with those values" });
      return;
    }
    if (req.method === "GET" && path === "/.well-known/jwks.json") {
      send(req, res, 200, { keys: publicJwk ? [publicJwk] : [] });
      return;
    }
    // The API gateway in front of GoTrue: no known key, no request.
    const apikey = req.headers.apikey;
    if (apikey !== anonKey && apikey !== serviceRoleKey) {
      send(req, res, 401, {
        message: "Invalid API key",
        hint: "Double check your Supabase `anon` or `service_role` API key.",
      });
      return;
    }
    try {
      const body = await readJson(req);
      const route = routes[`${req.method} ${path}`];
      if (route) {
        send(req, res, 200, await route(req, body, reqUrl.searchParams));
        return;
      }
      const adminMatch = /^\/admin\/users\/([^/]+)$/.exec(path);
      const userRoute = adminMatch?.[1] && userRoutes[req.method ?? ""];
      if (adminMatch?.[1] && userRoute) {
        await requireServiceRole(req);
        send(req, res, 200, userRoute(req, adminMatch[1], body));
        return;
      }
      throw new HttpError(404, "not_found", `${req.method} ${path} is not handled by the fake`);
    } catch (err) {
      if (err instanceof HttpError) sendError(req, res, err);
      else sendError(req, res, new HttpError(500, "unexpected_failure", String(err)));
    }
  }

  server.on("request", (req, res) => void handle(req, res));

  return {
    url,
    jwtSecret,
    anonKey,
    serviceRoleKey,
    users,
    outbox,
    sessions,
    userByEmail,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
