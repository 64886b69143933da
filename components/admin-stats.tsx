import Link from "next/link";
import type { ReactNode } from "react";
import { Card, type Tone } from "./ui";

export interface StatRow {
  key: string;
  label: string;
  value: number;
  tone: Tone;
}

const BAR: Record<Tone, string> = {
  neutral: "bg-slate-400",
  info: "bg-sky-500",
  busy: "bg-amber-500",
  good: "bg-brand-600",
  bad: "bg-red-600",
};

/** A dashboard card: a headline figure and, per category, a bar proportional to its share. */
export function StatCard({
  id,
  title,
  total,
  totalLabel,
  rows,
  link,
  children,
}: {
  id: string;
  title: string;
  total: string;
  totalLabel: string;
  rows: StatRow[];
  link?: { href: string; label: string };
  children?: ReactNode;
}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <Card className="flex flex-col">
      <div data-testid={`stat-${id}`} className="flex flex-1 flex-col gap-3">
        <div className="flex items-baseline justify-between gap-2">
          <h2 className="font-semibold">{title}</h2>
          <p className="text-2xl font-bold text-brand-800" title={totalLabel}>
            <span className="sr-only">{totalLabel} </span>
            <span data-testid="stat-total">{total}</span>
          </p>
        </div>
        {rows.length > 0 ? (
          <dl className="space-y-2 text-sm">
            {rows.map((r) => (
              // A <dl> group holds only <dt>/<dd>: the share bar is a second, decorative <dd>.
              <div
                key={r.key}
                data-testid="stat-row"
                data-key={r.key}
                className="grid grid-cols-[1fr_auto] gap-x-2"
              >
                <dt className="text-slate-600">{r.label}</dt>
                <dd className="font-medium tabular-nums">{r.value}</dd>
                <dd className="col-span-2 mt-1 h-1.5 rounded bg-slate-100" aria-hidden>
                  <div
                    className={`h-1.5 rounded ${BAR[r.tone]}`}
                    style={{ width: `${(r.value / max) * 100}%` }}
                  />
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
        {children}
        {link ? (
          <Link href={link.href} className="mt-auto text-sm font-medium text-brand-800 underline">
            {link.label}
          </Link>
        ) : null}
      </div>
    </Card>
  );
}
