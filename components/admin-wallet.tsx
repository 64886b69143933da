"use client";

import Form from "next/form";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState } from "react";
import type { z } from "zod";
import type { TransactionResponse } from "@/lib/api/wallet";
import { intlTag, type Locale } from "@/lib/i18n/config";
import { callApi } from "./api-client";
import { formatDateTime, formatNumber } from "./format";
import { useI18n } from "./i18n";
import { Pager } from "./pager";
import { Alert, Badge, Button, Card, Field, Input, ROW, Select, Table, Td } from "./ui";
import { useErrorText } from "./use-error-text";

export type TransactionRow = z.output<typeof TransactionResponse> & { email: string | null };

export const TRANSACTION_TYPES = [
  "grant",
  "topup",
  "usage",
  "refund",
  "expense",
  "adjustment",
] as const satisfies readonly TransactionRow["type"][];

export interface WalletAccount {
  id: string;
  email: string;
  full_name: string;
  role: string;
  balance: number;
  reserved: number;
  available: number;
  tier: string;
}

type Status = { kind: "error" | "success"; text: string } | null;

function walletHref(filters: { user?: string; direction?: string; type?: string }, offset = 0): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (offset) params.set("offset", String(offset));
  const qs = params.toString();
  return qs ? `/admin/wallet?${qs}` : "/admin/wallet";
}

function formatMoney(locale: Locale, amount: number, currency: string | null): string {
  if (!currency) return formatNumber(locale, amount);
  try {
    return new Intl.NumberFormat(intlTag(locale), { style: "currency", currency }).format(amount);
  } catch {
    return `${formatNumber(locale, amount)} ${currency}`;
  }
}

/** Form values as strings, the empty ones left out. */
function valuesOf(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries(
    [...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v !== ""),
  );
}

export function AdminWallet({
  query,
  account,
  unknownAccount,
  direction,
  type,
  transactions,
  total,
  limit,
  offset,
}: {
  query: string;
  account: WalletAccount | null;
  unknownAccount: boolean;
  direction: "credit" | "debit" | undefined;
  type: TransactionRow["type"] | undefined;
  transactions: TransactionRow[];
  total: number;
  limit: number;
  offset: number;
}) {
  const { m, f, locale } = useI18n();
  const filters = { user: query, direction, type };
  const filtered = Boolean(query || direction || type);
  return (
    <div className="space-y-6">
      <Card>
        {/* Remounted on every filter change so "clear" also resets the fields. */}
        <Form
          key={JSON.stringify(filters)}
          action="/admin/wallet"
          aria-label={m.wallet.filter}
          className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_auto] lg:items-end"
        >
          <Field label={m.wallet.lookupLabel}>
            <Input name="user" defaultValue={query} dir="ltr" autoComplete="off" maxLength={254} />
          </Field>
          <Field label={m.wallet.direction}>
            <Select name="direction" defaultValue={direction ?? ""}>
              <option value="">{m.wallet.all}</option>
              {(["credit", "debit"] as const).map((d) => (
                <option key={d} value={d}>
                  {m.wallet.directions[d]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={m.wallet.type}>
            <Select name="type" defaultValue={type ?? ""}>
              <option value="">{m.wallet.all}</option>
              {TRANSACTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {m.wallet.types[t]}
                </option>
              ))}
            </Select>
          </Field>
          <div className="flex items-center gap-3">
            <Button type="submit">{m.wallet.filter}</Button>
            {filtered ? (
              <Link href="/admin/wallet" className="text-sm text-brand-800 underline">
                {m.wallet.clear}
              </Link>
            ) : null}
          </div>
        </Form>
        <p className="mt-2 text-xs text-slate-500">{m.wallet.lookupHint}</p>
        {unknownAccount ? (
          <div className="mt-3">
            <Alert kind="info">{f(m.wallet.userNotFound, { q: query })}</Alert>
          </div>
        ) : null}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2 lg:items-start">
        {account ? (
          <TopUpCard key={account.id} account={account} />
        ) : (
          <Card>
            <h2 className="mb-2 text-lg font-semibold">{m.wallet.topUpTitle}</h2>
            <p className="text-sm text-slate-600">{m.wallet.chooseUserFirst}</p>
          </Card>
        )}
        <ExpenseCard />
      </div>

      <Card flush className="overflow-hidden">
        <div className="px-4 py-3 sm:px-5">
          <h2 className="text-lg font-semibold">{m.wallet.transactions}</h2>
          <p className="text-sm text-slate-600">{f(m.wallet.transactionsTotal, { n: total })}</p>
        </div>
        {transactions.length === 0 ? (
          <p className="px-5 pb-5 text-sm text-slate-600">{m.wallet.noTransactions}</p>
        ) : (
          <Table
            head={[
              m.wallet.colDate,
              m.wallet.colUser,
              m.wallet.colType,
              m.wallet.colTokens,
              m.wallet.colAmount,
              m.wallet.colDescription,
            ]}
          >
            {transactions.map((t) => (
              <tr key={t.id} className={ROW} data-testid="transaction-row" data-type={t.type}>
                <Td label={m.wallet.colDate}>
                  <span className="whitespace-nowrap">{formatDateTime(locale, t.created_at)}</span>
                </Td>
                <Td label={m.wallet.colUser}>
                  {t.user_id ? (
                    <Link
                      href={walletHref({ user: t.user_id })}
                      dir="ltr"
                      className="break-all text-brand-800 underline"
                    >
                      {t.email ?? t.user_id}
                    </Link>
                  ) : (
                    <span className="text-slate-500">{m.wallet.system}</span>
                  )}
                </Td>
                <Td label={m.wallet.colType}>
                  <Badge tone={t.direction === "credit" ? "good" : t.type === "expense" ? "bad" : "neutral"}>
                    {m.wallet.types[t.type] ?? t.type}
                  </Badge>
                  <span className="ms-2 text-xs text-slate-500">{m.wallet.directions[t.direction]}</span>
                </Td>
                <Td label={m.wallet.colTokens}>
                  {t.tokens === 0 ? (
                    "—"
                  ) : (
                    <span
                      dir="ltr"
                      data-testid="transaction-tokens"
                      className={`font-semibold whitespace-nowrap ${t.direction === "credit" ? "text-brand-800" : "text-red-800"}`}
                    >
                      {t.direction === "credit" ? "+" : "−"}
                      {formatNumber(locale, t.tokens)}
                    </span>
                  )}
                </Td>
                <Td label={m.wallet.colAmount}>
                  {t.amount === null ? (
                    "—"
                  ) : (
                    <span className="whitespace-nowrap">{formatMoney(locale, t.amount, t.currency)}</span>
                  )}
                </Td>
                <Td label={m.wallet.colDescription}>
                  <span dir="auto" className="break-words">
                    {[t.category, t.description].filter(Boolean).join(" · ") || "—"}
                  </span>
                </Td>
              </tr>
            ))}
          </Table>
        )}
        <Pager
          offset={offset}
          limit={limit}
          total={total}
          href={(o) => walletHref(filters, o)}
          labels={{ previous: m.wallet.previous, next: m.wallet.next }}
        />
      </Card>
    </div>
  );
}

function TopUpCard({ account }: { account: WalletAccount }) {
  const { m, f, locale } = useI18n();
  const router = useRouter();
  const errorText = useErrorText({ detail: true });
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  // One key per submission: a double click or a retry after a lost answer credits once. A new
  // key is drawn once the server has answered.
  const keyRef = useRef<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const v = valuesOf(form);
    keyRef.current ??= crypto.randomUUID();
    setBusy(true);
    const r = await callApi<{ tokens: number; new_balance: number }>("/api/wallet/topup", {
      body: {
        user_id: account.id,
        tokens: Number(v.tokens),
        ...(v.amount ? { amount: Number(v.amount), currency: v.currency || "MRU" } : {}),
        ...(v.note ? { note: v.note } : {}),
      },
      headers: { "Idempotency-Key": keyRef.current },
    });
    setBusy(false);
    if (!r.ok) {
      if (r.error.code !== "NETWORK") keyRef.current = null;
      return setStatus({ kind: "error", text: errorText(r.error) });
    }
    keyRef.current = null;
    form.reset();
    setStatus({
      kind: "success",
      text: f(m.wallet.toppedUp, {
        tokens: formatNumber(locale, r.data.tokens),
        balance: formatNumber(locale, r.data.new_balance),
      }),
    });
    router.refresh();
  }

  const figures = [
    { key: "balance", label: m.wallet.balance, value: formatNumber(locale, account.balance) },
    { key: "reserved", label: m.wallet.reserved, value: formatNumber(locale, account.reserved) },
    { key: "available", label: m.wallet.available, value: formatNumber(locale, account.available) },
    { key: "tier", label: m.wallet.tier, value: account.tier },
  ];

  return (
    <Card>
      <h2 className="text-lg font-semibold">
        {f(m.wallet.topUpFor, { name: account.full_name || account.email })}
      </h2>
      <p className="mb-3 text-sm break-all text-slate-600" dir="ltr">
        {account.email}
      </p>
      <dl className="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="account-balance">
        {figures.map((x) => (
          <div key={x.key} data-key={x.key} className="rounded-lg bg-slate-50 px-3 py-2">
            <dt className="text-xs text-slate-500">{x.label}</dt>
            <dd className="font-semibold">{x.value}</dd>
          </div>
        ))}
      </dl>
      <form onSubmit={onSubmit} aria-label={m.wallet.topUpTitle} className="grid gap-3 sm:grid-cols-2">
        <Field label={m.wallet.tokens}>
          <Input name="tokens" type="number" inputMode="numeric" min={1} step={1} required dir="ltr" />
        </Field>
        <Field label={m.wallet.note}>
          <Input name="note" maxLength={500} />
        </Field>
        <Field label={m.wallet.amount}>
          <Input name="amount" type="number" inputMode="decimal" min={0.01} step={0.01} dir="ltr" />
        </Field>
        <Field label={m.wallet.currency}>
          <Input
            name="currency"
            defaultValue="MRU"
            maxLength={3}
            pattern="[A-Za-z]{3}"
            dir="ltr"
            className="uppercase"
          />
        </Field>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {m.wallet.topUp}
          </Button>
        </div>
        {status ? (
          <div className="sm:col-span-2">
            <Alert kind={status.kind}>{status.text}</Alert>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

function ExpenseCard() {
  const { m } = useI18n();
  const router = useRouter();
  const errorText = useErrorText({ detail: true });
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const v = valuesOf(form);
    setBusy(true);
    const r = await callApi("/api/wallet/transactions/expense", {
      body: {
        amount: Number(v.amount),
        currency: v.currency || "MRU",
        category: v.category ?? "",
        description: v.description ?? "",
      },
    });
    setBusy(false);
    if (!r.ok) return setStatus({ kind: "error", text: errorText(r.error) });
    form.reset();
    setStatus({ kind: "success", text: m.wallet.expenseRecorded });
    router.refresh();
  }

  return (
    <Card>
      <h2 className="text-lg font-semibold">{m.wallet.expenseTitle}</h2>
      <p className="mb-3 text-sm text-slate-600">{m.wallet.expenseHint}</p>
      <form onSubmit={onSubmit} aria-label={m.wallet.expenseTitle} className="grid gap-3 sm:grid-cols-2">
        <Field label={m.wallet.expenseAmount}>
          <Input name="amount" type="number" inputMode="decimal" min={0.01} step={0.01} required dir="ltr" />
        </Field>
        <Field label={m.wallet.currency}>
          <Input
            name="currency"
            defaultValue="MRU"
            maxLength={3}
            pattern="[A-Za-z]{3}"
            required
            dir="ltr"
            className="uppercase"
          />
        </Field>
        <Field label={m.wallet.category}>
          <Input name="category" required maxLength={100} />
        </Field>
        <Field label={m.wallet.description}>
          <Input name="description" required maxLength={1000} />
        </Field>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={busy}>
            {m.wallet.recordExpense}
          </Button>
        </div>
        {status ? (
          <div className="sm:col-span-2">
            <Alert kind={status.kind}>{status.text}</Alert>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
