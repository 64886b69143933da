import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { format, MESSAGES } from "../../lib/i18n/messages";
import { createUser, expect, setLocaleCookie, signInAs, test } from "../fixtures";

// Uploads of several files at once and their live processing, on the course page.

const fr = MESSAGES.fr;
const ar = MESSAGES.ar;

// The shared fixtures sit next to the repository (../shared), as e2e/constants.ts resolves them.
const FIXTURES = path.resolve(import.meta.dirname, "../..", "../shared/fixtures");
const COURSE_PDF = path.join(FIXTURES, "documents/fr_pc_radioactivite_cours.pdf");
const PAGE_PHOTO = path.join(FIXTURES, "scans/fr_pc_radioactivite_cours_p4_scan.jpg");
const CORRUPT_PDF = Buffer.from("%PDF-1.4 garbage");

async function createCourse(page: Page, name: string, m = fr) {
  await page.goto("/courses");
  await page.getByLabel(m.courses.name).fill(name);
  await page.getByRole("button", { name: m.courses.create }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

/**
 * Records every processing status each material row shows, as the page renders it: a state that
 * lasts less than one poll is not missed by the test's own polling.
 */
async function recordStatuses(page: Page) {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { __statuses: typeof seen }).__statuses = seen;
    const note = () => {
      for (const row of document.querySelectorAll<HTMLElement>("[data-testid=material-row]")) {
        const name = row.querySelector("span")?.textContent ?? "";
        const status = row.dataset.status ?? "";
        const stage = row.querySelector("[data-testid=processing-progress]") ? "+progress" : "";
        seen[name] ??= [];
        const list = seen[name];
        if (list[list.length - 1] !== status + stage) list.push(status + stage);
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

const statusesSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { __statuses: Record<string, string[]> }).__statuses);

test("a student uploads a PDF and a photo of a page in one selection and watches both become ready", async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const user = await createUser(request, { prefix: "ui-materials" });
  await signInAs(page, user);
  await createCourse(page, "Radioactivité");
  await expect(page.getByText(fr.processing.photoHint)).toBeVisible();
  const input = page.getByLabel(fr.courses.upload);
  await expect(input).toHaveAttribute("multiple", "");
  await expect(input).toHaveAttribute("accept", "application/pdf,image/*");
  expect(await input.getAttribute("capture")).toBeNull();

  await recordStatuses(page);
  await input.setInputFiles([COURSE_PDF, PAGE_PHOTO]);

  // One bar per file, with its name.
  const uploads = page.getByTestId("upload-row");
  await expect(uploads).toHaveCount(2);
  for (const name of ["fr_pc_radioactivite_cours.pdf", "fr_pc_radioactivite_cours_p4_scan.jpg"]) {
    await expect(
      page.getByRole("progressbar", { name: format(fr.processing.uploadOf, { name }) }),
    ).toBeVisible();
  }
  await expect(uploads.nth(0)).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  await expect(uploads.nth(1)).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  await expect(uploads.nth(1)).toContainText(fr.processing.upload.done as string);

  const pdf = page.getByTestId("material-row").filter({ hasText: "fr_pc_radioactivite_cours.pdf" });
  const photo = page.getByTestId("material-row").filter({ hasText: "fr_pc_radioactivite_cours_p4_scan.jpg" });
  await expect(pdf).toHaveAttribute("data-status", "completed", { timeout: 120_000 });
  await expect(photo).toHaveAttribute("data-status", "completed", { timeout: 120_000 });
  await expect(pdf.getByText(fr.courses.status.completed as string)).toBeVisible();
  await expect(pdf).toContainText(format(fr.processing.pages, { n: "8" }));
  await expect(photo).toContainText(fr.processing.onePage);

  // Both went through the queue live, without a reload: pending, then processing with a bar.
  const seen = await statusesSeen(page);
  const pdfSeen = seen["fr_pc_radioactivite_cours.pdf"] ?? [];
  const photoSeen = seen["fr_pc_radioactivite_cours_p4_scan.jpg"] ?? [];
  expect(pdfSeen[0]).toBe("pending");
  expect(photoSeen[0]).toBe("pending");
  expect(pdfSeen.at(-1)).toBe("completed");
  expect(photoSeen.at(-1)).toBe("completed");
  // The photo waits for the PDF and then needs OCR: it is seen processing, with its bar.
  expect(photoSeen).toContain("processing+progress");
});

test("a dropped corrupt PDF fails with its reason and Retry queues it again; a refused file does not stop the others", async ({
  page,
  request,
}) => {
  const user = await createUser(request, { prefix: "ui-materials-retry" });
  await signInAs(page, user);
  await createCourse(page, "Maths");
  await recordStatuses(page);

  // Drag and drop of two files: the BMP is refused by the server, the "PDF" is uploaded.
  const files = await page.evaluateHandle(
    (pdf) => {
      const dt = new DataTransfer();
      dt.items.add(
        new File([new Uint8Array([0x42, 0x4d, 1, 2, 3, 4, 5, 6])], "dessin.bmp", { type: "image/bmp" }),
      );
      dt.items.add(new File([new Uint8Array(pdf)], "abime.pdf", { type: "application/pdf" }));
      return dt;
    },
    [...CORRUPT_PDF],
  );
  await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer: files });

  const bmp = page.getByTestId("upload-row").filter({ hasText: "dessin.bmp" });
  await expect(bmp).toHaveAttribute("data-state", "failed");
  await expect(bmp.getByRole("alert")).toHaveText("File type image/bmp not allowed");
  await expect(page.getByTestId("upload-row").filter({ hasText: "abime.pdf" })).toHaveAttribute(
    "data-state",
    "done",
  );

  const row = page.getByTestId("material-row").filter({ hasText: "abime.pdf" });
  await expect(row).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(row.getByText(fr.courses.status.failed as string)).toBeVisible();
  await expect(row.getByTestId("failure-reason")).toHaveText(fr.processing.reasons.corrupt as string);
  const retry = row.getByRole("button", { name: fr.processing.retry });
  await expect(retry).toBeVisible();

  await retry.click();
  // Back in the queue at once, then the same bytes fail again, shown without a reload.
  await expect(row).toHaveAttribute("data-status", /pending|processing/);
  await expect(row).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(row.getByTestId("failure-reason")).toHaveText(fr.processing.reasons.corrupt as string);
  const seen = (await statusesSeen(page))["abime.pdf"] ?? [];
  expect(seen.slice(seen.indexOf("failed"))).toEqual(expect.arrayContaining(["failed", "pending"]));
  expect(seen.at(-1)).toBe("failed");
});

test("in Arabic the page is right-to-left and the statuses are Arabic", async ({ page, request }) => {
  const user = await createUser(request, { prefix: "ui-materials-ar" });
  await setLocaleCookie(page.context(), "ar");
  await signInAs(page, user);
  await createCourse(page, "فيزياء", ar);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByText(ar.processing.dropZone)).toBeVisible();
  await expect(page.getByText(ar.processing.photoHint)).toBeVisible();

  await page.getByLabel(ar.courses.upload).setInputFiles([
    { name: "abime.pdf", mimeType: "application/pdf", buffer: CORRUPT_PDF },
    { name: path.basename(PAGE_PHOTO), mimeType: "image/jpeg", buffer: readFileSync(PAGE_PHOTO) },
  ]);
  await expect(page.getByTestId("upload-row").first()).toContainText(ar.processing.upload.done as string, {
    timeout: 30_000,
  });
  const bad = page.getByTestId("material-row").filter({ hasText: "abime.pdf" });
  await expect(bad).toHaveAttribute("data-status", "failed", { timeout: 30_000 });
  await expect(bad.getByText(ar.courses.status.failed as string)).toBeVisible();
  await expect(bad.getByTestId("failure-reason")).toHaveText(ar.processing.reasons.corrupt as string);
  await expect(bad.getByRole("button", { name: ar.processing.retry })).toBeVisible();

  const photo = page.getByTestId("material-row").filter({ hasText: "fr_pc_radioactivite_cours_p4_scan.jpg" });
  await expect(photo).toHaveAttribute("data-status", "completed", { timeout: 90_000 });
  await expect(photo.getByText(ar.courses.status.completed as string)).toBeVisible();
  await expect(photo).toContainText(ar.processing.onePage);
});
