import { and, eq, inArray, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, Db } from "@/db/client";
import { organizations, stripeEvents, subscriptions, teams, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { enqueue } from "@/lib/jobs";
import { notifyUsers } from "@/lib/notifications/notify";
import { deprovisionDedupeKey, deprovisionSubscriptionJob } from "@/lib/subscriptions/jobs";
import { resumeSubscription } from "@/lib/subscriptions/service";
import { DEFAULT_PAYMENT_GRACE_MS, PAYMENT_SUSPEND_REASON } from "./service";

/** The allow-list: anything else is acknowledged (200) and ignored. */
export const HANDLED_STRIPE_EVENTS = ["invoice.paid", "invoice.payment_failed", "customer.subscription.deleted"] as const;
type HandledType = (typeof HANDLED_STRIPE_EVENTS)[number];

export type WebhookResult = { status: number; body: Record<string, unknown> };

const stripeActor = { type: "system" as const, label: "stripe-webhook" };

/**
 * The whole webhook, independent of Next: verify the signature on the raw body, ignore types off
 * the allow-list, skip event ids already processed, re-read the object from Stripe (the payload's
 * state may be stale or forged by replay of an old event), then apply the change, audit it and
 * mark the event processed in one transaction. Non-2xx on failure, so Stripe retries.
 */
export async function handleStripeWebhook(
  db: Database,
  stripe: Stripe,
  input: { rawBody: string; signature: string | null; secret: string; graceMs?: number; now?: Date },
): Promise<WebhookResult> {
  if (!input.signature) return reject(db, "Missing Stripe-Signature header");
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(input.rawBody, input.signature, input.secret);
  } catch (err) {
    return reject(db, `Invalid signature: ${(err as Error).message}`);
  }
  if (!(HANDLED_STRIPE_EVENTS as readonly string[]).includes(event.type)) {
    return { status: 200, body: { received: true, ignored: true, type: event.type } };
  }
  const type = event.type as HandledType;
  const [seen] = await db.select({ processedAt: stripeEvents.processedAt }).from(stripeEvents).where(eq(stripeEvents.id, event.id));
  if (seen?.processedAt) return { status: 200, body: { received: true, duplicate: true } };

  const objectId = (event.data.object as { id?: string }).id;
  if (!objectId) return { status: 400, body: { error: "The event carries no object id" } };
  let fresh: Stripe.Invoice | Stripe.Subscription;
  try {
    fresh = type === "customer.subscription.deleted" ? await stripe.subscriptions.retrieve(objectId) : await stripe.invoices.retrieve(objectId);
  } catch (err) {
    console.error("[stripe-webhook] re-reading", objectId, "failed:", (err as Error).message);
    return { status: 502, body: { error: "Could not re-read the object from Stripe; retry later" } };
  }

  try {
    const outcome = await db.transaction(async (tx) => {
      await tx.insert(stripeEvents).values({ id: event.id, type }).onConflictDoNothing();
      const [row] = await tx.select().from(stripeEvents).where(eq(stripeEvents.id, event.id)).for("update");
      if (row!.processedAt) return { duplicate: true };
      const now = input.now ?? new Date();
      const result =
        type === "invoice.paid"
          ? await applyInvoicePaid(tx, fresh as Stripe.Invoice, event.id)
          : type === "invoice.payment_failed"
            ? await applyInvoicePaymentFailed(tx, fresh as Stripe.Invoice, event.id, now, input.graceMs ?? DEFAULT_PAYMENT_GRACE_MS)
            : await applySubscriptionDeleted(tx, fresh as Stripe.Subscription, event.id);
      await tx.update(stripeEvents).set({ processedAt: now }).where(eq(stripeEvents.id, event.id));
      return result;
    });
    return { status: 200, body: { received: true, type, ...outcome } };
  } catch (err) {
    console.error("[stripe-webhook] handling", event.id, type, "failed:", err);
    return { status: 500, body: { error: "Handling the event failed; Stripe will retry" } };
  }
}

async function reject(db: Db, reason: string): Promise<WebhookResult> {
  await recordAudit(db, { actor: { type: "anonymous" }, action: "stripe.webhook.reject", resource: { type: "stripe_event" }, result: "denied", details: { reason } });
  return { status: 400, body: { error: reason } };
}

function customerId(obj: { customer: string | { id: string } | null }): string | null {
  if (!obj.customer) return null;
  return typeof obj.customer === "string" ? obj.customer : obj.customer.id;
}

async function findOrgByCustomer(tx: Db, customer: string | null) {
  if (!customer) return undefined;
  const [org] = await tx.select().from(organizations).where(eq(organizations.stripeCustomerId, customer));
  return org;
}

async function orgMemberIds(tx: Db, orgId: string): Promise<string[]> {
  const rows = await tx.select({ id: users.id }).from(users).where(and(eq(users.orgId, orgId), eq(users.disabled, false)));
  return rows.map((r) => r.id);
}

async function ignoreStale(tx: Db, eventId: string, type: string, objectId: string, reason: string) {
  await recordAudit(tx, {
    actor: stripeActor,
    action: `stripe.${type}.ignored`,
    resource: { type: "stripe_event", id: eventId },
    details: { objectId, reason },
  });
  return { ignored: true, reason };
}

/** Paid: the organization is in good standing again; billing suspensions (only those) resume. */
async function applyInvoicePaid(tx: Db, invoice: Stripe.Invoice, eventId: string) {
  if (invoice.status !== "paid") return ignoreStale(tx, eventId, "invoice.paid", invoice.id!, `invoice is ${invoice.status} at Stripe`);
  const org = await findOrgByCustomer(tx, customerId(invoice));
  if (!org) return ignoreStale(tx, eventId, "invoice.paid", invoice.id!, "no organization has this customer");
  await tx.update(organizations).set({ paymentFailedAt: null }).where(eq(organizations.id, org.id));
  const suspended = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .where(and(eq(teams.orgId, org.id), eq(subscriptions.state, "suspended"), eq(subscriptions.stateReason, PAYMENT_SUSPEND_REASON)));
  for (const { id } of suspended) await resumeSubscription(tx, { subscriptionId: id }, stripeActor);
  if (org.paymentFailedAt || suspended.length) {
    await notifyUsers(tx, await orgMemberIds(tx, org.id), {
      kind: "payment.succeeded",
      title: "Payment received",
      body: suspended.length
        ? `Thank you. ${suspended.length} suspended subscription(s) are being restored; reveal their new credentials once they are active.`
        : "Thank you. Your account is in good standing again.",
      link: "/subscriptions",
    });
  }
  await recordAudit(tx, {
    actor: stripeActor,
    action: "billing.payment.succeeded",
    resource: { type: "organization", id: org.id },
    details: { invoiceId: invoice.id, eventId, resumed: suspended.map((s) => s.id) },
  });
  return { orgId: org.id, resumed: suspended.map((s) => s.id) };
}

/** Failed: start the grace clock (the first failure counts) and tell the organization's people. */
async function applyInvoicePaymentFailed(tx: Db, invoice: Stripe.Invoice, eventId: string, now: Date, graceMs: number) {
  if (invoice.status === "paid" || invoice.status === "void") {
    return ignoreStale(tx, eventId, "invoice.payment_failed", invoice.id!, `invoice is ${invoice.status} at Stripe`);
  }
  const org = await findOrgByCustomer(tx, customerId(invoice));
  if (!org) return ignoreStale(tx, eventId, "invoice.payment_failed", invoice.id!, "no organization has this customer");
  await tx.update(organizations).set({ paymentFailedAt: now }).where(and(eq(organizations.id, org.id), isNull(organizations.paymentFailedAt)));
  const since = org.paymentFailedAt ?? now;
  const suspendOn = new Date(since.getTime() + graceMs);
  await notifyUsers(tx, await orgMemberIds(tx, org.id), {
    kind: "payment.failed",
    title: "Payment failed",
    body: `We could not collect payment for invoice ${invoice.number ?? invoice.id}. Update your payment method in the billing portal; paid subscriptions are suspended on ${suspendOn.toISOString().slice(0, 10)} if the invoice is still unpaid.`,
    link: "/subscriptions",
  });
  await recordAudit(tx, {
    actor: stripeActor,
    action: "billing.payment.failed",
    resource: { type: "organization", id: org.id },
    details: { invoiceId: invoice.id, eventId, paymentFailedAt: since.toISOString(), suspendOn: suspendOn.toISOString() },
  });
  return { orgId: org.id, suspendOn: suspendOn.toISOString() };
}

/**
 * The Stripe subscription is gone (cancelled in the portal, or by dunning): every Tributary
 * subscription it billed ends as revoked. A live one is deprovisioned like any ending; a suspended
 * one already lost its access when it was suspended.
 */
async function applySubscriptionDeleted(tx: Db, stripeSub: Stripe.Subscription, eventId: string) {
  if (stripeSub.status !== "canceled" && stripeSub.status !== "incomplete_expired") {
    return ignoreStale(tx, eventId, "customer.subscription.deleted", stripeSub.id, `subscription is ${stripeSub.status} at Stripe`);
  }
  const live = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.stripeSubscriptionId, stripeSub.id), inArray(subscriptions.state, ["requested", "provisioning", "active", "failed", "suspended"])))
    .for("update");
  const reason = "The Stripe subscription that billed it was cancelled";
  for (const sub of live) {
    const endedAt = new Date();
    await tx.update(subscriptions).set({ state: "revoked", stateReason: reason, endedAt, updatedAt: endedAt }).where(eq(subscriptions.id, sub.id));
    if (sub.state !== "suspended") {
      await enqueue(tx, deprovisionSubscriptionJob, { subscriptionId: sub.id }, { dedupeKey: deprovisionDedupeKey(sub.id, endedAt) });
    }
    await recordAudit(tx, {
      actor: stripeActor,
      action: "subscription.revoke",
      resource: { type: "subscription", id: sub.id },
      details: { state: "revoked", reason, stripeSubscriptionId: stripeSub.id, eventId, previousState: sub.state },
    });
    await notifyUsers(tx, [sub.createdBy], {
      kind: "subscription.revoked",
      title: "Subscription ended: billing cancelled",
      body: "The Stripe subscription paying for this access was cancelled, so the access ended.",
      link: `/subscriptions/${sub.id}`,
    });
  }
  if (!live.length) {
    await recordAudit(tx, {
      actor: stripeActor,
      action: "stripe.customer.subscription.deleted",
      resource: { type: "stripe_subscription", id: stripeSub.id },
      details: { eventId, ended: [] },
    });
  }
  return { ended: live.map((s) => s.id) };
}
