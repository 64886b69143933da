// POST /api/wallet/transactions/expense – log a system expense
import { recordExpense, toTransactionResponse } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const POST = route(recordExpense, async ({ db, body, principal }) =>
  toTransactionResponse(
    await wallet.recordExpense(db, {
      ...body,
      createdBy: principal.kind === "user" ? principal.user.id : null,
    }),
  ),
);
