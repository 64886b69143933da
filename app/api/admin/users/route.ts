// GET, POST /api/admin/users – list profiles (paginated), create a user with any role
import { createUser, listUsers } from "@/lib/api/admin-users";
import { toProfileResponse } from "@/lib/api/profile";
import { adminCreateUser } from "@/lib/auth";
import { route } from "@/lib/http/route";
import { listProfiles } from "@/lib/profiles";

export const GET = route(listUsers, async ({ db, query }) => {
  const { users, total } = await listProfiles(db, query);
  return { users: users.map(toProfileResponse), total, limit: query.limit, offset: query.offset };
});

export const POST = route(createUser, async ({ db, body }) => {
  const profile = await adminCreateUser(db, {
    email: body.email,
    password: body.password,
    fullName: body.full_name,
    role: body.role,
  });
  return { success: true as const, data: toProfileResponse(profile) };
});
