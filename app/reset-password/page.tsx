import { ResetPasswordForm } from "@/components/auth-forms";
import { Card } from "@/components/ui";
import { getI18n } from "@/lib/i18n/server";

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string }>;
}) {
  const [{ m }, { token }] = await Promise.all([getI18n(), searchParams]);
  return (
    <Card className="mx-auto max-w-md">
      <h1 className="mb-4 text-xl font-bold">{m.reset.title}</h1>
      <ResetPasswordForm token={token ?? null} />
    </Card>
  );
}
