// GET /api/wallet/transactions – the ledger with filters
import { listTransactions, toTransactionResponse } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const GET = route(listTransactions, async ({ db, query }) => {
  const { transactions, total } = await wallet.listTransactions(db, {
    direction: query.direction,
    type: query.type,
    userId: query.user_id,
    limit: query.limit,
    offset: query.offset,
  });
  return {
    transactions: transactions.map(toTransactionResponse),
    total,
    limit: query.limit,
    offset: query.offset,
  };
});
