import { MESSAGES } from "../../lib/i18n/messages";
import { createUser, expect, setLocaleCookie, signInAs, test, USERS } from "../fixtures";

const { fr, ar } = MESSAGES;

test("switching to العربية makes the page right-to-left and Arabic, and the choice sticks", async ({
  page,
}) => {
  await page.goto("/signin");
  const html = page.locator("html");
  await expect(html).toHaveAttribute("lang", "fr");
  await expect(html).toHaveAttribute("dir", "ltr");

  await page.getByLabel(fr.nav.language).selectOption({ label: "العربية" });
  await expect(html).toHaveAttribute("dir", "rtl");
  await expect(html).toHaveAttribute("lang", "ar");
  await expect(page.getByRole("heading", { name: ar.signIn.title })).toBeVisible();
  await expect(page.getByLabel(ar.form.email)).toBeVisible();
  await expect(page.getByRole("button", { name: ar.signIn.submit })).toBeVisible();
  await expect(page.getByRole("link", { name: ar.signIn.forgot })).toBeVisible();

  // The server renders Arabic from the cookie on the next load.
  const reload = await page.reload();
  expect(await reload?.text()).toMatch(/<html lang="ar" dir="rtl"/);
  await expect(page.getByRole("heading", { name: ar.signIn.title })).toBeVisible();

  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: ar.signUp.title })).toBeVisible();
  await expect(page.getByRole("button", { name: ar.signUp.submit })).toBeVisible();

  await page.getByLabel(ar.nav.language).selectOption("fr");
  await expect(html).toHaveAttribute("dir", "ltr");
  await expect(html).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { name: fr.signUp.title })).toBeVisible();
});

test("an Arabic error message is shown in Arabic", async ({ page, context }) => {
  await setLocaleCookie(context, "ar");
  await page.goto("/signin");
  await page.getByLabel(ar.form.email).fill(USERS.student.email);
  await page.getByLabel(ar.form.password).fill("wrong-password");
  await page.getByRole("button", { name: ar.signIn.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(ar.errors.INVALID_CREDENTIALS ?? "");
});

test("a signed-in student sees their profile in Arabic", async ({ page, context }) => {
  await setLocaleCookie(context, "ar");
  await signInAs(page, USERS.student);
  await page.goto("/profile");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { name: ar.profile.title })).toBeVisible();
  await expect(page.getByTestId("profile-role")).toHaveText(ar.roles.student);
  await expect(
    page.getByRole("navigation", { name: "main" }).getByRole("button", { name: ar.nav.signOut }),
  ).toBeVisible();
});

test.describe("a browser that prefers Arabic", () => {
  test.use({ locale: "ar-MR" });

  test("gets a right-to-left Arabic page on its very first load", async ({ page }) => {
    const first = page.waitForRequest((r) => r.isNavigationRequest());
    const response = await page.goto("/");
    expect((await first).headers()["accept-language"]).toMatch(/^ar/);
    expect(await response?.text()).toMatch(/<html lang="ar" dir="rtl"/);
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { name: ar.home.title })).toBeVisible();
    await expect(page.getByRole("link", { name: ar.home.start })).toBeVisible();
  });

  test("still gets French once it chose French", async ({ page, context }) => {
    await setLocaleCookie(context, "fr");
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
    await expect(page.getByRole("heading", { name: fr.home.title })).toBeVisible();
  });
});

test("the server picks the language from Accept-Language, French by default", async ({ request }) => {
  const cases = [
    { header: "ar", tag: '<html lang="ar" dir="rtl"' },
    { header: "ar-MR,ar;q=0.9,fr;q=0.8", tag: '<html lang="ar" dir="rtl"' },
    { header: "en-US,en;q=0.9", tag: '<html lang="en" dir="ltr"' },
    { header: "de-DE,de;q=0.9", tag: '<html lang="fr" dir="ltr"' },
    { header: "de,ar;q=0.5", tag: '<html lang="ar" dir="rtl"' },
  ];
  for (const { header, tag } of cases) {
    const res = await request.get("/signin", { headers: { "Accept-Language": header } });
    expect(res.status()).toBe(200);
    expect(await res.text(), header).toContain(tag);
  }
});

test("a signed-in student's language follows them to another browser; the wallet page speaks it", async ({
  page,
  request,
  browser,
}) => {
  const student = await createUser(request, { prefix: "lang" });
  await signInAs(page, student);
  await page.goto("/wallet");
  await expect(page.getByRole("heading", { name: fr.myWallet.title, level: 1 })).toBeVisible();
  await page.getByLabel(fr.nav.language).selectOption("ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { name: ar.myWallet.title, level: 1 })).toBeVisible();
  // The navigation marks where the student is.
  await expect(
    page.getByRole("navigation", { name: "main" }).getByRole("link", { name: ar.nav.wallet }),
  ).toHaveAttribute("aria-current", "page");

  // Another browser (no cookie) that prefers French: the profile's Arabic wins once signed in.
  const other = await browser.newContext({ locale: "fr-FR" });
  try {
    const second = await other.newPage();
    await second.goto("/signin");
    await expect(second.locator("html")).toHaveAttribute("lang", "fr");
    await signInAs(second, student);
    await second.goto("/wallet");
    await expect(second.locator("html")).toHaveAttribute("dir", "rtl");
    await expect(second.getByRole("heading", { name: ar.myWallet.title, level: 1 })).toBeVisible();
    // The signup grant is in the history, its number in Western digits.
    await expect(second.getByTestId("wallet-transaction").first()).toContainText(ar.wallet.types.grant ?? "");
    await expect(second.getByTestId("wallet-available")).toHaveText(/^[0-9\s,.\u202f\u00a0]+$/);
  } finally {
    await other.close();
  }
});
