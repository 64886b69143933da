import { describe, expect, it } from "vitest";
import { authenticateToken, refreshSession, signIn, signUp } from "@/lib/auth";
import { useTestDb } from "./helpers/db";

const { db } = useTestDb();
const ctx = { ip: "10.0.0.1" };

describe("embedded auth", () => {
  it("signs up, signs in, authenticates and rotates refresh tokens", async () => {
    const profile = await signUp(
      db(),
      { email: "ada@example.com", password: "correct horse", fullName: "Ada" },
      ctx,
    );
    expect(profile).toMatchObject({
      email: "ada@example.com",
      fullName: "Ada",
      role: "student",
      hintLevel: 3,
    });
    const session = await signIn(db(), { email: "ada@example.com", password: "correct horse" }, ctx);
    expect((await authenticateToken(db(), session.accessToken))?.id).toBe(profile.id);
    const next = await refreshSession(db(), session.refreshToken);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    await expect(refreshSession(db(), session.refreshToken)).rejects.toMatchObject({ status: 401 });
    // Reuse ended the session: the rotated token and its access token are dead too.
    await expect(refreshSession(db(), next.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect(await authenticateToken(db(), next.accessToken)).toBeNull();
  });
});
