// GET /api/cron/wallet – Vercel Cron: give back the tokens of expired reservations
import { cronWallet } from "@/lib/api/jobs";
import { route } from "@/lib/http/route";
import { expireReservations } from "@/lib/wallet";

export const GET = route(cronWallet, async ({ db }) => ({ expired: await expireReservations(db) }));
