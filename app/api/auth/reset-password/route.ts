// POST /api/auth/reset-password – e-mail a single-use reset link (same answer for unknown emails)
import { resetPassword } from "@/lib/api/auth";
import { requestPasswordReset } from "@/lib/auth";
import { route } from "@/lib/http/route";

export const POST = route(resetPassword, async ({ db, body, ip }) => {
  await requestPasswordReset(db, { email: body.email }, { ip });
  return {
    success: true as const,
    message: "If an account exists for this email, a reset link has been sent.",
  };
});
