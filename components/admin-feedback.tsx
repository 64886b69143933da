"use client";

import Link from "next/link";
import type { z } from "zod";
import type { FeedbackItemResponse } from "@/lib/api/feedback";
import { formatDateTime, formatNumber } from "./format";
import { useI18n } from "./i18n";
import { Pager } from "./pager";
import { Badge, Card, EmptyState, ROW, Table, Td } from "./ui";

type FeedbackItem = z.output<typeof FeedbackItemResponse>;
type Rating = FeedbackItem["rating"];

function feedbackHref(rating: Rating | undefined, offset = 0): string {
  const params = new URLSearchParams();
  if (rating) params.set("rating", rating);
  if (offset) params.set("offset", String(offset));
  const qs = params.toString();
  return qs ? `/admin/feedback?${qs}` : "/admin/feedback";
}

/** The students' ratings of the tutor's answers: the counts, a filter, the rated answers. */
export function AdminFeedback({
  items,
  total,
  up,
  down,
  limit,
  offset,
  rating,
}: {
  items: FeedbackItem[];
  total: number;
  up: number;
  down: number;
  limit: number;
  offset: number;
  rating: Rating | undefined;
}) {
  const { m, f, locale } = useI18n();
  const ratingText = { up: m.feedback.up, down: m.feedback.down };
  const tab = "rounded-full border px-3 py-1 text-sm whitespace-nowrap";
  const filters: [Rating | undefined, string][] = [
    [undefined, m.feedback.all],
    ["up", m.feedback.upFilter],
    ["down", m.feedback.downFilter],
  ];

  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-2 gap-3 sm:max-w-md">
        {(
          [
            ["up", m.feedback.upCount, up, "text-brand-800"],
            ["down", m.feedback.downCount, down, "text-red-800"],
          ] as const
        ).map(([key, label, n, color]) => (
          <div key={key} className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm">
            <dt className="text-sm text-slate-600">{label}</dt>
            <dd className={`text-2xl font-bold ${color}`} data-testid={`feedback-${key}-count`}>
              {formatNumber(locale, n)}
            </dd>
          </div>
        ))}
      </dl>

      <nav aria-label={m.feedback.filterLabel} className="flex flex-wrap gap-2">
        {filters.map(([r, label]) => (
          <Link
            key={r ?? "all"}
            href={feedbackHref(r)}
            aria-current={r === rating ? "page" : undefined}
            className={`${tab} ${
              r === rating
                ? "border-brand-700 bg-brand-700 text-white"
                : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
            }`}
          >
            {label}
          </Link>
        ))}
      </nav>

      {items.length === 0 && offset === 0 ? (
        <EmptyState title={m.feedback.empty}>{m.feedback.emptyHint}</EmptyState>
      ) : (
        <Card flush className="overflow-hidden">
          <p className="px-4 py-3 text-sm text-slate-600 sm:px-5">
            {f(m.feedback.total, { n: formatNumber(locale, total) })}
          </p>
          <Table
            head={[
              m.feedback.colRating,
              m.feedback.colQuestion,
              m.feedback.colAnswer,
              m.feedback.colUser,
              m.feedback.colDate,
            ]}
          >
            {items.map((item) => (
              <tr key={item.message_id} className={ROW} data-testid="feedback-row">
                <Td label={m.feedback.colRating}>
                  <Badge tone={item.rating === "up" ? "good" : "bad"}>{ratingText[item.rating]}</Badge>
                </Td>
                <Td label={m.feedback.colQuestion}>
                  <p dir="auto" className="max-w-xs font-medium break-words">
                    {item.question || m.feedback.noQuestion}
                  </p>
                </Td>
                <Td label={m.feedback.colAnswer}>
                  <p
                    dir="auto"
                    className="line-clamp-4 max-w-md break-words whitespace-pre-line text-slate-700"
                  >
                    {item.answer}
                  </p>
                  <span className="mt-1 block text-xs text-slate-600">
                    {f(m.feedback.sources, { n: formatNumber(locale, item.sources_count) })}
                  </span>
                </Td>
                <Td label={m.feedback.colUser}>
                  <span className="break-all">{item.user_email}</span>
                </Td>
                <Td label={m.feedback.colDate}>
                  <span className="whitespace-nowrap">{formatDateTime(locale, item.created_at)}</span>
                </Td>
              </tr>
            ))}
          </Table>
          <Pager
            offset={offset}
            limit={limit}
            total={total}
            href={(o) => feedbackHref(rating, o)}
            labels={{ previous: m.feedback.previous, next: m.feedback.next }}
          />
        </Card>
      )}
    </div>
  );
}
