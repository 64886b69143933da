import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import { createUser, expect, setLocaleCookie, signInAs, test, USERS, uploadTextbook } from "../fixtures";

// Every main page in French and Arabic: it renders in the right language and direction, an axe
// audit (WCAG 2.1 A/AA) finds no serious or critical violation, and a full-page screenshot is
// kept in test-results/ (not committed) for a human to look at.

type Locale = "fr" | "ar";
interface MainPage {
  name: string;
  path: string;
  heading: (l: Locale) => string;
}

const PUBLIC: MainPage[] = [
  { name: "home", path: "/", heading: (l) => MESSAGES[l].home.title },
  { name: "signin", path: "/signin", heading: (l) => MESSAGES[l].signIn.title },
  { name: "signup", path: "/signup", heading: (l) => MESSAGES[l].signUp.title },
  { name: "forgot-password", path: "/forgot-password", heading: (l) => MESSAGES[l].forgot.title },
  { name: "reset-password", path: "/reset-password?token=x", heading: (l) => MESSAGES[l].reset.title },
  { name: "docs", path: "/docs", heading: (l) => MESSAGES[l].docs.title },
];

const STUDENT: MainPage[] = [
  { name: "chat", path: "/chat", heading: (l) => MESSAGES[l].chat.title },
  { name: "courses", path: "/courses", heading: (l) => MESSAGES[l].courses.title },
  { name: "library", path: "/library", heading: (l) => MESSAGES[l].library.title },
  { name: "wallet", path: "/wallet", heading: (l) => MESSAGES[l].myWallet.title },
  { name: "profile", path: "/profile", heading: (l) => MESSAGES[l].profile.title },
];

const ADMIN: MainPage[] = [
  { name: "admin-dashboard", path: "/admin", heading: (l) => MESSAGES[l].dashboard.title },
  { name: "admin-users", path: "/admin/users", heading: (l) => MESSAGES[l].admin.usersTitle },
  { name: "admin-library", path: "/admin/library", heading: (l) => MESSAGES[l].adminLibrary.title },
  { name: "admin-jobs", path: "/admin/jobs", heading: (l) => MESSAGES[l].jobs.title },
  { name: "admin-wallet", path: "/admin/wallet", heading: (l) => MESSAGES[l].wallet.title },
  { name: "admin-feedback", path: "/admin/feedback", heading: (l) => MESSAGES[l].feedback.title },
];

/** Serious and critical axe violations of the page, readable in a failure message. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );
}

async function visit(page: Page, p: MainPage, locale: Locale, testInfo: TestInfo) {
  await page.goto(p.path);
  await expect(page.locator("html")).toHaveAttribute("dir", locale === "ar" ? "rtl" : "ltr");
  await expect(page.locator("html")).toHaveAttribute("lang", locale);
  await expect(page.getByRole("heading", { name: p.heading(locale), level: 1 })).toBeVisible();
  // Not "networkidle": the jobs and library pages poll while work runs.
  await page.waitForLoadState("load");
  expect(await seriousViolations(page), `${p.path} in ${locale}`).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath(`${p.name}-${locale}.png`), fullPage: true });
}

/** A small textbook uploaded by the admin API, once ready (ingestion runs in the server). */
async function readyTextbook(
  request: APIRequestContext,
  title: string,
): Promise<{ id: string; title: string }> {
  const pdf = await textPdf([
    [
      "Chapitre 1 : la radioactivite.",
      "La demi-vie est la duree au bout de laquelle la moitie des noyaux se desintegre.",
    ],
  ]);
  const id = await uploadTextbook(request, {
    file: { name: "pages.pdf", buffer: Buffer.from(pdf) },
    subject: title,
    title,
  });
  return { id, title };
}

for (const locale of ["fr", "ar"] as const) {
  test(`the public pages in ${locale}: accessible, screenshots`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    for (const p of PUBLIC) await visit(page, p, locale, testInfo);
  });

  test(`the student pages in ${locale}: accessible, screenshots`, async ({
    page,
    context,
    request,
  }, testInfo) => {
    await setLocaleCookie(context, locale);
    const student = await createUser(request, { prefix: `pages-${locale}` });
    await signInAs(page, student);
    const created = await page.request.post("/api/courses", { data: { name: "Physique-Chimie" } });
    expect(created.status()).toBe(201);
    const course = (await created.json()) as { id: string; name: string };
    const pages: MainPage[] = [
      ...STUDENT,
      { name: "course", path: `/courses/${course.id}`, heading: () => course.name },
    ];
    // A cited page of a textbook, with its passage highlighted.
    const textbook = await readyTextbook(request, `Pages ${locale} ${testInfo.project.name}`);
    pages.push({
      name: "page-viewer",
      path: `/library/${textbook.id}/pages/1?q=${encodeURIComponent("La demi-vie est la duree")}`,
      heading: () => textbook.title,
    });
    for (const p of pages) await visit(page, p, locale, testInfo);
  });

  test(`the admin pages in ${locale}: accessible, screenshots`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    await signInAs(page, USERS.admin);
    for (const p of ADMIN) await visit(page, p, locale, testInfo);
  });
}
