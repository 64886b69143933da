// Per-kind request records of a load run: latency percentiles, throughput, statuses.

export interface Sample {
  kind: string;
  ms: number;
  /** HTTP status, or 0 when no answer came (connection refused, reset, timeout). */
  status: number;
  /** Why it counts as an error although the status looked fine (e.g. an error part in a stream). */
  problem?: string;
}

/** Documented refusals under load: out of tokens, rate limited. Not errors. */
export const ALLOWED_STATUSES = new Set([402, 429]);

export interface KindSummary {
  kind: string;
  count: number;
  per_second: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  statuses: Record<string, number>;
  errors: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? 0;
}

export function isError(s: Sample): boolean {
  if (s.problem) return true;
  if (ALLOWED_STATUSES.has(s.status)) return false;
  return s.status === 0 || s.status >= 400;
}

export class Recorder {
  readonly samples: Sample[] = [];
  readonly problems: string[] = [];

  add(sample: Sample): void {
    this.samples.push(sample);
    if (isError(sample) && this.problems.length < 50) {
      this.problems.push(`${sample.kind}: ${sample.status}${sample.problem ? ` ${sample.problem}` : ""}`);
    }
  }

  summary(seconds: number): KindSummary[] {
    const kinds = [...new Set(this.samples.map((s) => s.kind))].sort();
    return kinds.map((kind) => {
      const of = this.samples.filter((s) => s.kind === kind);
      const ms = of.map((s) => s.ms);
      const statuses: Record<string, number> = {};
      for (const s of of) {
        const key = s.problem ? `${s.status}:${s.problem.split(":")[0]}` : String(s.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      return {
        kind,
        count: of.length,
        per_second: Math.round((of.length / seconds) * 100) / 100,
        p50_ms: Math.round(percentile(ms, 50)),
        p95_ms: Math.round(percentile(ms, 95)),
        max_ms: Math.round(Math.max(...ms)),
        statuses,
        errors: of.filter(isError).length,
      };
    });
  }
}
