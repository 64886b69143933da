import { z } from "zod";
import { JOB_STATUSES } from "@/db/schema";
import { INSIGHTS_DEFAULT_DAYS, INSIGHTS_MAX_DAYS, TOP_SUBJECTS } from "@/lib/admin/insights";
import { defineEndpoint } from "./define";

// The admin dashboard's charts: the same figures the /admin page draws, as JSON.

const DAYS_MESSAGE = `days must be an integer from 1 to ${INSIGHTS_MAX_DAYS}`;
const day = z.string().meta({ description: "A UTC calendar day, YYYY-MM-DD" });

export const AdminInsightsResponse = z
  .object({
    days: z.number().int(),
    from: day,
    to: day,
    jobs: z.array(z.object({ status: z.enum(JOB_STATUSES), count: z.number().int() })),
    library: z.array(z.object({ date: day, documents: z.number().int(), chunks: z.number().int() })),
    tokens: z.array(z.object({ date: day, tokens: z.number().int() })),
    subjects: z.array(z.object({ subject: z.string(), count: z.number().int() })),
  })
  .meta({ id: "AdminInsights" });

export const adminInsights = defineEndpoint({
  method: "GET",
  path: "/api/admin/insights",
  tag: "Admin library",
  summary: "Dashboard charts: jobs by status, library growth, tokens per day, top subjects",
  description:
    "Over the last `days` UTC days up to today, one entry per day (0 on days with nothing): " +
    "`library` counts the documents and chunks that existed at the end of each day, `tokens` " +
    "sums the ledger's usage debits of each day. `jobs` is the current count per status. " +
    `\`subjects\` ranks, at most ${TOP_SUBJECTS}, the subjects of the tutor's answers of the ` +
    "window: the conversation's subject, else the subject of the first textbook the answer cited.",
  auth: "admin",
  query: z.object({
    days: z.coerce
      .number(DAYS_MESSAGE)
      .int(DAYS_MESSAGE)
      .min(1, DAYS_MESSAGE)
      .max(INSIGHTS_MAX_DAYS, DAYS_MESSAGE)
      .default(INSIGHTS_DEFAULT_DAYS),
  }),
  response: AdminInsightsResponse,
});
