import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStatePath } from "./fixtures";

// Needs the demo usage history (db/seed/usage.ts, seedDemoUsage) in the seeded e2e database:
// last month is open with charges for every demo cost center.
function lastMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

test.describe("as finance", () => {
  test.use({ storageState: storageStatePath("finance") });

  test("opens the report, drills into a cost center and a team, and exports CSV", async ({ page }) => {
    const period = lastMonth();
    await page.goto(`/finance?period=${period}`);
    await expect(page.getByRole("heading", { name: "Finance", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: /Chargeback · By cost center/ })).toBeVisible();
    await expect(page.getByTestId("period-status")).toHaveText("Open");
    await expect(page.getByTestId("total-EUR")).toContainText("€");

    await page.getByRole("link", { name: "CC-1050", exact: true }).click();
    await expect(page).toHaveURL(/costCenter=/);
    await expect(page.getByRole("navigation", { name: "Drill-down" })).toContainText("CC-1050 Customer Operations");
    await expect(page.getByRole("heading", { name: /Chargeback · By team/ })).toBeVisible();
    await page.getByRole("link", { name: "Customer Care", exact: true }).click();
    await expect(page).toHaveURL(/team=/);
    await expect(page.getByTestId("charge-line").first()).toContainText("Rated CDR Billing Events");
    await page.screenshot({ path: screenshotPath("finance-team"), fullPage: true });

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: /^By team in CC-1050/ }).click();
    const file = await (await download).path();
    const text = await readFile(file, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toBe("period,team_name,team,currency,amount,charge_lines");
    expect(lines.some((l) => l.startsWith(`${period},Customer Care,customer-care,EUR,`) && /,\d+\.\d{2},\d+$/.test(l))).toBe(true);
  });
});

test.describe("as a consumer", () => {
  test.use({ storageState: storageStatePath("consumer") });

  test("gets a 403 for the finance report and its CSV", async ({ page }) => {
    const res = await page.goto("/finance");
    expect(res?.status()).toBe(403);
    const csv = await page.request.get(`/api/finance/chargeback.csv?period=${lastMonth()}&level=team`);
    expect(csv.status()).toBe(403);
  });

  test("sees usage and cost to date on their subscription", async ({ page }) => {
    await page.goto("/subscriptions");
    // The demo history gives Customer Care a metered subscription to the rated CDR events.
    const card = page.getByRole("article").filter({ hasText: "Rated CDR Billing Events" }).first();
    const usage = card.getByTestId("subscription-usage");
    await expect(usage).toContainText("Usage and cost");
    await usage.locator("summary").click();
    await expect(usage.getByTestId("usage-messages")).not.toContainText(/^\s*0\s*$/);
    await expect(usage.getByTestId("usage-cost")).toContainText("€");
    await expect(usage.getByRole("img", { name: /Messages consumed per day/ })).toBeVisible();
    await page.screenshot({ path: screenshotPath("consumer-usage"), fullPage: true });
  });
});
