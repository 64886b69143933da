import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth-forms";
import { Card } from "@/components/ui";
import { getCurrentUser } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";

export default async function SignUpPage() {
  const [{ m }, user] = await Promise.all([getI18n(), getCurrentUser()]);
  if (user) redirect("/profile");
  return (
    <Card className="mx-auto max-w-md">
      <h1 className="mb-4 text-xl font-bold">{m.signUp.title}</h1>
      <SignUpForm />
    </Card>
  );
}
