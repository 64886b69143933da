import { getDb } from "@/db/client";
import { expireReservations } from "./index";

/** The periodic sweep of expired reservations; never throws (it runs on a timer). */
export async function sweepExpiredReservations(): Promise<number> {
  try {
    return await expireReservations(await getDb());
  } catch (err) {
    console.error("[wallet] reservation sweep failed:", err);
    return 0;
  }
}
