// POST /api/wallet/internal/reserve – a reservation made by hand (testing)
import { internalReserve, toReservationResponse } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const POST = route(internalReserve, async ({ db, body }) =>
  toReservationResponse(
    await wallet.reserveTokens(db, {
      userId: body.user_id,
      tokens: body.tokens,
      purpose: "manual",
      ttlSeconds: body.ttl_seconds,
    }),
  ),
);
