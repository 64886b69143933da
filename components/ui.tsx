import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

export function Card({
  children,
  className = "",
  flush = false,
}: {
  children: ReactNode;
  className?: string;
  /** No padding: for a table that runs to the card's edges (its other content brings its own). */
  flush?: boolean;
}) {
  return (
    <section
      className={`rounded-2xl border border-slate-200 bg-white shadow-sm ${flush ? "" : "p-5 sm:p-6"} ${className}`}
    >
      {children}
    </section>
  );
}

export function Button({
  className = "",
  variant = "primary",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "secondary" | "danger" }) {
  const styles = {
    primary: "bg-brand-700 text-white hover:bg-brand-800 disabled:bg-brand-400",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
    danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-300",
  }[variant];
  return (
    <button
      className={`inline-flex min-h-10 items-center justify-center rounded-lg px-4 py-2 text-sm font-semibold transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700 ${styles} ${className}`}
      {...props}
    />
  );
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child
    <label className="block space-y-1">
      <span className="block text-sm font-medium text-slate-800">{label}</span>
      {children}
      {hint ? <span className="block text-xs text-slate-500">{hint}</span> : null}
    </label>
  );
}

const control =
  "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 focus:border-brand-700 focus:outline-2 focus:outline-brand-700/30";

export function Input({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={`${control} ${className}`} {...props} />;
}

export function Select({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={`${control} ${className}`} {...props} />;
}

export function Alert({ kind, children }: { kind: "error" | "success" | "info"; children: ReactNode }) {
  const styles = {
    error: "border-red-200 bg-red-50 text-red-800",
    success: "border-brand-200 bg-brand-50 text-brand-900",
    info: "border-sky-200 bg-sky-50 text-sky-900",
  }[kind];
  return (
    <p
      role={kind === "error" ? "alert" : "status"}
      className={`rounded-lg border px-3 py-2 text-sm ${styles}`}
    >
      {children}
    </p>
  );
}

/** A determinate bar (0–100), or an indeterminate one when the total is not known yet. */
export function ProgressBar({
  percent,
  label,
  className = "",
}: {
  percent: number | null;
  label: string;
  className?: string;
}) {
  const value = percent === null ? null : Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value ?? undefined}
      className={`h-2 overflow-hidden rounded bg-slate-200 ${className}`}
    >
      <div
        className={`h-2 rounded bg-brand-600 transition-[width] ${value === null ? "w-1/3 animate-pulse" : ""}`}
        style={value === null ? undefined : { width: `${value}%` }}
      />
    </div>
  );
}

export type Tone = "neutral" | "info" | "busy" | "good" | "bad";

const TONES: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700",
  info: "bg-sky-100 text-sky-900",
  busy: "bg-amber-100 text-amber-900",
  good: "bg-brand-100 text-brand-900",
  bad: "bg-red-100 text-red-900",
};

/** The colour of a status word, whichever table it comes from. */
export function toneOf(status: string): Tone {
  if (["ready", "succeeded", "success", "completed"].includes(status)) return "good";
  if (["processing", "running", "partial"].includes(status)) return "busy";
  if (status === "failed") return "bad";
  if (status === "queued") return "info";
  return "neutral";
}

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span
      className={`inline-block rounded px-2 py-0.5 text-xs font-semibold whitespace-nowrap ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}

// Tables that become stacked cards below the md breakpoint: each cell shows its column name.

export function Table({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <table className="w-full text-start text-sm max-md:block">
      <thead className="bg-slate-50 text-slate-600 max-md:hidden">
        <tr>
          {head.map((h) => (
            <th key={h} className="px-3 py-2 text-start font-medium">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="max-md:block">{children}</tbody>
    </table>
  );
}

export function Td({
  label,
  children,
  className = "",
}: {
  label?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <td
      className={`px-3 py-2 align-top max-md:flex max-md:items-baseline max-md:gap-3 max-md:px-0 max-md:py-1 ${className}`}
    >
      {label ? (
        <span className="w-28 shrink-0 text-xs font-medium text-slate-500 md:hidden">{label}</span>
      ) : null}
      <div className="min-w-0 max-md:flex-1">{children}</div>
    </td>
  );
}

/** The row style that goes with Table and Td. */
export const ROW = "border-t border-slate-100 max-md:block max-md:px-4 max-md:py-3";

/** What a list shows when it has nothing yet: what is missing and, when there is one, the way on. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div
      data-testid="empty-state"
      className="rounded-2xl border border-dashed border-slate-300 bg-white px-5 py-8 text-center"
    >
      <p className="font-semibold text-slate-800">{title}</p>
      {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
      {action ? <div className="mt-4 flex justify-center">{action}</div> : null}
    </div>
  );
}

/** A part of a page that could not load: what happened, in words, and a way to try again. */
export function ErrorState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div role="alert" className="rounded-2xl border border-red-200 bg-red-50 px-5 py-6 text-red-900">
      <p className="font-semibold">{title}</p>
      {children ? <div className="mt-1 text-sm">{children}</div> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}
