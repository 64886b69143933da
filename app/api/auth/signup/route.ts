// POST /api/auth/signup – register a student account (credentials + profile)
import { signup } from "@/lib/api/auth";
import { signUp } from "@/lib/auth";
import { route } from "@/lib/http/route";

export const POST = route(signup, async ({ db, body, ip }) => {
  const user = await signUp(
    db,
    { email: body.email, password: body.password, fullName: body.full_name },
    { ip },
  );
  return { success: true as const, data: { user_id: user.id, email: user.email } };
});
