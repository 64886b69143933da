import type { Page } from "@playwright/test";
import { citationHref } from "../../components/citation-href";
import { formatNumber } from "../../components/format";
import { format, MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import {
  BASE_URL,
  createUser,
  expect,
  hasHorizontalScroll,
  setLocaleCookie,
  signInAs,
  test,
  uploadTextbook,
} from "../fixtures";

// The page viewer a citation opens (/library/{id}/pages/{n}?q=…): the page rendered by the server,
// the cited passage boxed on it and marked in the page's text, page-by-page navigation, in French
// and in Arabic (right to left). Against a textbook uploaded and ingested by the server.

const { fr, ar } = MESSAGES;
const book = { id: "", title: "" };
const PASSAGE = "Une onde mecanique se propage dans un milieu materiel sans transport de matiere.";

test.beforeAll(async ({ playwright }, testInfo) => {
  testInfo.setTimeout(90_000);
  const suffix = `${testInfo.project.name}-${Date.now().toString(36)}`;
  book.title = `Physique lecture ${suffix}`;
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const pdf = await textPdf([
      [
        "Chapitre 1 : la radioactivite.",
        "La demi-vie est la duree au bout de laquelle la moitie des noyaux.",
      ],
      ["Chapitre 2 : les ondes mecaniques.", PASSAGE.slice(0, 44), PASSAGE.slice(45)],
      ["Chapitre 3 : la lumiere.", "La lumiere est une onde electromagnetique."],
    ]);
    book.id = await uploadTextbook(api, {
      file: { name: "physique-lecture.pdf", buffer: Buffer.from(pdf) },
      subject: `Physique ${suffix}`,
      title: book.title,
    });
  } finally {
    await api.dispose();
  }
});

/** The picture of the page, once the browser has decoded it. */
async function expectImageLoaded(page: Page) {
  const image = page.getByTestId("page-image");
  await expect(image).toBeVisible();
  await expect
    .poll(() =>
      image.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth),
    )
    .toBeGreaterThan(0);
}

test("a cited page opens with the passage highlighted; the student pages through the textbook", async ({
  page,
  request,
}, testInfo) => {
  const student = await createUser(request, { prefix: "viewer" });
  await signInAs(page, student);
  const href = citationHref({ document_id: book.id, page: 2, excerpt: PASSAGE });
  await page.goto(href);

  await expect(page.getByRole("heading", { level: 1, name: book.title })).toBeVisible();
  await expect(page.getByTestId("page-of")).toHaveText(format(fr.viewer.pageOf, { n: 2, total: 3 }));
  const image = page.getByRole("img", { name: format(fr.viewer.imageAlt, { n: 2, title: book.title }) });
  await expect(image).toHaveAttribute("loading", "lazy");
  await expect(image).toHaveAttribute("width", "1000");
  await expect(image).toHaveAttribute("height", String(Math.round((1000 * 842) / 595)));
  await expectImageLoaded(page);
  // The passage is printed over two lines: one box per line, over the picture.
  await expect(page.getByTestId("highlight")).toHaveCount(2);
  const imageBox = await image.boundingBox();
  const highlightBox = await page.getByTestId("highlight").first().boundingBox();
  expect(imageBox && highlightBox).toBeTruthy();
  if (imageBox && highlightBox) {
    expect(highlightBox.x).toBeGreaterThan(imageBox.x);
    expect(highlightBox.y).toBeGreaterThan(imageBox.y);
    expect(highlightBox.y + highlightBox.height).toBeLessThan(imageBox.y + imageBox.height / 4);
  }
  await expect(page.getByText(fr.viewer.passageShown)).toBeVisible();
  // The page's text, with the passage marked.
  await expect(page.getByTestId("page-text")).toContainText("Chapitre 2 : les ondes mecaniques.");
  await expect(page.getByTestId("page-text").locator("mark")).toHaveText(
    // From its first letter to its last: the final full stop is not part of the match.
    `${PASSAGE.slice(0, 44)}\n${PASSAGE.slice(45, -1)}`,
  );
  await expect(page.getByRole("link", { name: fr.viewer.openPdf })).toHaveAttribute(
    "href",
    `/api/curriculum/textbooks/${book.id}/file#page=2`,
  );
  await page.screenshot({ path: testInfo.outputPath("viewer-fr.png"), fullPage: true });

  // Next page, from the keyboard.
  const pages = page.getByRole("navigation", { name: fr.viewer.pages });
  await pages.getByRole("link", { name: fr.viewer.next }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/library/${book.id}/pages/3$`));
  await expect(page.getByTestId("page-of")).toHaveText(format(fr.viewer.pageOf, { n: 3, total: 3 }));
  await expect(pages.getByRole("link", { name: fr.viewer.next })).toHaveCount(0);
  await expectImageLoaded(page);
  await expect(page.getByTestId("highlight")).toHaveCount(0);
  await expect(page.getByText(fr.viewer.passageShown)).toHaveCount(0);

  await pages.getByRole("link", { name: fr.viewer.previous }).click();
  await expect(page).toHaveURL(new RegExp(`/library/${book.id}/pages/2$`));
  await pages.getByRole("link", { name: fr.viewer.previous }).click();
  await expect(page.getByTestId("page-of")).toHaveText(format(fr.viewer.pageOf, { n: 1, total: 3 }));
  await expect(pages.getByRole("link", { name: fr.viewer.previous })).toHaveCount(0);

  // A passage that is not on the page says so; a page beyond the textbook is not found.
  await page.goto(
    `/library/${book.id}/pages/1?q=${encodeURIComponent("La photosynthese des plantes vertes")}`,
  );
  await expect(page.getByText(fr.viewer.passageMissing)).toBeVisible();
  await expect(page.getByTestId("highlight")).toHaveCount(0);
  expect((await page.goto(`/library/${book.id}/pages/4`))?.status()).toBe(404);
});

test("in Arabic the viewer reads right to left, on a phone-sized screen too", async ({
  page,
  request,
  context,
}, testInfo) => {
  const student = await createUser(request, { prefix: "viewer-ar" });
  await signInAs(page, student);
  await setLocaleCookie(context, "ar");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(citationHref({ document_id: book.id, page: 2, excerpt: PASSAGE }));

  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  const n = (x: number) => formatNumber("ar", x);
  await expect(page.getByTestId("page-of")).toHaveText(format(ar.viewer.pageOf, { n: n(2), total: n(3) }));
  await expect(
    page.getByRole("img", { name: format(ar.viewer.imageAlt, { n: n(2), title: book.title }) }),
  ).toBeVisible();
  await expectImageLoaded(page);
  await expect(page.getByTestId("highlight")).toHaveCount(2);
  const pages = page.getByRole("navigation", { name: ar.viewer.pages });
  const previous = pages.getByRole("link", { name: ar.viewer.previous });
  const next = pages.getByRole("link", { name: ar.viewer.next });
  await expect(previous).toBeVisible();
  await expect(next).toBeVisible();
  await expect(pages.getByRole("link", { name: ar.viewer.openPdf })).toBeVisible();
  await expect(page.getByText(ar.viewer.passageShown)).toBeVisible();
  await expect(page.getByText(ar.viewer.text)).toBeVisible();
  // Right to left: "previous" comes first, so it sits to the right of "next".
  const [p, x] = [await previous.boundingBox(), await next.boundingBox()];
  expect(p && x && p.x > x.x).toBe(true);
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("viewer-ar.png"), fullPage: true });

  await next.click();
  await expect(page.getByTestId("page-of")).toHaveText(format(ar.viewer.pageOf, { n: n(3), total: n(3) }));
});
