import { expect, test } from "@playwright/test";
import { screenshotPath, storageStatePath } from "./fixtures";

test.use({ storageState: storageStatePath("consumer") });

test("search with a facet filter, open a product and read its schema", async ({ page }) => {
  await page.goto("/catalog");
  await expect(page.getByRole("heading", { name: "Data product catalog" })).toBeVisible();
  await page.screenshot({ path: screenshotPath("catalog"), fullPage: true });
  await page.screenshot({ path: screenshotPath("catalog-viewport") });

  await page.getByLabel("Search data products").fill("msisdn");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=msisdn/);
  const results = page.locator("#results-heading");
  await expect(results).toContainText(/\d+ products?/i);

  // A facet keeps the query and narrows the list; the URL carries both.
  const filters = page.getByRole("navigation", { name: "Filters" });
  await filters.getByRole("link", { name: /network/i }).first().click();
  await expect(page).toHaveURL(/q=msisdn/);
  await expect(page).toHaveURL(/domain=network/);
  // msisdn is a field name, not in any title: the roaming product matches through its schema.
  const list = page.locator('section[aria-labelledby="results-heading"]');
  await expect(list.getByRole("link", { name: "Inbound & Outbound Roaming Events" })).toBeVisible();
  await expect(list.getByRole("link", { name: /payment|billing/i })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("catalog-filtered"), fullPage: true });

  await page.getByRole("link", { name: "Inbound & Outbound Roaming Events" }).click();
  await expect(page).toHaveURL(/\/products\/roaming-events/);
  await expect(page.getByRole("heading", { level: 1, name: "Inbound & Outbound Roaming Events" })).toBeVisible();
  const schema = page.locator("section#schema");
  await expect(schema.getByRole("heading", { name: "Schema" })).toBeVisible();
  await expect(schema).toContainText("msisdn");
  await expect(schema).toContainText(/direct identifier|quasi-identifier|sensitive/i);
  await expect(page.locator("section#plans")).toContainText(/free|€|\$/i);
  await page.screenshot({ path: screenshotPath("product"), fullPage: true });
});

test("a search that finds nothing says so and a hostile query is harmless", async ({ page }) => {
  await page.goto("/catalog?q=" + encodeURIComponent("zzqxv nothing-matches-this"));
  await expect(page.getByRole("heading", { name: "No matching products" })).toBeVisible();
  const res = await page.goto("/catalog?q=" + encodeURIComponent(`'); drop table users; -- %_\\ "😀`));
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Data product catalog" })).toBeVisible();
});

test("an unknown product is a real 404", async ({ page }) => {
  const res = await page.goto("/products/no-such-product-anywhere");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("link", { name: /catalog/i }).first()).toBeVisible();
});
