import { expect, test, type Page } from "@playwright/test";
import { screenshotPath, storageStatePath } from "./fixtures";

// Roaming events is owned by Network Analytics (the demo owner's team); the consumer's team is
// Customer Care, so four eyes never blocks the owner here.
const PRODUCT = "/products/roaming-events";
const PRODUCT_NAME = "Inbound & Outbound Roaming Events";

function planCard(page: Page, plan: string) {
  return page.locator("section#plans").getByRole("group", { name: plan, exact: true });
}

/** Cancels what still holds access for this product and plan (a re-run on the same database). */
async function cancelLiveSubscriptions(page: Page, plan: string) {
  await page.goto("/subscriptions");
  await expect(page.getByRole("heading", { name: "My subscriptions" })).toBeVisible();
  const cards = page.getByRole("article", { name: `${PRODUCT_NAME} — ${plan}`, exact: true });
  const total = Math.min(await cards.count(), 10);
  for (let i = 0; i < total; i++) {
    // Positions are stable: a cancelled card stays in the list with its "Ended" badge.
    const card = cards.nth(i);
    const cancel = card.getByRole("button", { name: "Cancel subscription" });
    if ((await cancel.count()) === 0) continue;
    await cancel.click();
    await card.getByRole("button", { name: "Yes, cancel" }).click();
    await expect(cancel).toHaveCount(0, { timeout: 15_000 });
  }
}

test.describe("as the consumer", () => {
  test.use({ storageState: storageStatePath("consumer") });

  test("subscribe to an auto-approved plan, watch it turn active and reveal the credentials once", async ({ page }) => {
    test.setTimeout(150_000);
    await cancelLiveSubscriptions(page, "Internal");

    await page.goto(PRODUCT);
    const card = planCard(page, "Internal");
    await card.getByRole("button", { name: "Subscribe" }).click();
    const form = card.getByRole("form", { name: `Subscribe to ${PRODUCT_NAME}` });
    // The purpose is required: the field error comes back from the action.
    await form.getByRole("button", { name: "Subscribe now" }).click();
    await expect(form.getByLabel("Purpose")).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByText("Choose a purpose", { exact: true })).toBeVisible();
    await form.getByLabel("Purpose").selectOption("fraud-prevention");
    await page.screenshot({ path: screenshotPath("subscribe-form"), fullPage: true });
    await form.getByRole("button", { name: "Subscribe now" }).click();
    await expect(card.getByText("Your credentials are being provisioned.")).toBeVisible();

    await card.getByRole("link", { name: "Go to My subscriptions" }).click();
    await expect(page.getByRole("heading", { name: "My subscriptions" })).toBeVisible();
    // Newest first: the one just created heads the list.
    const sub = page.getByRole("article", { name: `${PRODUCT_NAME} — Internal`, exact: true }).first();
    // The page refreshes itself while provisioning; the worker creates the principal and probes it.
    await expect(sub.getByTestId("subscription-state")).toHaveText("Active", { timeout: 90_000 });

    await sub.getByRole("button", { name: "Reveal credentials" }).click();
    await expect(sub.getByText(/shown once/)).toBeVisible();
    await sub.getByRole("button", { name: "Reveal now" }).click();
    const creds = sub.getByRole("region", { name: "Connection credentials" });
    await expect(creds).toBeVisible({ timeout: 30_000 });
    const password = creds.locator("dt", { hasText: "Password" }).locator("xpath=following-sibling::dd[1]");
    await expect(password).toHaveText(/^\S{8,}$/);
    await creds.getByRole("tab", { name: "kcat" }).click();
    await expect(creds.getByRole("tabpanel")).toContainText("kcat -b");
    await expect(creds.getByRole("tabpanel")).toContainText("sasl.mechanisms=SCRAM-SHA-512");
    await page.screenshot({ path: screenshotPath("subscriptions-credentials"), fullPage: true });

    // Once revealed, only a rotation shows a password again.
    await creds.getByRole("button", { name: /hide/ }).click();
    await page.reload();
    await expect(sub.getByRole("button", { name: "Reveal credentials" })).toHaveCount(0);
    await expect(sub.getByRole("button", { name: "Rotate credentials" })).toBeVisible();

    // Leave no live subscription behind, so a re-run on the same database can subscribe again.
    await sub.getByRole("button", { name: "Cancel subscription" }).click();
    await sub.getByRole("button", { name: "Yes, cancel" }).click();
    await expect(sub.getByTestId("subscription-state")).toHaveText("Ended", { timeout: 15_000 });
    await expect(sub.getByRole("button", { name: "Cancel subscription" })).toHaveCount(0);
  });
});

test("a request on a reviewed plan reaches the owner, who denies it with a reason", async ({ browser }) => {
  const justification = `Fraud ring investigation ${Date.now()}`;

  const consumer = await browser.newContext({ storageState: storageStatePath("consumer") });
  const cpage = await consumer.newPage();
  await cpage.goto(PRODUCT);
  const card = planCard(cpage, "Full access");
  await card.getByRole("button", { name: "Request access" }).click();
  const form = card.getByRole("form", { name: `Subscribe to ${PRODUCT_NAME}` });
  await form.getByLabel("Purpose").selectOption("fraud-prevention");
  await form.getByLabel("Justification").fill(justification);
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText("Request sent to the owners")).toBeVisible();
  await cpage.goto("/subscriptions");
  const requests = cpage.getByRole("list", { name: "Access requests" });
  await expect(requests.getByRole("listitem").filter({ hasText: "Full access" }).first()).toContainText("Awaiting review");

  const owner = await browser.newContext({ storageState: storageStatePath("owner") });
  const opage = await owner.newPage();
  await opage.goto("/owner");
  // The owner dashboard counts pending reviews and links to the queue.
  await opage.getByRole("link", { name: /Access requests waiting for review/ }).click();
  await expect(opage).toHaveURL(/\/owner\/requests/);
  const request = opage.getByRole("article").filter({ hasText: justification });
  await expect(request).toContainText("Full access");
  await expect(request).toContainText("Customer Care");
  await opage.screenshot({ path: screenshotPath("owner-requests"), fullPage: true });

  await request.getByRole("button", { name: "Deny…" }).click();
  // Denying needs a reason: the field error shows and the request stays.
  await request.getByRole("button", { name: "Confirm denial" }).click();
  await expect(request.getByText("A reason is required to deny a request")).toBeVisible();
  await request.getByLabel("Reason for denying").fill("Use the partner tier: full identifiers are not needed for this.");
  await request.getByRole("button", { name: "Confirm denial" }).click();
  await expect(opage.getByRole("article").filter({ hasText: justification })).toHaveCount(0);
  await owner.close();

  // The requester sees the decision and its reason.
  await cpage.reload();
  await expect(requests.getByRole("listitem").filter({ hasText: "Full access" }).first()).toContainText("Denied");
  await expect(requests).toContainText("full identifiers are not needed");
  await consumer.close();
});

test("the owner approves a reviewed request in bulk and the consumer's subscription turns active", async ({ browser }) => {
  test.setTimeout(150_000);
  const justification = `Settlement reconciliation ${Date.now()}`;

  const consumer = await browser.newContext({ storageState: storageStatePath("consumer") });
  const cpage = await consumer.newPage();
  await cancelLiveSubscriptions(cpage, "Wholesale flat");
  await cpage.goto(PRODUCT);
  const card = planCard(cpage, "Wholesale flat");
  await card.getByRole("button", { name: "Request access" }).click();
  const form = card.getByRole("form", { name: `Subscribe to ${PRODUCT_NAME}` });
  await form.getByLabel("Purpose").selectOption("wholesale-settlement");
  // A reviewed plan needs a justification: the field error says so.
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(form.getByLabel("Justification")).toHaveAttribute("aria-invalid", "true");
  // What was entered survives the error.
  await expect(form.getByLabel("Purpose")).toHaveValue("wholesale-settlement");
  await form.getByLabel("Justification").fill(justification);
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText("Request sent to the owners")).toBeVisible();

  const owner = await browser.newContext({ storageState: storageStatePath("owner") });
  const opage = await owner.newPage();
  await opage.goto("/owner/requests");
  const request = opage.getByRole("article").filter({ hasText: justification });
  await request.getByRole("checkbox").check();
  await opage.getByRole("button", { name: "Approve selected" }).click();
  await expect(opage.getByText("1 request approved.")).toBeVisible();
  await expect(opage.getByRole("article").filter({ hasText: justification })).toHaveCount(0);
  await owner.close();

  await cpage.goto("/subscriptions");
  const sub = cpage.getByRole("article", { name: `${PRODUCT_NAME} — Wholesale flat`, exact: true }).first();
  await expect(sub.getByTestId("subscription-state")).toHaveText("Active", { timeout: 90_000 });
  await sub.getByRole("button", { name: "Cancel subscription" }).click();
  await sub.getByRole("button", { name: "Yes, cancel" }).click();
  await expect(sub.getByTestId("subscription-state")).toHaveText("Ended", { timeout: 15_000 });
  await consumer.close();
});

test.describe("who may see what", () => {
  test.use({ storageState: storageStatePath("consumer") });

  test("a consumer gets a 403 on the review queue and a 404 for subscriptions that are not theirs", async ({ page }) => {
    expect((await page.goto("/owner/requests"))?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-subscription"]) {
      expect((await page.goto(`/subscriptions/${id}`))?.status(), id).toBe(404);
      await expect(page.getByRole("button", { name: "Reveal credentials" })).toHaveCount(0);
    }
    // Another team's subscription answers the same 404: e2e/consume.spec.ts opens the partner's.
  });
});

test("four eyes: an owner sees their own team's request on their own product with Approve disabled", async ({ browser }) => {
  const justification = `Own-team access check ${Date.now()}`;
  const owner = await browser.newContext({ storageState: storageStatePath("owner") });
  const page = await owner.newPage();
  // Fraud alerts belong to Fraud & Security, one of the demo owner's teams; no other spec requests its Full access plan.
  await page.goto("/products/fraud-alerts-sim-swap-irsf");
  const card = planCard(page, "Full access");
  await card.getByRole("button", { name: "Request access" }).click();
  const form = card.getByRole("form", { name: "Subscribe to Fraud Alerts: SIM Swap & IRSF" });
  await form.getByLabel("Team").selectOption({ label: "Fraud & Security" });
  await form.getByLabel("Purpose").selectOption("security-operations");
  await form.getByLabel("Justification").fill(justification);
  const until = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel("Access until (optional)").fill(until);
  await expect(form.getByText(`Access ends at the end of ${until} (UTC).`)).toBeVisible();
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText("Request sent to the owners")).toBeVisible();

  await page.goto("/owner/requests");
  const request = page.getByRole("article").filter({ hasText: justification });
  await expect(request).toContainText(`Requested until: ${until}`);
  await expect(request.getByRole("button", { name: "Approve…" })).toBeDisabled();
  await expect(request).toContainText("Four eyes: this request comes from Fraud & Security, a team you belong to");
  await request.getByRole("checkbox").check();
  await expect(page.getByRole("button", { name: "Approve selected" })).toBeDisabled();
  await expect(page.getByText("You cannot approve the selected requests: four eyes, they come from your own team.")).toBeVisible();
  await page.screenshot({ path: screenshotPath("owner-requests-four-eyes"), fullPage: true });

  // Denying grants nothing, so four eyes does not stop it: that is also how the request leaves the queue.
  await request.getByRole("button", { name: "Deny…" }).click();
  await request.getByLabel("Reason for denying").fill("Filed by the four-eyes e2e check");
  await request.getByRole("button", { name: "Confirm denial" }).click();
  await expect(page.getByRole("article").filter({ hasText: justification })).toHaveCount(0);
  await owner.close();
});
