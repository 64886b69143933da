import type { APIRequestContext, Page } from "@playwright/test";
import { MESSAGES } from "../../lib/i18n/messages";
import {
  adminHeaders,
  createUser,
  expect,
  type Profile,
  signInAs,
  test,
  USERS,
  uniqueEmail,
} from "../fixtures";

const fr = MESSAGES.fr;

async function findUser(
  request: APIRequestContext,
  email: string,
): Promise<{ user?: Profile; index: number }> {
  const res = await request.get("/api/admin/users?limit=200", { headers: adminHeaders() });
  const { users } = (await res.json()) as { users: Profile[] };
  const index = users.findIndex((u) => u.email === email);
  return { user: users[index], index };
}

/**
 * The admin list shows 50 users a page, oldest first, and the API tests create many: open the page
 * that holds `email` (a few rows of slack for users deleted in parallel).
 */
async function openPageWith(page: Page, request: APIRequestContext, email: string) {
  const { index } = await findUser(request, email);
  expect(index, `${email} is listed`).toBeGreaterThanOrEqual(0);
  await page.goto(`/admin/users?offset=${Math.max(0, index - 10)}`);
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row).toBeVisible();
  return row;
}

test("an admin signs in and manages users on /admin/users", async ({ page, request }) => {
  const admin = USERS.admin;
  await page.goto("/signin");
  await page.getByLabel(fr.form.email).fill(admin.email);
  await page.getByLabel(fr.form.password).fill(admin.password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-role")).toHaveText(fr.roles.admin);

  await page.getByRole("navigation", { name: "main" }).getByRole("link", { name: fr.nav.adminUsers }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole("heading", { name: fr.admin.usersTitle, level: 1 })).toBeVisible();
  const main = page.getByRole("main");

  // Create a teacher.
  const email = uniqueEmail("ui-created");
  const form = main.locator("form").filter({ has: page.getByRole("button", { name: fr.admin.create }) });
  await form.getByLabel(fr.form.fullName).fill("Créé depuis l'interface");
  await form.getByLabel(fr.form.email).fill(email);
  await form.getByLabel(fr.form.password).fill("mot-de-passe-cree");
  await form.getByLabel(fr.profile.role).selectOption({ label: fr.roles.teacher });
  await form.getByRole("button", { name: fr.admin.create }).click();
  await expect(main.getByRole("status")).toHaveText(fr.admin.created);
  await expect(form.getByLabel(fr.form.email)).toHaveValue("");
  expect((await findUser(request, email)).user).toMatchObject({
    email,
    full_name: "Créé depuis l'interface",
    role: "teacher",
    hint_level: 3,
  });

  // Change the role.
  let row = await openPageWith(page, request, email);
  await expect(row.getByLabel(`${fr.profile.role} ${email}`)).toHaveValue("teacher");
  await row.getByLabel(`${fr.profile.role} ${email}`).selectOption({ label: fr.roles.student });
  await expect(main.getByRole("status")).toHaveText(fr.admin.updated);
  await expect.poll(async () => (await findUser(request, email)).user?.role).toBe("student");
  await expect(row.getByLabel(`${fr.profile.role} ${email}`)).toHaveValue("student");

  // Change the hint level.
  await row.getByLabel(`${fr.profile.hintLevel} ${email}`).selectOption({ label: fr.hintLevels[5] ?? "" });
  await expect.poll(async () => (await findUser(request, email)).user?.hint_level).toBe(5);
  await page.reload();
  row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row.getByLabel(`${fr.profile.hintLevel} ${email}`)).toHaveValue("5");
  await expect(row.getByLabel(`${fr.profile.role} ${email}`)).toHaveValue("student");

  // Delete, after confirming.
  const dialogs: string[] = [];
  page.once("dialog", async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.accept();
  });
  await row.getByRole("button", { name: `${fr.admin.delete} ${email}` }).click();
  await expect(main.getByRole("status")).toHaveText(fr.admin.deleted);
  await expect(row).toHaveCount(0);
  expect(dialogs).toStrictEqual([`confirm: Supprimer ${email} ? Cette action est définitive.`]);
  expect((await findUser(request, email)).index).toBe(-1);
});

test("dismissing the delete confirmation keeps the user", async ({ page, request }) => {
  const victim = await createUser(request, { prefix: "ui-kept" });
  await signInAs(page, USERS.admin);
  const row = await openPageWith(page, request, victim.email);
  page.once("dialog", (dialog) => dialog.dismiss());
  await row.getByRole("button", { name: `${fr.admin.delete} ${victim.email}` }).click();
  await expect(row).toBeVisible();
  await expect(page.getByRole("main").getByRole("status")).toHaveCount(0);
  expect((await findUser(request, victim.email)).user?.id).toBe(victim.id);
});

test("the admin cannot delete their own account from the list", async ({ page }) => {
  await signInAs(page, USERS.admin);
  await page.goto("/admin/users");
  const own = page.locator(`[data-testid="user-row"][data-email="${USERS.admin.email}"]`);
  await expect(own.getByRole("button", { name: `${fr.admin.delete} ${USERS.admin.email}` })).toBeDisabled();
  const other = page.locator(`[data-testid="user-row"][data-email="${USERS.student.email}"]`);
  await expect(
    other.getByRole("button", { name: `${fr.admin.delete} ${USERS.student.email}` }),
  ).toBeEnabled();
});

test("a student visiting /admin/users is sent to their profile, without the admin UI", async ({ page }) => {
  await signInAs(page, USERS.student);
  const response = await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/profile\?denied=admin$/);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: fr.profile.title })).toBeVisible();
  await expect(page.getByRole("heading", { name: fr.admin.createUser })).toHaveCount(0);
  await expect(page.getByTestId("user-row")).toHaveCount(0);
  await expect(page.getByRole("link", { name: fr.nav.adminUsers })).toHaveCount(0);
});

test("a teacher is refused the admin page too, and a visitor is sent to sign in", async ({
  page,
  browser,
}) => {
  await signInAs(page, USERS.teacher);
  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/profile\?denied=admin$/);

  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  await visitor.goto("/admin/users");
  await expect(visitor).toHaveURL(/\/signin\?next=%2Fadmin%2Fusers$/);
  await expect(visitor.getByTestId("user-row")).toHaveCount(0);
  await anonymous.close();
});

// APP BUG (reported): at desktop width the role and hint-level selects of the user table are
// squeezed to a few pixels ("Ad", "Élé", "3 — inc"): an admin cannot read the roles. Measured
// leniently: the selected text alone must fit the select's content box (the arrow needs more).
test("the user table shows each role and hint level in full", async ({ page }) => {
  await signInAs(page, USERS.admin);
  await page.goto("/admin/users");
  const row = page.locator(`[data-testid="user-row"][data-email="${USERS.student.email}"]`);
  for (const label of [
    `${fr.profile.role} ${USERS.student.email}`,
    `${fr.profile.hintLevel} ${USERS.student.email}`,
  ]) {
    const fit = await row.getByLabel(label).evaluate((el) => {
      const select = el as HTMLSelectElement;
      const style = getComputedStyle(select);
      const ctx = document.createElement("canvas").getContext("2d");
      if (!ctx) throw new Error("no canvas");
      ctx.font = style.font;
      const text = select.options[select.selectedIndex]?.text ?? "";
      const available =
        select.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
      return { text, textWidth: Math.ceil(ctx.measureText(text).width), available: Math.floor(available) };
    });
    expect
      .soft(fit.textWidth, `${label}: "${fit.text}" in ${fit.available}px`)
      .toBeLessThanOrEqual(fit.available);
  }
});
