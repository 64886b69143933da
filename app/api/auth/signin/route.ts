// POST /api/auth/signin – password sign-in; tokens in the body and as page cookies
import { signin } from "@/lib/api/auth";
import { toSessionData } from "@/lib/api/session";
import { signIn } from "@/lib/auth";
import { sessionCookies } from "@/lib/http/request";
import { Reply, route } from "@/lib/http/route";

export const POST = route(signin, async ({ db, body, ip }) => {
  const session = await signIn(db, body, { ip });
  return new Reply(
    { success: true as const, data: toSessionData(session) },
    { cookies: sessionCookies(session) },
  );
});
