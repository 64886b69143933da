import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { accessTokenFromBackendCookies, authenticateToken } from "@/lib/auth";
import type { Profile } from "@/lib/profiles";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "./request";

/** The signed-in user of a page request, or null (looked up once per request). */
export const getCurrentUser = cache(async (): Promise<Profile | null> => {
  const token =
    (await cookies()).get(ACCESS_COOKIE)?.value ??
    (await accessTokenFromBackendCookies((await headers()).get("cookie")));
  if (!token) return null;
  return authenticateToken(await getDb(), token);
});

/**
 * The signed-in user, or a redirect: to the refresh route when a refresh cookie may renew an
 * expired access token (pages cannot set cookies themselves), else to the sign-in page.
 */
export async function requireUser(currentPath: string): Promise<Profile> {
  const user = await getCurrentUser();
  if (user) return user;
  const next = encodeURIComponent(currentPath);
  if ((await cookies()).get(REFRESH_COOKIE)?.value) redirect(`/auth/refresh?next=${next}`);
  redirect(`/signin?next=${next}`);
}

/** Admin pages refuse everyone else server-side: students are sent to their profile. */
export async function requireAdmin(currentPath: string): Promise<Profile> {
  const user = await requireUser(currentPath);
  if (user.role !== "admin") redirect("/profile?denied=admin");
  return user;
}

export { safeNextPath } from "./safe-redirect";
