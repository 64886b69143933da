// POST /api/auth/reset-password/confirm – set a new password with a reset token
import { resetPasswordConfirm } from "@/lib/api/auth";
import { completePasswordReset } from "@/lib/auth";
import { route } from "@/lib/http/route";

export const POST = route(resetPasswordConfirm, async ({ db, body }) => {
  await completePasswordReset(db, { token: body.token, newPassword: body.new_password });
  return { success: true as const, message: "Password updated, sign in with the new password." };
});
