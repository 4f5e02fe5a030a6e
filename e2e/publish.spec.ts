import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD, screenshotPath, storageStatePath } from "./fixtures";

// A live topic of the demo producers with personal data (msisdn, IMSI) in its records.
const TOPIC = "telco.billing.cdr-rated.v2";

async function saveAndContinue(page: Page, nextStep: string) {
  await page.getByRole("button", { name: /Save and continue/ }).click();
  await expect(page).toHaveURL(new RegExp(`/owner/publish/[0-9a-f-]{36}/${nextStep}$`), { timeout: 30_000 });
}

test.describe("as an owner", () => {
  test.use({ storageState: storageStatePath("owner") });

  test("publishes a product from a live topic with an inferred schema, PII tags and masking, finds it in the catalog, then manages its plans and tiers", async ({ page }) => {
    // Long: a whole publish plus the manage page, on a machine that may be running other suites.
    test.setTimeout(420_000);
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

    // Plans after publishing: add one, get a field-level refusal, edit it, deactivate it.
    const plansSection = page.getByRole("region", { name: "Plans" });
    await plansSection.getByRole("button", { name: "Add plan" }).click();
    const add = plansSection.getByRole("form", { name: "Add plan" });
    await add.getByLabel("Plan name").fill("E2E partner feed");
    await add.getByLabel("Tier").selectOption("partner");
    await add.getByLabel("Approval").selectOption("auto");
    await add.getByLabel("Price model").selectOption("per_gb");
    await add.getByLabel("Price", { exact: true }).fill("-1");
    await add.getByRole("button", { name: "Add plan" }).click();
    await expect(add.getByText("The price must be a whole, non-negative number of minor units (cents).")).toBeVisible();
    await add.getByLabel("Price", { exact: true }).fill("1.20");
    await add.getByRole("button", { name: "Add plan" }).click();
    await expect(plansSection.getByText("Plan E2E partner feed was added.")).toBeVisible({ timeout: 30_000 });
    await expect(plansSection.getByText(/EUR 1\.20 per GB/)).toBeVisible();
    await plansSection.getByRole("button", { name: "Edit plan E2E partner feed" }).click();
    const edit = plansSection.getByRole("form", { name: "Save plan E2E partner feed" });
    await expect(edit.getByLabel("Tier")).toBeDisabled();
    await edit.getByLabel("Approval").selectOption("manual");
    await edit.getByRole("button", { name: "Save plan E2E partner feed" }).click();
    await expect(plansSection.getByText("Plan E2E partner feed was saved.")).toBeVisible({ timeout: 30_000 });
    await expect(plansSection.getByText(/owner review · EUR 1\.20 per GB/)).toBeVisible();
    await plansSection.getByRole("button", { name: "Deactivate plan E2E partner feed" }).click();
    await plansSection.getByRole("button", { name: "Yes, deactivate" }).click();
    await expect(plansSection.getByText("E2E partner feed is no longer offered; existing subscriptions keep it.")).toBeVisible({ timeout: 30_000 });
    await expect(plansSection.getByRole("button", { name: "Edit plan E2E partner feed" })).toHaveCount(0);

    // Tier rules after publishing, with the live preview on recent records of the source topic.
    const tiersSection = page.getByRole("region", { name: "Masking tiers" });
    await tiersSection.getByRole("tab", { name: "partner" }).click();
    const strategy = tiersSection.getByLabel(/^Strategy for (.*\.)?msisdn$/).first();
    await strategy.selectOption("keep");
    await tiersSection.getByRole("button", { name: "Save tier partner" }).click();
    await expect(tiersSection.getByRole("alert").filter({ hasText: "Not saved" })).toBeVisible({ timeout: 30_000 });
    await expect(tiersSection.getByText(/msisdn is personal data \(direct\): tier partner must/).first()).toBeVisible();
    await strategy.selectOption("partial");
    await expect(tiersSection.getByTestId("masked-record").first()).toBeVisible({ timeout: 30_000 });
    await expect(tiersSection.getByTestId("masked-record").first()).toContainText(/"\*+\d{4}"/);
    await page.screenshot({ path: screenshotPath("manage-tiers"), fullPage: true });
    await tiersSection.getByRole("button", { name: "Save tier partner" }).click();
    await expect(tiersSection.getByText("Tier partner was saved; the router applies the new rules at its next refresh.")).toBeVisible({ timeout: 30_000 });
  });

  test("a draft's review lists each publish-check gap with a link to its step, and the draft can be discarded", async ({ page }) => {
    test.setTimeout(150_000);
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

    // Discarding asks first, then the draft is gone.
    await page.getByRole("button", { name: `Discard draft E2E incomplete ${suffix}` }).click();
    await expect(page.getByRole("group", { name: `Confirm: Discard draft E2E incomplete ${suffix}` })).toContainText("Every saved step is deleted.");
    await page.getByRole("button", { name: "Yes, discard" }).click();
    await expect(page.getByRole("link", { name: `Continue E2E incomplete ${suffix}` })).toHaveCount(0, { timeout: 30_000 });
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

/**
 * The wizard's server actions called by people who must not use them. Action ids are what the
 * owner's own browser sent (the Next-Action header), replayed from the other user's session
 * with the same body: exactly what a hostile client could do.
 */
test.describe("the wizard's actions, from someone else's session", () => {
  test("refuse a consumer and another team's owner; the draft is untouched and its pages answer 403", async ({ browser, baseURL }) => {
    test.setTimeout(300_000);
    const suffix = Date.now().toString(36);
    const name = `E2E guarded ${suffix}`;
    const owner = await browser.newContext({ storageState: storageStatePath("owner") });
    const ownerPage = await owner.newPage();
    const sent: { id: string; body: string }[] = [];
    ownerPage.on("request", (req) => {
      const id = req.headers()["next-action"];
      if (id && req.method() === "POST") sent.push({ id, body: req.postData() ?? "" });
    });
    await ownerPage.goto("/owner/publish");
    const basics = ownerPage.getByRole("form", { name: "Basics" });
    await basics.getByLabel("Name").fill(name);
    await basics.getByLabel("Summary").fill("A draft other people try to change through the actions.");
    await basics.getByLabel("Domain").fill("testing");
    await ownerPage.getByRole("button", { name: /Save and continue/ }).click();
    await expect(ownerPage).toHaveURL(/\/owner\/publish\/[0-9a-f-]{36}\/source$/, { timeout: 30_000 });
    const draftUrl = ownerPage.url().replace(/\/source$/, "");
    const productId = draftUrl.split("/").pop()!;
    await ownerPage.goto(`${draftUrl}/basics`);
    await ownerPage.getByRole("button", { name: "Save draft" }).click();
    await expect(ownerPage.getByText("Draft saved.")).toBeVisible({ timeout: 30_000 });
    const save = sent.find((r) => r.body.includes('"step":"basics"'));
    const create = sent.find((r) => r.body.includes('"basics":{'));
    expect(save, "the owner's Save draft sent a server action").toBeTruthy();
    expect(create, "the owner's first save sent a server action").toBeTruthy();

    const hijack = save!.body.replace(JSON.stringify(name), JSON.stringify(`Hijacked ${suffix}`));
    expect(hijack).toContain(productId);
    const replay = async (ctx: typeof owner, action: { id: string }, body: string) => {
      const res = await ctx.request.post(`${draftUrl}/basics`, {
        headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", origin: baseURL! },
        data: body,
      });
      return { status: res.status(), text: await res.text() };
    };

    // A consumer: refused by the action wrapper (owners only), for an existing draft and a new one.
    const consumer = await browser.newContext({ storageState: storageStatePath("consumer") });
    for (const [action, body] of [
      [save!, hijack],
      [create!, create!.body],
    ] as const) {
      const r = await replay(consumer, action, body);
      expect(r.text).toMatch(/"code":"forbidden"/);
    }
    const consumerPage = await consumer.newPage();
    expect((await consumerPage.goto(`${draftUrl}/basics`))?.status()).toBe(403);

    // The owner of another team: the wizard page is 403 and the action is refused by ownership.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto("/sign-in");
    await otherPage.getByLabel("Email").fill("billing-lead@demo.tributary");
    await otherPage.getByLabel("Password").fill(DEMO_PASSWORD);
    await otherPage.getByRole("button", { name: /^sign in$/i }).click();
    await expect(otherPage).toHaveURL(/\/catalog/);
    expect((await otherPage.goto(`${draftUrl}/review`))?.status()).toBe(403);
    await expect(otherPage.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    const r = await replay(other, save!, hijack);
    expect(r.text).toMatch(/"code":"forbidden"/);
    expect(r.text).toContain("Only owners of the product's team can edit it.");

    // Nothing changed for the owner.
    await ownerPage.goto(`${draftUrl}/basics`);
    await expect(ownerPage.getByRole("form", { name: "Basics" }).getByLabel("Name")).toHaveValue(name);
    await Promise.all([owner.close(), consumer.close(), other.close()]);
  });
});
