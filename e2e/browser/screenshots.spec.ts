import { MESSAGES } from "../../lib/i18n/messages";
import { expect, setLocaleCookie, signInAs, test, USERS } from "../fixtures";

// A full-page screenshot of each main page in French and Arabic, kept in test-results/ (not
// committed) for a human to look at; each also checks the page rendered in the right language.

const PAGES = [
  { name: "home", path: "/", heading: (l: "fr" | "ar") => MESSAGES[l].home.title },
  { name: "signin", path: "/signin", heading: (l: "fr" | "ar") => MESSAGES[l].signIn.title },
  { name: "signup", path: "/signup", heading: (l: "fr" | "ar") => MESSAGES[l].signUp.title },
  {
    name: "forgot-password",
    path: "/forgot-password",
    heading: (l: "fr" | "ar") => MESSAGES[l].forgot.title,
  },
  {
    name: "reset-password",
    path: "/reset-password?token=x",
    heading: (l: "fr" | "ar") => MESSAGES[l].reset.title,
  },
  { name: "docs", path: "/docs", heading: (l: "fr" | "ar") => MESSAGES[l].docs.title },
];

const SIGNED_IN = [
  { name: "profile", path: "/profile", heading: (l: "fr" | "ar") => MESSAGES[l].profile.title },
  { name: "admin-users", path: "/admin/users", heading: (l: "fr" | "ar") => MESSAGES[l].admin.usersTitle },
  { name: "chat", path: "/chat", heading: (l: "fr" | "ar") => MESSAGES[l].chat.title },
  { name: "admin-wallet", path: "/admin/wallet", heading: (l: "fr" | "ar") => MESSAGES[l].wallet.title },
];

for (const locale of ["fr", "ar"] as const) {
  const dir = locale === "ar" ? "rtl" : "ltr";

  test(`screenshots of the public pages in ${locale}`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    for (const p of PAGES) {
      await page.goto(p.path);
      await expect(page.locator("html")).toHaveAttribute("dir", dir);
      await expect(page.getByRole("heading", { name: p.heading(locale), level: 1 })).toBeVisible();
      await page.screenshot({ path: testInfo.outputPath(`${p.name}-${locale}.png`), fullPage: true });
    }
  });

  test(`screenshots of the signed-in pages in ${locale}`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    await signInAs(page, USERS.admin);
    for (const p of SIGNED_IN) {
      await page.goto(p.path);
      await expect(page.locator("html")).toHaveAttribute("dir", dir);
      await expect(page.getByRole("heading", { name: p.heading(locale), level: 1 })).toBeVisible();
      await page.screenshot({ path: testInfo.outputPath(`${p.name}-${locale}.png`), fullPage: true });
    }
  });
}
