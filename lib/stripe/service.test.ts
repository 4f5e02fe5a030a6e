import { and, eq, inArray, like } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { auditLog, jobs, notifications, organizations, plans, stripeUsageReports, subscriptions, usageLedger } from "@/db/schema";
import { priceUsage } from "@/lib/billing/pricing";
import { createTestDatabase } from "@/lib/testing/db";
import { createStripeClient } from "./client";
import { billingPeriodicTasks, stripeJobHandlers } from "./handlers";
import {
  createStripeSubscription,
  enqueueMissingStripeSubscriptions,
  enqueueStripeCancellations,
  enqueueUsageReports,
  PAYMENT_SUSPEND_REASON,
  pruneFinishedUsageJobs,
  reportUsageHour,
  suspendAfterGrace,
} from "./service";
import { createBillingWorld } from "./test-fixtures";
import { drainJobs } from "./testing/helpers";
import { startFakeStripe } from "./testing/fake-stripe";
import { capUnits, meterEventName, unitAmountDecimal } from "./units";

/**
 * The Stripe side of billing, with the official SDK talking to a local fake that checks each
 * request's shape (lib/stripe/testing/fake-stripe.ts) and a real PostgreSQL.
 */
const t = await createTestDatabase();
const fake = await startFakeStripe();
const stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url, maxNetworkRetries: 0 });
const handlers = stripeJobHandlers(t.db, stripe);
afterAll(() => fake.close());

const HOUR = 3_600_000;
const hourStart = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);

describe("units", () => {
  it("prices one ledger unit exactly and caps in ledger units", () => {
    expect(unitAmountDecimal("per_gb", 500)).toBe("0.0000005");
    expect(unitAmountDecimal("per_million_messages", 200)).toBe("0.0002");
    expect(unitAmountDecimal("per_gb", 1_234_567_891)).toBe("1.234567891");
    // 10.00 cap at 2.00 per million messages = 5 million messages.
    expect(capUnits("per_million_messages", 200, 1_000)).toBe(5_000_000n);
    // 10.00 cap at 3.00 per GB: ceil(3.333.. GB) in bytes.
    expect(capUnits("per_gb", 300, 1_000)).toBe(3_333_333_334n);
  });
});

describe("Stripe subscriptions for external organizations", () => {
  it("creates one customer and a metered subscription for an external org's usage plan, none for internal orgs or free plans", async () => {
    const w = await createBillingWorld(t.db);
    const paid = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    const free = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.freePlan.id, createdBy: w.users.partnerB.id });
    const internal = await w.addSubscription({ teamId: w.teams.internalTeam.id, planId: w.plans.gbPlan.id, createdBy: w.users.internalUser.id });
    const before = fake.requests.length;

    expect(await enqueueMissingStripeSubscriptions(t.db)).toBeGreaterThanOrEqual(1);
    expect(await enqueueMissingStripeSubscriptions(t.db)).toBe(0); // dedupe keys: nothing new
    await drainJobs(t.db, handlers);

    const [org] = await t.db.select().from(organizations).where(eq(organizations.id, w.orgs.external.id));
    expect(org!.stripeCustomerId).toMatch(/^cus_/);
    const customer = fake.customers.get(org!.stripeCustomerId!)!;
    expect(customer.metadata).toEqual({ tributary_org_id: w.orgs.external.id, tributary_org_slug: w.orgs.external.slug });
    expect(customer.email).toBe(w.orgs.external.billingEmail);
    const mine = fake.requests.slice(before);
    const customerCall = mine.find((r) => r.path === "/v1/customers")!;
    expect(customerCall.idempotencyKey).toBe(`tributary-customer-${w.orgs.external.id}`);
    expect(customerCall.authorization).toBe(`Bearer ${fake.secretKey}`);

    const meter = [...fake.meters.values()].find((m) => m.event_name === meterEventName(w.plans.gbPlan.id))!;
    expect(meter.default_aggregation).toEqual({ formula: "sum" });
    const [plan] = await t.db.select().from(plans).where(eq(plans.id, w.plans.gbPlan.id));
    const price = fake.prices.get(plan!.stripePriceId!)!;
    expect(price).toMatchObject({ currency: "eur", unit_amount_decimal: "0.0000005", recurring: { interval: "month", usage_type: "metered", meter: meter.id } });
    expect(mine.find((r) => r.path === "/v1/prices")!.idempotencyKey).toBe(`tributary-price-${w.plans.gbPlan.id}`);

    const [row] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, paid.id));
    const stripeSub = fake.subscriptions.get(row!.stripeSubscriptionId!)!;
    expect(stripeSub.customer).toBe(org!.stripeCustomerId);
    expect(stripeSub.metadata).toMatchObject({ tributary_subscription_id: paid.id });
    const subCall = mine.find((r) => r.path === "/v1/subscriptions")!;
    expect(subCall.idempotencyKey).toBe(`tributary-subscription-${paid.id}`);
    expect(subCall.params).toMatchObject({ billing_cycle_anchor_config: { day_of_month: "1" }, proration_behavior: "create_prorations" });

    for (const id of [free.id, internal.id]) {
      const [r] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, id));
      expect(r!.stripeSubscriptionId).toBeNull();
    }
    const [intOrg] = await t.db.select().from(organizations).where(eq(organizations.id, w.orgs.internal.id));
    expect(intOrg!.stripeCustomerId).toBeNull();
    expect(mine.filter((r) => r.path === "/v1/subscriptions")).toHaveLength(1);
    expect(mine.filter((r) => r.path === "/v1/customers")).toHaveLength(1);

    const audits = await t.db.select().from(auditLog).where(and(eq(auditLog.action, "stripe.subscription.create"), eq(auditLog.resourceId, paid.id)));
    expect(audits).toHaveLength(1);
  });

  it("is idempotent, shares one Stripe subscription per org and usage plan, and gives flat plans a licensed price", async () => {
    const w = await createBillingWorld(t.db);
    const a = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.msgPlan.id, createdBy: w.users.partnerA.id });
    const b = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.msgPlan.id, createdBy: w.users.partnerB.id });
    const flat = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.flatPlan.id, createdBy: w.users.partnerA.id });
    const pending = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.flatPlan.id, createdBy: w.users.partnerB.id, state: "provisioning" });

    const first = await createStripeSubscription(t.db, stripe, { subscriptionId: a.id });
    expect(first.status).toBe("created");
    const again = await createStripeSubscription(t.db, stripe, { subscriptionId: a.id });
    expect(again).toEqual({ status: "exists", stripeSubscriptionId: (first as { stripeSubscriptionId: string }).stripeSubscriptionId });
    const shared = await createStripeSubscription(t.db, stripe, { subscriptionId: b.id });
    expect(shared).toEqual({ status: "shared", stripeSubscriptionId: (first as { stripeSubscriptionId: string }).stripeSubscriptionId });
    expect(await createStripeSubscription(t.db, stripe, { subscriptionId: pending.id })).toEqual({ status: "skipped", reason: "subscription is provisioning" });

    // The capped per-million plan: a plain per-unit price. The cap is applied per Tributary
    // subscription when usage is reported, not as a tier on the org's combined usage.
    const [msgPlan] = await t.db.select().from(plans).where(eq(plans.id, w.plans.msgPlan.id));
    expect(fake.prices.get(msgPlan!.stripePriceId!)).toMatchObject({ billing_scheme: "per_unit", tiers_mode: null, unit_amount_decimal: "0.0002" });

    const flatRes = await createStripeSubscription(t.db, stripe, { subscriptionId: flat.id });
    expect(flatRes.status).toBe("created");
    const [flatPlan] = await t.db.select().from(plans).where(eq(plans.id, w.plans.flatPlan.id));
    expect(fake.prices.get(flatPlan!.stripePriceId!)).toMatchObject({ currency: "usd", unit_amount: 9_900, recurring: { interval: "month", usage_type: "licensed", meter: null } });
    // One customer for the org across all three.
    const customerIds = new Set([...fake.subscriptions.values()].filter((s) => (s.metadata as Record<string, string>).tributary_org_id === w.orgs.external.id).map((s) => s.customer));
    expect(customerIds.size).toBe(1);
  });
});

describe("usage reporting", () => {
  it("reports each closed hour once with a deterministic identifier; a forced re-send is deduplicated by Stripe", async () => {
    const w = await createBillingWorld(t.db);
    const gb = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    const msg = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.msgPlan.id, createdBy: w.users.partnerB.id });
    const internal = await w.addSubscription({ teamId: w.teams.internalTeam.id, planId: w.plans.gbPlan.id, createdBy: w.users.internalUser.id });
    await createStripeSubscription(t.db, stripe, { subscriptionId: gb.id });
    await createStripeSubscription(t.db, stripe, { subscriptionId: msg.id });

    const now = new Date();
    const current = hourStart(now);
    const h3 = new Date(current.getTime() - 3 * HOUR);
    const h2 = new Date(current.getTime() - 2 * HOUR);
    await t.db.insert(usageLedger).values([
      { subscriptionId: gb.id, hour: h3, messages: 10, bytes: 1_500_000_000 },
      { subscriptionId: gb.id, hour: h2, messages: 0, bytes: 0 }, // nothing to send
      { subscriptionId: gb.id, hour: current, messages: 5, bytes: 999 }, // open hour: not yet
      { subscriptionId: msg.id, hour: h2, messages: 2_500_000, bytes: 123 },
      { subscriptionId: internal.id, hour: h3, messages: 7, bytes: 7 }, // internal: chargeback only
    ]);

    expect(await enqueueUsageReports(t.db, { now })).toBe(2);
    expect(await enqueueUsageReports(t.db, { now })).toBe(0);
    const postsBefore = fake.meterEventPosts;
    await drainJobs(t.db, handlers);

    const gbId = `${gb.id}:${h3.toISOString()}`;
    const msgId = `${msg.id}:${h2.toISOString()}`;
    const mine = () => fake.meterEvents.filter((e) => [gbId, msgId].includes(String(e.identifier)));
    expect(mine().map((e) => [e.identifier, (e.payload as Record<string, string>).value]).sort()).toEqual(
      [
        [gbId, "1500000000"],
        [msgId, "2500000"],
      ].sort(),
    );
    expect(mine().find((e) => e.identifier === gbId)!.event_name).toBe(meterEventName(w.plans.gbPlan.id));
    expect(mine().find((e) => e.identifier === gbId)!.timestamp).toBe(Math.floor((h3.getTime() + HOUR) / 1000) - 1);
    expect(fake.meterEventPosts - postsBefore).toBe(2);
    const call = fake.calls("POST", "/v1/billing/meter_events").find((r) => r.params.identifier === gbId)!;
    expect(call.idempotencyKey).toBe(`tributary-usage-${gbId}`);

    // The periodic task running again (the worker restarted) sends nothing.
    expect(await enqueueUsageReports(t.db, { now })).toBe(0);
    await drainJobs(t.db, handlers);
    expect(fake.meterEventPosts - postsBefore).toBe(2);

    // A forced re-send of the same hour within a day replays the idempotency key's response...
    const accepted = fake.meterEvents.length;
    await reportUsageHour(t.db, stripe, { subscriptionId: gb.id, hour: h3.toISOString() });
    expect(fake.meterEventPosts - postsBefore).toBe(2);
    expect(fake.meterEvents.length).toBe(accepted);
    // ...and once the key expired it reaches the endpoint, which dedupes on the identifier.
    fake.expireIdempotencyKeys();
    const acceptedAfter = fake.meterEvents.length;
    const again = await reportUsageHour(t.db, stripe, { subscriptionId: gb.id, hour: h3.toISOString() });
    expect(again).toEqual({ status: "sent", identifier: gbId, value: 1_500_000_000 });
    expect(fake.meterEventPosts - postsBefore).toBe(3);
    expect(fake.meterEvents.length).toBe(acceptedAfter);
    expect(acceptedAfter).toBe(accepted);

    // Once the hour closes (and settles), the current hour is reported too, once.
    const later = new Date(current.getTime() + HOUR + 11 * 60_000);
    expect(await enqueueUsageReports(t.db, { now: later })).toBe(1);
    expect(await enqueueUsageReports(t.db, { now: later })).toBe(0);
    // (That job belongs to a future the test only pretended; it would wait for the hour to close.)
    await t.db.delete(jobs).where(eq(jobs.dedupeKey, `stripe.usage:${gb.id}:${current.toISOString()}`));
  });
});

/** Two settled hours in one UTC month: the last two before now when possible, else the previous month's last two. */
function twoHoursInOneMonth(now: Date): [Date, Date] {
  const current = hourStart(now);
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const last = current.getTime() - HOUR * 2 >= monthStart ? current.getTime() - 2 * HOUR : monthStart - HOUR;
  return [new Date(last - HOUR), new Date(last)];
}

describe("monthly caps per Tributary subscription", () => {
  it("two capped subscriptions of one org on one Stripe subscription are billed two caps, as in the chargeback", async () => {
    const w = await createBillingWorld(t.db);
    const a = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.msgPlan.id, createdBy: w.users.partnerA.id });
    const b = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.msgPlan.id, createdBy: w.users.partnerB.id });
    const ra = await createStripeSubscription(t.db, stripe, { subscriptionId: a.id });
    const rb = await createStripeSubscription(t.db, stripe, { subscriptionId: b.id });
    expect(rb).toEqual({ status: "shared", stripeSubscriptionId: (ra as { stripeSubscriptionId: string }).stripeSubscriptionId });
    const stripeSubId = (ra as { stripeSubscriptionId: string }).stripeSubscriptionId;

    // 2.00 per million messages, capped at 10.00 a month (5 million messages). Each subscription
    // reads 8 million messages over two hours of one month: 16.00 each uncapped, 10.00 capped.
    const now = new Date();
    const [h1, h2] = twoHoursInOneMonth(now);
    await t.db.insert(usageLedger).values([
      { subscriptionId: a.id, hour: h1, messages: 6_000_000, bytes: 1 },
      { subscriptionId: a.id, hour: h2, messages: 2_000_000, bytes: 1 },
      { subscriptionId: b.id, hour: h1, messages: 3_000_000, bytes: 1 },
      { subscriptionId: b.id, hour: h2, messages: 5_000_000, bytes: 1 },
    ]);
    // a: 5M of h1 billed, h2 nothing (cap reached, recorded, not sent); b: 3M + 2M.
    expect(await enqueueUsageReports(t.db, { now })).toBe(3);
    await drainJobs(t.db, handlers);
    const reports = await t.db.select().from(stripeUsageReports).where(inArray(stripeUsageReports.subscriptionId, [a.id, b.id]));
    const of = (id: string, h: Date) => reports.find((r) => r.subscriptionId === id && r.hour.getTime() === h.getTime())!;
    expect([of(a.id, h1), of(a.id, h2), of(b.id, h1), of(b.id, h2)].map((r) => [r.units, r.value])).toEqual([
      [6_000_000, 5_000_000],
      [2_000_000, 0],
      [3_000_000, 3_000_000],
      [5_000_000, 2_000_000],
    ]);
    expect(of(a.id, h2).sentAt).toBeNull();
    expect(of(a.id, h1).sentAt).not.toBeNull();

    const ledgerAmount = (messages: number) =>
      priceUsage({ priceModel: "per_million_messages", priceMinor: 200, currency: "EUR", monthlyCapMinor: 1_000 }, { messages, bytes: 0, activeSeconds: 0, periodSeconds: 1 }).amountMinor;
    expect(ledgerAmount(8_000_000) + ledgerAmount(8_000_000)).toBe(2_000);
    // Stripe's invoice for the shared item: 10 million messages × 0.0002 = 20.00 = two caps.
    expect(fake.meteredAmountMinor(stripeSubId)).toBe(2_000);
    // Nothing more to report, however often the task runs.
    expect(await enqueueUsageReports(t.db, { now })).toBe(0);
  });
});

describe("late usage, durable report records and pruning", () => {
  it("reports usage written into an already-reported hour as a further event with its own identifier", async () => {
    const w = await createBillingWorld(t.db);
    const sub = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    await createStripeSubscription(t.db, stripe, { subscriptionId: sub.id });
    const now = new Date();
    const [, h] = twoHoursInOneMonth(now);
    await t.db.insert(usageLedger).values({ subscriptionId: sub.id, hour: h, messages: 1, bytes: 1_000_000_000 });
    expect(await enqueueUsageReports(t.db, { now })).toBe(1);
    await drainJobs(t.db, handlers);
    // A meter run that started in that hour commits after the report: 0.25 GB more.
    await t.db.update(usageLedger).set({ bytes: 1_250_000_000 }).where(and(eq(usageLedger.subscriptionId, sub.id), eq(usageLedger.hour, h)));
    expect(await enqueueUsageReports(t.db, { now })).toBe(1);
    expect(await enqueueUsageReports(t.db, { now })).toBe(0);
    await drainJobs(t.db, handlers);
    const id0 = `${sub.id}:${h.toISOString()}`;
    const id1 = `${id0}:1`;
    const events = fake.meterEvents.filter((e) => String(e.identifier).startsWith(sub.id));
    expect(events.map((e) => [e.identifier, (e.payload as Record<string, string>).value, e.timestamp])).toEqual([
      [id0, "1000000000", Math.floor((h.getTime() + HOUR) / 1000) - 1],
      [id1, "250000000", Math.floor((h.getTime() + HOUR) / 1000) - 1],
    ]);
    // A retried send of the further event is deduplicated like any other.
    fake.expireIdempotencyKeys();
    await reportUsageHour(t.db, stripe, { subscriptionId: sub.id, hour: h.toISOString(), seq: 1 });
    expect(fake.meterEvents.filter((e) => String(e.identifier).startsWith(sub.id))).toHaveLength(2);
  });

  it("bills later usage of a previous month's hour in the current month, when that invoice is final", async () => {
    const w = await createBillingWorld(t.db);
    const sub = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    await createStripeSubscription(t.db, stripe, { subscriptionId: sub.id });
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const lastOfPrevious = new Date(monthStart.getTime() - HOUR);
    await t.db.insert(usageLedger).values({ subscriptionId: sub.id, hour: lastOfPrevious, messages: 1, bytes: 500 });
    // Reported in its own month (as it was, an hour after it ended).
    expect(await enqueueUsageReports(t.db, { now: new Date(monthStart.getTime() + 11 * 60_000), settleMs: 10 * 60_000 })).toBe(1);
    await t.db.update(usageLedger).set({ bytes: 800 }).where(eq(usageLedger.subscriptionId, sub.id));
    expect(await enqueueUsageReports(t.db, { now, settleMs: 0 })).toBe(1);
    const rows = (await t.db.select().from(stripeUsageReports).where(eq(stripeUsageReports.subscriptionId, sub.id))).sort((x, y) => x.seq - y.seq);
    const month = (d: Date) => d.toISOString().slice(0, 8) + "01";
    expect(rows.map((r) => [r.seq, r.units, r.billingMonth])).toEqual([
      [0, 500, month(lastOfPrevious)],
      [1, 300, month(now)],
    ]);
    expect(rows[0]!.eventTimestamp).toBe(Math.floor(monthStart.getTime() / 1000) - 1);
    expect(rows[1]!.eventTimestamp).toBe(Math.floor(now.getTime() / 1000));
    await drainJobs(t.db, handlers);
    expect(fake.meterEvents.filter((e) => String(e.identifier).startsWith(sub.id)).map((e) => e.timestamp)).toEqual([rows[0]!.eventTimestamp, rows[1]!.eventTimestamp]);
  });

  it("prunes finished report jobs without ever sending their hours again", async () => {
    const w = await createBillingWorld(t.db);
    const sub = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    await createStripeSubscription(t.db, stripe, { subscriptionId: sub.id });
    const now = new Date();
    const [h1, h2] = twoHoursInOneMonth(now);
    await t.db.insert(usageLedger).values([
      { subscriptionId: sub.id, hour: h1, messages: 1, bytes: 10 },
      { subscriptionId: sub.id, hour: h2, messages: 1, bytes: 20 },
    ]);
    expect(await enqueueUsageReports(t.db, { now })).toBe(2);
    await drainJobs(t.db, handlers);
    const key = (h: Date) => `stripe.usage:${sub.id}:${h.toISOString()}`;
    // A failed job is kept; done ones go once they are older than the retention.
    await t.db.update(jobs).set({ status: "failed" }).where(eq(jobs.dedupeKey, key(h2)));
    expect(await pruneFinishedUsageJobs(t.db, { now })).toBe(0);
    expect(await pruneFinishedUsageJobs(t.db, { now: new Date(now.getTime() + 8 * 24 * HOUR) })).toBeGreaterThanOrEqual(1);
    const left = await t.db.select({ key: jobs.dedupeKey }).from(jobs).where(inArray(jobs.dedupeKey, [key(h1), key(h2)]));
    expect(left.map((j) => j.key)).toEqual([key(h2)]);
    const posts = fake.meterEventPosts;
    expect(await enqueueUsageReports(t.db, { now })).toBe(0);
    await drainJobs(t.db, handlers);
    expect(fake.meterEventPosts).toBe(posts);
  });
});

describe("non-payment and cancellation", () => {
  it("suspends the org's paid subscriptions only after the grace period, enqueuing their deprovisioning", async () => {
    const w = await createBillingWorld(t.db);
    const paid = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id });
    const free = await w.addSubscription({ teamId: w.teams.partnerTeamB.id, planId: w.plans.freePlan.id, createdBy: w.users.partnerB.id });
    const failedAt = new Date("2026-03-01T10:00:00Z");
    await t.db.update(organizations).set({ paymentFailedAt: failedAt }).where(eq(organizations.id, w.orgs.external.id));

    const within = await suspendAfterGrace(t.db, { now: new Date(failedAt.getTime() + 2 * 24 * HOUR) });
    expect(within).not.toContain(paid.id);
    const tasks = billingPeriodicTasks(t.db, stripe, { now: () => new Date(failedAt.getTime() + 3 * 24 * HOUR + 1) });
    await tasks.suspendAfterGrace!();

    const [p] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, paid.id));
    expect(p).toMatchObject({ state: "suspended", stateReason: PAYMENT_SUSPEND_REASON });
    const [f] = await t.db.select().from(subscriptions).where(eq(subscriptions.id, free.id));
    expect(f!.state).toBe("active");
    const deprovision = await t.db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${paid.id}:%`));
    expect(deprovision).toHaveLength(1);
    const notes = await t.db.select().from(notifications).where(eq(notifications.kind, "payment.suspended"));
    expect(notes.map((n) => n.userId).sort()).toEqual(expect.arrayContaining([w.users.partnerA.id, w.users.partnerB.id]));
    // A second round finds nothing left to suspend.
    expect(await suspendAfterGrace(t.db, { now: new Date(failedAt.getTime() + 5 * 24 * HOUR) })).not.toContain(paid.id);
  });

  it("cancels a Stripe subscription once every Tributary subscription it billed has ended", async () => {
    const w = await createBillingWorld(t.db);
    const sub = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.flatPlan.id, createdBy: w.users.partnerA.id });
    const res = await createStripeSubscription(t.db, stripe, { subscriptionId: sub.id });
    const stripeId = (res as { stripeSubscriptionId: string }).stripeSubscriptionId;
    const endedAt = new Date(Date.now() - 4 * HOUR);
    await t.db.update(subscriptions).set({ state: "revoked", endedAt }).where(eq(subscriptions.id, sub.id));

    expect(await enqueueStripeCancellations(t.db, { now: new Date(endedAt.getTime() + HOUR) })).toBe(0); // final hours still to report
    expect(await enqueueStripeCancellations(t.db)).toBeGreaterThanOrEqual(1);
    await drainJobs(t.db, handlers);
    expect(fake.subscriptions.get(stripeId)!.status).toBe("canceled");
    const del = fake.calls("DELETE", `/v1/subscriptions/${stripeId}`);
    expect(del).toHaveLength(1);
    expect(del[0]!.params).toEqual({ invoice_now: "true", prorate: "true" });
    expect(await enqueueStripeCancellations(t.db)).toBe(0);
  });

  it("runs only the non-Stripe tasks without Stripe", () => {
    const refresh = async () => [];
    expect(Object.keys(billingPeriodicTasks(t.db, null, { refreshCharges: refresh }))).toEqual(["charges"]);
    expect(Object.keys(billingPeriodicTasks(t.db, stripe, { refreshCharges: refresh })).sort()).toEqual(
      ["charges", "stripeCancellations", "stripeJobPrune", "stripeSubscriptions", "stripeUsage", "suspendAfterGrace"].sort(),
    );
  });
});
