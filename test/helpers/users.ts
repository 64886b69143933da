import * as signinRoute from "@/app/api/auth/signin/route";
import type { Db } from "@/db/client";
import type { Role } from "@/db/schema";
import { adminCreateUser } from "@/lib/auth";
import { call } from "./http";

let n = 0;

export function uniqueEmail(prefix = "user"): string {
  n += 1;
  return `${prefix}.${Date.now().toString(36)}.${n}@example.com`;
}

/** Creates a user with a role and signs them in through the real route; returns the tokens. */
export async function createSignedInUser(db: Db, role: Role = "student", password = "password-123") {
  const email = uniqueEmail(role);
  const profile = await adminCreateUser(db, { email, password, fullName: `${role} user`, role });
  const res = await call(signinRoute.POST, {
    path: "/api/auth/signin",
    method: "POST",
    body: { email, password },
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res.body)}`);
  return {
    id: profile.id,
    email,
    password,
    accessToken: res.body.data.access_token as string,
    refreshToken: res.body.data.refresh_token as string,
  };
}
