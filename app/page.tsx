import Link from "next/link";
import { Card } from "@/components/ui";
import { getCurrentUser } from "@/lib/http/page-auth";
import { format } from "@/lib/i18n/messages";
import { getI18n } from "@/lib/i18n/server";

export default async function HomePage() {
  const [{ m }, user] = await Promise.all([getI18n(), getCurrentUser()]);
  return (
    <Card className="space-y-4">
      <p className="text-sm font-medium text-brand-800">{m.tagline}</p>
      <h1 className="text-2xl font-bold sm:text-3xl">{m.home.title}</h1>
      <p className="text-slate-700">{m.home.body}</p>
      {user ? (
        <p className="font-medium">
          <Link className="text-brand-800 underline" href="/profile">
            {format(m.home.welcome, { name: user.fullName || user.email })}
          </Link>
        </p>
      ) : (
        <div className="flex flex-wrap gap-3">
          <Link
            className="rounded-lg bg-brand-700 px-4 py-2 font-semibold text-white hover:bg-brand-800"
            href="/signup"
          >
            {m.home.start}
          </Link>
          <Link
            className="rounded-lg border border-slate-300 bg-white px-4 py-2 font-semibold"
            href="/signin"
          >
            {m.home.haveAccount}
          </Link>
        </div>
      )}
    </Card>
  );
}
