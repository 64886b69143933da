"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { intlTag } from "@/lib/i18n/config";
import { callApi } from "./api-client";
import { useI18n } from "./i18n";
import { Alert, Button, Card, Field, Input, Select } from "./ui";
import { useErrorText } from "./use-error-text";

const ROLES = ["student", "teacher", "admin"] as const;
const HINT_LEVELS = [1, 2, 3, 4, 5];

export interface AdminUserRow {
  id: string;
  email: string;
  full_name: string;
  role: (typeof ROLES)[number];
  hint_level: number;
  created_at: string;
}

type Status = { kind: "error" | "success"; text: string } | null;

export function AdminUsers({
  users,
  total,
  limit,
  offset,
  currentUserId,
}: {
  users: AdminUserRow[];
  total: number;
  limit: number;
  offset: number;
  currentUserId: string;
}) {
  const { m, f, locale } = useI18n();
  const router = useRouter();
  const errorText = useErrorText();
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  async function act(
    call: Promise<{ ok: boolean; error?: Parameters<typeof errorText>[0] }>,
    success: string,
  ) {
    setBusy(true);
    const r = await call;
    setBusy(false);
    if (r.ok) {
      setStatus({ kind: "success", text: success });
      router.refresh();
    } else if (r.error) {
      setStatus({ kind: "error", text: errorText(r.error) });
    }
  }

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const v = Object.fromEntries([...new FormData(form)].map(([k, val]) => [k, String(val)]));
    await act(
      callApi("/api/admin/users", {
        body: { email: v.email, password: v.password, full_name: v.full_name, role: v.role },
      }).then((r) => {
        if (r.ok) form.reset();
        return r;
      }),
      m.admin.created,
    );
  }

  const dateFmt = new Intl.DateTimeFormat(intlTag(locale), { dateStyle: "medium" });

  return (
    <div className="space-y-6">
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      <Card>
        <h2 className="mb-4 text-lg font-semibold">{m.admin.createUser}</h2>
        <form onSubmit={onCreate} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end">
          <Field label={m.form.fullName}>
            <Input name="full_name" required />
          </Field>
          <Field label={m.form.email}>
            <Input name="email" type="email" required dir="ltr" />
          </Field>
          <Field label={m.form.password}>
            <Input
              name="password"
              type="password"
              required
              minLength={8}
              dir="ltr"
              autoComplete="new-password"
            />
          </Field>
          <Field label={m.profile.role}>
            <Select name="role" defaultValue="student">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {m.roles[r]}
                </option>
              ))}
            </Select>
          </Field>
          <Button type="submit" disabled={busy}>
            {m.admin.create}
          </Button>
        </form>
      </Card>

      <Card className="overflow-x-auto p-0 sm:p-0">
        <p className="px-5 pt-4 text-sm text-slate-600">{f(m.admin.total, { n: total })}</p>
        <table className="mt-2 w-full min-w-[960px] text-start text-sm">
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <th className="px-4 py-2 text-start font-medium">{m.admin.name}</th>
              <th className="px-4 py-2 text-start font-medium">{m.form.email}</th>
              <th className="px-4 py-2 text-start font-medium">{m.profile.role}</th>
              <th className="px-4 py-2 text-start font-medium">{m.profile.hintLevel}</th>
              <th className="px-4 py-2 text-start font-medium">{m.profile.memberSince}</th>
              <th className="px-4 py-2 text-start font-medium">{m.admin.actions}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr
                key={u.id}
                className="border-t border-slate-100"
                data-testid="user-row"
                data-email={u.email}
              >
                <td className="px-4 py-2">{u.full_name || "—"}</td>
                <td className="px-4 py-2" dir="ltr">
                  {u.email}
                </td>
                <td className="px-4 py-2">
                  <Select
                    className="min-w-36"
                    aria-label={`${m.profile.role} ${u.email}`}
                    value={u.role}
                    disabled={busy}
                    onChange={(e) =>
                      act(
                        callApi(`/api/admin/users/${u.id}/role`, {
                          method: "PATCH",
                          body: { role: e.target.value },
                        }),
                        m.admin.updated,
                      )
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {m.roles[r]}
                      </option>
                    ))}
                  </Select>
                </td>
                <td className="px-4 py-2">
                  <Select
                    className="min-w-56"
                    aria-label={`${m.profile.hintLevel} ${u.email}`}
                    value={u.hint_level}
                    disabled={busy}
                    onChange={(e) =>
                      act(
                        callApi(`/api/admin/users/${u.id}/hint-level?hint_level=${e.target.value}`, {
                          method: "PATCH",
                        }),
                        m.admin.updated,
                      )
                    }
                  >
                    {HINT_LEVELS.map((h) => (
                      <option key={h} value={h}>
                        {m.hintLevels[h]}
                      </option>
                    ))}
                  </Select>
                </td>
                <td className="px-4 py-2">{dateFmt.format(new Date(u.created_at))}</td>
                <td className="px-4 py-2">
                  <Button
                    variant="danger"
                    disabled={busy || u.id === currentUserId}
                    aria-label={`${m.admin.delete} ${u.email}`}
                    onClick={() => {
                      if (!window.confirm(f(m.admin.confirmDelete, { email: u.email }))) return;
                      act(callApi(`/api/admin/users/${u.id}`, { method: "DELETE" }), m.admin.deleted);
                    }}
                  >
                    {m.admin.delete}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <nav className="flex justify-between px-5 py-3 text-sm">
          {offset > 0 ? (
            <Link
              className="text-brand-800 underline"
              href={`/admin/users?offset=${Math.max(0, offset - limit)}`}
            >
              {m.admin.previous}
            </Link>
          ) : (
            <span />
          )}
          {offset + limit < total ? (
            <Link className="text-brand-800 underline" href={`/admin/users?offset=${offset + limit}`}>
              {m.admin.next}
            </Link>
          ) : null}
        </nav>
      </Card>
    </div>
  );
}
