import { PDFDocument, StandardFonts } from "pdf-lib";
import { MESSAGES } from "../../lib/i18n/messages";
import { createUser, expect, signInAs, test } from "../fixtures";

const fr = MESSAGES.fr;

async function coursePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lines = [
    "La demi-vie est la duree au bout de laquelle la moitie des noyaux s'est desintegree.",
    "Lors d'une transformation nucleaire il y a conservation de la charge electrique.",
  ];
  for (const text of lines) doc.addPage([595, 842]).drawText(text, { x: 40, y: 780, size: 11, font });
  return Buffer.from(await doc.save());
}

test("a student creates a course, uploads a PDF, watches it become ready and searches it", async ({
  page,
  request,
}) => {
  const user = await createUser(request, { prefix: "ui-course" });
  await signInAs(page, user);
  await page.goto("/courses");
  await expect(page.getByRole("heading", { name: fr.courses.title })).toBeVisible();
  await page.getByLabel(fr.courses.name).fill("Physique Terminale");
  await page.getByRole("button", { name: fr.courses.create }).click();
  await expect(page.getByRole("heading", { name: "Physique Terminale" })).toBeVisible();

  await page.getByLabel(fr.courses.upload).setInputFiles({
    name: "radioactivité.pdf",
    mimeType: "application/pdf",
    buffer: await coursePdf(),
  });
  const row = page.getByTestId("material-row").filter({ hasText: "radioactivité.pdf" });
  await expect(row).toBeVisible();
  await expect(row.getByText(fr.courses.status.completed as string)).toBeVisible({ timeout: 60_000 });

  await page.getByPlaceholder(fr.courses.searchPlaceholder).fill("conservation de la charge");
  await page.getByRole("button", { name: fr.courses.search }).click();
  const hit = page.getByTestId("search-hit").first();
  await expect(hit).toContainText("radioactivité.pdf");
  await expect(hit).toContainText("conservation de la charge");
});

test("a bad file shows the server's reason, and another student cannot open the course", async ({
  page,
  request,
  browser,
}) => {
  const user = await createUser(request, { prefix: "ui-course-bad" });
  await signInAs(page, user);
  await page.goto("/courses");
  await page.getByLabel(fr.courses.name).fill("Maths");
  await page.getByRole("button", { name: fr.courses.create }).click();
  await expect(page.getByRole("heading", { name: "Maths" })).toBeVisible();
  const url = page.url();
  await page.getByLabel(fr.courses.upload).setInputFiles({
    name: "dessin.bmp",
    mimeType: "image/bmp",
    buffer: Buffer.from([0x42, 0x4d, 1, 2, 3, 4, 5, 6]),
  });
  await expect(page.locator("main").getByRole("alert")).toHaveText("File type image/bmp not allowed");

  const other = await createUser(request, { prefix: "ui-course-other" });
  const context = await browser.newContext();
  const otherPage = await context.newPage();
  await signInAs(otherPage, other);
  const res = await otherPage.goto(url);
  expect(res?.status()).toBe(404);
  await context.close();
});

test("a photo of a page is read by OCR in the built app", async ({ page, request }) => {
  const { createCanvas } = await import("@napi-rs/canvas");
  const canvas = createCanvas(1400, 500);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, 1400, 500);
  ctx.fillStyle = "black";
  ctx.font = "56px sans-serif";
  ctx.fillText("La radioactivite est un phenomene", 60, 160);
  ctx.fillText("spontane et aleatoire.", 60, 260);
  const png = canvas.toBuffer("image/png");

  const user = await createUser(request, { prefix: "ui-course-ocr" });
  await signInAs(page, user);
  await page.goto("/courses");
  await page.getByLabel(fr.courses.name).fill("Photos");
  await page.getByRole("button", { name: fr.courses.create }).click();
  await expect(page.getByRole("heading", { name: "Photos" })).toBeVisible();
  await page
    .getByLabel(fr.courses.upload)
    .setInputFiles({ name: "page.png", mimeType: "image/png", buffer: png });
  const row = page.getByTestId("material-row").filter({ hasText: "page.png" });
  await expect(row.getByText(fr.courses.status.completed as string)).toBeVisible({ timeout: 90_000 });
  await page.getByPlaceholder(fr.courses.searchPlaceholder).fill("aleatoire");
  await page.getByRole("button", { name: fr.courses.search }).click();
  await expect(page.getByTestId("search-hit").first()).toContainText(/al[ée]atoire/i);
});
