import { existsSync } from "node:fs";
import { request as playwrightRequest } from "@playwright/test";
import { formatNumber } from "../../components/format";
import { format, MESSAGES } from "../../lib/i18n/messages";
import {
  ADMIN_API_KEY,
  BOOTSTRAP_ADMIN,
  expect,
  JOURNEY_URL,
  KOUTOUBI_SITE_DIR,
  test,
  uniqueEmail,
} from "../fixtures";

// An admin's working session through the pages, on the journey server (its own database, so the
// koutoubi sync finds every book new): sign in, sync the portal, ingest a textbook and watch its
// job, edit the document, top up a student and change a role.

const { fr } = MESSAGES;
/** The portal's book whose PDF sits on the portal's own host (served locally by e2e/koutoubi-site.mjs). */
const BOOK = "Mathématiques 7ème année – Série D";

test.use({ baseURL: JOURNEY_URL });

test("an admin syncs koutoubi, ingests a textbook, watches the job, edits it, tops up a student and changes a role", async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== "e2e", "one admin session is enough: desktop only");
  test.skip(!existsSync(KOUTOUBI_SITE_DIR), `no koutoubi fixture at ${KOUTOUBI_SITE_DIR}`);
  test.setTimeout(240_000);
  const shot = (name: string) =>
    page.screenshot({ path: testInfo.outputPath(`admin-journey-${name}-fr.png`), fullPage: true });

  // A student to look after (created by the admin API: the admin journey is not about sign-up).
  const student = { email: uniqueEmail("journey-admin-student"), fullName: "Sidi Ould Ahmed" };
  const api = await playwrightRequest.newContext({
    baseURL: JOURNEY_URL,
    extraHTTPHeaders: { "X-Admin-Key": ADMIN_API_KEY },
  });
  const created = await api.post("/api/admin/users", {
    data: {
      email: student.email,
      password: "Bac-2027-student",
      full_name: student.fullName,
      role: "student",
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  await api.dispose();

  // 1. Sign in through the page; the admin navigation is there.
  await page.goto("/signin");
  await page.getByLabel(fr.form.email).fill(BOOTSTRAP_ADMIN.email);
  await page.getByLabel(fr.form.password).fill(BOOTSTRAP_ADMIN.password);
  await page.getByRole("button", { name: fr.signIn.submit }).click();
  await expect(page).toHaveURL(/\/profile$/);
  const adminNav = page
    .getByRole("navigation", { name: "main" })
    .getByRole("navigation", { name: fr.nav.admin });
  await adminNav.getByRole("link", { name: fr.nav.adminDashboard }).click();
  await expect(page.getByRole("heading", { name: fr.dashboard.title, level: 1 })).toBeVisible();

  // 2. Sync the portal: the run's progress, then its result.
  await adminNav.getByRole("link", { name: fr.nav.adminLibrary }).click();
  await expect(page.getByRole("heading", { name: fr.adminLibrary.title, level: 1 })).toBeVisible();
  const main = page.getByRole("main");
  const sync = main
    .locator("section")
    .filter({ has: page.getByRole("heading", { name: fr.adminLibrary.syncTitle }) });
  await sync.getByRole("button", { name: fr.adminLibrary.sync }).click();
  await expect(sync.getByTestId("sync-progress")).toBeVisible();
  await expect(sync.getByTestId("sync-result")).toContainText(
    format(fr.adminLibrary.syncDone, { found: 14, new: 14 }),
    { timeout: 60_000 },
  );
  await shot("synced");

  // 3. Ingest one textbook from the references.
  const references = main
    .locator("section")
    .filter({ has: page.getByRole("heading", { name: fr.adminLibrary.references, exact: true }) });
  const reference = references.getByTestId("reference-row").filter({ hasText: BOOK });
  await reference.getByRole("button", { name: `${fr.adminLibrary.ingest} ${BOOK}` }).click();
  await expect(references.getByRole("status")).toHaveText(
    format(fr.adminLibrary.ingestQueued, { title: BOOK }),
  );

  // 4. Watch its job on the jobs page until it succeeds, at 100 %.
  await adminNav.getByRole("link", { name: fr.nav.adminJobs }).click();
  await expect(page.getByRole("heading", { name: fr.jobs.title, level: 1 })).toBeVisible();
  const job = page.getByTestId("job-row").filter({ hasText: BOOK });
  await expect(job).toContainText(fr.jobs.kinds.reference ?? "");
  await expect(job.getByText(fr.statuses.job.succeeded, { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(job.getByTestId("job-progress")).toContainText(/100/);
  await shot("job");

  // 5. Edit the ingested document's metadata.
  await adminNav.getByRole("link", { name: fr.nav.adminLibrary }).click();
  const documents = main
    .locator("section")
    .filter({ has: page.getByRole("heading", { name: fr.adminLibrary.documents, exact: true }) });
  const document = documents.getByTestId("document-row").filter({ hasText: BOOK });
  await expect(document.getByText(fr.statuses.document.ready, { exact: true })).toBeVisible();
  await document.getByRole("button", { name: fr.adminLibrary.edit }).click();
  const edit = documents.getByTestId("document-edit");
  await edit.getByLabel(fr.adminLibrary.fieldTitle).fill(`${BOOK} (officiel)`);
  await edit.getByLabel(fr.adminLibrary.fieldCategory).fill("Manuel officiel");
  await edit.getByRole("button", { name: fr.form.save }).click();
  await expect(documents.getByRole("status")).toHaveText(fr.adminLibrary.saved);
  await expect(documents.getByTestId("document-row").filter({ hasText: `${BOOK} (officiel)` })).toContainText(
    "Manuel officiel",
  );

  // 6. Top up the student, once.
  await adminNav.getByRole("link", { name: fr.nav.adminWallet }).click();
  await page.getByLabel(fr.wallet.lookupLabel).fill(student.email);
  await page.getByRole("button", { name: fr.wallet.filter }).click();
  const available = page.getByTestId("account-balance").locator('[data-key="available"] dd');
  const before = Number(((await available.textContent()) ?? "").replace(/\D/g, ""));
  const form = page.getByRole("form", { name: fr.wallet.topUpTitle });
  await form.getByLabel(fr.wallet.tokens).fill("5000");
  await form.getByLabel(fr.wallet.note).fill("Recharge du trimestre");
  await form.getByRole("button", { name: fr.wallet.topUp }).click();
  await expect(form.getByRole("status")).toHaveText(
    format(fr.wallet.toppedUp, {
      tokens: formatNumber("fr", 5000),
      balance: formatNumber("fr", before + 5000),
    }),
  );
  await expect(page.getByTestId("transaction-row").and(page.locator('[data-type="topup"]'))).toContainText(
    "Recharge du trimestre",
  );

  // 7. Make the student a teacher.
  await adminNav.getByRole("link", { name: fr.nav.adminUsers }).click();
  const roleSelect = page.getByLabel(`${fr.profile.role} ${student.email}`);
  await expect(roleSelect).toHaveValue("student");
  await roleSelect.selectOption({ label: fr.roles.teacher });
  await expect(main.getByRole("status")).toHaveText(fr.admin.updated);
  await page.reload();
  await expect(page.getByLabel(`${fr.profile.role} ${student.email}`)).toHaveValue("teacher");
  await shot("users");
});
