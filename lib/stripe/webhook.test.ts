import { and, eq, like } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { auditLog, jobs, notifications, organizations, stripeEvents, subscriptions } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { createStripeClient } from "./client";
import { createStripeSubscription, PAYMENT_SUSPEND_REASON, suspendAfterGrace } from "./service";
import { createBillingWorld } from "./test-fixtures";
import { signedEvent } from "./testing/helpers";
import { startFakeStripe } from "./testing/fake-stripe";
import { handleStripeWebhook } from "./webhook";

/**
 * The webhook as Stripe drives it: payloads signed with the SDK's test header helper, objects
 * re-read from the local fake (whose state, not the payload's, decides), a real PostgreSQL.
 */
const t = await createTestDatabase();
const fake = await startFakeStripe();
const stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url, maxNetworkRetries: 0 });
const secret = "whsec_test_secret";
afterAll(() => fake.close());

const DAY = 24 * 3_600_000;
const deliver = (e: { payload: string; signature: string | null }, now?: Date) =>
  handleStripeWebhook(t.db, stripe, { rawBody: e.payload, signature: e.signature, secret, now });

async function paidWorld() {
  const w = await createBillingWorld(t.db);
  const paid = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
  const free = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.freePlan.id, createdBy: w.users.partnerB.id });
  const res = await createStripeSubscription(t.db, stripe, { subscriptionId: paid.id });
  if (res.status !== "created") throw new Error("expected a Stripe subscription");
  const [org] = await t.db.select().from(organizations).where(eq(organizations.id, w.orgs.external.id));
  return { w, paid, free, customer: org!.stripeCustomerId!, stripeSubscriptionId: res.stripeSubscriptionId };
}

const subState = async (id: string) => (await t.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
const orgRow = async (id: string) => (await t.db.select().from(organizations).where(eq(organizations.id, id)))[0]!;

describe("signature and allow-list", () => {
  it("refuses a missing or bad signature with 400 and a reason, and audits it", async () => {
    const { customer } = await paidWorld();
    const good = signedEvent(stripe, secret, "invoice.payment_failed", { id: "in_x", object: "invoice", customer });
    expect(await deliver({ payload: good.payload, signature: null })).toMatchObject({ status: 400, body: { error: "Missing Stripe-Signature header" } });
    const wrongSecret = signedEvent(stripe, "whsec_other", "invoice.payment_failed", { id: "in_x", object: "invoice", customer });
    const bad = await deliver(wrongSecret);
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/^Invalid signature/);
    // The signature covers the raw bytes: a re-serialized (tampered) body fails too.
    const tampered = await deliver({ payload: good.payload.replace('"livemode":false', '"livemode":true'), signature: good.signature });
    expect(tampered.status).toBe(400);
    const rejected = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "stripe.webhook.reject"), eq(auditLog.result, "denied")));
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    expect(await t.db.select().from(stripeEvents).where(eq(stripeEvents.id, good.id))).toHaveLength(0);
  });

  it("acknowledges and ignores an event type off the allow-list", async () => {
    const e = signedEvent(stripe, secret, "customer.created", { id: "cus_123", object: "customer" });
    expect(await deliver(e)).toEqual({ status: 200, body: { received: true, ignored: true, type: "customer.created" } });
    expect(await t.db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id))).toHaveLength(0);
  });
});

describe("payment failed, grace, paid", () => {
  it("flags the org once per event id, suspends paid subscriptions after the grace period, and resumes them when paid", async () => {
    const { w, paid, free, customer } = await paidWorld();
    const invoice = fake.addInvoice({ customer, status: "open" });
    const failedAt = new Date();
    const failed = signedEvent(stripe, secret, "invoice.payment_failed", { id: invoice.id, object: "invoice", customer, status: "open" });
    const res = await deliver(failed, failedAt);
    expect(res).toMatchObject({ status: 200, body: { received: true, type: "invoice.payment_failed", orgId: w.orgs.external.id } });
    expect((await orgRow(w.orgs.external.id)).paymentFailedAt?.getTime()).toBe(failedAt.getTime());
    const notes = await t.db.select().from(notifications).where(eq(notifications.kind, "payment.failed"));
    const mine = notes.filter((n) => [w.users.partnerA.id, w.users.partnerB.id].includes(n.userId));
    expect(mine).toHaveLength(2);
    expect(mine[0]!.link).toBe("/subscriptions");
    const [event] = await t.db.select().from(stripeEvents).where(eq(stripeEvents.id, failed.id));
    expect(event!.processedAt).not.toBeNull();

    // Stripe delivers the same event again: acknowledged, nothing repeated.
    expect(await deliver(failed)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    const after = await t.db.select().from(notifications).where(eq(notifications.kind, "payment.failed"));
    expect(after.length).toBe(notes.length);

    // Still inside the grace period: nothing suspended.
    await suspendAfterGrace(t.db, { now: new Date(failedAt.getTime() + 2 * DAY) });
    expect((await subState(paid.id)).state).toBe("active");
    // Past it: paid access is suspended and deprovisioned; the free plan keeps running.
    const suspended = await suspendAfterGrace(t.db, { now: new Date(failedAt.getTime() + 3 * DAY + 1) });
    expect(suspended).toEqual([paid.id]);
    expect(await subState(paid.id)).toMatchObject({ state: "suspended", stateReason: PAYMENT_SUSPEND_REASON });
    expect((await subState(free.id)).state).toBe("active");
    expect(await t.db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${paid.id}:%`))).toHaveLength(1);

    // invoice.paid whose payload claims "paid" while Stripe still says "open": the re-read wins.
    const early = signedEvent(stripe, secret, "invoice.paid", { id: invoice.id, object: "invoice", customer, status: "paid" });
    expect(await deliver(early)).toMatchObject({ status: 200, body: { ignored: true, reason: "invoice is open at Stripe" } });
    expect((await orgRow(w.orgs.external.id)).paymentFailedAt).not.toBeNull();
    expect((await subState(paid.id)).state).toBe("suspended");

    // Paid for real: the flag clears and the billing suspension resumes with a new principal.
    invoice.status = "paid";
    const paidEvent = signedEvent(stripe, secret, "invoice.paid", { id: invoice.id, object: "invoice", customer, status: "paid" });
    expect(await deliver(paidEvent)).toMatchObject({ status: 200, body: { resumed: [paid.id] } });
    expect((await orgRow(w.orgs.external.id)).paymentFailedAt).toBeNull();
    expect((await subState(paid.id)).state).toBe("provisioning");
    expect(await t.db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.provision:${paid.id}:resume:%`))).toHaveLength(1);
    const audit = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "billing.payment.succeeded"), eq(auditLog.resourceId, w.orgs.external.id)));
    expect(audit).toHaveLength(1);
  });

  it("does not resume a subscription suspended for another reason", async () => {
    const { w, paid, customer } = await paidWorld();
    await t.db.update(subscriptions).set({ state: "suspended", stateReason: "Suspended by a steward" }).where(eq(subscriptions.id, paid.id));
    const invoice = fake.addInvoice({ customer, status: "paid" });
    const res = await deliver(signedEvent(stripe, secret, "invoice.paid", { id: invoice.id, object: "invoice", customer }));
    expect(res).toMatchObject({ status: 200, body: { orgId: w.orgs.external.id, resumed: [] } });
    expect((await subState(paid.id)).state).toBe("suspended");
  });

  it("answers 502 when Stripe cannot be re-read, and processes the same event on Stripe's retry", async () => {
    const { customer } = await paidWorld();
    const e = signedEvent(stripe, secret, "invoice.payment_failed", { id: "in_missing", object: "invoice", customer });
    expect((await deliver(e)).status).toBe(502);
    fake.invoices.set("in_missing", { id: "in_missing", object: "invoice", customer, status: "open", number: "TRIB-0001" });
    expect((await deliver(e)).status).toBe(200);
    const [event] = await t.db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id));
    expect(event!.processedAt).not.toBeNull();
  });
});

describe("subscription cancelled at Stripe", () => {
  it("ends the Tributary subscriptions it billed, after re-reading that it really is cancelled", async () => {
    const { paid, stripeSubscriptionId, customer } = await paidWorld();
    const forged = signedEvent(stripe, secret, "customer.subscription.deleted", { id: stripeSubscriptionId, object: "subscription", customer, status: "canceled" });
    expect(await deliver(forged)).toMatchObject({ status: 200, body: { ignored: true, reason: "subscription is active at Stripe" } });
    expect((await subState(paid.id)).state).toBe("active");

    fake.setSubscriptionStatus(stripeSubscriptionId, "canceled");
    const real = signedEvent(stripe, secret, "customer.subscription.deleted", { id: stripeSubscriptionId, object: "subscription", customer, status: "canceled" });
    expect(await deliver(real)).toMatchObject({ status: 200, body: { ended: [paid.id] } });
    expect(await subState(paid.id)).toMatchObject({ state: "revoked", stateReason: "The Stripe subscription that billed it was cancelled" });
    expect(await t.db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${paid.id}:%`))).toHaveLength(1);
    expect(await deliver(real)).toEqual({ status: 200, body: { received: true, duplicate: true } });
  });
});
