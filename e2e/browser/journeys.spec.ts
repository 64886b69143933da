import { readFile } from "node:fs/promises";
import path from "node:path";
import { type APIRequestContext, type Page, request as playwrightRequest } from "@playwright/test";
import { formatNumber } from "../../components/format";
import { format, MESSAGES } from "../../lib/i18n/messages";
import {
  ADMIN_API_KEY,
  expect,
  hasHorizontalScroll,
  JOURNEY_SIGNUP_GRANT,
  JOURNEY_URL,
  test,
  uniqueEmail,
  uploadTextbook,
} from "../fixtures";

// A student's whole path through the app, on its own server (a small signup grant: the student
// really runs out of tokens), in French on a laptop and in Arabic on a phone. Everything is done
// through the pages, as a student would; only the library's textbooks are put there by the admin
// API beforehand (the admin journey, in admin-journey.spec.ts, builds them through the pages).

const FIXTURES = path.resolve(import.meta.dirname, "../..", "../shared/fixtures");

interface Journey {
  locale: "fr" | "ar";
  /** The browser's language: the first visit must already be in the student's language. */
  browserLocale: string;
  viewport: { width: number; height: number };
  isMobile: boolean;
  textbook: { file: string; title: string; subject: string; language: "fr" | "ar" };
  course: { name: string; pdf: string; photo: string; search: RegExp; searchQuery: string };
  courseQuestion: string;
  libraryQuestion: string;
  /** Words of the cited passage that the answer must quote. */
  libraryEvidence: RegExp;
}

const JOURNEYS: Journey[] = [
  {
    locale: "fr",
    browserLocale: "fr-FR",
    viewport: { width: 1280, height: 900 },
    isMobile: false,
    textbook: {
      file: "documents/fr_pc_radioactivite_cours.pdf",
      title: "Physique-Chimie 7AS : la radioactivité",
      subject: "Physique-Chimie",
      language: "fr",
    },
    course: {
      name: "Physique Terminale D",
      pdf: "documents/fr_math_bac2023_metropole_sujet1.pdf",
      photo: "scans/fr_pc_radioactivite_cours_p4_scan.jpg",
      searchQuery: "activité d'un échantillon",
      search: /activit/i,
    },
    courseQuestion: "Comment définit-on l'activité d'un échantillon radioactif ?",
    libraryQuestion: "Qu'est-ce qui se conserve lors d'une transformation nucléaire ?",
    libraryEvidence: /conservation de la charge/i,
  },
  {
    locale: "ar",
    browserLocale: "ar-MR",
    viewport: { width: 390, height: 844 },
    isMobile: true,
    textbook: {
      file: "documents/ar_phys_travail_puissance_lecon2.pdf",
      title: "الفيزياء: الشغل والقدرة",
      subject: "الفيزياء",
      language: "ar",
    },
    course: {
      name: "فيزياء السنة السابعة",
      pdf: "documents/ar_phys_travail_puissance_lecon2.pdf",
      photo: "scans/ar_phys_travail_puissance_lecon2_p1_scan.jpg",
      searchQuery: "وحدة الشغل",
      search: /الشغل/,
    },
    courseQuestion: "ما هي وحدة الشغل؟",
    libraryQuestion: "ما هي وحدة الشغل في النظام العالمي؟",
    // The textbook's sentence on units "in the international system of units" (work: the joule,
    // or power: the watt, on the same lesson's pages; the offline tutor may quote either).
    libraryEvidence: /النظام العالمي للوحدات/,
  },
];

/** Puts the journey's textbooks in the journey server's library (admin API) and waits until ready. */
test.beforeAll(async () => {
  test.setTimeout(240_000);
  const admin = await playwrightRequest.newContext({
    baseURL: JOURNEY_URL,
    extraHTTPHeaders: { "X-Admin-Key": ADMIN_API_KEY },
  });
  try {
    for (const { textbook } of JOURNEYS) await ensureTextbook(admin, textbook);
  } finally {
    await admin.dispose();
  }
});

async function ensureTextbook(admin: APIRequestContext, t: Journey["textbook"]) {
  const listed = async () =>
    (
      (await (
        await admin.get(`/api/curriculum/textbooks?subject=${encodeURIComponent(t.subject)}`)
      ).json()) as { total: number }
    ).total;
  // A reused server (local runs) already has them.
  if ((await listed()) > 0) return;
  await uploadTextbook(admin, {
    file: { name: path.basename(t.file), buffer: await readFile(path.join(FIXTURES, t.file)) },
    subject: t.subject,
    language: t.language,
    title: t.title,
    timeoutMs: 180_000,
  });
}

/** The number on the tutor's balance chip ("6 000 jetons" → 6000). */
async function balanceOf(page: Page): Promise<number> {
  return Number(((await page.getByTestId("balance").textContent()) ?? "").replace(/\D/g, ""));
}

for (const j of JOURNEYS) {
  test.describe(`a student's journey in ${j.locale}`, () => {
    test.use({
      baseURL: JOURNEY_URL,
      locale: j.browserLocale,
      viewport: j.viewport,
      isMobile: j.isMobile,
      hasTouch: j.isMobile,
    });

    test(`signs up, studies a course, asks both tutors, opens a citation and runs out of tokens (${j.locale})`, async ({
      page,
    }, testInfo) => {
      test.setTimeout(300_000);
      const m = MESSAGES[j.locale];
      const dir = j.locale === "ar" ? "rtl" : "ltr";
      const shot = (name: string) =>
        page.screenshot({ path: testInfo.outputPath(`journey-${name}-${j.locale}.png`), fullPage: true });

      // 1. First visit: the browser's language decides, rendered by the server.
      await page.goto("/");
      await expect(page.locator("html")).toHaveAttribute("lang", j.locale);
      await expect(page.locator("html")).toHaveAttribute("dir", dir);
      await page.goto("/signup");
      await expect(page.getByRole("heading", { name: m.signUp.title, level: 1 })).toBeVisible();
      const email = uniqueEmail(`journey-${j.locale}`);
      await page
        .getByLabel(m.form.fullName)
        .fill(j.locale === "ar" ? "مريم بنت محمد" : "Mariem Mint Mohamed");
      await page.getByLabel(m.form.email).fill(email);
      await page.getByLabel(m.form.password).fill("Bac-2027-journey");
      await page.getByRole("button", { name: m.signUp.submit }).click();
      await expect(page).toHaveURL(/\/profile$/);
      await expect(page.getByTestId("profile-email")).toHaveText(email);
      const nav = page.getByRole("navigation", { name: "main" });
      await expect(nav.getByRole("navigation", { name: m.nav.admin })).toHaveCount(0);

      // 2. A course of their own, with a PDF and a photo of a page, uploaded in one go.
      await nav.getByRole("link", { name: m.nav.courses }).click();
      await expect(page.getByRole("heading", { name: m.courses.title, level: 1 })).toBeVisible();
      await page.getByLabel(m.courses.name).fill(j.course.name);
      await page.getByRole("button", { name: m.courses.create }).click();
      await expect(page.getByRole("heading", { name: j.course.name })).toBeVisible();
      await page
        .getByLabel(m.courses.upload)
        .setInputFiles([path.join(FIXTURES, j.course.pdf), path.join(FIXTURES, j.course.photo)]);
      await expect(page.getByTestId("upload-row")).toHaveCount(2);
      for (const file of [j.course.pdf, j.course.photo]) {
        const row = page.getByTestId("material-row").filter({ hasText: path.basename(file) });
        await expect(row).toHaveAttribute("data-status", "completed", { timeout: 150_000 });
        await expect(row.getByText(m.courses.status.completed as string)).toBeVisible();
      }
      expect(await hasHorizontalScroll(page)).toBeNull();
      await shot("course");

      // 3. Searching the course's files.
      await page.getByPlaceholder(m.courses.searchPlaceholder).fill(j.course.searchQuery);
      await page.getByRole("button", { name: m.courses.search }).click();
      await expect(page.getByTestId("search-hit").first()).toContainText(j.course.search);

      // 4. The course tutor answers from those files, citing them.
      await page.getByLabel(m.chat.inputLabel).fill(j.courseQuestion);
      await page.getByLabel(m.chat.inputLabel).press("Enter");
      const courseAnswer = page.getByTestId("course-chat-answer");
      await expect(courseAnswer).toHaveCount(1, { timeout: 30_000 });
      await expect(courseAnswer).toContainText("[1]");

      // 5. The library tutor: the answer quotes the textbook and cites its page.
      await nav.getByRole("link", { name: m.nav.tutor }).click();
      await expect(page.getByRole("heading", { name: m.chat.title, level: 1 })).toBeVisible();
      const before = await balanceOf(page);
      expect(before).toBeLessThan(JOURNEY_SIGNUP_GRANT);
      await page.getByLabel(m.chat.inputLabel).fill(j.libraryQuestion);
      await page.getByLabel(m.chat.inputLabel).press("Enter");
      const answer = page.getByTestId("assistant-message").last();
      await expect(answer).toContainText(j.libraryEvidence, { timeout: 30_000 });
      await expect(page.getByLabel(m.chat.inputLabel)).toBeEnabled();
      const chip = answer.getByTestId("source-chip").first();
      await expect(chip).toContainText(j.textbook.title);
      await expect.poll(() => balanceOf(page)).toBeLessThan(before);
      await shot("tutor");

      // 6. The citation opens the cited page of the textbook.
      const [viewer] = await Promise.all([page.waitForEvent("popup"), chip.click()]);
      await viewer.waitForLoadState();
      await expect(viewer.locator("html")).toHaveAttribute("dir", dir);
      await expect(viewer.getByRole("heading", { name: j.textbook.title, level: 1 })).toBeVisible();
      await viewer.close();

      // 7. Stopping an answer mid-stream: what was written stays, marked as interrupted, and is
      // stored as such (a reload shows it as incomplete); only what was generated is billed.
      const beforeStop = await balanceOf(page);
      const answered = await page.getByTestId("assistant-message").count();
      await page.getByLabel(m.chat.inputLabel).fill(j.libraryQuestion);
      await page.getByLabel(m.chat.inputLabel).press("Enter");
      const streaming = page.getByTestId("assistant-message").nth(answered);
      // Stop at the first citation mark, a few words in (the journey server streams slowly).
      await expect(streaming).toContainText("[1]", { timeout: 30_000 });
      await page.getByRole("button", { name: m.chat.stop }).click();
      await expect(streaming).toContainText(m.chat.stopped);
      await expect(page.getByRole("button", { name: m.chat.send })).toBeVisible();
      await expect.poll(() => balanceOf(page)).toBeLessThan(beforeStop);
      await page.reload();
      await expect(page.getByTestId("assistant-message").last()).toContainText(m.chat.partial);

      // 8. Asking on until the tokens run out: the clear message, and the model is not called.
      const outOfTokens = page.getByRole("main").getByRole("alert");
      for (let i = 0; i < 8 && !(await outOfTokens.isVisible()); i++) {
        await page.getByLabel(m.chat.inputLabel).fill(j.libraryQuestion);
        const reply = page.waitForResponse((r) => r.url().endsWith("/api/chat"));
        await page.getByLabel(m.chat.inputLabel).press("Enter");
        if ((await reply).status() === 402) break;
        await expect(page.getByLabel(m.chat.inputLabel)).toBeEnabled({ timeout: 30_000 });
      }
      const left = await balanceOf(page);
      await expect(outOfTokens).toHaveText(format(m.chat.outOfTokens, { n: formatNumber(j.locale, left) }));
      await shot("out-of-tokens");

      // 9. Their wallet page says the same, and where more tokens come from.
      await nav.getByRole("link", { name: m.nav.wallet }).click();
      await expect(page.getByRole("heading", { name: m.myWallet.title, level: 1 })).toBeVisible();
      await expect(page.getByText(m.myWallet.emptyHint)).toBeVisible();
      await expect(
        page.getByTestId("wallet-transaction").filter({ hasText: m.wallet.types.usage ?? "" }),
      ).not.toHaveCount(0);
      expect(await hasHorizontalScroll(page)).toBeNull();
      await shot("wallet");
    });
  });
}
