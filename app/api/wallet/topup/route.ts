// POST /api/wallet/topup – an admin credits a user's tokens (Idempotency-Key honoured)
import { topUp } from "@/lib/api/wallet";
import { badRequest } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const POST = route(topUp, async ({ db, body, req, principal }) => {
  const key = req.headers.get("idempotency-key");
  if (key !== null && (key.trim() === "" || key.length > 200)) {
    throw badRequest("Idempotency-Key must be 1 to 200 characters");
  }
  const { result } = await wallet.topUp(
    db,
    {
      userId: body.user_id,
      tokens: body.tokens,
      amount: body.amount ?? null,
      currency: body.currency ?? null,
      note: body.note ?? null,
      createdBy: principal.kind === "user" ? principal.user.id : null,
    },
    { idempotencyKey: key?.trim() ?? null },
  );
  return result;
});
