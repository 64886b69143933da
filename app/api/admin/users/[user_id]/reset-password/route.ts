// POST /api/admin/users/{user_id}/reset-password – set a user's password
import { adminResetPassword } from "@/lib/api/admin-users";
import { adminSetPassword } from "@/lib/auth";
import { route } from "@/lib/http/route";

export const POST = route(adminResetPassword, async ({ db, params, body }) => {
  await adminSetPassword(db, { userId: params.user_id, password: body.new_password });
  return { success: true as const, message: "Password updated" };
});
