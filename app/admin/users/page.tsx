import { AdminUsers } from "@/components/admin-users";
import { getDb } from "@/db/client";
import { toProfileResponse } from "@/lib/api/profile";
import { pagination } from "@/lib/api/schemas";
import { requireAdmin } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";
import { listProfiles } from "@/lib/profiles";

const PAGE_SIZE = 50;

export default async function AdminUsersPage({
  searchParams,
}: {
  searchParams: Promise<{ offset?: string }>;
}) {
  const [{ m }, admin, sp] = await Promise.all([getI18n(), requireAdmin("/admin/users"), searchParams]);
  // The API's own pagination schema: a bad or huge offset falls back to the first page.
  const parsed = pagination.offset.safeParse(sp.offset);
  const offset = parsed.success ? parsed.data : 0;
  const { users, total } = await listProfiles(await getDb(), { limit: PAGE_SIZE, offset });
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-bold">{m.admin.usersTitle}</h1>
      <AdminUsers
        users={users.map(toProfileResponse)}
        total={total}
        limit={PAGE_SIZE}
        offset={offset}
        currentUserId={admin.id}
      />
    </div>
  );
}
