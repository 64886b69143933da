import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import {
  BASE_URL,
  DIRECT_PORT,
  DIRECT_URL,
  ISOLATED_AUTH_RATE_LIMIT,
  ISOLATED_AUTH_RATE_WINDOW,
  ISOLATED_PORT,
  ISOLATED_URL,
  JOURNEY_PORT,
  JOURNEY_SIGNUP_GRANT,
  JOURNEY_URL,
  KOUTOUBI_SITE_DIR,
  KOUTOUBI_SITE_PORT,
  KOUTOUBI_SITE_URL,
  PORT,
  serverEnv,
} from "./e2e/constants";

// Every run starts from empty embedded databases. The config is loaded again in each worker:
// the runner's directories travel through the environment so workers do not create new ones.
process.env.BACMR_E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "bacmr-e2e-"));
process.env.BACMR_E2E_ISOLATED_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "bacmr-e2e-isolated-"));
process.env.BACMR_E2E_DIRECT_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "bacmr-e2e-direct-"));
process.env.BACMR_E2E_JOURNEY_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "bacmr-e2e-journey-"));
// Client IPs (X-Forwarded-For) differ per run, so a reused server's rate-limit buckets never carry over.
process.env.BACMR_E2E_RUN_ID ??= Date.now().toString(36);

const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "test-results",
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  projects: [
    {
      name: "api",
      testDir: "./e2e/api",
    },
    {
      name: "e2e",
      testDir: "./e2e/browser",
      testIgnore: /responsive\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], locale: "fr-FR", launchOptions: chromium },
    },
    {
      name: "e2e-mobile",
      testDir: "./e2e/browser",
      testMatch: /(responsive|library|tutor)\.spec\.ts/,
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 3,
        isMobile: true,
        hasTouch: true,
        locale: "fr-FR",
        launchOptions: chromium,
      },
    },
  ],
  webServer: [
    {
      command: "npm run build && npm run start",
      url: `${BASE_URL}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stderr: "pipe",
      env: serverEnv({
        PORT: String(PORT),
        APP_URL: BASE_URL,
        DATA_DIR: process.env.BACMR_E2E_DATA_DIR,
        AUTH_RATE_LIMIT_REQUESTS: "1000",
        AUTH_RATE_LIMIT_IP_REQUESTS: "1000",
        // The sync crawls the local copy of the portal, at full speed.
        KOUTOUBI_BASE_URL: KOUTOUBI_SITE_URL,
        KOUTOUBI_PDF_HOSTS: "127.0.0.1",
        SCRAPER_DELAY_MS: "0",
      }),
    },
    {
      // Same build (the first server built it; Playwright starts web servers one after the other).
      command: "npm run start",
      url: `${ISOLATED_URL}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stderr: "pipe",
      env: serverEnv({
        PORT: String(ISOLATED_PORT),
        APP_URL: ISOLATED_URL,
        DATA_DIR: process.env.BACMR_E2E_ISOLATED_DATA_DIR,
        AUTH_RATE_LIMIT_REQUESTS: String(ISOLATED_AUTH_RATE_LIMIT),
        AUTH_RATE_LIMIT_IP_REQUESTS: String(ISOLATED_AUTH_RATE_LIMIT),
        AUTH_RATE_LIMIT_WINDOW: String(ISOLATED_AUTH_RATE_WINDOW),
      }),
    },
    {
      command: "npm run start",
      url: `${DIRECT_URL}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stderr: "pipe",
      env: serverEnv({
        PORT: String(DIRECT_PORT),
        APP_URL: DIRECT_URL,
        DATA_DIR: process.env.BACMR_E2E_DIRECT_DATA_DIR,
        AUTH_RATE_LIMIT_REQUESTS: String(ISOLATED_AUTH_RATE_LIMIT),
        AUTH_RATE_LIMIT_IP_REQUESTS: String(ISOLATED_AUTH_RATE_LIMIT),
        AUTH_RATE_LIMIT_WINDOW: String(ISOLATED_AUTH_RATE_WINDOW),
        TRUST_PROXY: "false",
      }),
    },
    {
      command: "npm run start",
      url: `${JOURNEY_URL}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stderr: "pipe",
      env: serverEnv({
        PORT: String(JOURNEY_PORT),
        APP_URL: JOURNEY_URL,
        DATA_DIR: process.env.BACMR_E2E_JOURNEY_DATA_DIR,
        AUTH_RATE_LIMIT_REQUESTS: "1000",
        AUTH_RATE_LIMIT_IP_REQUESTS: "1000",
        WALLET_SIGNUP_GRANT: String(JOURNEY_SIGNUP_GRANT),
        // Answers stream for several seconds: long enough for the student to press Stop.
        OFFLINE_TUTOR_WORD_DELAY_MS: "80",
        KOUTOUBI_BASE_URL: KOUTOUBI_SITE_URL,
        KOUTOUBI_PDF_HOSTS: "127.0.0.1",
        SCRAPER_DELAY_MS: "0",
      }),
    },
    {
      command: "node e2e/koutoubi-site.mjs",
      url: `${KOUTOUBI_SITE_URL}/__health`,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      // Slow enough (sitemap, then 6 pages 2 at a time: ~2.5 s) for the page to poll a running sync.
      env: {
        KOUTOUBI_SITE_PORT: String(KOUTOUBI_SITE_PORT),
        KOUTOUBI_SITE_DIR,
        KOUTOUBI_SITE_LATENCY_MS: "600",
        // The portal's own PDF host (www.koutoubi.mr/pdfs/…) serves a real fixture textbook.
        KOUTOUBI_SITE_PDF: path.join(
          KOUTOUBI_SITE_DIR,
          "../../documents/fr_math_bac2023_metropole_sujet1.pdf",
        ),
      },
    },
  ],
});
