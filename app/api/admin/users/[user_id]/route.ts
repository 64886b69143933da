// DELETE /api/admin/users/{user_id} – delete account and profile (never the last admin)
import { deleteUser } from "@/lib/api/admin-users";
import { adminDeleteUser } from "@/lib/auth";
import { route } from "@/lib/http/route";

export const DELETE = route(deleteUser, async ({ db, params }) => {
  await adminDeleteUser(db, { userId: params.user_id });
  return { success: true as const, message: "User deleted", user_id: params.user_id };
});
