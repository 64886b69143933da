import { z } from "zod";
import { defineEndpoint, NO_DEADLINE } from "./define";

export const cronIngest = defineEndpoint({
  method: "GET",
  path: "/api/cron/ingest",
  tag: "Jobs",
  summary: "Drain the ingestion queue within a time budget (Vercel Cron)",
  description: "Authorization: Bearer $CRON_SECRET. Refused when CRON_SECRET is unset.",
  auth: "cron",
  deadline: NO_DEADLINE,
  response: z.object({ processed: z.number().int(), remaining: z.number().int() }),
});

export const cronWallet = defineEndpoint({
  method: "GET",
  path: "/api/cron/wallet",
  tag: "Jobs",
  summary: "Expire token reservations past their time (Vercel Cron)",
  description: "Authorization: Bearer $CRON_SECRET. Refused when CRON_SECRET is unset.",
  auth: "cron",
  response: z.object({ expired: z.number().int() }),
});
