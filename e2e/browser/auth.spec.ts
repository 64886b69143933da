import { MESSAGES } from "../../lib/i18n/messages";
import { createUser, expect, readResetLink, signInAs, test, uniqueEmail } from "../fixtures";

const fr = MESSAGES.fr;

test("a new student signs up, lands on the profile, signs out and signs in again", async ({ page }) => {
  const email = uniqueEmail("ui-signup");
  const password = "mon-mot-de-passe";

  await page.goto("/");
  await page.getByRole("link", { name: fr.home.start }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(page.getByRole("heading", { name: fr.signUp.title })).toBeVisible();
  await page.getByLabel(fr.form.fullName).fill("Khadijetou Mint Ahmed");
  await page.getByLabel(fr.form.email).fill(email);
  await page.getByLabel(fr.form.password).fill(password);
  await page.getByRole("button", { name: fr.signUp.submit }).click();

  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: fr.profile.title })).toBeVisible();
  await expect(page.getByTestId("profile-name")).toHaveText("Khadijetou Mint Ahmed");
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("profile-role")).toHaveText(fr.roles.student);
  const nav = page.getByRole("navigation", { name: "main" });
  await expect(nav.getByRole("link", { name: fr.nav.profile })).toBeVisible();
  await expect(nav.getByRole("link", { name: fr.nav.adminUsers })).toHaveCount(0);

  await nav.getByRole("button", { name: fr.nav.signOut }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(nav.getByRole("link", { name: fr.nav.signIn })).toBeVisible();
  await expect(nav.getByRole("button", { name: fr.nav.signOut })).toHaveCount(0);

  // Signed out for real: the profile sends back to sign-in, which then returns to the profile.
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/signin\?next=%2Fprofile$/);
  await page.getByLabel(fr.form.email).fill(email);
  await page.getByLabel(fr.form.password).fill(password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
});

test("a wrong password shows the French error and keeps the visitor on /signin", async ({
  page,
  request,
}) => {
  const user = await createUser(request, { prefix: "ui-wrong" });
  await page.goto("/signin");
  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByLabel(fr.form.password).fill("pas-le-bon-mot-de-passe");
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("E-mail ou mot de passe incorrect.");
  await expect(page).toHaveURL(/\/signin$/);

  // An unknown account reads the same.
  await page.getByLabel(fr.form.email).fill(uniqueEmail("ui-nobody"));
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.errors.INVALID_CREDENTIALS ?? "");

  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByLabel(fr.form.password).fill(user.password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/profile$/);
});

test("signing up with a taken email shows the French error", async ({ page, request }) => {
  const user = await createUser(request, { prefix: "ui-taken" });
  await page.goto("/signup");
  await page.getByLabel(fr.form.fullName).fill("Quelqu'un");
  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByLabel(fr.form.password).fill("un-autre-mot-de-passe");
  await page.getByRole("button", { name: fr.signUp.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.errors.EMAIL_TAKEN ?? "");
  await expect(page).toHaveURL(/\/signup$/);
});

test("forgot password: request a link, open it, choose a new password, sign in with it", async ({
  page,
  request,
}) => {
  const user = await createUser(request, { prefix: "ui-forgot" });

  await page.goto("/signin");
  await page.getByRole("link", { name: fr.signIn.forgot }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByRole("heading", { name: fr.forgot.title })).toBeVisible();
  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByRole("button", { name: fr.forgot.submit }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(fr.forgot.sent);

  const link = await readResetLink(request, user.email);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: fr.reset.title })).toBeVisible();
  await page.getByLabel(fr.form.newPassword).fill("choisi-dans-le-lien");
  await page.getByRole("button", { name: fr.reset.submit }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(fr.reset.done);

  await page.getByRole("main").getByRole("link", { name: fr.nav.signIn }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByLabel(fr.form.password).fill(user.password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.errors.INVALID_CREDENTIALS ?? "");
  await page.getByLabel(fr.form.password).fill("choisi-dans-le-lien");
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(user.email);

  // The link worked once.
  await page.goto(link);
  await page.getByLabel(fr.form.newPassword).fill("encore-un-autre-mot");
  await page.getByRole("button", { name: fr.reset.submit }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.errors.INVALID_TOKEN ?? "");
});

test("a reset page without a token says the link is incomplete", async ({ page }) => {
  await page.goto("/reset-password");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.reset.missingToken);
  await expect(page.getByLabel(fr.form.newPassword)).toHaveCount(0);
});

test("a student changes their name on the profile page", async ({ page, request }) => {
  const user = await createUser(request, { prefix: "ui-rename", fullName: "Ancien Nom" });
  await signInAs(page, user);
  await page.goto("/profile");
  await expect(page.getByTestId("profile-name")).toHaveText("Ancien Nom");
  await page.getByLabel(fr.profile.editName).fill("Nouveau Nom");
  await page.getByRole("button", { name: fr.form.save }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(fr.form.saved);
  await expect(page.getByTestId("profile-name")).toHaveText("Nouveau Nom");
  await page.reload();
  await expect(page.getByTestId("profile-name")).toHaveText("Nouveau Nom");
});

test("an expired page session is renewed from the refresh cookie", async ({ page, context, request }) => {
  const user = await createUser(request, { prefix: "ui-renew" });
  await signInAs(page, user);
  // Drop the access cookie as if it had expired; the refresh cookie stays.
  const cookies = await context.cookies();
  await context.clearCookies();
  await context.addCookies(cookies.filter((c) => c.name !== "bacmr_access"));
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(user.email);
  expect((await context.cookies()).map((c) => c.name).sort()).toStrictEqual([
    "bacmr_access",
    "bacmr_refresh",
  ]);
});

// APP BUG (reported): lib/http/page-auth.ts#safeNextPath accepts "/\t/evil.example" (and "\n"):
// it starts with one "/", but browsers drop tabs and newlines from URLs, so the form's
// router.replace(next) goes to //evil.example. See also e2e/api/redirects.spec.ts.
test("sign-in never redirects off the site, whatever ?next says", async ({ page, request }) => {
  const user = await createUser(request, { prefix: "ui-next" });
  const offSite = [
    "//evil.example/x",
    "https://evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "profile",
  ];
  for (const next of offSite) {
    await page.context().clearCookies();
    await page.goto(`/signin?next=${encodeURIComponent(next)}`);
    await page.getByLabel(fr.form.email).fill(user.email);
    await page.getByLabel(fr.form.password).fill(user.password);
    await page.getByRole("button", { name: fr.signIn.submit }).click();
    await expect.soft(page, JSON.stringify(next)).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/profile$/);
  }
  // A same-site path is followed.
  await page.context().clearCookies();
  await page.goto(`/signin?next=${encodeURIComponent("/docs")}`);
  await page.getByLabel(fr.form.email).fill(user.email);
  await page.getByLabel(fr.form.password).fill(user.password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/docs$/);
});
