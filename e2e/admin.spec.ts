import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD, demoUsers, screenshotPath, storageStatePath } from "./fixtures";

/**
 * Issue 8: an admin invites a user who signs in; an owner approves an access request from a
 * notification link. Plus a look at each admin page. Seeds its own data (unique emails and
 * justifications), so it runs next to the other specs and again on the same database.
 */

// Owned by Network Analytics (the demo owner's team); the consumer is in Customer Care, so the
// four-eyes rule never blocks the owner. A product the subscription spec does not use.
const PRODUCT = "/products/cell-network-kpis";
const PRODUCT_NAME = "Cell Network Quality KPIs";
const PLAN = "Full access";

function planCard(page: Page, plan: string) {
  return page.locator("section#plans").getByRole("group", { name: plan, exact: true });
}

/** Cancels what still holds access for this product and plan (a re-run on the same database). */
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

test("an admin invites a user, who accepts and signs in; the admin then grants a platform role", async ({ browser }) => {
  const email = `invitee-${Date.now()}@example.test`;
  const admin = await browser.newContext({ storageState: storageStatePath("admin") });
  const apage = await admin.newPage();
  await apage.goto("/admin/users");
  await apage.getByLabel("Email").fill(email);
  await apage.getByRole("button", { name: "Create invitation link" }).click();
  await expect(apage.getByText(`Invitation created for ${email}`)).toBeVisible();
  const link = await apage.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/invite\//);

  // The invitee: a fresh browser with no session.
  const invitee = await browser.newContext();
  const ipage = await invitee.newPage();
  await ipage.goto(link);
  await ipage.getByLabel("Your name").fill("Ivy Invitee");
  await ipage.getByLabel("Choose a password").fill("a long enough passphrase");
  await ipage.getByLabel("Repeat the password").fill("a long enough passphrase");
  await ipage.getByRole("button", { name: "Create account and sign in" }).click();
  await expect(ipage).toHaveURL(/\/catalog/, { timeout: 30_000 });
  await expect(ipage.getByRole("button", { name: /Account: Ivy Invitee/ }).or(ipage.getByText("Ivy Invitee").first())).toBeVisible();
  // A plain member: no admin pages.
  const res = await ipage.goto("/admin/users");
  expect(res?.status()).toBe(403);

  // The admin sees the new user and makes them finance; the change is audited.
  await apage.goto("/admin/users");
  const roles = apage.getByRole("form", { name: `Platform roles of ${email}` });
  await roles.getByLabel("Finance").check();
  await roles.getByRole("button", { name: "Save roles" }).click();
  await expect(roles.getByText("Saved")).toBeVisible();
  await apage.goto(`/admin/audit?action=user.roles`);
  await expect(apage.getByRole("table")).toContainText("user.roles.update");
  await apage.screenshot({ path: screenshotPath("admin-audit"), fullPage: true });
  await invitee.close();
  await admin.close();
});

const JUSTIFICATION = "Churn model for network quality";

/** Denies requests an earlier, interrupted attempt left pending (a retry on the same database). */
async function denyLeftoverRequests(page: Page) {
  await page.goto("/owner/requests");
  await expect(page.getByRole("heading", { name: "Access requests" })).toBeVisible();
  const leftovers = page.getByRole("article").filter({ hasText: JUSTIFICATION });
  for (let i = Math.min(await leftovers.count(), 5); i > 0; i--) {
    const request = leftovers.first();
    await request.getByRole("button", { name: "Deny…" }).click();
    await request.getByLabel("Reason for denying").fill("Left over from an interrupted test run.");
    await request.getByRole("button", { name: "Confirm denial" }).click();
    await expect(leftovers).toHaveCount(i - 1, { timeout: 15_000 });
  }
}

test("an owner approves a request from a notification link, after sign-in", async ({ browser }) => {
  test.setTimeout(120_000);
  const justification = `${JUSTIFICATION} ${Date.now()}`;

  const owner = await browser.newContext({ storageState: storageStatePath("owner") });
  const opage = await owner.newPage();
  await denyLeftoverRequests(opage);

  const consumer = await browser.newContext({ storageState: storageStatePath("consumer") });
  const cpage = await consumer.newPage();
  await cancelLiveSubscriptions(cpage);
  await cpage.goto(PRODUCT);
  const card = planCard(cpage, PLAN);
  await card.getByRole("button", { name: "Request access" }).click();
  const form = card.getByRole("form", { name: `Subscribe to ${PRODUCT_NAME}` });
  await form.getByLabel("Purpose").selectOption({ index: 1 });
  await form.getByLabel("Justification").fill(justification);
  await form.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText("Request sent to the owners")).toBeVisible();

  // The owner's header shows unread notifications; the inbox lists the request unread first.
  await opage.goto("/catalog");
  await expect(opage.getByRole("link", { name: /^Notifications, \d+ unread$/ })).toBeVisible();
  await opage.getByRole("link", { name: /^Notifications, / }).click();
  await expect(opage.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  const item = opage.getByRole("listitem", { name: `Unread: Access request for ${PRODUCT_NAME}` }).first();
  await expect(item).toBeVisible();
  await opage.screenshot({ path: screenshotPath("notifications-inbox"), fullPage: true });
  // The link the inbox and the e-mail copy carry: /api/notifications/<id>/open.
  const href = await item.getByRole("link", { name: `Open: Access request for ${PRODUCT_NAME}` }).getAttribute("href");
  expect(href).toMatch(/^\/api\/notifications\/[0-9a-f-]{36}\/open$/);

  // The owner opens it from their mail, signed out: sign-in first, then the exact request.
  const fresh = await browser.newContext();
  const fpage = await fresh.newPage();
  // The sign-in page replaces its own URL once it hydrates; wait for the redirect, not for "load".
  await fpage.goto(href!, { waitUntil: "commit" });
  await expect(fpage).toHaveURL(/\/sign-in\?callbackUrl=/);
  await fpage.getByLabel("Email").fill(demoUsers.owner);
  await fpage.getByLabel("Password").fill(DEMO_PASSWORD);
  await fpage.getByRole("button", { name: /^sign in$/i }).click();
  await expect(fpage).toHaveURL(/\/owner\/requests\?request=[0-9a-f-]{36}$/, { timeout: 30_000 });
  const request = fpage.getByRole("article").filter({ hasText: justification });
  await expect(request).toContainText(PLAN);
  // Landed on that request: highlighted and focused, not just somewhere in the queue.
  await expect(request).toHaveAttribute("data-highlighted", "true");
  await expect(request).toBeFocused();
  await fpage.screenshot({ path: screenshotPath("notification-link-after-sign-in"), fullPage: true });
  await request.getByRole("button", { name: "Approve…" }).click();
  await request.getByRole("button", { name: "Confirm approval" }).click();
  await expect(fpage.getByRole("article").filter({ hasText: justification })).toHaveCount(0);
  await fresh.close();

  // Opening marked the notification read.
  await opage.goto("/notifications?show=unread");
  await expect(opage.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  await expect(opage.locator(`a[href="${href}"]`)).toHaveCount(0);
  await owner.close();

  // The requester is told, in their own inbox, with a link to the subscription.
  await cpage.goto("/notifications");
  await expect(cpage.getByRole("listitem", { name: `Unread: Access to ${PRODUCT_NAME} approved` }).first()).toBeVisible();
  await cancelLiveSubscriptions(cpage);
  await consumer.close();
});

test.describe("as the admin", () => {
  test.use({ storageState: storageStatePath("admin") });

  test("every admin page renders, and a non-admin is refused", async ({ page, browser }) => {
    for (const [path, heading] of [
      ["/admin/teams", "Cost centers"],
      ["/admin/organizations", "New organization"],
      ["/admin/clusters", "Add a cluster"],
      ["/admin/settings", "Masking key rotation"],
      ["/admin/audit", "Administration"],
    ] as const) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(200);
      await expect(page.getByRole("heading", { name: heading }).first()).toBeVisible();
      await page.screenshot({ path: screenshotPath(`admin-${path.split("/").pop()}`), fullPage: true });
    }

    // Test connection on the embedded cluster reports each step.
    await page.goto("/admin/clusters");
    const cluster = page.getByRole("region", { name: "Cluster embedded" });
    await cluster.getByRole("button", { name: "Test connection" }).click();
    const report = cluster.getByRole("region", { name: "Connection test of embedded" });
    await expect(report).toContainText("TCP reach", { timeout: 20_000 });
    await expect(report).toContainText("Cluster metadata");

    const owner = await browser.newContext({ storageState: storageStatePath("owner") });
    const opage = await owner.newPage();
    for (const path of ["/admin/teams", "/admin/audit", "/admin/clusters"]) {
      expect((await opage.goto(path))?.status(), path).toBe(403);
    }
    const csv = await opage.request.get("/api/admin/audit.csv");
    expect(csv.status()).toBe(403);
    await owner.close();

    const csvOk = await page.request.get("/api/admin/audit.csv?action=auth.");
    expect(csvOk.status()).toBe(200);
    expect(csvOk.headers()["content-type"]).toContain("text/csv");
    expect((await csvOk.text()).split("\r\n")[0]).toContain("id,event_version,at,actor_type");
  });
});
