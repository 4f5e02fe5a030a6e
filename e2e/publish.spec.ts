import { expect, test, type Page } from "@playwright/test";
import { screenshotPath, storageStatePath } from "./fixtures";

// A live topic of the demo producers with personal data (msisdn, IMSI) in its records.
const TOPIC = "telco.billing.cdr-rated.v2";

async function saveAndContinue(page: Page, nextStep: string) {
  await page.getByRole("button", { name: /Save and continue/ }).click();
  await expect(page).toHaveURL(new RegExp(`/owner/publish/[0-9a-f-]{36}/${nextStep}$`), { timeout: 30_000 });
}

test.describe("as an owner", () => {
  test.use({ storageState: storageStatePath("owner") });

  test("publishes a product from a live topic with an inferred schema, PII tags and masking, and finds it in the catalog", async ({ page }) => {
    test.setTimeout(180_000);
    const suffix = Date.now().toString(36);
    const name = `E2E rated calls ${suffix}`;
    const slug = `e2e-rated-calls-${suffix}`;

    await page.goto("/owner");
    await expect(page.getByRole("heading", { name: "My products" })).toBeVisible();
    await page.getByRole("link", { name: "Publish a data product" }).first().click();
    await expect(page.getByRole("heading", { name: "Publish a data product" })).toBeVisible();

    // Basics: the slug follows the name and is checked as you type; hostile markdown renders inert.
    const basics = page.getByRole("form", { name: "Basics" });
    await basics.getByLabel("Name").fill(name);
    await expect(basics.getByLabel("Slug")).toHaveValue(slug);
    await expect(basics.getByText("This slug is available.")).toBeVisible();
    await basics.getByLabel("Summary").fill("Rated call detail records for billing analytics, published by the e2e suite.");
    await basics.getByLabel("Description (Markdown)").fill('# Rated CDRs\n\n<script>window.__pwned = 1</script>\n\n[click me](javascript:window.__pwned=2)\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    await basics.getByRole("tab", { name: "Preview" }).click();
    const preview = basics.getByRole("tabpanel", { name: "Description preview" });
    await expect(preview.getByRole("table")).toBeVisible();
    await expect(preview.locator("script")).toHaveCount(0);
    await expect(preview.getByRole("link", { name: "click me" })).not.toHaveAttribute("href", /javascript:/);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await basics.getByLabel("Domain").fill("billing");
    await basics.getByLabel("Tags").fill("cdr, e2e");
    await page.getByRole("button", { name: /Save and continue/ }).click();
    await expect(page).toHaveURL(/\/owner\/publish\/[0-9a-f-]{36}\/source$/, { timeout: 30_000 });
    const draftUrl = page.url().replace(/\/source$/, "");

    // Source: a live topic (platform topics hidden) with partitions and a sample of messages.
    const topic = page.getByLabel("Source topic");
    await expect(topic.locator("option", { hasText: TOPIC })).toHaveCount(1, { timeout: 30_000 });
    await expect(topic.locator("option", { hasText: /^tributary\./ })).toHaveCount(0);
    await topic.selectOption(TOPIC);
    await page.getByRole("button", { name: "Sample recent messages" }).click();
    const sample = page.getByRole("region", { name: `Recent messages of ${TOPIC}` });
    await expect(sample).toBeVisible({ timeout: 30_000 });
    await expect(sample.getByText(/partition \d+ · offset \d+/).first()).toBeVisible();
    await page.screenshot({ path: screenshotPath("publish-source"), fullPage: true });
    await saveAndContinue(page, "schema");

    // Schema: inferred from the sample, then saved.
    await page.getByRole("button", { name: "Infer from sampled messages" }).click();
    await expect(page.getByText(/Inferred from \d+ sampled messages/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel(/^Schema/)).toHaveValue(/"properties"/);
    await saveAndContinue(page, "fields");

    // Fields: PII suggested from names and values; make sure the msisdn is a direct identifier.
    const msisdnPii = page.getByLabel(/^PII category of (.*\.)?msisdn$/).first();
    await expect(msisdnPii).toBeVisible();
    await msisdnPii.selectOption("direct");
    await page.screenshot({ path: screenshotPath("publish-fields"), fullPage: true });
    await saveAndContinue(page, "contract");

    // Contract: purposes are required; the rest has defaults.
    await page.getByLabel("Allowed purposes").fill("billing-analytics, revenue-assurance");
    await saveAndContinue(page, "tiers");

    // Masking tiers: the partner tier hashes identifiers; the live preview shows it next to the original.
    await page.getByRole("tab", { name: "partner" }).click();
    const masked = page.getByTestId("masked-record").first();
    await expect(masked).toBeVisible({ timeout: 30_000 });
    await expect(page.getByLabel(/^Strategy for (.*\.)?msisdn$/).first()).toHaveValue("hash");
    await expect(masked).toContainText(/[0-9a-f]{64}/);
    await page.screenshot({ path: screenshotPath("publish-masking-preview"), fullPage: true });
    await saveAndContinue(page, "plans");

    // Plans: the defaults (free internal on the masked tier, reviewed full access) are publishable.
    await expect(page.getByLabel("Plan name").first()).toHaveValue("Internal");
    await saveAndContinue(page, "review");

    await expect(page.getByText("All publish checks pass")).toBeVisible();
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await expect(page.getByText("Version 1.0.0 is live in the catalog.")).toBeVisible({ timeout: 30_000 });
    await page.getByRole("link", { name: "View in the catalog" }).click();
    await expect(page).toHaveURL(new RegExp(`/products/${slug}$`));
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    await expect(page.locator("script", { hasText: "__pwned" })).toHaveCount(0);

    await page.goto(`/catalog?q=${encodeURIComponent(name)}`);
    await expect(page.getByRole("link", { name }).first()).toBeVisible();

    // The wizard of a published product is closed: it sends the owner to the manage page.
    await page.goto(`${draftUrl}/basics`);
    await expect(page).toHaveURL(new RegExp(`/owner/products/${slug}$`));
  });

  test("a draft's review lists each publish-check gap with a link to its step", async ({ page }) => {
    const suffix = Date.now().toString(36);
    await page.goto("/owner/publish");
    const basics = page.getByRole("form", { name: "Basics" });
    await basics.getByLabel("Name").fill(`E2E incomplete ${suffix}`);
    await basics.getByLabel("Summary").fill("A draft that is not ready, to see the checks.");
    await basics.getByLabel("Domain").fill("testing");
    await page.getByRole("button", { name: /Save and continue/ }).click();
    await expect(page).toHaveURL(/\/source$/, { timeout: 30_000 });
    await page.goto(page.url().replace(/\/source$/, "/review"));
    await expect(page.getByText(/problems? to fix before publishing/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Publish", exact: true })).toBeDisabled();
    await page.getByRole("link", { name: "Schema" }).last().click();
    await expect(page).toHaveURL(/\/schema$/);

    await page.goto("/owner");
    await expect(page.getByText(`E2E incomplete ${suffix}`)).toBeVisible();
    await expect(page.getByRole("link", { name: `Continue E2E incomplete ${suffix}` })).toBeVisible();
  });
});

test.describe("as a consumer", () => {
  test.use({ storageState: storageStatePath("consumer") });

  test("cannot reach the wizard", async ({ page }) => {
    const res = await page.goto("/owner/publish");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    const step = await page.goto("/owner/publish/00000000-0000-4000-8000-000000000000/basics");
    expect(step?.status()).toBe(403);
  });
});
