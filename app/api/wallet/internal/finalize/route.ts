// POST /api/wallet/internal/finalize – end a reservation by hand (testing)
import { internalFinalize, toReservationResponse } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const POST = route(internalFinalize, async ({ db, body }) => {
  const ended = await wallet.finalizeReservation(db, {
    reservationId: body.reservation_id,
    actualTokens: body.actual_tokens,
  });
  return {
    reservation: toReservationResponse(ended.reservation),
    charged_tokens: ended.charged,
    new_balance: ended.balance,
  };
});
