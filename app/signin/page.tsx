import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth-forms";
import { Card } from "@/components/ui";
import { getCurrentUser, safeNextPath } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const [{ m }, user, { next }] = await Promise.all([getI18n(), getCurrentUser(), searchParams]);
  const target = safeNextPath(next);
  if (user) redirect(target);
  return (
    <Card className="mx-auto max-w-md">
      <h1 className="mb-4 text-xl font-bold">{m.signIn.title}</h1>
      <SignInForm next={target} />
    </Card>
  );
}
