import { ForgotPasswordForm } from "@/components/auth-forms";
import { Card } from "@/components/ui";
import { getI18n } from "@/lib/i18n/server";

export default async function ForgotPasswordPage() {
  const { m } = await getI18n();
  return (
    <Card className="mx-auto max-w-md">
      <h1 className="mb-4 text-xl font-bold">{m.forgot.title}</h1>
      <ForgotPasswordForm />
    </Card>
  );
}
