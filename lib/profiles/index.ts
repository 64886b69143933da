import { asc, count, eq, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { profiles, type Role } from "@/db/schema";
import { ApiError, notFound } from "@/lib/http/errors";
import type { Locale } from "@/lib/i18n/config";

export type Profile = typeof profiles.$inferSelect;

export const DEFAULT_HINT_LEVEL = 3;

export async function createProfile(
  db: DbOrTx,
  p: { id: string; email: string; fullName: string; role?: Role; hintLevel?: number },
): Promise<Profile> {
  const [row] = await db
    .insert(profiles)
    .values({
      id: p.id,
      email: p.email,
      fullName: p.fullName,
      role: p.role ?? "student",
      hintLevel: p.hintLevel ?? DEFAULT_HINT_LEVEL,
    })
    .returning();
  if (!row) throw new Error("profile insert returned no row");
  return row;
}

export async function findProfile(db: DbOrTx, { userId }: { userId: string }): Promise<Profile | undefined> {
  const [row] = await db.select().from(profiles).where(eq(profiles.id, userId)).limit(1);
  return row;
}

export async function getProfileOrThrow(db: DbOrTx, { userId }: { userId: string }): Promise<Profile> {
  const row = await findProfile(db, { userId });
  if (!row) throw notFound("User not found");
  return row;
}

export async function updateOwnProfile(
  db: DbOrTx,
  {
    userId,
    fullName,
    preferredLanguage,
  }: { userId: string; fullName?: string; preferredLanguage?: Locale | null },
): Promise<Profile> {
  if (fullName === undefined && preferredLanguage === undefined) return getProfileOrThrow(db, { userId });
  const [row] = await db
    .update(profiles)
    .set({ fullName, preferredLanguage, updatedAt: sql`now()` })
    .where(eq(profiles.id, userId))
    .returning();
  if (!row) throw notFound("User not found");
  return row;
}

export async function listProfiles(
  db: DbOrTx,
  { limit, offset }: { limit: number; offset: number },
): Promise<{ users: Profile[]; total: number }> {
  const [users, [totalRow]] = await Promise.all([
    db.select().from(profiles).orderBy(asc(profiles.createdAt), asc(profiles.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(profiles),
  ]);
  return { users, total: totalRow?.n ?? 0 };
}

/**
 * Locks every admin row and throws if `userId` is the only admin left. Run inside the
 * transaction that demotes or deletes, so two concurrent demotions cannot both pass.
 */
export async function assertNotLastAdmin(tx: Tx, { userId }: { userId: string }): Promise<void> {
  const admins = await tx
    .select({ id: profiles.id })
    .from(profiles)
    .where(eq(profiles.role, "admin"))
    .for("update");
  if (admins.length <= 1 && admins.some((a) => a.id === userId)) {
    throw new ApiError("LAST_ADMIN", "Cannot remove the last admin");
  }
}

export async function setRole(
  db: DbOrTx,
  { userId, role }: { userId: string; role: Role },
): Promise<Profile> {
  // The lock and the update share a transaction: see assertNotLastAdmin.
  return db.transaction(async (tx) => {
    const current = await getProfileOrThrow(tx, { userId });
    if (current.role === "admin" && role !== "admin") await assertNotLastAdmin(tx, { userId });
    const [row] = await tx
      .update(profiles)
      .set({ role, updatedAt: sql`now()` })
      .where(eq(profiles.id, userId))
      .returning();
    if (!row) throw notFound("User not found");
    return row;
  });
}

export async function setHintLevel(
  db: DbOrTx,
  { userId, hintLevel }: { userId: string; hintLevel: number },
): Promise<Profile> {
  const [row] = await db
    .update(profiles)
    .set({ hintLevel, updatedAt: sql`now()` })
    .where(eq(profiles.id, userId))
    .returning();
  if (!row) throw notFound("User not found");
  return row;
}

export async function deleteProfile(db: DbOrTx, { userId }: { userId: string }): Promise<void> {
  await db.delete(profiles).where(eq(profiles.id, userId));
}

export async function findProfileByEmail(
  db: DbOrTx,
  { email }: { email: string },
): Promise<Profile | undefined> {
  const [row] = await db.select().from(profiles).where(eq(profiles.email, email)).limit(1);
  return row;
}
