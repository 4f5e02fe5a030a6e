import { expect, test, type Locator, type Page } from "@playwright/test";
import { CLIPBOARD_PERMISSIONS, E2E_BROKER, screenshotPath, storageStatePath } from "./fixtures";
import { consumeWithCredential } from "./kafka";

// Grid frequency is owned by the energy team, not the consumer's (Customer Care), and no other
// spec subscribes to it, so this spec can run in parallel with subscriptions.spec.ts.
const PRODUCT = "/products/grid-frequency";
const PRODUCT_NAME = "Grid Frequency & Balancing Telemetry";
const PLAN = "Internal";
const PURPOSE = "grid-balancing";

function planCard(page: Page, plan = PLAN) {
  return page.locator("section#plans").getByRole("group", { name: plan, exact: true });
}

function credentialValue(creds: Locator, label: string): Promise<string> {
  return creds.locator("dt", { hasText: label }).first().locator("xpath=following-sibling::dd[1]").innerText().then((s) => s.trim());
}

/** Cancels live subscriptions of this product and plan left by an earlier run on the same database. */
async function cancelLiveSubscriptions(page: Page, productName = PRODUCT_NAME, plan = PLAN) {
  await page.goto("/subscriptions");
  await expect(page.getByRole("heading", { name: "My subscriptions" })).toBeVisible();
  const cards = page.getByRole("article", { name: `${productName} — ${plan}`, exact: true });
  const total = Math.min(await cards.count(), 10);
  for (let i = 0; i < total; i++) {
    const card = cards.nth(i);
    const cancel = card.getByRole("button", { name: "Cancel subscription" });
    if ((await cancel.count()) === 0) continue;
    await cancel.click();
    await card.getByRole("button", { name: "Yes, cancel" }).click();
    await expect(cancel).toHaveCount(0, { timeout: 15_000 });
  }
}

test.use({ storageState: storageStatePath("consumer") });

test("a consumer subscribes, reveals the credential and a kafkajs consumer with it receives records", async ({ page }) => {
  test.setTimeout(180_000);
  await cancelLiveSubscriptions(page);

  await page.goto(PRODUCT);
  const card = planCard(page);
  await card.getByRole("button", { name: "Subscribe" }).click();
  const form = card.getByRole("form", { name: `Subscribe to ${PRODUCT_NAME}` });
  await form.getByLabel("Purpose").selectOption(PURPOSE);
  await form.getByRole("button", { name: "Subscribe now" }).click();
  await expect(card.getByText("Your credentials are being provisioned.")).toBeVisible();

  await card.getByRole("link", { name: "Go to My subscriptions" }).click();
  const sub = page.getByRole("article", { name: `${PRODUCT_NAME} — ${PLAN}`, exact: true }).first();
  await expect(sub.getByTestId("subscription-state")).toHaveText("Active", { timeout: 90_000 });

  await sub.getByRole("button", { name: "Reveal credentials" }).click();
  await sub.getByRole("button", { name: "Reveal now" }).click();
  const creds = sub.getByRole("region", { name: "Connection credentials" });
  await expect(creds).toBeVisible({ timeout: 30_000 });
  const username = await credentialValue(creds, "Username");
  const password = await credentialValue(creds, "Password");
  const topic = await credentialValue(creds, "Topic");
  const groupPrefix = await credentialValue(creds, "Group prefix");
  const bootstrap = await credentialValue(creds, "Bootstrap");
  expect(bootstrap.split(",")).toContain(E2E_BROKER);
  expect(topic).toMatch(/^tributary\.delivery\.grid-frequency\.v\d+\./);
  await page.screenshot({ path: screenshotPath("consume-credentials"), fullPage: true });

  // A real client with the revealed credential, in its own group prefix, reading its delivery topic.
  const received = await consumeWithCredential({ username, password, topic, groupPrefix });
  // Delivered records are the contract's JSON, never raw bytes of something else.
  expect(() => JSON.parse(received[0]!)).not.toThrow();

  // Leave no live subscription behind, so a re-run can subscribe again.
  await creds.getByRole("button", { name: /hide/ }).click();
  await sub.getByRole("button", { name: "Cancel subscription" }).click();
  await sub.getByRole("button", { name: "Yes, cancel" }).click();
  await expect(sub.getByTestId("subscription-state")).toHaveText("Ended", { timeout: 15_000 });
});

// Issue 5's flow, on products no other spec subscribes to: the consumer takes IoT telemetry's
// instant plan; the partner (Nimbus Mobile, an external org) requests the fraud alerts' Partner
// plan, open to external orgs and reviewed by its owning team, Fraud & Security (the demo owner).
const IOT = { path: "/products/iot-device-telemetry", name: "IoT Device Telemetry", plan: "Internal", purpose: "fleet-management" };
const FRAUD = { path: "/products/fraud-alerts-sim-swap-irsf", name: "Fraud Alerts: SIM Swap & IRSF", plan: "Partner", purpose: "fraud-prevention" };
const SUBSCRIPTION_URL = /\/subscriptions\/[0-9a-f-]{36}$/;

async function copySnippet(page: Page, connect: Locator, tab: string): Promise<string> {
  await connect.getByRole("tab", { name: tab }).click();
  await connect.getByRole("button", { name: `Copy ${tab} snippet` }).click();
  await expect(connect.getByRole("button", { name: `Copied ${tab} snippet` })).toHaveText("Copied");
  return page.evaluate(() => navigator.clipboard.readText());
}

test("consumer copies a snippet of an instant plan; a partner's reviewed request is approved, revealed and consumed", async ({ browser }) => {
  test.setTimeout(300_000);

  // 1. The consumer subscribes to an auto-approved plan and copies a ready snippet from the subscription's page.
  const consumer = await browser.newContext({ storageState: storageStatePath("consumer"), permissions: CLIPBOARD_PERMISSIONS });
  const cpage = await consumer.newPage();
  await cancelLiveSubscriptions(cpage, IOT.name, IOT.plan);
  await cpage.goto(IOT.path);
  const card = planCard(cpage, IOT.plan);
  await card.getByRole("button", { name: "Subscribe" }).click();
  const form = card.getByRole("form", { name: `Subscribe to ${IOT.name}` });
  await form.getByLabel("Purpose").selectOption(IOT.purpose);
  await form.getByRole("button", { name: "Subscribe now" }).click();
  await card.getByRole("link", { name: "Go to My subscriptions" }).click();
  const row = cpage.getByRole("article", { name: `${IOT.name} — ${IOT.plan}`, exact: true }).first();
  await row.getByRole("link", { name: /^Details/ }).click();
  await expect(cpage).toHaveURL(SUBSCRIPTION_URL);
  const consumerSubscriptionUrl = cpage.url();
  await expect(cpage.getByRole("heading", { level: 1 })).toHaveText(IOT.name);
  const connect = cpage.getByRole("region", { name: "Connect", exact: true });
  const topic = await credentialValue(connect, "Topic");
  const groupPrefix = await credentialValue(connect, "Group prefix");
  expect(topic).toMatch(/^tributary\.delivery\.iot-device-telemetry\.v\d+\.internal$/);
  const kafkajs = await copySnippet(cpage, connect, "kafkajs");
  expect(kafkajs).toContain(`brokers: ["${E2E_BROKER}"]`);
  expect(kafkajs).toContain(`topic: "${topic}"`);
  expect(kafkajs).toContain(`groupId: "${groupPrefix}my-app"`);
  expect(kafkajs).toContain(`mechanism: "scram-sha-512"`);
  expect(kafkajs).toContain(`password: "<password shown once at reveal>"`);
  const java = await copySnippet(cpage, connect, "Java properties");
  expect(java).toContain("sasl.mechanism=SCRAM-SHA-512");
  expect(java).toContain(`bootstrap.servers=${E2E_BROKER}`);
  // The page follows provisioning by itself.
  await expect(cpage.getByTestId("subscription-state")).toHaveText("Active", { timeout: 90_000 });
  await cpage.screenshot({ path: screenshotPath("subscription-page"), fullPage: true });

  // 2. Another consumer, at an external org, requests a reviewed plan.
  const justification = `Cross-operator SIM-swap screening ${Date.now()}`;
  const partner = await browser.newContext({ storageState: storageStatePath("partner") });
  const ppage = await partner.newPage();
  await cancelLiveSubscriptions(ppage, FRAUD.name, FRAUD.plan);
  await ppage.goto(FRAUD.path);
  const pcard = planCard(ppage, FRAUD.plan);
  await pcard.getByRole("button", { name: "Request access" }).click();
  const pform = pcard.getByRole("form", { name: `Subscribe to ${FRAUD.name}` });
  await pform.getByLabel("Purpose").selectOption(FRAUD.purpose);
  await pform.getByLabel("Justification").fill(justification);
  await pform.getByRole("button", { name: "Send request" }).click();
  await expect(pcard.getByText("Request sent to the owners")).toBeVisible();

  // 3. The owner approves it, seeing the tier each plan grants, with an end date.
  const owner = await browser.newContext({ storageState: storageStatePath("owner") });
  const opage = await owner.newPage();
  await opage.goto("/owner/requests");
  const request = opage.getByRole("article").filter({ hasText: justification });
  await expect(request).toContainText("External");
  await request.getByRole("button", { name: "Approve…" }).click();
  await expect(request.getByLabel("Grant plan").locator("option:checked")).toHaveText("Partner — partner tier (requested)");
  await expect(request.getByText("Grants the partner tier.")).toBeVisible();
  // Plans closed to external orgs cannot be granted to this requester.
  await expect(request.getByRole("option", { name: /Full access — full tier \(internal teams only\)/ })).toBeDisabled();
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await request.getByLabel("Access until (optional)").fill(until);
  await expect(request.getByText(`Access ends at the end of ${until} (UTC).`)).toBeVisible();
  await opage.screenshot({ path: screenshotPath("owner-approve-dialog"), fullPage: true });
  await request.getByRole("button", { name: "Confirm approval" }).click();
  await expect(opage.getByRole("article").filter({ hasText: justification })).toHaveCount(0);

  // 4. The requester follows the notification to the subscription and reveals the credential.
  await ppage.goto("/notifications");
  await ppage.getByRole("link", { name: `Open: Access to ${FRAUD.name} approved` }).first().click();
  await expect(ppage).toHaveURL(SUBSCRIPTION_URL);
  const partnerSubscriptionUrl = ppage.url();
  await expect(ppage.getByTestId("subscription-state")).toHaveText("Active", { timeout: 90_000 });
  await expect(ppage.getByRole("region", { name: "Status" })).toContainText(until);
  await ppage.getByRole("button", { name: "Reveal credentials" }).click();
  await ppage.getByRole("button", { name: "Reveal now" }).click();
  const creds = ppage.getByRole("region", { name: "Connection credentials" });
  await expect(creds).toBeVisible({ timeout: 30_000 });
  const revealed = {
    username: await credentialValue(creds, "Username"),
    password: await credentialValue(creds, "Password"),
    topic: await credentialValue(creds, "Topic"),
    groupPrefix: await credentialValue(creds, "Group prefix"),
  };
  expect(revealed.topic).toMatch(/^tributary\.delivery\.fraud-alerts-sim-swap-irsf\.v\d+\.partner$/);
  await ppage.screenshot({ path: screenshotPath("subscription-page-revealed"), fullPage: true });

  // 5. A kafkajs consumer started with it receives records.
  const received = await consumeWithCredential(revealed);
  expect(() => JSON.parse(received[0]!)).not.toThrow();

  // Other teams' people cannot open it as theirs: the consumer gets a 404 and no reveal button;
  // the product's owner reads it without acting on its credentials.
  const res = await cpage.goto(partnerSubscriptionUrl);
  expect(res?.status()).toBe(404);
  await expect(cpage.getByRole("button", { name: "Reveal credentials" })).toHaveCount(0);
  await opage.goto(partnerSubscriptionUrl);
  await expect(opage.getByText("You see this subscription as a member of the product's owning team.")).toBeVisible();
  await expect(opage.getByRole("button", { name: /Reveal credentials|Rotate credentials|Cancel subscription/ })).toHaveCount(0);
  await owner.close();

  // Leave nothing live behind, so a re-run can subscribe again.
  await creds.getByRole("button", { name: /hide/ }).click();
  await cpage.goto(consumerSubscriptionUrl);
  for (const page of [ppage, cpage]) {
    await page.getByRole("button", { name: "Cancel subscription" }).click();
    await page.getByRole("button", { name: "Yes, cancel" }).click();
    await expect(page.getByTestId("subscription-state")).toHaveText("Ended", { timeout: 15_000 });
  }
  await partner.close();
  await consumer.close();
});
