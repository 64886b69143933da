import Link from "next/link";
import { formatDateTime, formatNumber } from "@/components/format";
import { Pager } from "@/components/pager";
import { Card, EmptyState, ROW, Table, Td } from "@/components/ui";
import { getDb } from "@/db/client";
import { pagination } from "@/lib/api/schemas";
import { requireUser } from "@/lib/http/page-auth";
import { format } from "@/lib/i18n/messages";
import { getI18n } from "@/lib/i18n/server";
import { answerOutlook, getBalance, listTransactions, recentAnswerCosts } from "@/lib/wallet";

const PAGE_SIZE = 20;

/** A student's (or teacher's) own tokens: what is left, in answers too, and where they went. */
export default async function WalletPage({ searchParams }: { searchParams: Promise<{ offset?: string }> }) {
  const [{ m, locale }, user, sp] = await Promise.all([getI18n(), requireUser("/wallet"), searchParams]);
  const db = await getDb();
  const parsed = pagination.offset.safeParse(sp.offset);
  const offset = parsed.success ? parsed.data : 0;
  const [balance, recent, { transactions, total }] = await Promise.all([
    getBalance(db, user.id),
    recentAnswerCosts(db, user.id),
    listTransactions(db, { userId: user.id, limit: PAGE_SIZE, offset }),
  ]);
  const n = (v: number) => formatNumber(locale, v);
  const w = m.myWallet;
  const { canAsk, answersLeft } = answerOutlook(balance.available, recent);

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <h1 className="text-xl font-bold">{w.title}</h1>
      <Card>
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <p className="text-sm text-slate-600">{w.available}</p>
            <p
              data-testid="wallet-available"
              className={`text-4xl font-bold tabular-nums ${canAsk ? "text-brand-800" : "text-red-800"}`}
            >
              {n(balance.available)}
            </p>
            {recent && answersLeft !== null ? (
              <p className="mt-1 text-sm text-slate-700" data-testid="wallet-answers-left">
                {format(w.answersLeft, { n: n(answersLeft) })}
                <span className="block text-xs text-slate-500">
                  {format(w.answersLeftHint, { avg: n(recent.charged) })}
                </span>
              </p>
            ) : null}
          </div>
          <dl className="grid grid-cols-[auto_auto] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">{w.balance}</dt>
            <dd className="text-end tabular-nums">{n(balance.balance)}</dd>
            <dt className="text-slate-600">{w.reserved}</dt>
            <dd className="text-end tabular-nums">{n(balance.reserved)}</dd>
          </dl>
        </div>
        <p className="mt-4 text-sm text-slate-600">{w.intro}</p>
        {canAsk ? (
          <p className="mt-2 text-sm text-slate-600">{w.moreHint}</p>
        ) : (
          <div className="mt-4">
            <EmptyState title={w.empty}>{w.emptyHint}</EmptyState>
          </div>
        )}
        {canAsk ? (
          <Link
            href="/chat"
            className="mt-4 inline-flex min-h-10 items-center rounded-lg bg-brand-700 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700"
          >
            {w.ask}
          </Link>
        ) : null}
      </Card>

      <Card flush>
        <h2 className="px-5 pt-5 pb-3 text-lg font-semibold">{w.history}</h2>
        {transactions.length === 0 ? (
          <div className="px-5 pb-5">
            <EmptyState title={w.noHistory} />
          </div>
        ) : (
          <Table head={[w.colDate, w.colWhat, w.colTokens]}>
            {transactions.map((t) => (
              <tr key={t.id} className={ROW} data-testid="wallet-transaction">
                <Td label={w.colDate}>{formatDateTime(locale, t.createdAt.toISOString())}</Td>
                <Td label={w.colWhat}>{m.wallet.types[t.type] ?? t.type}</Td>
                <Td label={w.colTokens} className="tabular-nums md:text-end">
                  <span className={t.direction === "credit" ? "text-brand-800" : "text-slate-800"}>
                    {/* The sign stays with the number in either direction of text. */}
                    <bdi>{`${t.direction === "credit" ? "+" : "−"}${n(t.tokens)}`}</bdi>
                  </span>
                </Td>
              </tr>
            ))}
          </Table>
        )}
        <Pager
          offset={offset}
          limit={PAGE_SIZE}
          total={total}
          href={(o) => (o ? `/wallet?offset=${o}` : "/wallet")}
          labels={{ previous: w.previous, next: w.next }}
        />
      </Card>
    </div>
  );
}
