// GET /api/wallet/reservations – the caller's token reservations
import { listReservations, toReservationResponse } from "@/lib/api/wallet";
import { route } from "@/lib/http/route";
import * as wallet from "@/lib/wallet";

export const GET = route(listReservations, async ({ db, principal, query }) => {
  const { reservations, total } = await wallet.listReservations(db, { userId: principal.user.id, ...query });
  return { reservations: reservations.map(toReservationResponse), total };
});
