import { sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "@/db/client";
import { JOB_STATUSES, type JobStatus } from "@/db/schema";

export const INSIGHTS_DEFAULT_DAYS = 30;
export const INSIGHTS_MAX_DAYS = 365;
/** How many subjects the "top subjects" chart shows. */
export const TOP_SUBJECTS = 8;

/**
 * The admin dashboard's charts. Days are UTC calendar days (`YYYY-MM-DD`), oldest first, one
 * entry per day of the window even when nothing happened that day.
 */
export interface AdminInsights {
  days: number;
  /** First and last day of the window; `to` is the UTC day of `now`. */
  from: string;
  to: string;
  /** Every job status, in lifecycle order, with its current count (0 included). */
  jobs: { status: JobStatus; count: number }[];
  /** Documents and chunks that existed at the end of each day (cumulative, by creation date). */
  library: { date: string; documents: number; chunks: number }[];
  /** Tokens charged for model usage (ledger debits of type usage) per day. */
  tokens: { date: string; tokens: number }[];
  /**
   * The subjects the tutor's answers of the window were about (the conversation's subject, else
   * the subject of the first textbook the answer cited), most asked first, at most TOP_SUBJECTS.
   */
  subjects: { subject: string; count: number }[];
}

const DAY_MS = 86_400_000;

export function clampDays(days: number | undefined): number {
  if (days === undefined || !Number.isFinite(days)) return INSIGHTS_DEFAULT_DAYS;
  return Math.min(INSIGHTS_MAX_DAYS, Math.max(1, Math.trunc(days)));
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The figures behind the dashboard's charts over the last `days` UTC days up to `now`. */
export async function getAdminInsights(
  db: DbOrTx,
  { days: requested, now = new Date() }: { days?: number; now?: Date } = {},
): Promise<AdminInsights> {
  const days = clampDays(requested);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const startMs = today - (days - 1) * DAY_MS;
  const from = isoDay(startMs);
  const to = isoDay(today);
  // [start, end): from the first day's midnight to the midnight after the last day, in UTC.
  const start = new Date(startMs).toISOString();
  const end = new Date(today + DAY_MS).toISOString();
  const series = sql`select generate_series(${from}::date, ${to}::date, interval '1 day')::date as day`;
  const utcDay = (column: string) => sql.raw(`(${column} at time zone 'UTC')::date`);

  const [jobRows, libraryRows, tokenRows, subjectRows] = await Promise.all([
    db.execute(sql`select status::text as status, count(*)::int as count from ingestion_jobs group by 1`),
    // Rows created before the window plus a running sum of the rows created on each day.
    db.execute(sql`
      with days as (${series}),
      d as (
        select ${utcDay("created_at")} as day, count(*)::int as n from documents
        where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz group by 1
      ),
      c as (
        select ${utcDay("created_at")} as day, count(*)::int as n from chunks
        where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz group by 1
      ),
      base as (
        select (select count(*) from documents where created_at < ${start}::timestamptz)::int as documents,
               (select count(*) from chunks where created_at < ${start}::timestamptz)::int as chunks
      )
      select days.day::text as date,
        (base.documents + sum(coalesce(d.n, 0)) over w)::int as documents,
        (base.chunks + sum(coalesce(c.n, 0)) over w)::int as chunks
      from days cross join base
      left join d on d.day = days.day
      left join c on c.day = days.day
      window w as (order by days.day)
      order by days.day`),
    db.execute(sql`
      with days as (${series}),
      u as (
        select ${utcDay("created_at")} as day, sum(tokens)::bigint as n from financial_transactions
        where type = 'usage' and direction = 'debit'
          and created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz
        group by 1
      )
      select days.day::text as date, coalesce(u.n, 0)::bigint as tokens
      from days left join u on u.day = days.day
      order by days.day`),
    // sources[0].document_id is compared as text: a malformed id matches nothing instead of failing.
    db.execute(sql`
      select s.subject, count(*)::int as count
      from (
        select coalesce(nullif(btrim(c.subject), ''), nullif(btrim(d.subject), '')) as subject
        from messages m
        join conversations c on c.id = m.conversation_id
        left join documents d on nullif(btrim(c.subject), '') is null
          and d.id::text = m.sources -> 0 ->> 'document_id'
        where m.role = 'assistant'
          and m.created_at >= ${start}::timestamptz and m.created_at < ${end}::timestamptz
      ) s
      where s.subject is not null
      group by s.subject
      order by count desc, s.subject asc
      limit ${TOP_SUBJECTS}`),
  ]);

  const jobCounts = new Map(
    rowsOf<{ status: string; count: number }>(jobRows).map((r) => [r.status, r.count]),
  );
  return {
    days,
    from,
    to,
    jobs: JOB_STATUSES.map((status) => ({ status, count: Number(jobCounts.get(status) ?? 0) })),
    library: rowsOf<{ date: string; documents: number; chunks: number }>(libraryRows).map((r) => ({
      date: r.date,
      documents: Number(r.documents),
      chunks: Number(r.chunks),
    })),
    tokens: rowsOf<{ date: string; tokens: number | string }>(tokenRows).map((r) => ({
      date: r.date,
      tokens: Number(r.tokens),
    })),
    subjects: rowsOf<{ subject: string; count: number }>(subjectRows).map((r) => ({
      subject: r.subject,
      count: Number(r.count),
    })),
  };
}
