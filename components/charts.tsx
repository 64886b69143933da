import type { ReactNode } from "react";
import type { Locale } from "@/lib/i18n/config";
import { formatNumber } from "./format";
import { EmptyState, ROW, Table, Td } from "./ui";

// Charts drawn on the server as inline SVG: no chart library and no client JavaScript, so they
// cost a phone on a weak connection a few kilobytes of markup. Each chart scales with its
// container (viewBox, width 100%), reads right to left in Arabic (the inline-start side holds
// the value axis and the first category or day: x positions are computed in logical units and
// mirrored), and comes with its numbers as a table for screen readers and for reading exactly.

type Dir = "ltr" | "rtl";

/** Colours with at least 3:1 against white (graphics) and 4.5:1 for the axis text. */
export const CHART_COLORS = {
  brand: "#047857",
  sky: "#0369a1",
  amber: "#b45309",
  orange: "#c2410c",
  red: "#b91c1c",
  teal: "#0f766e",
  slate: "#475569",
} as const;

const AXIS_TEXT = "#475569";
const GRID = "#e2e8f0";
const BASELINE = "#94a3b8";
const FONT = 12;
const W = 360;

/** Plot margins in logical terms: the value axis sits on the inline-start side. */
const M = { top: 14, bottom: 22, start: 46, end: 10 };

/** 0 and three or four round steps up to at least `max` (integers: counts and tokens). */
export function niceTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  if (max <= 4) return Array.from({ length: Math.ceil(max) + 1 }, (_, i) => i);
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 2.5, 5, 10].map((f) => f * pow).find((s) => s >= raw) ?? 10 * pow);
  const n = Math.ceil(max / step);
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step));
}

/** At most `count` evenly spread indices of `n` items, always the first and the last. */
export function tickIndices(n: number, count = 5): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** Physical x of a logical x (0 = inline start of the plot area). */
function physical(dir: Dir, lx: number): number {
  return dir === "rtl" ? W - M.start - lx : M.start + lx;
}

/** A figure with its visible title, the chart (or an empty state) and the data as a table. */
export function ChartFigure({
  id,
  title,
  empty,
  table,
  children,
}: {
  id: string;
  title: string;
  /** Shown instead of the chart and its table when there is nothing to draw. */
  empty: { title: string; body?: string } | null;
  table: { summary: string; head: string[]; rows: { key: string; cells: string[] }[] };
  children: ReactNode;
}) {
  return (
    <figure data-testid={`chart-${id}`} className="flex h-full flex-col gap-3">
      <figcaption className="font-semibold">{title}</figcaption>
      {empty ? (
        <EmptyState title={empty.title}>{empty.body}</EmptyState>
      ) : (
        <>
          {children}
          <details className="mt-auto text-sm">
            <summary className="cursor-pointer rounded font-medium text-brand-800 underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-700">
              {table.summary}
            </summary>
            <div className="mt-2 max-h-80 overflow-y-auto">
              <Table head={table.head}>
                {table.rows.map((r) => (
                  <tr key={r.key} className={ROW}>
                    {r.cells.map((c, i) => (
                      <Td key={table.head[i]} label={table.head[i]} className={i > 0 ? "tabular-nums" : ""}>
                        {c}
                      </Td>
                    ))}
                  </tr>
                ))}
              </Table>
            </div>
          </details>
        </>
      )}
    </figure>
  );
}

function Svg({
  label,
  height,
  dir,
  children,
}: {
  label: string;
  height: number;
  dir: Dir;
  children: ReactNode;
}) {
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${W} ${height}`}
      width="100%"
      direction={dir}
      fontSize={FONT}
      className="block h-auto w-full overflow-visible"
    >
      {children}
    </svg>
  );
}

/** Horizontal gridlines with their values on the inline-start side. */
function ValueAxis({
  ticks,
  y,
  dir,
  locale,
}: {
  ticks: number[];
  y: (v: number) => number;
  dir: Dir;
  locale: Locale;
}) {
  const x0 = physical(dir, 0);
  const x1 = physical(dir, W - M.start - M.end);
  return (
    <g aria-hidden>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x0} x2={x1} y1={y(t)} y2={y(t)} stroke={t === 0 ? BASELINE : GRID} />
          {/* "end" is logical: the number ends next to the plot on either side. */}
          <text x={physical(dir, -6)} y={y(t)} dy="0.32em" textAnchor="end" fill={AXIS_TEXT}>
            {formatNumber(locale, t)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Labels under the plot at the given logical x positions; the outer ones stay inside. */
function CategoryAxis({
  labels,
  height,
  dir,
}: {
  labels: { key: string; lx: number; text: string; anchor?: "start" | "middle" | "end" }[];
  height: number;
  dir: Dir;
}) {
  return (
    <g aria-hidden>
      {labels.map((l) => (
        <text
          key={l.key}
          x={physical(dir, l.lx)}
          y={height - 6}
          textAnchor={l.anchor ?? "middle"}
          fill={AXIS_TEXT}
        >
          {l.text}
        </text>
      ))}
    </g>
  );
}

export interface Bar {
  key: string;
  /** Under the bar (when its index is in `labelled`) and in its tooltip. */
  label: string;
  value: number;
  color?: string;
}

/**
 * Vertical bars, first bar at the inline start: categories (every bar labelled, its value on top)
 * or days (a few dates labelled).
 */
export function BarChart({
  label,
  bars,
  locale,
  dir,
  color = CHART_COLORS.brand,
  labelled,
  showValues = false,
  height = 200,
}: {
  label: string;
  bars: Bar[];
  locale: Locale;
  dir: Dir;
  color?: string;
  /** Indices whose label is drawn under the plot (default: all). */
  labelled?: number[];
  showValues?: boolean;
  height?: number;
}) {
  const plotW = W - M.start - M.end;
  const plotH = height - M.top - M.bottom;
  const ticks = niceTicks(Math.max(0, ...bars.map((b) => b.value)));
  const top = ticks.at(-1) ?? 1;
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(1, slot * (bars.length > 40 ? 0.8 : 0.6));
  const centre = (i: number) => i * slot + slot / 2;
  const shown = new Set(labelled ?? bars.map((_, i) => i));
  return (
    <Svg label={label} height={height} dir={dir}>
      <ValueAxis ticks={ticks} y={y} dir={dir} locale={locale} />
      {bars.map((b, i) => {
        const x = physical(dir, centre(i)) - barW / 2;
        return (
          <g key={b.key}>
            <rect
              data-bar={b.key}
              x={x}
              y={y(b.value)}
              width={barW}
              height={Math.max(0, y(0) - y(b.value))}
              fill={b.color ?? color}
              rx={Math.min(3, barW / 4)}
            >
              <title>{`${b.label} – ${formatNumber(locale, b.value)}`}</title>
            </rect>
            {showValues ? (
              <text
                x={physical(dir, centre(i))}
                y={y(b.value) - 4}
                textAnchor="middle"
                fill={AXIS_TEXT}
                fontWeight={600}
                aria-hidden
              >
                {formatNumber(locale, b.value)}
              </text>
            ) : null}
          </g>
        );
      })}
      <CategoryAxis
        dir={dir}
        height={height}
        labels={bars.flatMap((b, i) => {
          if (!shown.has(i)) return [];
          // On a time axis the first and last dates grow inwards from their bar's outer edge.
          const outer = labelled !== undefined && bars.length > 1 && (i === 0 || i === bars.length - 1);
          if (!outer) return [{ key: b.key, lx: centre(i), text: b.label }];
          return i === 0
            ? [{ key: b.key, lx: centre(i) - barW / 2, text: b.label, anchor: "start" as const }]
            : [{ key: b.key, lx: centre(i) + barW / 2, text: b.label, anchor: "end" as const }];
        })}
      />
    </Svg>
  );
}

/** A line with the area under it, first day at the inline start (time flows right to left in Arabic). */
export function AreaChart({
  label,
  points,
  locale,
  dir,
  color = CHART_COLORS.brand,
  labelled,
  height = 160,
}: {
  label: string;
  points: { key: string; label: string; value: number }[];
  locale: Locale;
  dir: Dir;
  color?: string;
  labelled: number[];
  height?: number;
}) {
  const plotW = W - M.start - M.end;
  const plotH = height - M.top - M.bottom;
  const ticks = niceTicks(Math.max(0, ...points.map((p) => p.value)));
  const top = ticks.at(-1) ?? 1;
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const lx = (i: number) => (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const xy = points.map((p, i) => `${physical(dir, lx(i)).toFixed(1)},${y(p.value).toFixed(1)}`);
  const line = `M${xy.join("L")}`;
  const last = points.length - 1;
  const area = `${line}L${physical(dir, lx(last)).toFixed(1)},${y(0)}L${physical(dir, lx(0)).toFixed(1)},${y(0)}Z`;
  return (
    <Svg label={label} height={height} dir={dir}>
      <ValueAxis ticks={ticks} y={y} dir={dir} locale={locale} />
      <path d={area} fill={color} fillOpacity={0.15} />
      <path d={line} fill="none" stroke={color} strokeWidth={2} strokeLinejoin="round" />
      {points.length <= 31
        ? points.map((p, i) => (
            <circle key={p.key} cx={physical(dir, lx(i))} cy={y(p.value)} r={2.5} fill={color}>
              <title>{`${p.label} – ${formatNumber(locale, p.value)}`}</title>
            </circle>
          ))
        : null}
      <CategoryAxis
        dir={dir}
        height={height}
        labels={labelled.map((i) => ({
          key: points[i]?.key ?? String(i),
          lx: lx(i),
          text: points[i]?.label ?? "",
          // The first and last dates stay inside the plot: they grow inwards.
          anchor: points.length === 1 ? "middle" : i === 0 ? "start" : i === last ? "end" : "middle",
        }))}
      />
    </Svg>
  );
}

const MAX_LABEL = 38;

/** Horizontal bars growing from the inline start, the label above each bar, the value after it. */
export function HorizontalBarChart({
  label,
  bars,
  locale,
  dir,
  color = CHART_COLORS.teal,
}: {
  label: string;
  bars: Bar[];
  locale: Locale;
  dir: Dir;
  color?: string;
}) {
  const rowH = 36;
  const height = bars.length * rowH + 4;
  const room = 56; // for the value after the longest bar
  const maxBar = W - room;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const x = (lx: number) => (dir === "rtl" ? W - lx : lx);
  return (
    <Svg label={label} height={height} dir={dir}>
      {bars.map((b, i) => {
        const top = i * rowH;
        const len = Math.max(2, (b.value / max) * maxBar);
        const text = b.label.length > MAX_LABEL ? `${b.label.slice(0, MAX_LABEL - 1)}…` : b.label;
        return (
          <g key={b.key}>
            <text x={x(0)} y={top + 12} textAnchor="start" fill="#1e293b" aria-hidden>
              {text}
            </text>
            <rect
              data-bar={b.key}
              x={dir === "rtl" ? W - len : 0}
              y={top + 17}
              width={len}
              height={14}
              rx={3}
              fill={b.color ?? color}
            >
              <title>{`${b.label} – ${formatNumber(locale, b.value)}`}</title>
            </rect>
            <text
              x={x(len + 6)}
              y={top + 24}
              dy="0.32em"
              textAnchor="start"
              fill={AXIS_TEXT}
              fontWeight={600}
              aria-hidden
            >
              {formatNumber(locale, b.value)}
            </text>
          </g>
        );
      })}
    </Svg>
  );
}
