import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * e2e against the real product: the launcher (`npm start`) starts embedded PostgreSQL (or uses
 * DATABASE_URL), the embedded broker, migrations, the demo seed and `next start` on port 3100,
 * with its own data directory so it never touches a developer's `npm run dev` data.
 *
 * Browser: Debian's Chromium when present (this machine and CI cannot download Playwright's),
 * otherwise Playwright's own (`npx playwright install chromium` on a laptop).
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;
const systemChromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
const launchOptions = existsSync(systemChromium)
  ? {
      executablePath: systemChromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    }
  : {};

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./e2e/artifacts/results",
  fullyParallel: true,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { outputFolder: "e2e/artifacts/report", open: "never" }]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "on",
    launchOptions,
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", use: { ...devices["Desktop Chrome"], launchOptions }, dependencies: ["setup"] },
  ],
  webServer: {
    command: "npm start",
    url: `${baseURL}/sign-in`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    // SIGTERM lets the launcher stop the web app, broker and PostgreSQL in order.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      DATA_DIR: ".data/e2e",
      EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "5495",
      BROKER_PORT: process.env.E2E_BROKER_PORT ?? "9395",
      BROKER_METRICS_PORT: process.env.E2E_BROKER_METRICS_PORT ?? "9495",
      E2E: "1",
    },
  },
});
