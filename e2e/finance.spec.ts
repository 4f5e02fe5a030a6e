import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { screenshotPath, storageStatePath } from "./fixtures";

// Needs the demo usage history (db/seed/usage.ts, seedDemoUsage) in the seeded e2e database:
// last month is open with charges for every demo cost center, the months before it are closed.
function monthsAgo(n: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}
const lastMonth = () => monthsAgo(1);

test.describe("as finance", () => {
  test.use({ storageState: storageStatePath("finance") });

  test("opens the report, drills into a cost center and a team, and exports CSV", async ({ page }) => {
    test.slow(); // several server-rendered pages of 10k-line months on a shared machine
    const period = lastMonth();
    const chargeback = page.getByRole("region", { name: /^Chargeback/ });
    await page.goto(`/finance?period=${period}`);
    await expect(page.getByRole("heading", { name: "Finance", level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: /Chargeback · By cost center/ })).toBeVisible();
    await expect(page.getByTestId("period-status")).toHaveText("Open");
    await expect(page.getByTestId("total-EUR")).toContainText("€");

    await chargeback.getByRole("link", { name: "CC-1050", exact: true }).click();
    await expect(page).toHaveURL(/costCenter=/);
    await expect(page.getByRole("navigation", { name: "Drill-down" })).toContainText("CC-1050 Customer Operations");
    await expect(page.getByRole("heading", { name: /Chargeback · By team/ })).toBeVisible();
    await chargeback.getByRole("link", { name: "Customer Care", exact: true }).click();
    await expect(page).toHaveURL(/team=/);
    await expect(page.getByTestId("charge-line").first()).toContainText("Rated CDR Billing Events");
    await page.screenshot({ path: screenshotPath("finance-team"), fullPage: true });

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: /^By team in CC-1050/ }).click();
    const file = await (await download).path();
    const text = await readFile(file, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toBe("period_start,period_end,team_name,team,currency,amount,charge_lines");
    expect(lines.some((l) => l.startsWith(`${period}-01,`) && l.includes(",Customer Care,customer-care,EUR,") && /,\d+\.\d{2},\d+$/.test(l))).toBe(true);
  });

  test("drills the showback from an owning team into its products", async ({ page }) => {
    test.slow();
    await page.goto(`/finance?period=${lastMonth()}`);
    const owners = page.getByRole("table", { name: /Showback by owning team/ });
    await owners.getByRole("link", { name: "Network Analytics", exact: true }).click();
    await expect(page).toHaveURL(/owner=/);
    await expect(page.getByRole("navigation", { name: "Showback path" })).toContainText("Network Analytics");
    const products = page.getByRole("table", { name: /Showback of Network Analytics's products/ });
    await expect(products).toContainText("Cell Network Quality KPIs");
    await expect(products).not.toContainText("Rated CDR Billing Events");
    await expect(page.getByRole("img", { name: /Revenue of Network Analytics's products per month/ })).toBeVisible();
    await page.screenshot({ path: screenshotPath("finance-showback-owner"), fullPage: true });
    await page.getByRole("link", { name: "All owning teams" }).click();
    await expect(page).not.toHaveURL(/owner=/);
  });

  test("corrects a closed month's charge with a compensating line booked in the open month", async ({ page }) => {
    test.slow();
    const closed = monthsAgo(2);
    const chargeback = page.getByRole("region", { name: /^Chargeback/ });
    const reason = `Outage credit, ticket ${Date.now()}`;
    await page.goto(`/finance?period=${closed}`);
    await expect(page.getByTestId("period-status")).toHaveText("Closed");
    await chargeback.getByRole("link", { name: "CC-1050", exact: true }).click();
    await chargeback.getByRole("link", { name: "Customer Care", exact: true }).click();
    const line = page.getByTestId("charge-line").filter({ hasText: "Rated CDR Billing Events" }).first();
    const before = await line.locator("td").nth(2).innerText();
    await line.getByRole("button", { name: /^Adjust charge: Rated CDR Billing Events/ }).click();

    const dialog = page.getByRole("dialog", { name: "Adjust a closed charge" });
    await expect(dialog).toBeVisible();
    // Both fields are required and checked before anything is sent.
    await dialog.getByRole("button", { name: "Review" }).click();
    await expect(dialog.getByText("Say why the charge is corrected.")).toBeVisible();
    await dialog.getByLabel("Amount (EUR)").fill("-12.505");
    await dialog.getByLabel("Reason").fill(reason);
    await dialog.getByRole("button", { name: "Review" }).click();
    await expect(dialog.getByText("EUR has 2 decimals.")).toBeVisible();
    await dialog.getByLabel("Amount (EUR)").fill("-12.50");
    await dialog.getByRole("button", { name: "Review" }).click();

    const confirm = page.getByRole("dialog", { name: "Book this adjustment?" });
    await expect(confirm.getByTestId("adjust-summary")).toContainText("Credit of -€12.50");
    await page.screenshot({ path: screenshotPath("finance-adjust"), fullPage: true });
    await confirm.getByRole("button", { name: "Book adjustment" }).click();
    await expect(page.getByTestId("adjust-done").first()).toContainText(`booked in ${lastMonth()}`);
    // The closed line is unchanged ...
    await expect(line.locator("td").nth(2)).toHaveText(before);

    // ... and the compensating line sits in the open month, with its reason.
    await page.goto(`/finance?period=${lastMonth()}`);
    await chargeback.getByRole("link", { name: "CC-1050", exact: true }).click();
    await chargeback.getByRole("link", { name: "Customer Care", exact: true }).click();
    const adjustment = page.getByTestId("charge-line").filter({ hasText: reason });
    await expect(adjustment).toHaveCount(1);
    await expect(adjustment).toContainText("adjustment");
    await expect(adjustment).toContainText("-€12.50");
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
    await expect(usage.getByTestId("usage-messages")).toHaveText(/^\d[\d,]*$/);
    await expect(usage.getByTestId("usage-cost")).toContainText("€");
    // Month to date is 0 in the first hour of a month (the demo history fills whole hours up to
    // the last one), so what is checked for real figures is what always has history behind it:
    // the forecast (the last 7 days' rate) and the 30-day chart.
    await expect(usage.getByTestId("usage-forecast")).toContainText("€");
    await expect(usage.getByTestId("usage-forecast")).not.toHaveText("€0.00");
    await expect(usage.getByRole("img", { name: /Messages consumed per day/ })).toBeVisible();
    await page.screenshot({ path: screenshotPath("consumer-usage"), fullPage: true });
  });
});
