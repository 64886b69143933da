import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { appSecrets, authPasswordResets, authRefreshTokens, authSessions, authUsers } from "@/db/schema";
import { env } from "@/lib/config/env";
import { sendMail } from "@/lib/mail";
import { burnPasswordCheck, hashPassword, randomToken, sha256, verifyPassword } from "./crypto";
import { emailTaken, invalidCredentials, invalidRefresh, invalidReset, userNotFound } from "./errors";
import { type AccessClaims, signAccessToken, type VerificationKey, verifyAccessToken } from "./jwt";
import type { AuthBackend, AuthTokens } from "./types";

const ISSUER = "bacmr";
const JWT_SECRET_NAME = "jwt_hs256";

let secretCache: Uint8Array | undefined;

/** JWT_SECRET, or a random key generated once and kept in the database. */
async function jwtSecret(db: DbOrTx): Promise<Uint8Array> {
  const configured = env().JWT_SECRET;
  if (configured) return new TextEncoder().encode(configured);
  if (secretCache) return secretCache;
  // Insert-if-absent then read: concurrent first starts agree on one key.
  await db
    .insert(appSecrets)
    .values({ name: JWT_SECRET_NAME, value: randomBytes(48).toString("base64url") })
    .onConflictDoNothing();
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, JWT_SECRET_NAME));
  if (!row) throw new Error("JWT secret could not be created");
  secretCache = new TextEncoder().encode(row.value);
  return secretCache;
}

async function issueTokens(
  db: DbOrTx,
  user: { id: string; email: string },
  sessionId: string,
): Promise<AuthTokens & { refreshTokenId: string }> {
  const e = env();
  const refreshToken = randomToken();
  const [row] = await db
    .insert(authRefreshTokens)
    .values({
      userId: user.id,
      sessionId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + e.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    })
    .returning({ id: authRefreshTokens.id });
  const { token, expiresAt } = await signAccessToken(await jwtSecret(db), {
    sub: user.id,
    email: user.email,
    sessionId,
    issuer: ISSUER,
    ttlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
  });
  return {
    accessToken: token,
    refreshToken,
    refreshTokenId: row?.id ?? "",
    expiresIn: e.ACCESS_TOKEN_TTL_SECONDS,
    expiresAt,
    userId: user.id,
  };
}

async function endSessions(db: DbOrTx, where: { sessionId?: string; userId?: string }): Promise<void> {
  const cond = where.sessionId
    ? eq(authSessions.id, where.sessionId)
    : eq(authSessions.userId, where.userId ?? "");
  await db
    .update(authSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(cond, isNull(authSessions.revokedAt)));
  const tokenCond = where.sessionId
    ? eq(authRefreshTokens.sessionId, where.sessionId)
    : eq(authRefreshTokens.userId, where.userId ?? "");
  await db
    .update(authRefreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(tokenCond, isNull(authRefreshTokens.revokedAt)));
}

export const embeddedAuth: AuthBackend = {
  name: "embedded",
  credentialsInDatabase: true,

  async createUser(db, { email, password }, withProfile) {
    const passwordHash = await hashPassword(password);
    try {
      // Credentials and profile together: an account never exists without its profile.
      return await db.transaction(async (tx) => {
        const [user] = await tx
          .insert(authUsers)
          .values({ email, passwordHash })
          .returning({ id: authUsers.id });
        if (!user) throw new Error("user insert returned no row");
        await withProfile(tx, user.id);
        return { userId: user.id };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw emailTaken();
      throw err;
    }
  },

  async signIn(db, { email, password }) {
    const [user] = await db.select().from(authUsers).where(eq(authUsers.email, email)).limit(1);
    if (!user) {
      await burnPasswordCheck(password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, password))) throw invalidCredentials();
    const [session] = await db
      .insert(authSessions)
      .values({ userId: user.id })
      .returning({ id: authSessions.id });
    if (!session) throw new Error("session insert returned no row");
    const { refreshTokenId: _, ...tokens } = await issueTokens(db, user, session.id);
    return tokens;
  },

  async refresh(db, refreshToken) {
    const [row] = await db
      .select({ token: authRefreshTokens, email: authUsers.email, sessionRevokedAt: authSessions.revokedAt })
      .from(authRefreshTokens)
      .innerJoin(authUsers, eq(authUsers.id, authRefreshTokens.userId))
      .innerJoin(authSessions, eq(authSessions.id, authRefreshTokens.sessionId))
      .where(eq(authRefreshTokens.tokenHash, sha256(refreshToken)))
      .limit(1);
    if (!row || row.sessionRevokedAt) throw invalidRefresh();
    const { token } = row;
    if (token.expiresAt.getTime() <= Date.now()) throw invalidRefresh();
    if (token.revokedAt) {
      // A rotated token came back: someone holds a copy. End the session for both holders.
      await endSessions(db, { sessionId: token.sessionId });
      throw invalidRefresh();
    }
    // The conditional update makes rotation single-winner when two requests race with one token.
    const rotated = await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(authRefreshTokens)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(authRefreshTokens.id, token.id), isNull(authRefreshTokens.revokedAt)))
        .returning({ id: authRefreshTokens.id });
      if (!claimed) return null;
      const next = await issueTokens(tx, { id: token.userId, email: row.email }, token.sessionId);
      await tx
        .update(authRefreshTokens)
        .set({ replacedBy: next.refreshTokenId })
        .where(eq(authRefreshTokens.id, token.id));
      return next;
    });
    if (!rotated) {
      // The race was lost to another request with the same token: as much a reuse as a late one.
      await endSessions(db, { sessionId: token.sessionId });
      throw invalidRefresh();
    }
    const { refreshTokenId: _, ...tokens } = rotated;
    return tokens;
  },

  async logout(db, { accessToken, refreshToken }) {
    if (refreshToken) {
      const [row] = await db
        .select({ sessionId: authRefreshTokens.sessionId })
        .from(authRefreshTokens)
        .where(eq(authRefreshTokens.tokenHash, sha256(refreshToken)))
        .limit(1);
      if (row) await endSessions(db, { sessionId: row.sessionId });
    }
    if (accessToken) {
      const claims = await verifyAccessToken(accessToken, await this.verificationKey(db));
      if (claims?.session_id) await endSessions(db, { sessionId: claims.session_id });
    }
  },

  async requestPasswordReset(db, { email, resetUrl }) {
    const [user] = await db
      .select({ id: authUsers.id })
      .from(authUsers)
      .where(eq(authUsers.email, email))
      .limit(1);
    if (!user) return;
    const token = randomToken();
    const ttl = env().PASSWORD_RESET_TTL_MINUTES;
    await db.insert(authPasswordResets).values({
      userId: user.id,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + ttl * 60_000),
    });
    const link = `${resetUrl}${resetUrl.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    await sendMail(db, {
      to: email,
      secret: true,
      subject: "BacMR — réinitialisation du mot de passe / Password reset",
      body: [
        "Bonjour,",
        "",
        `Pour choisir un nouveau mot de passe, ouvrez ce lien (valable ${ttl} minutes, une seule fois) :`,
        link,
        "",
        `To choose a new password, open the link above (valid ${ttl} minutes, once).`,
        "Si vous n'avez rien demandé, ignorez ce message. / If you did not ask, ignore this message.",
      ].join("\n"),
    });
  },

  async completePasswordReset(db, { token, newPassword }) {
    const passwordHash = await hashPassword(newPassword);
    // Claiming the token and changing the password commit together: a token is used once.
    return db.transaction(async (tx) => {
      const [reset] = await tx
        .update(authPasswordResets)
        .set({ usedAt: sql`now()` })
        .where(
          and(
            eq(authPasswordResets.tokenHash, sha256(token)),
            isNull(authPasswordResets.usedAt),
            gt(authPasswordResets.expiresAt, sql`now()`),
          ),
        )
        .returning({ userId: authPasswordResets.userId });
      if (!reset) throw invalidReset();
      // Older links sent before this one die with it: one reset, one working link.
      await tx
        .update(authPasswordResets)
        .set({ usedAt: sql`now()` })
        .where(and(eq(authPasswordResets.userId, reset.userId), isNull(authPasswordResets.usedAt)));
      await tx
        .update(authUsers)
        .set({ passwordHash, updatedAt: sql`now()` })
        .where(eq(authUsers.id, reset.userId));
      await endSessions(tx, { userId: reset.userId });
      return { userId: reset.userId };
    });
  },

  async setPassword(db, { userId, password }) {
    const passwordHash = await hashPassword(password);
    await db.transaction(async (tx) => {
      const [user] = await tx
        .update(authUsers)
        .set({ passwordHash, updatedAt: sql`now()` })
        .where(eq(authUsers.id, userId))
        .returning({ id: authUsers.id });
      if (!user) throw userNotFound();
      await endSessions(tx, { userId });
    });
  },

  async deleteUser(db, { userId }) {
    // Sessions, refresh tokens and reset tokens go with it (ON DELETE CASCADE).
    await db.delete(authUsers).where(eq(authUsers.id, userId));
  },

  async verificationKey(db): Promise<VerificationKey> {
    return { secret: await jwtSecret(db), issuer: ISSUER };
  },

  async isSessionActive(db, claims: AccessClaims) {
    if (!claims.session_id) return false;
    const [s] = await db
      .select({ revokedAt: authSessions.revokedAt })
      .from(authSessions)
      .where(eq(authSessions.id, claims.session_id))
      .limit(1);
    return !!s && !s.revokedAt;
  },
};

/** Tests rotate JWT_SECRET; the cached generated key must not outlive its database. */
export function resetEmbeddedAuthCache(): void {
  secretCache = undefined;
}
