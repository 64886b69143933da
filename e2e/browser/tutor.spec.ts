import type { APIRequestContext, Page } from "@playwright/test";
import { citationHref } from "../../components/citation-href";
import { formatNumber } from "../../components/format";
import { NOT_IN_TEXTBOOKS } from "../../lib/ai/prompts";
import { format, MESSAGES } from "../../lib/i18n/messages";
import { textPdf } from "../../test/fixtures-gen/documents";
import {
  adminHeaders,
  BASE_URL,
  bearer,
  createUser,
  expect,
  hasHorizontalScroll,
  newApiContext,
  setLocaleCookie,
  signIn,
  signInAs,
  test,
  USERS,
  uploadTextbook,
} from "../fixtures";

// The student's tutor (/chat), the course chat and the admin wallet page, against the offline
// tutor (no OPENAI_API_KEY on the e2e servers). Each project uploads its own textbook under a
// subject of its own, so the answers come from it alone whatever else the shared library holds.

const { fr, ar } = MESSAGES;
/** The offline tutor's first line (lib/ai/offline-tutor.ts): it says plainly it is not an AI model. */
const OFFLINE_NOTICE = "Tuteur hors ligne (sans modèle d'IA)";

const library = { subject: "", title: "", documentId: "" };

test.beforeAll(async ({ playwright }, testInfo) => {
  testInfo.setTimeout(90_000);
  const suffix = `${testInfo.project.name}-${Date.now().toString(36)}`;
  library.subject = `Physique tuteur ${suffix}`;
  library.title = `Physique 7AS tuteur ${suffix}`;
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const pdf = await textPdf([
      [
        "Chapitre 1 : la radioactivite.",
        "La demi-vie est la duree au bout de laquelle la moitie des noyaux radioactifs se desintegre.",
      ],
      [
        "Chapitre 2 : les ondes mecaniques.",
        "Une onde mecanique se propage dans un milieu materiel sans transport de matiere.",
      ],
    ]);
    // Ingestion runs in the server; the textbook is listed once it is ready.
    library.documentId = await uploadTextbook(api, {
      file: { name: "physique-tuteur.pdf", buffer: Buffer.from(pdf) },
      subject: library.subject,
      title: library.title,
    });
  } finally {
    await api.dispose();
  }
});

/** The number on the balance chip ("20 000 jetons" → 20000). */
async function balanceOf(page: Page): Promise<number> {
  return Number(((await page.getByTestId("balance").textContent()) ?? "").replace(/\D/g, ""));
}

async function ask(page: Page, question: string) {
  const box = page.getByLabel(fr.chat.inputLabel);
  await box.fill(question);
  await box.press("Enter");
}

test("a student asks the tutor, reads the cited page, and finds the conversation again", async ({
  page,
  request,
  isMobile,
}, testInfo) => {
  const student = await createUser(request, { prefix: "tutor" });
  await signInAs(page, student);
  await page.goto("/");
  await page.getByRole("navigation", { name: "main" }).getByRole("link", { name: fr.nav.tutor }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("heading", { name: fr.chat.title, level: 1 })).toBeVisible();
  await expect(page.getByText(fr.chat.empty)).toBeVisible();
  const before = await balanceOf(page);
  expect(before).toBeGreaterThan(0);

  // The hint level: the profile's (3) is the most help; levels 1 and 2 cannot be chosen.
  await expect(page.getByRole("radio", { name: fr.hintLevels[3] })).toBeChecked();
  await expect(page.getByRole("radio", { name: fr.hintLevels[1] })).toBeDisabled();
  await expect(page.getByRole("radio", { name: fr.hintLevels[2] })).toBeDisabled();
  await expect(page.getByRole("radio", { name: fr.hintLevels[5] })).toBeEnabled();
  await expect(page.getByText(format(fr.chat.hintExplain, { n: 3 }))).toBeVisible();

  await page.getByLabel(fr.chat.grade).selectOption("7AS");
  await page.getByLabel(fr.chat.subject).selectOption(library.subject);
  const question = "Qu'est-ce que la demi-vie des noyaux radioactifs ?";
  // While the answer streams Stop replaces Send. The offline tutor can finish within one polling
  // interval, so the page itself records whether the button ever appeared.
  await page.evaluate((label) => {
    const w = window as unknown as { sawStop?: boolean };
    w.sawStop = false;
    new MutationObserver((_, observer) => {
      const stop = [...document.querySelectorAll("button")].some((b) => b.textContent?.trim() === label);
      if (stop) {
        w.sawStop = true;
        observer.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }, fr.chat.stop);
  await ask(page, question);
  await expect(page.getByTestId("user-message").last()).toContainText(question);
  const answer = page.getByTestId("assistant-message").last();
  await expect(answer).toContainText(OFFLINE_NOTICE);
  await expect(answer).toContainText("la moitie des noyaux radioactifs se desintegre");
  await expect(page.getByRole("button", { name: fr.chat.send })).toBeVisible();
  await expect(page.getByLabel(fr.chat.inputLabel)).toBeEnabled();
  expect(await page.evaluate(() => (window as unknown as { sawStop?: boolean }).sawStop)).toBe(true);

  // The citation chip opens the textbook's PDF at the cited page.
  const chip = answer
    .getByTestId("source-chip")
    .filter({ hasText: format(fr.chat.sourceChip, { title: library.title, n: 1 }) });
  await expect(chip).toBeVisible();
  await expect(chip).toHaveAttribute(
    "href",
    new RegExp(`^/library/${library.documentId}/pages/1\\?q=.*demi-vie`),
  );
  await expect(chip).toHaveAttribute("target", "_blank");
  await expect(chip).toHaveAttribute("title", /moitie des noyaux/);
  const href = (await chip.getAttribute("href")) ?? "";
  expect(href).toBe(
    citationHref({
      document_id: library.documentId,
      page: 1,
      excerpt: (await chip.getAttribute("title")) ?? "",
    }),
  );
  const viewer = await page.request.get(href);
  expect(viewer.status()).toBe(200);
  expect(await viewer.text()).toContain(format(fr.viewer.pageOf, { n: 1, total: 2 }));

  // The answer was billed: the chip shows less than before.
  await expect.poll(() => balanceOf(page)).toBeLessThan(before);
  await expect(page).toHaveURL(/\/chat\?c=[0-9a-f-]{36}$/);
  const conversationUrl = page.url();

  // A question the textbooks cannot answer: the tutor says so, in the question's language.
  await ask(page, "Quelle est la capitale de l'Australie ?");
  await expect(page.getByTestId("assistant-message").last()).toContainText(NOT_IN_TEXTBOOKS.fr);
  await expect(page.getByTestId("assistant-message")).toHaveCount(2);
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("tutor-fr.png"), fullPage: true });

  // The conversation is listed; a new one starts empty; the old one comes back with its sources.
  const listed = page.getByTestId("conversation").filter({ hasText: "demi-vie" });
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText(format(fr.chat.messageCount, { n: 4 }));
  await page.getByRole("button", { name: fr.chat.newConversation }).click();
  await expect(page.getByText(fr.chat.empty)).toBeVisible();
  await expect(page).toHaveURL(/\/chat$/);
  await page.reload();
  // On a phone the list is folded away behind a button.
  if (isMobile) await page.getByRole("button", { name: fr.chat.conversations }).click();
  await page.getByTestId("conversation").filter({ hasText: "demi-vie" }).click();
  await expect(page.getByTestId("user-message")).toHaveCount(2);
  await expect(page.getByTestId("assistant-message").first()).toContainText(OFFLINE_NOTICE);
  await expect(
    page.getByTestId("assistant-message").first().getByTestId("source-chip").first(),
  ).toHaveAttribute("href", /^\/library\/[0-9a-f-]{36}\/pages\/\d+\?q=/);
  expect(page.url()).toBe(conversationUrl);

  // Reloading the conversation's URL reopens it.
  await page.reload();
  await expect(page.getByTestId("user-message").first()).toContainText(question);
  await expect(page.getByTestId("conversation").first()).toHaveAttribute("aria-current", "true");
});

/** A course of the student's with a text PDF, processed. */
async function courseWithMaterial(api: APIRequestContext): Promise<{ id: string; name: string }> {
  const name = `Physique ${Date.now().toString(36)}`;
  const created = await api.post("/api/courses", { data: { name } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const pdf = await textPdf([
    ["La demi-vie est la duree au bout de laquelle la moitie des noyaux se desintegre."],
    ["Lors d'une transformation nucleaire il y a conservation de la charge electrique."],
  ]);
  const upload = await api.post(`/api/courses/${id}/materials`, {
    multipart: { file: { name: "radioactivite.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdf) } },
  });
  expect(upload.status()).toBe(201);
  await expect
    .poll(
      async () => {
        const list = (await (await api.get(`/api/courses/${id}/materials`)).json()) as {
          processing_status: string;
        }[];
        return list[0]?.processing_status;
      },
      { timeout: 45_000, intervals: [500] },
    )
    .toBe("completed");
  return { id, name };
}

test("the course chat answers from the course's file, with a citation, and keeps its history", async ({
  page,
  request,
}, testInfo) => {
  const student = await createUser(request, { prefix: "course-chat" });
  await signInAs(page, student);
  const course = await courseWithMaterial(page.request);
  await page.goto(`/courses/${course.id}`);
  await expect(page.getByRole("heading", { name: course.name })).toBeVisible();
  // The materials list, upload and search are still there.
  await expect(page.getByTestId("material-row")).toContainText(fr.courses.status.completed as string);
  await expect(page.getByLabel(fr.courses.upload)).toBeVisible();
  await expect(page.getByRole("heading", { name: fr.courseChat.title })).toBeVisible();
  await expect(page.getByText(fr.courseChat.empty)).toBeVisible();

  await ask(page, "Qu'est-ce que la conservation de la charge ?");
  const answer = page.getByTestId("course-chat-answer");
  await expect(answer).toHaveCount(1);
  await expect(answer).toContainText(OFFLINE_NOTICE);
  await expect(answer).toContainText("[1]");
  await expect(answer).toContainText("radioactivite.pdf");
  await expect(answer).toContainText("conservation de la charge electrique");
  await page.screenshot({ path: testInfo.outputPath("course-chat-fr.png"), fullPage: true });

  await page.reload();
  await expect(page.getByTestId("course-chat-question")).toContainText("conservation de la charge");
  await expect(page.getByTestId("course-chat-answer")).toContainText("radioactivite.pdf");
});

test("an admin tops up a student once, records an expense, and filters the ledger", async ({
  page,
  request,
}, testInfo) => {
  const student = await createUser(request, { prefix: "wallet", fullName: "Élève Portefeuille" });
  await signInAs(page, USERS.admin);
  await page.goto("/admin");
  await page
    .getByRole("navigation", { name: "main" })
    .getByRole("navigation", { name: fr.nav.admin })
    .getByRole("link", { name: fr.nav.adminWallet })
    .click();
  await expect(page).toHaveURL(/\/admin\/wallet$/);
  await expect(page.getByRole("heading", { name: fr.wallet.title, level: 1 })).toBeVisible();
  await expect(page.getByText(fr.wallet.chooseUserFirst)).toBeVisible();

  // Choose the student by email: their balance and the top-up form.
  await page.getByLabel(fr.wallet.lookupLabel).fill(student.email.toUpperCase());
  await page.getByRole("button", { name: fr.wallet.filter }).click();
  await expect(
    page.getByRole("heading", { name: format(fr.wallet.topUpFor, { name: student.fullName }) }),
  ).toBeVisible();
  const available = page.getByTestId("account-balance").locator('[data-key="available"] dd');
  await expect(available).toHaveText(formatNumber("fr", 20_000));
  const rows = page.getByTestId("transaction-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-type", "grant");

  // A double click sends one submission (one Idempotency-Key): one credit.
  const form = page.getByRole("form", { name: fr.wallet.topUpTitle });
  await form.getByLabel(fr.wallet.tokens).fill("5000");
  await form.getByLabel(fr.wallet.amount).fill("250");
  await form.getByLabel(fr.wallet.note).fill("Recharge e2e");
  await form.getByRole("button", { name: fr.wallet.topUp }).dblclick();
  await expect(form.getByRole("status")).toHaveText(
    format(fr.wallet.toppedUp, { tokens: formatNumber("fr", 5000), balance: formatNumber("fr", 25_000) }),
  );
  await expect(available).toHaveText(formatNumber("fr", 25_000));
  const topups = rows.and(page.locator('[data-type="topup"]'));
  await expect(topups).toHaveCount(1);
  await expect(topups).toContainText(`+${formatNumber("fr", 5000)}`);
  await expect(topups).toContainText(
    new Intl.NumberFormat("fr", { style: "currency", currency: "MRU" }).format(250),
  );
  await expect(topups).toContainText("Recharge e2e");
  await expect(rows).toHaveCount(2);
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("admin-wallet-fr.png"), fullPage: true });

  // The student sees it.
  const api = await newApiContext();
  const session = await signIn(api, student.email, student.password);
  const balance = await api.get("/api/wallet/balance", { headers: bearer(session.access_token) });
  expect(((await balance.json()) as { available: number }).available).toBe(25_000);
  await api.dispose();

  // Filters: type.
  await page.getByLabel(fr.wallet.type).selectOption("grant");
  await page.getByRole("button", { name: fr.wallet.filter }).click();
  await expect(page).toHaveURL(/type=grant/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-type", "grant");

  // An expense (no account), found with the type and direction filters.
  const description = `Serveur e2e ${Date.now().toString(36)}`;
  const expense = page.getByRole("form", { name: fr.wallet.expenseTitle });
  await expense.getByLabel(fr.wallet.expenseAmount).fill("1200.5");
  await expense.getByLabel(fr.wallet.category).fill("Hébergement");
  await expense.getByLabel(fr.wallet.description).fill(description);
  await expense.getByRole("button", { name: fr.wallet.recordExpense }).click();
  await expect(expense.getByRole("status")).toHaveText(fr.wallet.expenseRecorded);
  await page.getByRole("link", { name: fr.wallet.clear }).click();
  await expect(page).toHaveURL(/\/admin\/wallet$/);
  await page.getByLabel(fr.wallet.type).selectOption("expense");
  await page.getByLabel(fr.wallet.direction).selectOption("debit");
  await page.getByRole("button", { name: fr.wallet.filter }).click();
  await expect(page).toHaveURL(/direction=debit/);
  const row = rows.filter({ hasText: description });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(fr.wallet.system);
  await expect(row).toContainText("Hébergement");
  await expect(row).toContainText(
    new Intl.NumberFormat("fr", { style: "currency", currency: "MRU" }).format(1200.5),
  );
  for (const type of await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-type"))))
    expect(type).toBe("expense");
});

test("a student whose tokens are used up is told so clearly; rate limits and outages too", async ({
  page,
  request,
}, testInfo) => {
  const student = await createUser(request, { prefix: "tutor-broke" });
  // Reserve everything the student can spend (there is no drain endpoint; a reservation holds it).
  const api = await newApiContext();
  const session = await signIn(api, student.email, student.password);
  const { available } = (await (
    await api.get("/api/wallet/balance", { headers: bearer(session.access_token) })
  ).json()) as { available: number };
  const reserve = await api.post("/api/wallet/internal/reserve", {
    headers: adminHeaders(),
    data: { user_id: student.id, tokens: available, ttl_seconds: 600 },
  });
  expect(reserve.status(), await reserve.text()).toBe(201);
  await api.dispose();

  await signInAs(page, student);
  await page.goto("/chat");
  const outOfTokens = format(fr.chat.outOfTokens, { n: formatNumber("fr", 0) });
  await expect(page.getByTestId("balance")).toContainText(
    format(fr.chat.balance, { n: formatNumber("fr", 0) }),
  );
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(outOfTokens);

  // Asking anyway: the server refuses (402) and the same sentence stays, nothing else.
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/chat"));
  await ask(page, "Qu'est-ce que la demi-vie ?");
  expect((await refused).status()).toBe(402);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(outOfTokens);
  await expect(page.getByTestId("assistant-message")).toHaveCount(0);
  await expect(page.getByLabel(fr.chat.inputLabel)).toBeEnabled();
  await page.screenshot({ path: testInfo.outputPath("tutor-out-of-tokens-fr.png"), fullPage: true });

  // The rate limit's wait and an unavailable model, as the server answers them.
  await page.route("**/api/chat", (route) =>
    route.fulfill({
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "42" },
      body: JSON.stringify({ detail: "Rate limit exceeded", code: "RATE_LIMITED" }),
    }),
  );
  await ask(page, "Et la radioactivité ?");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(format(fr.chat.rateLimited, { s: 42 }));
  await page.unroute("**/api/chat");
  await page.route("**/api/chat", (route) =>
    route.fulfill({
      status: 503,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: "AI service unavailable", code: "LOCAL_AI_API_ERROR" }),
    }),
  );
  await ask(page, "Et les ondes ?");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(fr.chat.unavailable);
});

/** A UI message stream (SSE) as POST /api/chat sends it, for answers the offline tutor never writes. */
function uiMessageStream(parts: Record<string, unknown>[]): string {
  return `${parts.map((p) => `data: ${JSON.stringify(p)}\n\n`).join("")}data: [DONE]\n\n`;
}

test("an answer's Markdown and formulas render with KaTeX, its fonts served by the app", async ({
  page,
  request,
}) => {
  const student = await createUser(request, { prefix: "tutor-math" });
  await signInAs(page, student);
  const elsewhere: string[] = [];
  const fonts: { url: string; status: number }[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(BASE_URL) && !r.url().startsWith("data:")) elsewhere.push(r.url());
  });
  page.on("response", (r) => {
    if (/KaTeX_.*\.woff2$/.test(r.url())) fonts.push({ url: r.url(), status: r.status() });
  });
  const answer = [
    "La loi de décroissance : \\(N(t) = N_0 e^{-\\lambda t}\\), d'où",
    "$$t_{1/2} = \\frac{\\ln 2}{\\lambda}$$",
    "| Noyau | Demi-vie |",
    "|---|---|",
    "| Carbone 14 | 5730 ans |",
    "",
    "- **Retiens** la formule.",
  ].join("\n");
  await page.route("**/api/chat", (route) =>
    route.fulfill({
      status: 200,
      headers: { "content-type": "text/event-stream", "x-vercel-ai-ui-message-stream": "v1" },
      body: uiMessageStream([
        { type: "start" },
        { type: "text-start", id: "answer" },
        ...answer.split(/(?<=\s)/).map((delta) => ({ type: "text-delta", id: "answer", delta })),
        { type: "text-end", id: "answer" },
        { type: "finish" },
      ]),
    }),
  );
  await page.goto("/chat");
  await ask(page, "Donne la loi de décroissance radioactive.");
  const message = page.getByTestId("assistant-message");
  await expect(message.locator(".katex")).toHaveCount(2);
  await expect(message.locator(".katex-display")).toHaveCount(1);
  await expect(message.locator("table td").first()).toHaveText("Carbone 14");
  await expect(message.locator("li strong")).toHaveText("Retiens");
  await expect(message.locator(".katex").first()).toHaveCSS("direction", "ltr");
  await expect.poll(() => fonts.length).toBeGreaterThan(0);
  for (const font of fonts) {
    expect(font.url).toContain(`${BASE_URL}/_next/static/media/`);
    expect(font.status).toBe(200);
  }
  expect(elsewhere).toStrictEqual([]);
});

test("the tutor in Arabic: a right-to-left page and a right-to-left answer", async ({
  page,
  context,
  request,
}, testInfo) => {
  await setLocaleCookie(context, "ar");
  const student = await createUser(request, { prefix: "tutor-ar" });
  await signInAs(page, student);
  await page.goto("/chat");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { name: ar.chat.title, level: 1 })).toBeVisible();
  await expect(page.getByText(format(ar.chat.hintExplain, { n: 3 }))).toBeVisible();
  await expect(page.getByTestId("balance")).toContainText(ar.chat.balance.replace("{n}", "").trim());
  expect(await hasHorizontalScroll(page)).toBeNull();

  await page.getByLabel(ar.chat.subject).selectOption(library.subject);
  const box = page.getByLabel(ar.chat.inputLabel);
  await box.fill("ما هي عاصمة أستراليا؟");
  await box.press("Enter");
  const answer = page.getByTestId("assistant-message").last();
  await expect(answer).toContainText(NOT_IN_TEXTBOOKS.ar);
  const direction = await answer.locator(".markdown").evaluate((el) => getComputedStyle(el).direction);
  expect(direction).toBe("rtl");
  expect(await hasHorizontalScroll(page)).toBeNull();
  await page.screenshot({ path: testInfo.outputPath("tutor-ar.png"), fullPage: true });
});
