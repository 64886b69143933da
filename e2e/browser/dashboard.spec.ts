import type { Locator, Page } from "@playwright/test";
import { formatDay, formatNumber } from "../../components/format";
import { format, MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import {
  BASE_URL,
  bearer,
  createUser,
  expect,
  hasHorizontalScroll,
  setLocaleCookie,
  signIn,
  signInAs,
  test,
  USERS,
  uploadTextbook,
} from "../fixtures";

// The charts under the admin home's cards. The server is shared with the other specs, so this
// one makes sure each chart has something to draw (a textbook queued for indexing, a question
// asked under a subject of its own) and compares today's tokens with what its student spent as a
// lower bound: other specs may spend tokens today too.

const { fr, ar } = MESSAGES;
const subject = `Tableau de bord ${Date.now().toString(36)}`;
let spent = 0;

test.beforeAll(async ({ playwright }, testInfo) => {
  testInfo.setTimeout(60_000);
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const pdf = await textPdf([
      ["La demi-vie est la duree au bout de laquelle la moitie des noyaux se desintegre."],
    ]);
    await uploadTextbook(api, {
      file: { name: "tableau-de-bord.pdf", buffer: Buffer.from(pdf) },
      subject,
      title: `Manuel ${subject}`,
    });

    const student = await createUser(api, { prefix: "dashboard" });
    const session = await signIn(api, student.email, student.password);
    const balance = async () =>
      (
        (await (await api.get("/api/wallet/balance", { headers: bearer(session.access_token) })).json()) as {
          balance: number;
        }
      ).balance;
    const before = await balance();
    const answer = await api.post("/api/chat", {
      headers: bearer(session.access_token),
      data: { message: "Qu'est-ce que la demi-vie ?", subject, grade: "7AS", stream: false },
    });
    expect(answer.status(), await answer.text()).toBe(200);
    spent = before - (await balance());
    expect(spent).toBeGreaterThan(0);
  } finally {
    await api.dispose();
  }
});

const figure = (page: Page, caption: string) => page.getByRole("figure", { name: caption });

/** The data table of a chart, opened. */
async function dataTable(chart: Locator, showData: string): Promise<Locator> {
  await chart.getByText(showData, { exact: true }).click();
  const table = chart.getByRole("table");
  await expect(table).toBeVisible();
  return table;
}

/** Physical x centre of a bar of the tokens chart. */
async function barX(chart: Locator, key: string): Promise<number> {
  const box = await chart.locator(`rect[data-bar="${key}"]`).boundingBox();
  if (!box) throw new Error(`no bar ${key}`);
  return box.x + box.width / 2;
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

test("an admin sees the four charts on /admin, and today's tokens in the data of tokens per day", async ({
  page,
}, testInfo) => {
  await signInAs(page, USERS.admin);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: fr.dashboard.title, level: 1 })).toBeVisible();
  // The cards are still there, above the charts.
  await expect(page.getByTestId("stat-jobs")).toBeVisible();
  await expect(page.getByRole("heading", { name: fr.insights.title, level: 2 })).toBeVisible();

  const t = fr.insights;
  const n = { n: formatNumber("fr", 30) };
  const captions = {
    jobs: t.jobsTitle,
    library: format(t.libraryTitle, n),
    tokens: format(t.tokensTitle, n),
    subjects: format(t.subjectsTitle, n),
  };
  for (const caption of Object.values(captions)) {
    const chart = figure(page, caption);
    await expect(chart.locator("figcaption")).toHaveText(caption);
    await expect(chart.getByRole("img").first()).toBeVisible();
    await expect(chart.getByTestId("empty-state")).toHaveCount(0);
  }
  await expect(page.getByRole("figure")).toHaveCount(4);

  // Each picture says what it shows in words, numbers formatted for French.
  await expect(figure(page, captions.jobs).getByRole("img")).toHaveAttribute(
    "aria-label",
    new RegExp(`^${t.jobsTitle} : ${fr.statuses.job.queued} : [\\d\\s\\u202f]+, `),
  );
  const library = figure(page, captions.library).getByRole("img");
  await expect(library).toHaveCount(2);
  await expect(library.first()).toHaveAttribute("aria-label", new RegExp(`^${t.documents} : `));

  // Tokens per day: today's row holds at least what the student's question cost.
  const tokens = figure(page, captions.tokens);
  await expect(tokens.getByRole("img")).toHaveAttribute("aria-label", new RegExp(formatDay("fr", today())));
  const rows = (await dataTable(tokens, t.showData)).locator("tbody tr");
  await expect(rows).toHaveCount(30);
  const todayRow = rows.filter({ hasText: formatDay("fr", today()) });
  await expect(todayRow).toHaveCount(1);
  const todayTokens = Number(((await todayRow.locator("td").nth(1).textContent()) ?? "").replace(/\D/g, ""));
  expect(todayTokens).toBeGreaterThanOrEqual(spent);
  await expect(tokens.locator(`rect[data-bar="${today()}"]`)).toHaveAttribute("height", /^[1-9]/);

  // Time flows left to right: the oldest day's bar is left of today's.
  expect(await barX(tokens, daysAgo(29))).toBeLessThan(await barX(tokens, today()));

  // The question's subject (its conversation's) is among the most asked: the other specs ask
  // under a handful of subjects, fewer than the eight shown.
  const subjects = await dataTable(figure(page, captions.subjects), t.showData);
  await expect(subjects.locator("tbody tr").filter({ hasText: subject })).toHaveCount(1);
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("admin-dashboard-fr.png"), fullPage: true });

  // Another period: a week, seven days of tokens.
  await page
    .getByRole("navigation", { name: t.period })
    .getByRole("link", { name: format(t.lastDays, { n: 7 }) })
    .click();
  await expect(page).toHaveURL(/\/admin\?days=7$/);
  const week = figure(page, format(t.tokensTitle, { n: 7 }));
  // The page is re-rendered in place: the data table opened above stays open.
  await expect(week.locator("details")).toHaveAttribute("open", "");
  await expect(week.getByRole("table").locator("tbody tr")).toHaveCount(7);
});

test("in Arabic the charts read right to left", async ({ page, context }, testInfo) => {
  await setLocaleCookie(context, "ar");
  await signInAs(page, USERS.admin);
  await page.goto("/admin");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { name: ar.insights.title, level: 2 })).toBeVisible();

  const t = ar.insights;
  const n = { n: formatNumber("ar", 30) };
  for (const caption of [
    t.jobsTitle,
    format(t.libraryTitle, n),
    format(t.tokensTitle, n),
    format(t.subjectsTitle, n),
  ]) {
    const chart = figure(page, caption);
    await expect(chart.locator("figcaption")).toHaveText(caption);
    await expect(chart.getByRole("img").first()).toHaveAttribute("direction", "rtl");
  }

  // Mirrored time axis: the oldest day's bar is right of today's; dates and numbers in Arabic.
  const tokens = figure(page, format(t.tokensTitle, n));
  expect(await barX(tokens, daysAgo(29))).toBeGreaterThan(await barX(tokens, today()));
  const rows = (await dataTable(tokens, t.showData)).locator("tbody tr");
  await expect(rows.filter({ hasText: formatDay("ar", today()) })).toHaveCount(1);
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("admin-dashboard-ar.png"), fullPage: true });
});
