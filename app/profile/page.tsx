import { ProfileNameForm } from "@/components/session-controls";
import { Card } from "@/components/ui";
import { requireUser } from "@/lib/http/page-auth";
import { intlTag } from "@/lib/i18n/config";
import { getI18n } from "@/lib/i18n/server";

export default async function ProfilePage() {
  const [{ m, locale }, user] = await Promise.all([getI18n(), requireUser("/profile")]);
  const since = new Intl.DateTimeFormat(intlTag(locale), { dateStyle: "long" }).format(user.createdAt);
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <Card>
        <h1 className="mb-4 text-xl font-bold">{m.profile.title}</h1>
        <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm" data-testid="profile">
          <dt className="text-slate-500">{m.form.fullName}</dt>
          <dd data-testid="profile-name">{user.fullName || "—"}</dd>
          <dt className="text-slate-500">{m.form.email}</dt>
          <dd dir="ltr" className="text-start" data-testid="profile-email">
            {user.email}
          </dd>
          <dt className="text-slate-500">{m.profile.role}</dt>
          <dd data-testid="profile-role">{m.roles[user.role]}</dd>
          <dt className="text-slate-500">{m.profile.hintLevel}</dt>
          <dd>{m.hintLevels[user.hintLevel]}</dd>
          <dt className="text-slate-500">{m.profile.memberSince}</dt>
          <dd>{since}</dd>
        </dl>
      </Card>
      <Card>
        <ProfileNameForm fullName={user.fullName} />
      </Card>
    </div>
  );
}
