import { MESSAGES } from "../../lib/i18n/messages";
import { expect, hasHorizontalScroll, setLocaleCookie, signInAs, test, USERS } from "../fixtures";

// Runs in the e2e-mobile project (390x844, touch); one block narrows to 360px.

const fr = MESSAGES.fr;
const PUBLIC = ["/", "/signin", "/signup", "/forgot-password", "/reset-password?token=x", "/docs"];

for (const locale of ["fr", "ar"] as const) {
  test(`public pages fit the phone's width in ${locale}`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    for (const path of PUBLIC) {
      await page.goto(path);
      expect(await hasHorizontalScroll(page), `${path} (${locale})`).toBeNull();
    }
    await page.goto("/signin");
    await page.screenshot({ path: testInfo.outputPath(`mobile-signin-${locale}.png`), fullPage: true });
  });

  test(`signed-in pages fit the phone's width in ${locale}`, async ({ page, context }, testInfo) => {
    await setLocaleCookie(context, locale);
    await signInAs(page, USERS.admin);
    for (const path of ["/profile", "/admin/users", "/chat", "/admin/wallet"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await hasHorizontalScroll(page), `${path} (${locale})`).toBeNull();
      await page.screenshot({
        path: testInfo.outputPath(`mobile-${path.slice(1).replace("/", "-")}-${locale}.png`),
        fullPage: true,
      });
    }
  });
}

test("a student signs in with taps on a phone", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel(fr.form.email).tap();
  await page.getByLabel(fr.form.email).fill(USERS.student.email);
  await page.getByLabel(fr.form.password).fill(USERS.student.password);
  await page.getByRole("button", { name: fr.signIn.submit }).tap();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(USERS.student.email);
  expect(await hasHorizontalScroll(page)).toBeNull();
});

test.describe("at 360px wide", () => {
  test.use({ viewport: { width: 360, height: 740 } });

  for (const locale of ["fr", "ar"] as const) {
    test(`the sign-in page has no horizontal scroll in ${locale}`, async ({ page, context }, testInfo) => {
      await setLocaleCookie(context, locale);
      await page.goto("/signin");
      await expect(page.getByRole("heading", { name: MESSAGES[locale].signIn.title })).toBeVisible();
      expect(await page.evaluate(() => window.innerWidth)).toBe(360);
      expect(await hasHorizontalScroll(page)).toBeNull();
      // The submit button is fully on screen.
      const box = await page.getByRole("button", { name: MESSAGES[locale].signIn.submit }).boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 360).toBe(true);
      await page.screenshot({ path: testInfo.outputPath(`signin-360-${locale}.png`), fullPage: true });
    });
  }
});
