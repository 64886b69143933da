import {
  type AuthError,
  createClient,
  type Session,
  type SupabaseClient,
  type SupabaseClientOptions,
  type WebSocketLikeConstructor,
} from "@supabase/supabase-js";
import WebSocket from "ws";
import { isUniqueViolation } from "@/db/errors";
import { env } from "@/lib/config/env";
import { ApiError } from "@/lib/http/errors";
import { isUuid } from "@/lib/ids";
import { emailTaken, invalidCredentials, invalidRefresh, invalidReset, userNotFound } from "./errors";
import { jwksFromUrl, type VerificationKey } from "./jwt";
import type { AuthBackend, AuthTokens } from "./types";

// auth-js throws a plain Error (not a result) for admin calls with a non-UUID id.

const clientOptions: SupabaseClientOptions<"public"> = {
  // Server-side clients: no storage, no timers, no URL parsing. Sessions belong to our callers.
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  // realtime-js wants a WebSocket constructor as soon as a client is built and Node 20 has none.
  // Auth never opens a socket; this only keeps the constructor from throwing.
  // The cast: ws's constructor overloads (one takes a null address) do not match the declared type.
  realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
};

/**
 * An outage or Supabase's own rate limit, as opposed to a refusal of what the caller sent.
 * Those must not read as "wrong password" or "bad token", and they are worth a log line.
 */
function upstreamFailure(op: string, err: AuthError): ApiError | undefined {
  const status = err.status ?? 0;
  const unavailable = status === 0 || status >= 500 || err.name === "AuthUnknownError";
  if (!unavailable && status !== 429) return undefined;
  console.error(`[auth] Supabase ${op} failed (${status || err.name}): ${err.message}`);
  return status === 429
    ? new ApiError("RATE_LIMITED", "Too many attempts, try again later")
    : new ApiError("SERVICE_UNAVAILABLE", "Authentication service unavailable");
}

function mapError(op: string, err: AuthError, refusal: () => ApiError): ApiError {
  return upstreamFailure(op, err) ?? refusal();
}

function isEmailTakenError(err: AuthError): boolean {
  return (
    err.code === "user_already_exists" ||
    err.code === "email_exists" ||
    /already (been )?registered|already exists/i.test(err.message)
  );
}

function toTokens(session: Session): AuthTokens {
  return {
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    expiresIn: session.expires_in,
    expiresAt: session.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
    userId: session.user.id,
  };
}

/**
 * Supabase Auth (GoTrue) as the identity provider. Credentials and sessions live in Supabase;
 * profiles stay in our database. The service-role key is only ever sent to Supabase.
 */
export function createSupabaseAuth(): AuthBackend {
  const {
    SUPABASE_URL: url,
    SUPABASE_ANON_KEY: anonKey,
    SUPABASE_SERVICE_ROLE_KEY: serviceKey,
    SUPABASE_JWT_SECRET: jwtSecret,
  } = env();
  if (!url || !anonKey || !serviceKey) {
    throw new Error("SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY are required");
  }
  const issuer = `${url.replace(/\/+$/, "")}/auth/v1`;
  // supabase-js's default storage key, which @supabase/ssr uses as the cookie name.
  const storageKey = `sb-${new URL(url).hostname.split(".")[0]}-auth-token`;

  // A client remembers the last session it saw: a shared one could hand a user's session to
  // another request, so every user-facing call gets its own.
  const anonAuth = () => createClient(url, anonKey, clientOptions).auth;

  // The admin API holds no session (user JWTs are passed per call), so one client serves all.
  let serviceClient: SupabaseClient | undefined;
  const adminAuth = () => {
    if (!serviceClient) serviceClient = createClient(url, serviceKey, clientOptions);
    return serviceClient.auth.admin;
  };

  let verification: VerificationKey | undefined;

  /** Rollback of a sign-up whose profile could not be created; a leftover is logged, not thrown. */
  async function removeAuthUser(userId: string): Promise<void> {
    const { error } = await adminAuth().deleteUser(userId);
    if (error && error.status !== 404) {
      console.error(
        `[auth] could not remove Supabase user ${userId} after a failed sign-up: ${error.message}`,
      );
    }
  }

  /** Ends every session of the user behind `accessToken`; logged, never thrown. */
  async function signOutEverywhere(accessToken: string): Promise<void> {
    const { error } = await adminAuth().signOut(accessToken, "global");
    if (error) console.error(`[auth] Supabase global sign-out failed (${error.status}): ${error.message}`);
  }

  return {
    name: "supabase",
    credentialsInDatabase: false,

    async createUser(db, { email, password, admin }, withProfile) {
      let userId: string;
      if (admin) {
        const { data, error } = await adminAuth().createUser({ email, password, email_confirm: true });
        if (error) {
          if (isEmailTakenError(error)) throw emailTaken();
          throw mapError("admin.createUser", error, () => new ApiError("VALIDATION_ERROR", error.message));
        }
        userId = data.user.id;
      } else {
        const { data, error } = await anonAuth().signUp({ email, password });
        if (error) {
          if (isEmailTakenError(error)) throw emailTaken();
          throw mapError("signUp", error, () => new ApiError("VALIDATION_ERROR", error.message));
        }
        // With email confirmation on, Supabase answers a taken email with a look-alike user that
        // has no identities (instead of an error, against enumeration). Its id is not a real user.
        if (!data.user || data.user.identities?.length === 0) throw emailTaken();
        userId = data.user.id;
      }
      try {
        await db.transaction((tx) => withProfile(tx, userId));
        return { userId };
      } catch (err) {
        // A profile with this id already exists: the auth user predates this call (Supabase
        // returns the existing unconfirmed user on a repeated sign-up). Not ours to delete.
        if (isUniqueViolation(err)) throw emailTaken();
        await removeAuthUser(userId);
        throw err;
      }
    },

    async signIn(_db, { email, password }) {
      const { data, error } = await anonAuth().signInWithPassword({ email, password });
      if (error) throw mapError("signInWithPassword", error, invalidCredentials);
      return toTokens(data.session);
    },

    async refresh(_db, refreshToken) {
      const { data, error } = await anonAuth().refreshSession({ refresh_token: refreshToken });
      if (error) throw mapError("refreshSession", error, invalidRefresh);
      if (!data.session) throw invalidRefresh();
      return toTokens(data.session);
    },

    async logout(_db, { accessToken, refreshToken }) {
      if (accessToken) {
        const { error } = await adminAuth().signOut(accessToken, "local");
        if (!error) return;
        upstreamFailure("signOut", error);
      }
      if (!refreshToken) return;
      // Supabase ends a session only from one of its access tokens (the one given may have
      // expired): trading the refresh token for a fresh one reaches the same session.
      const { data, error } = await anonAuth().refreshSession({ refresh_token: refreshToken });
      if (error) {
        upstreamFailure("refreshSession", error);
        return;
      }
      if (!data.session) return;
      const { error: signOutError } = await adminAuth().signOut(data.session.access_token, "local");
      if (signOutError) upstreamFailure("signOut", signOutError);
    },

    async requestPasswordReset(_db, { email, resetUrl }) {
      // The link in Supabase's "Reset password" template must carry {{ .TokenHash }} as `token`
      // to `resetUrl` (e.g. `{{ .RedirectTo }}?token={{ .TokenHash }}`): completePasswordReset
      // verifies it as a token hash.
      const { error } = await anonAuth().resetPasswordForEmail(email, { redirectTo: resetUrl });
      // The caller learns nothing either way (no account enumeration); only the unexpected is logged.
      if (error && error.code !== "user_not_found" && error.status !== 404) {
        console.error(`[auth] Supabase password reset request failed (${error.status}): ${error.message}`);
      }
    },

    async completePasswordReset(_db, { token, newPassword }) {
      if (!token) throw invalidReset();
      const { data, error } = await anonAuth().verifyOtp({ token_hash: token, type: "recovery" });
      if (error) throw mapError("verifyOtp", error, invalidReset);
      if (!data.session || !data.user) throw invalidReset();
      const userId = data.user.id;
      const { error: updateError } = await adminAuth().updateUserById(userId, { password: newPassword });
      if (updateError) {
        throw mapError("admin.updateUserById", updateError, () =>
          updateError.status === 404 ? invalidReset() : new ApiError("VALIDATION_ERROR", updateError.message),
        );
      }
      // The recovery session is a session of this user: a global sign-out with it ends them all.
      await signOutEverywhere(data.session.access_token);
      return { userId };
    },

    async setPassword(_db, { userId, password }) {
      if (!isUuid(userId)) throw userNotFound();
      const { data, error } = await adminAuth().updateUserById(userId, { password });
      if (error) {
        if (error.status === 404 || error.code === "user_not_found") throw userNotFound();
        throw mapError("admin.updateUserById", error, () => new ApiError("VALIDATION_ERROR", error.message));
      }
      // The admin API cannot sign a user out by id; a sign-in with the new password yields one
      // of the user's JWTs, and a global sign-out with it ends every session, that one included.
      if (!data.user.email) return;
      const signedIn = await anonAuth().signInWithPassword({ email: data.user.email, password });
      if (signedIn.error) {
        // An unconfirmed user has no session to end.
        if (signedIn.error.code === "email_not_confirmed") return;
        console.error(`[auth] could not end the sessions of ${userId}: ${signedIn.error.message}`);
        return;
      }
      await signOutEverywhere(signedIn.data.session.access_token);
    },

    async deleteUser(_db, { userId }) {
      if (!isUuid(userId)) return;
      const { error } = await adminAuth().deleteUser(userId);
      if (!error || error.status === 404 || error.code === "user_not_found") return;
      throw mapError("admin.deleteUser", error, () => {
        console.error(`[auth] Supabase refused to delete ${userId} (${error.status}): ${error.message}`);
        return new ApiError("SERVICE_ERROR", "Could not delete the user's credentials");
      });
    },

    async verificationKey() {
      if (!verification) {
        // One JWKS resolver for the backend's lifetime, so its key cache and cooldown apply.
        verification = jwtSecret
          ? { secret: new TextEncoder().encode(jwtSecret), issuer }
          : { jwks: jwksFromUrl(`${issuer}/.well-known/jwks.json`), issuer };
      }
      return verification;
    },

    // Supabase access tokens cannot be revoked before they expire; a sign-out only stops refreshes.
    async isSessionActive() {
      return true;
    },

    async accessTokenFromCookies(cookieHeader) {
      if (!cookieHeader.includes("sb-")) return undefined;
      // A page signed in by Supabase's own client (supabase-js in the browser, on this domain)
      // keeps its session in chunked sb-<project>-auth-token cookies. They are decoded here with
      // @supabase/ssr's own helpers, without a client: a client would refresh an expiring session
      // over the network on every request and lose the rotated tokens (cookies cannot be written
      // from here), and a forged cookie would make us call Supabase. Refreshing is the browser's job.
      const { combineChunks, parseCookieHeader, stringFromBase64URL } = await import("@supabase/ssr");
      const cookies = new Map(parseCookieHeader(cookieHeader).map((c) => [c.name, c.value ?? ""]));
      const raw = await combineChunks(storageKey, (name) => cookies.get(name));
      if (!raw) return undefined;
      try {
        const json = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice("base64-".length)) : raw;
        const session = JSON.parse(json) as { access_token?: unknown; expires_at?: unknown };
        if (typeof session.access_token !== "string") return undefined;
        if (typeof session.expires_at === "number" && session.expires_at * 1000 <= Date.now())
          return undefined;
        // The token itself is verified like any other (signature, exp, aud) by the caller.
        return session.access_token;
      } catch {
        return undefined;
      }
    },
  };
}
