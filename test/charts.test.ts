import { type CheerioAPI, load } from "cheerio";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AdminInsightsSection } from "@/components/admin-insights";
import { niceTicks, tickIndices } from "@/components/charts";
import type { AdminInsights } from "@/lib/admin/insights";
import { MESSAGES } from "@/lib/i18n/messages";

// The server-rendered charts as markup: what an admin's browser receives (no client script).

const days = (values: number[]) => values.map((v, i) => ({ date: `2025-03-0${i + 6}`, v }));

const FULL: AdminInsights = {
  days: 3,
  from: "2025-03-06",
  to: "2025-03-08",
  jobs: [
    { status: "queued", count: 2 },
    { status: "running", count: 0 },
    { status: "succeeded", count: 5 },
    { status: "failed", count: 1 },
  ],
  library: days([3, 3, 4]).map(({ date, v }) => ({ date, documents: v, chunks: v * 10 })),
  tokens: days([0, 150, 75]).map(({ date, v }) => ({ date, tokens: v })),
  subjects: [
    { subject: "Physique", count: 4 },
    { subject: "Mathématiques", count: 3 },
  ],
};

const EMPTY: AdminInsights = {
  ...FULL,
  jobs: FULL.jobs.map((j) => ({ ...j, count: 0 })),
  library: FULL.library.map((p) => ({ ...p, documents: 0, chunks: 0 })),
  tokens: FULL.tokens.map((d) => ({ ...d, tokens: 0 })),
  subjects: [],
};

function render(insights: AdminInsights, locale: "fr" | "ar" | "en") {
  const html = renderToStaticMarkup(
    createElement(AdminInsightsSection, {
      insights,
      locale,
      dir: locale === "ar" ? "rtl" : "ltr",
      m: MESSAGES[locale],
    }),
  );
  return { html, $: load(html) };
}

/** The x of a bar's centre in the tokens chart. */
function barCentre($: CheerioAPI, key: string): number {
  const rect = $(`[data-testid="chart-tokens"] rect[data-bar="${key}"]`);
  if (rect.length !== 1) throw new Error(`no bar ${key}`);
  return Number(rect.attr("x")) + Number(rect.attr("width")) / 2;
}

describe("dashboard charts", () => {
  it("draws four figures, each with a caption, a described picture and its data table", () => {
    const { $, html } = render(FULL, "en");
    expect(
      $("figure figcaption")
        .map((_, f) => $(f).text())
        .get(),
    ).toStrictEqual([
      "Indexing jobs by status",
      "Textbooks and indexed passages, cumulative (last 3 days)",
      "Tokens used per day (last 3 days)",
      "Most asked subjects (last 3 days)",
    ]);
    const labels = $('svg[role="img"]')
      .map((_, svg) => $(svg).attr("aria-label"))
      .get();
    expect(labels).toStrictEqual([
      "Indexing jobs by status: Queued: 2, Running: 0, Succeeded: 5, Failed: 1.",
      "Textbooks: 3 on Mar 6, 2025, 4 on Mar 8, 2025.",
      "Passages: 30 on Mar 6, 2025, 40 on Mar 8, 2025.",
      "Tokens used per day from Mar 6, 2025 to Mar 8, 2025: 225 in total, at most 150 on Mar 7, 2025.",
      "Tutor answers by subject: Physique: 4, Mathématiques: 3.",
    ]);
    for (const svg of $("svg").toArray()) {
      expect($(svg).attr("width")).toBe("100%");
      expect($(svg).attr("viewBox")).toMatch(/^0 0 \d+ \d+$/);
    }
    const rows = $('[data-testid="chart-tokens"] details table tbody tr');
    expect(rows.map((_, r) => $(r).text()).get()).toStrictEqual([
      "DateMar 8, 2025Tokens75",
      "DateMar 7, 2025Tokens150",
      "DateMar 6, 2025Tokens0",
    ]);
    expect($('[data-testid="empty-state"]')).toHaveLength(0);
    // Server markup only: nothing for the browser to run.
    expect(html).not.toContain("<script");
  });

  it("mirrors the time axis in Arabic and formats numbers and dates for the locale", () => {
    const fr = render(FULL, "fr").$;
    const ar = render(FULL, "ar").$;
    expect(barCentre(fr, "2025-03-06")).toBeLessThan(barCentre(fr, "2025-03-08"));
    expect(barCentre(ar, "2025-03-06")).toBeGreaterThan(barCentre(ar, "2025-03-08"));
    // Same geometry, mirrored around the middle of the 360-wide viewBox.
    expect(barCentre(ar, "2025-03-06")).toBeCloseTo(360 - barCentre(fr, "2025-03-06"));
    expect(ar("svg").first().attr("direction")).toBe("rtl");
    const axis = ar('[data-testid="chart-tokens"] text')
      .map((_, t) => ar(t).text())
      .get();
    // Arabic months, Western digits (Mauritanian usage, lib/i18n/config.ts intlTag).
    expect(axis).toContain("150");
    expect(axis).toContain("6 مارس");
  });

  it("shows an empty state, not a blank chart, for each chart without data", () => {
    const { $ } = render(EMPTY, "fr");
    expect($("figure")).toHaveLength(4);
    expect($("svg")).toHaveLength(0);
    expect(
      $('[data-testid="empty-state"] > p:first-child')
        .map((_, p) => $(p).text())
        .get(),
    ).toStrictEqual([
      MESSAGES.fr.insights.jobsEmpty,
      MESSAGES.fr.insights.libraryEmpty,
      MESSAGES.fr.insights.tokensEmpty,
      MESSAGES.fr.insights.subjectsEmpty,
    ]);
  });

  it.each([
    [0, [0, 1]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [382, [0, 100, 200, 300, 400]],
    [12_345, [0, 5000, 10_000, 15_000]],
  ])("ticks for a maximum of %i: %j", (max, ticks) => {
    expect(niceTicks(max)).toStrictEqual(ticks);
  });

  it("labels at most five days, always the first and the last", () => {
    expect(tickIndices(3)).toStrictEqual([0, 1, 2]);
    expect(tickIndices(30)).toStrictEqual([0, 7, 15, 22, 29]);
    expect(tickIndices(365, 4)).toStrictEqual([0, 121, 243, 364]);
  });
});
