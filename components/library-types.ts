import type { z } from "zod";
import type {
  DocumentResponse,
  JobResponse,
  ReferenceResponse,
  ScrapeRunResponse,
  TextbookResponse,
} from "@/lib/api/library";

// The JSON shapes of the library API, as the pages receive them (type-only: no server code here).

export type RunRow = z.output<typeof ScrapeRunResponse>;
export type ReferenceRow = z.output<typeof ReferenceResponse>;
export type DocumentRow = z.output<typeof DocumentResponse> & { chunk_count: number };
export type JobRow = z.output<typeof JobResponse>;
export type TextbookRow = z.output<typeof TextbookResponse>;

export const REFERENCE_FILTERS = [
  "discovered",
  "queued",
  "processing",
  "ready",
  "failed",
] as const satisfies readonly ReferenceRow["status"][];
export const JOB_FILTERS = [
  "queued",
  "running",
  "succeeded",
  "failed",
] as const satisfies readonly JobRow["status"][];
export const LANGUAGES = ["fr", "ar", "en"] as const;

/** The /admin/library URL with some of its query parameters changed (undefined removes one). */
export function libraryHref(
  current: Record<string, string | undefined>,
  patch: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...current, ...patch })) {
    if (v !== undefined && v !== "" && v !== 0 && v !== "0") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `/admin/library?${qs}` : "/admin/library";
}
