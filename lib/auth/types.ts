import type { DbOrTx, Tx } from "@/db/client";
import type { AccessClaims, VerificationKey } from "./jwt";

/** Tokens handed to a client after sign-in or refresh. */
export interface AuthTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  /** Unix time (s) the access token expires. */
  expiresAt: number;
  userId: string;
}

/**
 * What BacMR needs from an identity provider. Two implementations: the embedded one (accounts
 * in our database) and Supabase Auth. Profiles are ours in both cases (lib/profiles); the
 * backend only knows credentials, sessions and tokens. Every method throws ApiError for the
 * caller-facing failures (EMAIL_TAKEN, INVALID_CREDENTIALS, INVALID_TOKEN, NOT_FOUND).
 */
export interface AuthBackend {
  readonly name: "embedded" | "supabase";
  /** Credentials live in our database (transactional with profiles) rather than behind an API. */
  readonly credentialsInDatabase: boolean;

  /**
   * Creates credentials and calls `withProfile` to create the profile. The embedded backend runs
   * both in one transaction; Supabase cannot, so it deletes the auth user if `withProfile` fails.
   * `admin` true means an admin created the account (Supabase: the Auth admin API, email confirmed).
   */
  createUser(
    db: DbOrTx,
    input: { email: string; password: string; admin: boolean },
    withProfile: (tx: Tx, userId: string) => Promise<void>,
  ): Promise<{ userId: string }>;

  signIn(db: DbOrTx, input: { email: string; password: string }): Promise<AuthTokens>;

  /** Rotates: the presented refresh token stops working; reusing it ends the session. */
  refresh(db: DbOrTx, refreshToken: string): Promise<AuthTokens>;

  /** Ends the session of whichever token is given; unknown tokens are ignored. */
  logout(db: DbOrTx, tokens: { accessToken?: string; refreshToken?: string }): Promise<void>;

  /** Sends a reset link if the account exists; silent otherwise (no account enumeration). */
  requestPasswordReset(db: DbOrTx, input: { email: string; resetUrl: string }): Promise<void>;

  /** Sets a new password from a single-use reset token and ends every session of the user. */
  completePasswordReset(
    db: DbOrTx,
    input: { token: string; newPassword: string },
  ): Promise<{ userId: string }>;

  /** Admin: set a user's password and end their sessions. */
  setPassword(db: DbOrTx, input: { userId: string; password: string }): Promise<void>;

  /** Admin: remove the credentials (the caller removes the profile). */
  deleteUser(db: DbOrTx, input: { userId: string }): Promise<void>;

  /** The key that access tokens of this backend are verified with. */
  verificationKey(db: DbOrTx): Promise<VerificationKey>;

  /** False when the token's session was ended (logout, reuse, password change) before it expired. */
  isSessionActive(db: DbOrTx, claims: AccessClaims): Promise<boolean>;

  /** An access token from the backend's own session cookies (Supabase's sb-* cookies), if any. */
  accessTokenFromCookies?(cookieHeader: string): Promise<string | undefined>;
}
