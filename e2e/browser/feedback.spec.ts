import type { Page } from "@playwright/test";
import { MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import { BASE_URL, createUser, expect, signInAs, test, USERS, uploadTextbook } from "../fixtures";

// The actions under a tutor answer (copy, thumbs, regenerate) and the admin's view of the
// ratings, against the offline tutor. The project uploads its own textbook under a subject of its
// own (as tutor.spec.ts does), so the answers come from it alone.

const { fr } = MESSAGES;
const OFFLINE_NOTICE = "Tuteur hors ligne (sans modèle d'IA)";
const library = { subject: "" };

test.beforeAll(async ({ playwright }, testInfo) => {
  testInfo.setTimeout(90_000);
  const suffix = `${testInfo.project.name}-${Date.now().toString(36)}`;
  library.subject = `Physique avis ${suffix}`;
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const pdf = await textPdf([
      [
        "Chapitre 1 : la radioactivite.",
        "La demi-vie est la duree au bout de laquelle la moitie des noyaux radioactifs se desintegre.",
      ],
    ]);
    await uploadTextbook(api, {
      file: { name: "physique-avis.pdf", buffer: Buffer.from(pdf) },
      subject: library.subject,
      title: `Physique 7AS avis ${suffix}`,
    });
  } finally {
    await api.dispose();
  }
});

interface StoredMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  feedback: "up" | "down" | null;
}

async function storedMessages(page: Page, conversationId: string): Promise<StoredMessage[]> {
  const res = await page.request.get(`/api/conversations/${conversationId}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { messages: StoredMessage[] }).messages;
}

/** Clicks a thumb and waits for the server to have stored it. */
async function rate(page: Page, thumb: ReturnType<Page["getByRole"]>) {
  const saved = page.waitForResponse(
    (r) => r.request().method() === "PUT" && r.url().endsWith("/feedback") && r.status() === 200,
  );
  await thumb.click();
  await saved;
}

test("a student copies, rates and regenerates an answer; the admin sees the rating", async ({
  page,
  request,
  browser,
}, testInfo) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE_URL });
  const student = await createUser(request, { prefix: "feedback" });
  await signInAs(page, student);
  await page.goto("/chat");
  await page.getByLabel(fr.chat.grade).selectOption("7AS");
  await page.getByLabel(fr.chat.subject).selectOption(library.subject);
  // A word of its own, to find this question among the others on the admin page.
  const tag = `avis${Date.now().toString(36)}`;
  const question = `Qu'est-ce que la demi-vie des noyaux radioactifs ? (${tag})`;
  const box = page.getByLabel(fr.chat.inputLabel);
  await box.fill(question);
  await box.press("Enter");

  const answer = page.getByTestId("assistant-message");
  await expect(answer).toHaveCount(1);
  await expect(answer).toContainText(OFFLINE_NOTICE);
  const actions = answer.getByRole("group", { name: fr.feedback.actions });
  await expect(actions).toBeVisible();
  await expect(page).toHaveURL(/\/chat\?c=[0-9a-f-]{36}$/);
  const conversationId = new URL(page.url()).searchParams.get("c") ?? "";
  const [, first] = await storedMessages(page, conversationId);
  expect(first?.role).toBe("assistant");

  // Copy: the answer's Markdown lands in the clipboard, and a toast says so.
  await actions.getByRole("button", { name: fr.feedback.copy }).click();
  await expect(page.getByTestId("toast").filter({ hasText: fr.feedback.copied })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first?.content);

  // Thumbs up: pressed at once (right after streaming: the stream carried the stored id) and stored.
  const up = actions.getByRole("button", { name: fr.feedback.up, exact: true });
  const down = actions.getByRole("button", { name: fr.feedback.down, exact: true });
  await expect(up).toHaveAttribute("aria-pressed", "false");
  await rate(page, up);
  await expect(up).toHaveAttribute("aria-pressed", "true");
  await expect(down).toHaveAttribute("aria-pressed", "false");
  expect((await storedMessages(page, conversationId))[1]?.feedback).toBe("up");

  // A reload reopens the conversation with the thumb still pressed.
  await page.reload();
  await expect(answer).toContainText(OFFLINE_NOTICE);
  await expect(up).toHaveAttribute("aria-pressed", "true");
  await page.screenshot({ path: testInfo.outputPath("feedback-rated.png"), fullPage: true });

  // Regenerate: one answer remains (a new one), the question is not asked twice.
  const regenerate = actions.getByRole("button", { name: fr.feedback.regenerate });
  await expect(regenerate).toHaveCount(1);
  await regenerate.click();
  await expect(answer).toHaveCount(1);
  await expect(answer).toContainText(OFFLINE_NOTICE);
  await expect(answer).toContainText("la moitie des noyaux radioactifs se desintegre");
  await expect(page.getByTestId("user-message")).toHaveCount(1);
  await expect(up).toHaveAttribute("aria-pressed", "false");
  await expect
    .poll(async () => (await storedMessages(page, conversationId)).map((m) => m.role))
    .toStrictEqual(["user", "assistant"]);
  const [storedQuestion, second] = await storedMessages(page, conversationId);
  expect(storedQuestion?.content).toBe(question);
  expect(second?.id).not.toBe(first?.id);
  expect(second?.feedback).toBeNull();

  // The new answer is rated as well; the admin finds it among the helpful ones.
  await rate(page, up);
  await expect(up).toHaveAttribute("aria-pressed", "true");

  const adminContext = await browser.newContext({ locale: "fr-FR" });
  try {
    const admin = await adminContext.newPage();
    await signInAs(admin, USERS.admin);
    await admin.goto("/admin/feedback");
    await expect(admin.getByRole("heading", { name: fr.feedback.title, level: 1 })).toBeVisible();
    expect(Number(await admin.getByTestId("feedback-up-count").textContent())).toBeGreaterThan(0);
    const row = admin.getByTestId("feedback-row").filter({ hasText: tag });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(student.email);
    await expect(row).toContainText(fr.feedback.up);
    await expect(row).toContainText(OFFLINE_NOTICE);

    const filters = admin.getByRole("navigation", { name: fr.feedback.filterLabel });
    await filters.getByRole("link", { name: fr.feedback.downFilter, exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/feedback\?rating=down$/);
    await expect(admin.getByTestId("feedback-row").filter({ hasText: tag })).toHaveCount(0);
    await filters.getByRole("link", { name: fr.feedback.upFilter, exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/feedback\?rating=up$/);
    await expect(admin.getByTestId("feedback-row").filter({ hasText: tag })).toHaveCount(1);
    await admin.screenshot({ path: testInfo.outputPath("admin-feedback.png"), fullPage: true });
  } finally {
    await adminContext.close();
  }
});

test("the course chat's answers have the copy button too", async ({ page, request }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE_URL });
  const student = await createUser(request, { prefix: "feedback-course" });
  await signInAs(page, student);
  const created = await page.request.post("/api/courses", {
    data: { name: `Avis ${Date.now().toString(36)}` },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const pdf = await textPdf([
    ["La demi-vie est la duree au bout de laquelle la moitie des noyaux se desintegre."],
  ]);
  const upload = await page.request.post(`/api/courses/${id}/materials`, {
    multipart: { file: { name: "demi-vie.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf) } },
  });
  expect(upload.status()).toBe(201);
  await expect
    .poll(
      async () => {
        const list = (await (await page.request.get(`/api/courses/${id}/materials`)).json()) as {
          processing_status: string;
        }[];
        return list[0]?.processing_status;
      },
      { timeout: 45_000, intervals: [500] },
    )
    .toBe("completed");

  await page.goto(`/courses/${id}`);
  const box = page.getByLabel(fr.chat.inputLabel);
  await box.fill("Qu'est-ce que la demi-vie ?");
  await box.press("Enter");
  const answer = page.getByTestId("course-chat-answer");
  await expect(answer).toContainText(OFFLINE_NOTICE);
  // No ratings here: the course chat keeps no per-answer ids.
  await expect(answer.getByRole("button", { name: fr.feedback.up, exact: true })).toHaveCount(0);
  await answer.getByRole("button", { name: fr.feedback.copy }).click();
  await expect(page.getByTestId("toast").filter({ hasText: fr.feedback.copied })).toBeVisible();
  const history = (await (await page.request.get(`/api/courses/${id}/chat`)).json()) as {
    history: { role: string; content: string }[];
  }[];
  const stored = history.at(-1)?.history.findLast((h) => h.role === "model")?.content;
  expect(stored).toContain(OFFLINE_NOTICE);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stored);
});
