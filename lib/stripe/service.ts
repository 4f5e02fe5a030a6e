import { and, eq, gte, inArray, isNotNull, isNull, lte, ne, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Database, Db } from "@/db/client";
import { dataProducts, jobs, organizations, plans, stripeUsageReports, subscriptions, teams, usageLedger, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { enqueue, PermanentJobError } from "@/lib/jobs";
import { notifyUsers } from "@/lib/notifications/notify";
import { suspendSubscription } from "@/lib/subscriptions/service";
import {
  cancelStripeSubscriptionDedupeKey,
  cancelStripeSubscriptionJob,
  createStripeSubscriptionDedupeKey,
  createStripeSubscriptionJob,
  meterEventIdentifier,
  reportUsageJob,
  usageReportDedupeKey,
} from "./jobs";
import { capUnits, isUsageModel, ledgerUnit, meterEventName, unitAmountDecimal, usageValue, type PriceModel } from "./units";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const systemActor = { type: "system" as const, label: "billing" };

/** Grace between a failed payment and the suspension of the organization's paid subscriptions. */
export const DEFAULT_PAYMENT_GRACE_MS = 3 * DAY_MS;
/**
 * An hour is reported once it ended this long ago, so the meter's last pass over it has landed.
 * The meter books usage into the hour its run started, so a run that straddles the hour (or a
 * batch retried later) can still add to a reported hour: that growth is reported as a further
 * event (enqueueUsageReports).
 */
export const DEFAULT_USAGE_SETTLE_MS = 10 * 60_000;
/** Stripe accepts meter events up to 35 days old; older hours are not sent. */
export const DEFAULT_USAGE_LOOKBACK_MS = 34 * DAY_MS;
/** The state_reason of a billing suspension: invoice.paid resumes exactly these, not a steward's. */
export const PAYMENT_SUSPEND_REASON = "Suspended for non-payment: an invoice is overdue";

const STRIPE_LIVE_STATES = ["requested", "provisioning", "active", "suspended", "failed"] as const;

// ---------------------------------------------------------------------------------------------
// Customer, meter, price
// ---------------------------------------------------------------------------------------------

/**
 * The organization's Stripe customer, created once. The idempotency key makes a retried create
 * (a crashed job) return the same customer; the conditional update keeps the first id stored.
 */
export async function ensureStripeCustomer(db: Db, stripe: Stripe, orgId: string): Promise<string> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw new PermanentJobError(`Organization ${orgId} does not exist`);
  if (org.kind !== "external") throw new PermanentJobError(`Organization ${org.slug} is internal: it is charged back, not billed through Stripe`);
  if (org.stripeCustomerId) return org.stripeCustomerId;
  const customer = await stripe.customers.create(
    {
      name: org.name,
      ...(org.billingEmail ? { email: org.billingEmail } : {}),
      metadata: { tributary_org_id: org.id, tributary_org_slug: org.slug },
    },
    { idempotencyKey: `tributary-customer-${org.id}` },
  );
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(organizations)
      .set({ stripeCustomerId: customer.id })
      .where(and(eq(organizations.id, org.id), isNull(organizations.stripeCustomerId)))
      .returning({ id: organizations.stripeCustomerId });
    if (!updated) {
      const [again] = await tx.select({ id: organizations.stripeCustomerId }).from(organizations).where(eq(organizations.id, org.id));
      return again!.id!;
    }
    await recordAudit(tx, {
      actor: systemActor,
      action: "stripe.customer.create",
      resource: { type: "organization", id: org.id },
      details: { stripeCustomerId: customer.id },
    });
    return customer.id;
  });
}

const meterCache = new WeakMap<Stripe, Map<string, string>>();

/** The plan's Billing Meter (sum of `value` per customer), found by event name or created. */
export async function ensureMeter(stripe: Stripe, plan: { id: string; name: string; priceModel: PriceModel }): Promise<{ id: string; eventName: string }> {
  if (!isUsageModel(plan.priceModel)) throw new PermanentJobError(`Plan ${plan.id} is not usage-priced`);
  const eventName = meterEventName(plan.id);
  let cache = meterCache.get(stripe);
  if (!cache) meterCache.set(stripe, (cache = new Map()));
  const known = cache.get(eventName);
  if (known) return { id: known, eventName };
  // Event names are unique among active meters; listing first survives the idempotency key's
  // 24-hour window (a meter created last week is found, not created again).
  for await (const meter of stripe.billing.meters.list({ status: "active", limit: 100 })) {
    if (meter.event_name === eventName) {
      cache.set(eventName, meter.id);
      return { id: meter.id, eventName };
    }
  }
  const meter = await stripe.billing.meters.create(
    {
      display_name: `Tributary ${plan.name} (${ledgerUnit(plan.priceModel)})`.slice(0, 250),
      event_name: eventName,
      default_aggregation: { formula: "sum" },
      customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
      value_settings: { event_payload_key: "value" },
    },
    { idempotencyKey: `tributary-meter-${eventName}` },
  );
  cache.set(eventName, meter.id);
  return { id: meter.id, eventName };
}

type PlanRow = typeof plans.$inferSelect;

/**
 * The plan's Stripe price, created once and kept in plans.stripe_price_id. Usage plans get a
 * metered price on the plan's meter, per ledger unit; flat monthly a licensed monthly price.
 * A monthly cap is NOT a price tier: Stripe would apply a tier to the customer's combined usage
 * of the shared Stripe subscription (every Tributary subscription of the org on the plan), while
 * lib/billing caps each Tributary subscription. The cap is applied per subscription when usage
 * is reported instead (reportable units stop at the cap; see enqueueUsageReports). Stripe prices
 * are immutable: a plan whose price changes (or a capped plan whose price was created tiered by
 * an earlier version) needs its stripe_price_id cleared (the next subscription then creates a
 * new one).
 */
export async function ensureStripePrice(db: Db, stripe: Stripe, plan: PlanRow, productName: string): Promise<string> {
  if (plan.stripePriceId) return plan.stripePriceId;
  if (plan.priceModel === "free") throw new PermanentJobError(`Plan ${plan.id} is free`);
  const common = {
    currency: plan.currency.toLowerCase(),
    nickname: `${productName} — ${plan.name}`.slice(0, 250),
    product_data: { name: `${productName} — ${plan.name}`.slice(0, 250), metadata: { tributary_product_id: plan.productId } },
    metadata: { tributary_plan_id: plan.id, tributary_price_model: plan.priceModel },
  };
  let params: Stripe.PriceCreateParams;
  if (isUsageModel(plan.priceModel)) {
    const meter = await ensureMeter(stripe, plan);
    params = {
      ...common,
      recurring: { interval: "month" as const, usage_type: "metered" as const, meter: meter.id },
      unit_amount_decimal: Stripe.Decimal.from(unitAmountDecimal(plan.priceModel, plan.priceMinor)),
    };
  } else {
    params = { ...common, recurring: { interval: "month", usage_type: "licensed" }, unit_amount: plan.priceMinor };
  }
  const price = await stripe.prices.create(params, { idempotencyKey: `tributary-price-${plan.id}` });
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(plans)
      .set({ stripePriceId: price.id })
      .where(and(eq(plans.id, plan.id), isNull(plans.stripePriceId)))
      .returning({ id: plans.stripePriceId });
    if (!updated) return (await tx.select({ id: plans.stripePriceId }).from(plans).where(eq(plans.id, plan.id)))[0]!.id!;
    await recordAudit(tx, { actor: systemActor, action: "stripe.price.create", resource: { type: "plan", id: plan.id }, details: { stripePriceId: price.id } });
    return price.id;
  });
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

async function loadBillingContext(db: Db, subscriptionId: string) {
  const [row] = await db
    .select({ sub: subscriptions, plan: plans, org: organizations, productName: dataProducts.name })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .where(eq(subscriptions.id, subscriptionId));
  return row;
}

export type CreateStripeSubscriptionResult =
  | { status: "created" | "shared" | "exists"; stripeSubscriptionId: string }
  | { status: "skipped"; reason: string };

/**
 * Gives an active, paid subscription of an external organization its Stripe subscription. Safe
 * to run any number of times: a stored id short-circuits, Stripe's idempotency key returns the
 * same subscription for a retried create, and the write only fills an empty column.
 *
 * Usage plans share one Stripe subscription per (organization, plan): the plan's meter sums the
 * customer's events, so two Stripe subscriptions with that price would each bill the sum. What
 * each Tributary subscription owes stays its own all the same: its usage reports stop at its own
 * monthly cap (enqueueUsageReports), so the shared item bills the sum of per-subscription capped
 * usage, as lib/billing does. Flat plans get one Stripe subscription each (a licensed price has
 * no meter to double count, and each prorates on its own).
 * Stripe periods are anchored to the 1st of the month with prorations, matching lib/billing's
 * calendar-month periods.
 */
export async function createStripeSubscription(db: Database, stripe: Stripe, input: { subscriptionId: string }): Promise<CreateStripeSubscriptionResult> {
  const ctx = await loadBillingContext(db, input.subscriptionId);
  if (!ctx) throw new PermanentJobError(`Subscription ${input.subscriptionId} does not exist`);
  if (ctx.sub.stripeSubscriptionId) return { status: "exists", stripeSubscriptionId: ctx.sub.stripeSubscriptionId };
  if (ctx.org.kind !== "external") return { status: "skipped", reason: "internal organization" };
  if (ctx.plan.priceModel === "free") return { status: "skipped", reason: "free plan" };
  if (ctx.sub.state !== "active") return { status: "skipped", reason: `subscription is ${ctx.sub.state}` };

  const customerId = await ensureStripeCustomer(db, stripe, ctx.org.id);
  const priceId = await ensureStripePrice(db, stripe, ctx.plan, ctx.productName);

  return db.transaction(async (tx) => {
    // Serializes the "share or create" decision per (org, plan) across workers.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`stripe-subscription:${ctx.org.id}:${ctx.plan.id}`}))`);
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, ctx.sub.id)).for("update");
    if (sub!.stripeSubscriptionId) return { status: "exists" as const, stripeSubscriptionId: sub!.stripeSubscriptionId };

    let stripeSubscriptionId: string | undefined;
    let status: "created" | "shared" = "created";
    if (isUsageModel(ctx.plan.priceModel)) {
      const [sibling] = await tx
        .select({ id: subscriptions.stripeSubscriptionId })
        .from(subscriptions)
        .innerJoin(teams, eq(teams.id, subscriptions.teamId))
        .where(
          and(
            eq(teams.orgId, ctx.org.id),
            eq(subscriptions.planId, ctx.plan.id),
            ne(subscriptions.id, ctx.sub.id),
            isNotNull(subscriptions.stripeSubscriptionId),
            inArray(subscriptions.state, [...STRIPE_LIVE_STATES]),
          ),
        )
        .limit(1);
      if (sibling?.id) {
        stripeSubscriptionId = sibling.id;
        status = "shared";
      }
    }
    if (!stripeSubscriptionId) {
      const created = await stripe.subscriptions.create(
        {
          customer: customerId,
          items: [{ price: priceId }],
          billing_cycle_anchor_config: { day_of_month: 1 },
          proration_behavior: "create_prorations",
          metadata: { tributary_subscription_id: ctx.sub.id, tributary_plan_id: ctx.plan.id, tributary_org_id: ctx.org.id },
        },
        { idempotencyKey: `tributary-subscription-${ctx.sub.id}` },
      );
      stripeSubscriptionId = created.id;
    }
    await tx.update(subscriptions).set({ stripeSubscriptionId, updatedAt: new Date() }).where(eq(subscriptions.id, ctx.sub.id));
    await recordAudit(tx, {
      actor: systemActor,
      action: "stripe.subscription.create",
      resource: { type: "subscription", id: ctx.sub.id },
      details: { stripeSubscriptionId, stripeCustomerId: customerId, stripePriceId: priceId, shared: status === "shared" },
    });
    return { status, stripeSubscriptionId };
  });
}

/**
 * The hook for the provisioning success path (the subscription just became active): enqueue in
 * the same transaction. The job decides eligibility itself, so calling it for any subscription
 * is safe; it is a no-op while Stripe is not configured (pass `stripeEnabled`).
 */
export async function enqueueStripeSubscriptionCreate(tx: Db, subscriptionId: string, stripeEnabled: boolean): Promise<void> {
  if (!stripeEnabled) return;
  await enqueue(tx, createStripeSubscriptionJob, { subscriptionId }, { dedupeKey: createStripeSubscriptionDedupeKey(subscriptionId) });
}

/** Periodic: every active paid subscription of an external org without a Stripe id gets its job. */
export async function enqueueMissingStripeSubscriptions(db: Database): Promise<number> {
  const missing = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(and(eq(subscriptions.state, "active"), isNull(subscriptions.stripeSubscriptionId), ne(plans.priceModel, "free"), eq(organizations.kind, "external")));
  let created = 0;
  for (const { id } of missing) {
    const res = await enqueue(db, createStripeSubscriptionJob, { subscriptionId: id }, { dedupeKey: createStripeSubscriptionDedupeKey(id) });
    if (res.created) created++;
  }
  return created;
}

// ---------------------------------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------------------------------

const monthOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10);

/**
 * Periodic: records and enqueues what each Stripe-billed usage subscription owes Stripe for its
 * settled ledger hours (ended 10+ min ago, last 34 days). Per (subscription, hour) the report is
 * the growth of the hour's ledger value since its previous reports (stripe_usage_reports): the
 * whole hour the first time (seq 0), and usage written into the hour after it was reported as a
 * further report (seq 1, 2, …) with its own identifier. Zero growth sends nothing.
 *
 * The plan's monthly cap is applied here, per Tributary subscription, exactly as lib/billing
 * prices it: the units billed in a month stop at ceil(cap × 10^k / price) (capUnits), the rest
 * is recorded with value 0. Several subscriptions of one org share a Stripe subscription and a
 * meter, and Stripe bills the sum of their values — so each pays up to its own cap, as in the
 * chargeback. A report is billed in the month of its event timestamp: the hour's own month for
 * the first report, and for a later report of an hour of a previous month the current month
 * (that month's invoice is final; the ledger's late-usage rule bills it in the next open period
 * too).
 *
 * Each subscription's reports are written under an advisory lock in one transaction with their
 * jobs (the outbox), so two billing workers never report an hour twice, and the report rows —
 * not the jobs' dedupe keys — are the permanent record: finished jobs can be pruned.
 */
export async function enqueueUsageReports(
  db: Database,
  opts: { now?: Date; settleMs?: number; lookbackMs?: number; limit?: number } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const closedBefore = new Date(now.getTime() - HOUR_MS - (opts.settleMs ?? DEFAULT_USAGE_SETTLE_MS));
  const since = new Date(now.getTime() - (opts.lookbackMs ?? DEFAULT_USAGE_LOOKBACK_MS));
  const candidates = await db.execute<{ subscription_id: string }>(sql`
    select distinct l.subscription_id
    from ${usageLedger} l
    join ${subscriptions} s on s.id = l.subscription_id
    join ${plans} p on p.id = s.plan_id
    join ${teams} t on t.id = s.team_id
    join ${organizations} o on o.id = t.org_id
    where o.kind = 'external'
      and s.stripe_subscription_id is not null
      and p.price_model in ('per_gb', 'per_million_messages')
      and l.hour >= ${since.toISOString()}::timestamptz
      and l.hour <= ${closedBefore.toISOString()}::timestamptz
      and (case when p.price_model = 'per_gb' then l.bytes else l.messages end)
        > coalesce((select sum(r.units) from ${stripeUsageReports} r where r.subscription_id = l.subscription_id and r.hour = l.hour), 0)
    limit ${opts.limit ?? 5_000}
  `);
  let created = 0;
  for (const { subscription_id: id } of candidates) created += await recordUsageReports(db, id, { now, since, closedBefore });
  return created;
}

async function recordUsageReports(db: Database, subscriptionId: string, w: { now: Date; since: Date; closedBefore: Date }): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`stripe-usage:${subscriptionId}`}, 0))`);
    const [ctx] = await tx
      .select({ priceModel: plans.priceModel, priceMinor: plans.priceMinor, capMinor: plans.monthlyCapMinor })
      .from(subscriptions)
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.id, subscriptionId));
    if (!ctx || !isUsageModel(ctx.priceModel)) return 0;
    const model = ctx.priceModel;
    const cap = ctx.capMinor === null ? null : capUnits(model, ctx.priceMinor, ctx.capMinor);
    const hours = await tx
      .select({ hour: usageLedger.hour, bytes: usageLedger.bytes, messages: usageLedger.messages })
      .from(usageLedger)
      .where(and(eq(usageLedger.subscriptionId, subscriptionId), gte(usageLedger.hour, w.since), lte(usageLedger.hour, w.closedBefore)))
      .orderBy(usageLedger.hour);
    const reports = await tx.select().from(stripeUsageReports).where(eq(stripeUsageReports.subscriptionId, subscriptionId));
    const reported = new Map<number, { units: number; count: number }>();
    const billed = new Map<string, bigint>();
    for (const r of reports) {
      const k = r.hour.getTime();
      const e = reported.get(k) ?? { units: 0, count: 0 };
      reported.set(k, { units: e.units + r.units, count: e.count + 1 });
      billed.set(r.billingMonth, (billed.get(r.billingMonth) ?? 0n) + BigInt(r.value));
    }
    let created = 0;
    for (const h of hours) {
      const before = reported.get(h.hour.getTime()) ?? { units: 0, count: 0 };
      const units = usageValue(model, h) - before.units;
      if (units <= 0) continue;
      const seq = before.count;
      const hourIso = h.hour.toISOString();
      const lateForClosedMonth = seq > 0 && monthOf(h.hour) !== monthOf(w.now);
      const billingMonth = lateForClosedMonth ? monthOf(w.now) : monthOf(h.hour);
      const eventTimestamp = lateForClosedMonth ? Math.floor(w.now.getTime() / 1000) : Math.floor((h.hour.getTime() + HOUR_MS) / 1000) - 1;
      const left = cap === null ? null : cap - (billed.get(billingMonth) ?? 0n);
      const value = left === null ? units : Number(left <= 0n ? 0n : left < BigInt(units) ? left : BigInt(units));
      const identifier = meterEventIdentifier(subscriptionId, hourIso, seq);
      await tx.insert(stripeUsageReports).values({ subscriptionId, hour: h.hour, seq, units, value, billingMonth, identifier, eventTimestamp });
      reported.set(h.hour.getTime(), { units: before.units + units, count: seq + 1 });
      billed.set(billingMonth, (billed.get(billingMonth) ?? 0n) + BigInt(value));
      if (value > 0) {
        const res = await enqueue(tx, reportUsageJob, { subscriptionId, hour: hourIso, seq }, { dedupeKey: usageReportDedupeKey(subscriptionId, hourIso, seq) });
        if (res.created) created++;
      }
    }
    return created;
  });
}

export type ReportUsageResult = { status: "sent"; identifier: string; value: number } | { status: "skipped"; reason: string };

/**
 * Sends one recorded usage report as a meter event. Its identifier (`<subscriptionId>:<hourISO>`
 * for an hour's first report, `…:<seq>` for later ones) and timestamp come from the report row,
 * so every attempt sends the same event and Stripe keeps one even if a retry follows a lost
 * response; the idempotency key covers Stripe's 24-hour replay window as well.
 */
export async function reportUsageHour(db: Db, stripe: Stripe, input: { subscriptionId: string; hour: string; seq?: number }, now = new Date()): Promise<ReportUsageResult> {
  const hour = new Date(input.hour);
  const seq = input.seq ?? 0;
  const ctx = await loadBillingContext(db, input.subscriptionId);
  if (!ctx) throw new PermanentJobError(`Subscription ${input.subscriptionId} does not exist`);
  if (!isUsageModel(ctx.plan.priceModel)) return { status: "skipped", reason: "not a usage plan" };
  if (!ctx.org.stripeCustomerId || !ctx.sub.stripeSubscriptionId) throw new Error("No Stripe customer or subscription yet; retrying later");
  const [report] = await db
    .select()
    .from(stripeUsageReports)
    .where(and(eq(stripeUsageReports.subscriptionId, ctx.sub.id), eq(stripeUsageReports.hour, hour), eq(stripeUsageReports.seq, seq)));
  if (!report) throw new PermanentJobError(`No usage report ${seq} for ${input.subscriptionId} at ${input.hour}`);
  if (report.value <= 0) return { status: "skipped", reason: "nothing billable (monthly cap reached or no usage)" };
  if (report.eventTimestamp > now.getTime() / 1000) throw new Error(`Hour ${input.hour} has not closed yet; retrying later`);
  if (now.getTime() / 1000 - report.eventTimestamp > 35 * 24 * 3600) throw new PermanentJobError(`Hour ${input.hour} is older than Stripe's 35-day window`);
  const meter = await ensureMeter(stripe, ctx.plan);
  await stripe.billing.meterEvents.create(
    {
      event_name: meter.eventName,
      payload: { stripe_customer_id: ctx.org.stripeCustomerId, value: String(report.value) },
      identifier: report.identifier,
      timestamp: report.eventTimestamp,
    },
    { idempotencyKey: `tributary-usage-${report.identifier}` },
  );
  await db.update(stripeUsageReports).set({ sentAt: now }).where(eq(stripeUsageReports.identifier, report.identifier));
  return { status: "sent", identifier: report.identifier, value: report.value };
}

/** Finished usage-report jobs older than this are deleted (their reports stay in stripe_usage_reports). */
export const DEFAULT_JOB_RETENTION_MS = 7 * DAY_MS;

/**
 * Periodic: deletes finished (done) usage-report jobs older than `retentionMs`. Safe because the
 * record of what was reported is stripe_usage_reports, not the job rows: enqueueUsageReports
 * compares the ledger with the reports, so a pruned job is never enqueued again. Failed jobs stay
 * for people to look at. Without this the jobs table grows by one row per subscription-hour.
 */
export async function pruneFinishedUsageJobs(db: Db, opts: { now?: Date; retentionMs?: number } = {}): Promise<number> {
  const before = new Date((opts.now ?? new Date()).getTime() - (opts.retentionMs ?? DEFAULT_JOB_RETENTION_MS));
  const gone = await db
    .delete(jobs)
    .where(and(eq(jobs.kind, reportUsageJob.kind), eq(jobs.status, "done"), lte(jobs.finishedAt, before)))
    .returning({ id: jobs.id });
  return gone.length;
}

// ---------------------------------------------------------------------------------------------
// Cancellation when Tributary subscriptions end
// ---------------------------------------------------------------------------------------------

/**
 * Periodic: a Stripe subscription none of whose Tributary subscriptions is live any more is
 * cancelled, once the last one ended long enough ago for its final hours to be reported.
 */
export async function enqueueStripeCancellations(db: Database, opts: { now?: Date; settleMs?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const endedBefore = new Date(now.getTime() - 2 * HOUR_MS - (opts.settleMs ?? DEFAULT_USAGE_SETTLE_MS));
  const rows = await db.execute<{ stripe_subscription_id: string }>(sql`
    select s.stripe_subscription_id
    from ${subscriptions} s
    where s.stripe_subscription_id is not null
    group by s.stripe_subscription_id
    having bool_and(s.state in ('revoked', 'expired')) and max(s.ended_at) <= ${endedBefore.toISOString()}::timestamptz
  `);
  let created = 0;
  for (const { stripe_subscription_id: id } of rows) {
    const res = await enqueue(db, cancelStripeSubscriptionJob, { stripeSubscriptionId: id }, { dedupeKey: cancelStripeSubscriptionDedupeKey(id) });
    if (res.created) created++;
  }
  return created;
}

/** Cancels with a final invoice (usage to date, prorated flat fee); a no-op when already cancelled. */
export async function cancelStripeSubscription(db: Db, stripe: Stripe, input: { stripeSubscriptionId: string }): Promise<"cancelled" | "already_cancelled"> {
  const current = await stripe.subscriptions.retrieve(input.stripeSubscriptionId);
  if (current.status === "canceled" || current.status === "incomplete_expired") return "already_cancelled";
  await stripe.subscriptions.cancel(
    input.stripeSubscriptionId,
    { invoice_now: true, prorate: true },
    { idempotencyKey: `tributary-cancel-${input.stripeSubscriptionId}` },
  );
  await recordAudit(db, {
    actor: systemActor,
    action: "stripe.subscription.cancel",
    resource: { type: "stripe_subscription", id: input.stripeSubscriptionId },
    details: { reason: "every Tributary subscription it billed has ended" },
  });
  return "cancelled";
}

// ---------------------------------------------------------------------------------------------
// Non-payment
// ---------------------------------------------------------------------------------------------

/**
 * Periodic: organizations whose payment failed more than `graceMs` ago lose their paid
 * subscriptions (suspended, which revokes access through the provisioner). Free plans keep
 * running. invoice.paid clears the flag and resumes exactly these suspensions.
 */
export async function suspendAfterGrace(db: Database, opts: { now?: Date; graceMs?: number } = {}): Promise<string[]> {
  const now = opts.now ?? new Date();
  const deadline = new Date(now.getTime() - (opts.graceMs ?? DEFAULT_PAYMENT_GRACE_MS));
  const due = await db
    .select({ subscriptionId: subscriptions.id, orgId: organizations.id, createdBy: subscriptions.createdBy })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(
      and(
        eq(organizations.kind, "external"),
        lte(organizations.paymentFailedAt, deadline),
        ne(plans.priceModel, "free"),
        inArray(subscriptions.state, ["requested", "provisioning", "active", "failed"]),
      ),
    );
  const suspended: string[] = [];
  const byOrg = new Map<string, string[]>();
  for (const row of due) {
    try {
      await suspendSubscription(db, { subscriptionId: row.subscriptionId, reason: PAYMENT_SUSPEND_REASON }, systemActor);
      suspended.push(row.subscriptionId);
      byOrg.set(row.orgId, [...(byOrg.get(row.orgId) ?? []), row.subscriptionId]);
    } catch (err) {
      // Ended concurrently (cancelled by the consumer): nothing to suspend.
      if (!(err instanceof Error && err.name === "AppError" && (err as { code?: string }).code === "conflict")) throw err;
    }
  }
  for (const [orgId, ids] of byOrg) {
    await db.transaction(async (tx) => {
      const members = await tx.select({ id: users.id }).from(users).where(and(eq(users.orgId, orgId), eq(users.disabled, false)));
      await notifyUsers(
        tx,
        members.map((m) => m.id),
        {
          kind: "payment.suspended",
          title: "Paid subscriptions suspended for non-payment",
          body: `${ids.length} paid subscription(s) lost access because an invoice is still unpaid. Pay it in the billing portal and access comes back with new credentials.`,
          link: "/subscriptions",
        },
      );
      await recordAudit(tx, {
        actor: systemActor,
        action: "billing.org.suspend",
        resource: { type: "organization", id: orgId },
        details: { subscriptionIds: ids, graceMs: opts.graceMs ?? DEFAULT_PAYMENT_GRACE_MS },
      });
    });
  }
  return suspended;
}
