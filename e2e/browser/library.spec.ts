import { existsSync } from "node:fs";
import type { APIRequestContext, Page } from "@playwright/test";
import { format, MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import {
  adminHeaders,
  expect,
  hasHorizontalScroll,
  KOUTOUBI_SITE_DIR,
  setLocaleCookie,
  signInAs,
  test,
  USERS,
} from "../fixtures";

// The curriculum library: admin dashboard, textbook upload → ingestion → editing → deletion,
// the students' library, the jobs page, the koutoubi sync. Runs in both browser projects (the
// phone one stacks the tables into cards); the sync, which changes the shared reference list,
// runs once, on desktop.

const fr = MESSAGES.fr;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface AdminDocument {
  id: string;
  title: string;
  status: string;
  page_count: number | null;
  chunk_count: number;
  weight: number | null;
  category: string | null;
}

async function findDocument(request: APIRequestContext, title: string): Promise<AdminDocument | undefined> {
  const res = await request.get("/api/admin/documents?limit=200", { headers: adminHeaders() });
  expect(res.status()).toBe(200);
  const { documents } = (await res.json()) as { documents: AdminDocument[] };
  return documents.find((d) => d.title === title);
}

function adminNav(page: Page) {
  return page.getByRole("navigation", { name: "main" }).getByRole("navigation", { name: fr.nav.admin });
}

/** The card holding a heading (the messages of each card are scoped to it). */
function card(page: Page, heading: string) {
  return page
    .getByRole("main")
    .locator("section")
    .filter({ has: page.getByRole("heading", { name: heading, exact: true }) });
}

test("an admin uploads a textbook, edits it, a student finds it in the library, the admin deletes it", async ({
  page,
  request,
  browser,
}, testInfo) => {
  const suffix = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const subject = `Physique ${suffix}`;
  const uploadedTitle = `Physique 7AS ${suffix}`;
  const editedTitle = `Physique-Chimie 7AS ${suffix}`;

  await signInAs(page, USERS.admin);

  // The dashboard: every figure, and links to the admin pages.
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: fr.dashboard.title, level: 1 })).toBeVisible();
  for (const id of ["documents", "references", "jobs", "chunks", "users", "student-content"]) {
    await expect(page.getByTestId(`stat-${id}`).getByTestId("stat-total")).toHaveText(/^\d+$/);
  }
  const admins = page.getByTestId("stat-users").locator('[data-key="admin"] dd').first();
  expect(Number(await admins.textContent())).toBeGreaterThanOrEqual(2);

  await adminNav(page).getByRole("link", { name: fr.nav.adminLibrary }).click();
  await expect(page).toHaveURL(/\/admin\/library$/);
  await expect(page.getByRole("heading", { name: fr.adminLibrary.title, level: 1 })).toBeVisible();

  // Upload through the curriculum form.
  const form = page.getByRole("form", { name: fr.adminLibrary.upload });
  const pdf = await textPdf([
    [
      "Chapitre 1 : la radioactivite.",
      "La demi-vie est la duree au bout de laquelle la moitie des noyaux se desintegre.",
    ],
    [
      "Chapitre 2 : les ondes mecaniques.",
      "Une onde mecanique se propage dans un milieu materiel sans transport de matiere.",
    ],
    [
      "Chapitre 3 : la mecanique de Newton.",
      "La deuxieme loi de Newton relie la somme des forces a l'acceleration.",
    ],
  ]);
  await form
    .getByLabel(fr.adminLibrary.file)
    .setInputFiles({ name: "physique-7as.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf) });
  await form.getByLabel(fr.adminLibrary.grade).selectOption("7AS");
  await form.getByLabel(fr.adminLibrary.subject).fill(subject);
  await form.getByLabel(fr.adminLibrary.language).selectOption({ label: fr.languages.fr ?? "" });
  await form.getByLabel(fr.adminLibrary.titleOptional).fill(uploadedTitle);
  await form.getByRole("button", { name: fr.adminLibrary.send }).click();
  await expect(form.getByRole("status")).toHaveText(
    format(fr.adminLibrary.uploaded, { title: uploadedTitle }),
  );
  await expect(form.getByLabel(fr.adminLibrary.titleOptional)).toHaveValue("");

  // It appears at once and the page follows it to "ready" (ingestion runs in the server process).
  const documents = card(page, fr.adminLibrary.documents);
  const uploaded = documents.getByTestId("document-row").filter({ hasText: uploadedTitle });
  await expect(uploaded).toBeVisible();
  await expect(uploaded.getByText(fr.statuses.document.ready, { exact: true })).toBeVisible({
    timeout: 45_000,
  });
  const ready = await findDocument(request, uploadedTitle);
  expect(ready).toMatchObject({ status: "ready", page_count: 3, weight: null, category: null });
  expect(ready?.chunk_count).toBeGreaterThan(0);

  // Edit its metadata inline.
  await uploaded.getByRole("button", { name: fr.adminLibrary.edit }).click();
  const edit = documents.getByTestId("document-edit");
  await edit.getByLabel(fr.adminLibrary.fieldTitle).fill(editedTitle);
  await edit.getByLabel(fr.adminLibrary.fieldWeight).fill("80");
  await edit.getByLabel(fr.adminLibrary.fieldCategory).fill("Manuel officiel");
  await edit.getByRole("button", { name: fr.form.save }).click();
  await expect(documents.getByRole("status")).toHaveText(fr.adminLibrary.saved);
  await expect(edit).toHaveCount(0);
  const edited = documents.getByTestId("document-row").filter({ hasText: editedTitle });
  await expect(edited).toContainText("— · 80 · Manuel officiel");
  expect(await findDocument(request, editedTitle)).toMatchObject({
    id: ready?.id,
    weight: 80,
    category: "Manuel officiel",
  });

  // Its job succeeded, at 100 %.
  await adminNav(page).getByRole("link", { name: fr.nav.adminJobs }).click();
  await expect(page.getByRole("heading", { name: fr.jobs.title, level: 1 })).toBeVisible();
  await page
    .getByRole("navigation", { name: fr.jobs.filterByStatus })
    .getByRole("link", { name: fr.statuses.job.succeeded })
    .click();
  await expect(page).toHaveURL(/\/admin\/jobs\?status=succeeded$/);
  const job = page.getByTestId("job-row").filter({ hasText: editedTitle });
  await expect(job).toContainText(fr.jobs.kinds.document ?? "");
  await expect(job.getByText(fr.statuses.job.succeeded, { exact: true })).toBeVisible();
  await expect(job.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(job.getByTestId("job-progress")).toHaveText(/^100\s?% · 3\/3$/);
  await expect(job.getByRole("button", { name: fr.jobs.requeue })).toHaveCount(0);
  // Dispatch: other specs may have queued course files meanwhile, else the queue is idle.
  await page.getByRole("button", { name: fr.jobs.dispatch }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(
    new RegExp(`^(${escapeRe(fr.jobs.idle)}|${escapeRe(fr.jobs.dispatched.split("{")[0] ?? "")})`),
  );

  // The dashboard counts it.
  await adminNav(page).getByRole("link", { name: fr.nav.adminDashboard }).click();
  const readyDocs = page.getByTestId("stat-documents").locator('[data-key="ready"] dd').first();
  expect(Number(await readyDocs.textContent())).toBeGreaterThanOrEqual(1);

  // A student sees it in the library, with its page range, and can filter and open it.
  const studentContext = await browser.newContext();
  const student = await studentContext.newPage();
  await signInAs(student, USERS.student);
  await student.goto("/");
  await student.getByRole("navigation", { name: "main" }).getByRole("link", { name: fr.nav.library }).click();
  await expect(student.getByRole("heading", { name: fr.library.title, level: 1 })).toBeVisible();
  const book = student.getByTestId("textbook").filter({ hasText: editedTitle });
  await expect(book).toContainText(`7AS · ${subject} · ${fr.languages.fr}`);
  await expect(book).toContainText("p. 1–3");
  const filters = student.getByRole("main");
  await filters.getByLabel(fr.library.subject).selectOption(subject);
  await filters.getByLabel(fr.library.language).selectOption("fr");
  await filters.getByRole("button", { name: fr.library.filter }).click();
  await expect(student).toHaveURL(/\/library\?.*subject=Physique.*&language=fr/);
  await expect(student.getByTestId("textbook")).toHaveCount(1);
  await expect(student.getByRole("heading", { name: fr.levels.secondaire2, level: 2 })).toBeVisible();
  const open = book.getByRole("link", { name: fr.library.open });
  await expect(open).toHaveAttribute("target", "_blank");
  const file = await student.request.get((await open.getAttribute("href")) ?? "");
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect(
    Buffer.from(await file.body())
      .subarray(0, 5)
      .toString(),
  ).toBe("%PDF-");
  // The student has no admin links.
  await expect(student.getByRole("navigation", { name: fr.nav.admin })).toHaveCount(0);

  // The admin deletes it, after confirming; it leaves the library.
  await page.goto("/admin/library");
  const dialogs: string[] = [];
  page.once("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.accept();
  });
  await edited.getByRole("button", { name: fr.adminLibrary.delete }).click();
  await expect(documents.getByRole("status")).toHaveText(fr.adminLibrary.deleted);
  await expect(edited).toHaveCount(0);
  expect(dialogs).toStrictEqual([format(fr.adminLibrary.confirmDelete, { title: editedTitle })]);
  expect(await findDocument(request, editedTitle)).toBeUndefined();
  await student.reload();
  await expect(student.getByTestId("textbook").filter({ hasText: editedTitle })).toHaveCount(0);
  await expect(student.getByText(fr.library.noMatch)).toBeVisible();
  await studentContext.close();
});

test("students and teachers are refused the admin pages, server-side", async ({ page, browser }) => {
  for (const user of [USERS.student, USERS.teacher]) {
    const context = await browser.newContext();
    const p = await context.newPage();
    await signInAs(p, user);
    for (const path of ["/admin", "/admin/library", "/admin/jobs"]) {
      const res = await p.goto(path);
      await expect(p, `${user.role} on ${path}`).toHaveURL(/\/profile\?denied=admin$/);
      expect(res?.status()).toBe(200);
      await expect(p.getByRole("heading", { name: fr.adminLibrary.title })).toHaveCount(0);
    }
    await context.close();
  }
  // A visitor is sent to sign in; the students' library needs an account too.
  for (const path of ["/admin/library", "/library"]) {
    await page.goto(path);
    await expect(page).toHaveURL(new RegExp(`/signin\\?next=${escapeRe(encodeURIComponent(path))}$`));
  }
});

test("an admin syncs the koutoubi portal, follows its progress and queues a reference", async ({
  page,
}, testInfo) => {
  test.skip(
    testInfo.project.name !== "e2e",
    "the sync changes the shared reference list: run once, on desktop",
  );
  test.skip(
    !existsSync(KOUTOUBI_SITE_DIR),
    `no koutoubi fixture at ${KOUTOUBI_SITE_DIR} (it lives in ../shared, next to the repository)`,
  );
  const arabicTitle = "اللغة العربية – الشعبة العلمية (C و D)";

  await signInAs(page, USERS.admin);
  await page.goto("/admin/library");
  const sync = card(page, fr.adminLibrary.syncTitle);
  await sync.getByRole("button", { name: fr.adminLibrary.sync }).click();
  await expect(sync.getByRole("button", { name: fr.adminLibrary.syncing })).toBeDisabled();
  // The local portal answers slowly: the page polls the running run at least once.
  await expect(sync.getByTestId("sync-progress")).toContainText(/\d+ \/ 6 pages · \d+ manuels trouvés/);
  await expect(sync.getByTestId("sync-result")).toContainText(
    new RegExp(
      `^${escapeRe(format(fr.adminLibrary.syncDone, { found: 14, new: 999 })).replace("999", "\\d+")}`,
    ),
    { timeout: 30_000 },
  );
  await expect(sync.getByTestId("sync-progress")).toHaveCount(0);
  // The sitemap's missing page is reported, not fatal.
  await expect(sync.getByTestId("sync-errors")).toContainText(
    `/secondaire2/7eme/Histoire/ — ${fr.adminLibrary.pageNotFound}`,
  );
  const run = sync.getByTestId("run-row").first();
  await expect(run).toContainText(fr.statuses.run.success);
  await expect(run).toContainText(/14 trouvés · \d+ nouveaux · 6 pages · 1 erreur\(s\)/);

  // The references table lists them, Arabic titles included (written right to left on their own).
  const references = card(page, fr.adminLibrary.references);
  await expect(references).toContainText(format(fr.adminLibrary.referencesTotal, { n: 14 }));
  await references
    .getByRole("navigation", { name: fr.adminLibrary.filterByStatus })
    .getByRole("link", { name: fr.statuses.reference.discovered })
    .click();
  await expect(page).toHaveURL(/ref_status=discovered/);
  const arabic = references.getByTestId("reference-row").filter({ hasText: arabicTitle });
  await expect(arabic.getByRole("link", { name: arabicTitle })).toHaveAttribute("dir", "auto");
  await expect(arabic).toContainText(fr.levels.secondaire2);
  await expect(arabic).toContainText(
    `${format(fr.adminLibrary.year, { n: 7 })} · Arabe · série C/D · éd. 2025`,
  );

  // Queue its ingestion: its PDF host is not allowed here, so the job fails with a readable reason.
  await page.goto("/admin/library");
  const row = references.getByTestId("reference-row").filter({ hasText: arabicTitle });
  await row.getByRole("button", { name: `${fr.adminLibrary.ingest} ${arabicTitle}` }).click();
  await expect(references.getByRole("status")).toHaveText(
    format(fr.adminLibrary.ingestQueued, { title: arabicTitle }),
  );
  await expect(row.getByText(fr.statuses.reference.failed, { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText("Download refused: host docs.bsimr.com is not on the allowed list");

  // The failed job can be put back in the queue from the jobs page.
  await page.goto("/admin/jobs?status=failed");
  const job = page.getByTestId("job-row").filter({ hasText: arabicTitle });
  await expect(job).toContainText(fr.jobs.kinds.reference ?? "");
  await job.getByRole("button", { name: fr.jobs.requeue }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(fr.jobs.requeued);
});

test.describe("on a 360px phone", () => {
  test.use({ viewport: { width: 360, height: 740 } });

  for (const locale of ["fr", "ar"] as const) {
    test(`the library pages fit the screen in ${locale}`, async ({ page, context }, testInfo) => {
      test.skip(testInfo.project.name !== "e2e-mobile", "a phone layout: checked in the phone project");
      await setLocaleCookie(context, locale);
      await signInAs(page, USERS.admin);
      for (const path of ["/admin", "/admin/library", "/admin/jobs", "/library"]) {
        await page.goto(path);
        await expect(page.locator("html")).toHaveAttribute("dir", locale === "ar" ? "rtl" : "ltr");
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        expect(await hasHorizontalScroll(page), `${path} (${locale})`).toBeNull();
        await page.screenshot({
          path: testInfo.outputPath(`360-${path.slice(1).replaceAll("/", "-")}-${locale}.png`),
          fullPage: true,
        });
      }
    });
  }
});
