// GET /api/wallet/balance – the caller's tokens: balance, reserved, available, tier
import { getBalance } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const GET = route(getBalance, async ({ db, principal }) => {
  const b = await wallet.getBalance(db, principal.user.id);
  return {
    balance: b.balance,
    reserved: b.reserved,
    available: b.available,
    tier: b.tier,
    pending_reservations: b.pendingReservations,
  };
});
