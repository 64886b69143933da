import { AdminWallet } from "@/components/admin-wallet";
import { getDb } from "@/db/client";
import { TRANSACTION_TYPES, type TransactionType } from "@/db/schema";
import { pagination } from "@/lib/api/schemas";
import { toTransactionResponse } from "@/lib/api/wallet";
import { requireAdmin } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";
import { isUuid } from "@/lib/ids";
import { findProfile, findProfileByEmail } from "@/lib/profiles";
import { getBalance, listTransactions } from "@/lib/wallet";

const PAGE_SIZE = 25;

export default async function AdminWalletPage({
  searchParams,
}: {
  searchParams: Promise<{ user?: string; direction?: string; type?: string; offset?: string }>;
}) {
  const [{ m }, , sp] = await Promise.all([getI18n(), requireAdmin("/admin/wallet"), searchParams]);
  const db = await getDb();
  // The account: an email or an id (GET /api/admin/users has no search; the page looks it up).
  const query = sp.user?.trim().slice(0, 254) ?? "";
  const isId = isUuid(query);
  const account = query
    ? isId
      ? await findProfile(db, { userId: query })
      : await findProfileByEmail(db, { email: query.toLowerCase() })
    : undefined;
  // The same rules as GET /api/wallet/transactions; an unknown value is simply no filter.
  const direction = sp.direction === "credit" || sp.direction === "debit" ? sp.direction : undefined;
  const type = (TRANSACTION_TYPES as readonly string[]).includes(sp.type ?? "")
    ? (sp.type as TransactionType)
    : undefined;
  const parsed = pagination.offset.safeParse(sp.offset);
  const offset = parsed.success ? parsed.data : 0;
  // An id without a profile still filters: a deleted account's ledger rows keep their user_id.
  const userId = account?.id ?? (isId ? query : undefined);
  const unknownAccount = query !== "" && !account;
  const { transactions, total } =
    unknownAccount && !isId
      ? { transactions: [], total: 0 }
      : await listTransactions(db, { direction, type, userId, limit: PAGE_SIZE, offset });
  const ids = [...new Set(transactions.map((t) => t.userId).filter((id): id is string => id !== null))];
  const emails = Object.fromEntries(
    (await Promise.all(ids.map((id) => findProfile(db, { userId: id }))))
      .filter((p) => p !== undefined)
      .map((p) => [p.id, p.email]),
  );
  const balance = account ? await getBalance(db, account.id) : null;

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-bold">{m.wallet.title}</h1>
      <AdminWallet
        query={query}
        account={
          account && balance
            ? {
                id: account.id,
                email: account.email,
                full_name: account.fullName,
                role: account.role,
                balance: balance.balance,
                reserved: balance.reserved,
                available: balance.available,
                tier: balance.tier,
              }
            : null
        }
        unknownAccount={unknownAccount}
        direction={direction}
        type={type}
        transactions={transactions.map((t) => ({
          ...toTransactionResponse(t),
          email: t.userId ? (emails[t.userId] ?? null) : null,
        }))}
        total={total}
        limit={PAGE_SIZE}
        offset={offset}
      />
    </div>
  );
}
