import { expect, test, type Locator, type Page } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { screenshotPath, storageStatePath } from "./fixtures";

// Grid frequency is owned by the energy team, not the consumer's (Customer Care), and no other
// spec subscribes to it, so this spec can run in parallel with subscriptions.spec.ts.
const PRODUCT = "/products/grid-frequency";
const PRODUCT_NAME = "Grid Frequency & Balancing Telemetry";
const PLAN = "Internal";
const PURPOSE = "grid-balancing";
// The broker the e2e launcher starts (playwright.config.ts webServer env).
const BROKER = `localhost:${process.env.E2E_BROKER_PORT ?? "9395"}`;

function planCard(page: Page) {
  return page.locator("section#plans").getByRole("group", { name: PLAN, exact: true });
}

function credentialValue(creds: Locator, label: string): Promise<string> {
  return creds.locator("dt", { hasText: label }).first().locator("xpath=following-sibling::dd[1]").innerText().then((s) => s.trim());
}

/** Cancels live subscriptions of this product and plan left by an earlier run on the same database. */
async function cancelLiveSubscriptions(page: Page) {
  await page.goto("/subscriptions");
  await expect(page.getByRole("heading", { name: "My subscriptions" })).toBeVisible();
  const cards = page.getByRole("article", { name: `${PRODUCT_NAME} — ${PLAN}`, exact: true });
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
  expect(bootstrap.split(",")).toContain(BROKER);
  expect(topic).toMatch(/^tributary\.delivery\.grid-frequency\.v\d+\./);
  await page.screenshot({ path: screenshotPath("consume-credentials"), fullPage: true });

  // A real client with the revealed credential, in its own group prefix, reading its delivery topic.
  const kafka = new Kafka({
    clientId: "e2e-consumer",
    brokers: [BROKER],
    sasl: { mechanism: "scram-sha-512", username, password },
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `${groupPrefix}e2e`, maxWaitTimeInMs: 200 });
  const received: { key: string | null; value: string }[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? "" });
      },
    });
    await expect.poll(() => received.length, { timeout: 30_000, message: `records on ${topic} within 30 s` }).toBeGreaterThan(0);
  } finally {
    await consumer.disconnect();
  }
  // Delivered records are the contract's JSON, never raw bytes of something else.
  expect(() => JSON.parse(received[0].value)).not.toThrow();

  // Leave no live subscription behind, so a re-run can subscribe again.
  await creds.getByRole("button", { name: /hide/ }).click();
  await sub.getByRole("button", { name: "Cancel subscription" }).click();
  await sub.getByRole("button", { name: "Yes, cancel" }).click();
  await expect(sub.getByTestId("subscription-state")).toHaveText("Ended", { timeout: 15_000 });
});
