import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";

/** The claims BacMR relies on, shaped like Supabase's access tokens. */
export interface AccessClaims extends JWTPayload {
  sub: string;
  email?: string;
  role: string;
  aud: string | string[];
  session_id?: string;
}

export const AUDIENCE = "authenticated";

export interface VerificationKey {
  /** HS256 shared secret, or a JWKS resolver for asymmetric keys. */
  secret?: Uint8Array;
  jwks?: JWTVerifyGetKey;
  issuer?: string;
}

export function jwksFromUrl(url: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
}

export async function signAccessToken(
  secret: Uint8Array,
  claims: { sub: string; email: string; sessionId: string; issuer: string; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + claims.ttlSeconds;
  const token = await new SignJWT({
    email: claims.email,
    role: "authenticated",
    session_id: claims.sessionId,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setAudience(AUDIENCE)
    .setIssuer(claims.issuer)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(secret);
  return { token, expiresAt };
}

/**
 * The single verification path: an algorithm allowlist (HS256 for a shared secret, RS256/ES256
 * for JWKS; never `none`), a required and checked `exp`, audience `authenticated`, a subject.
 * Returns null for any invalid token; callers answer 401.
 */
export async function verifyAccessToken(token: string, key: VerificationKey): Promise<AccessClaims | null> {
  const options = {
    audience: AUDIENCE,
    requiredClaims: ["exp", "sub"],
    ...(key.issuer ? { issuer: key.issuer } : {}),
  };
  try {
    if (key.secret) {
      const { payload } = await jwtVerify(token, key.secret, { ...options, algorithms: ["HS256"] });
      return payload as AccessClaims;
    }
    if (key.jwks) {
      const { payload } = await jwtVerify(token, key.jwks, { ...options, algorithms: ["RS256", "ES256"] });
      return payload as AccessClaims;
    }
  } catch {
    return null;
  }
  return null;
}
