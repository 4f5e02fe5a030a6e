import { z } from "zod";
import { defineJob } from "@/lib/jobs";

/**
 * Stripe work goes through the jobs outbox: each unit has a deterministic dedupe key, and each
 * Stripe call carries an idempotency key or a meter-event identifier derived from the same ids,
 * so neither a re-enqueue nor a retried job can charge twice.
 */

/** Customer (once per org), meter and price (once per plan), then the Stripe subscription. */
export const createStripeSubscriptionJob = defineJob({
  kind: "stripe.subscription.create",
  schema: z.object({ subscriptionId: z.uuid() }),
  maxAttempts: 12,
  backoff: { baseMs: 2_000, maxMs: 10 * 60_000, jitter: 0.5 },
  timeoutMs: 60_000,
});

/** One recorded usage report (stripe_usage_reports: a settled hour, or later growth of it) as one meter event. */
export const reportUsageJob = defineJob({
  kind: "stripe.usage.report",
  schema: z.object({ subscriptionId: z.uuid(), hour: z.iso.datetime(), seq: z.number().int().min(0).default(0) }),
  maxAttempts: 20,
  backoff: { baseMs: 5_000, maxMs: 30 * 60_000, jitter: 0.5 },
  timeoutMs: 60_000,
});

/** Cancels a Stripe subscription once every Tributary subscription billed by it has ended. */
export const cancelStripeSubscriptionJob = defineJob({
  kind: "stripe.subscription.cancel",
  schema: z.object({ stripeSubscriptionId: z.string().min(1) }),
  maxAttempts: 12,
  backoff: { baseMs: 5_000, maxMs: 30 * 60_000, jitter: 0.5 },
  timeoutMs: 60_000,
});

export const createStripeSubscriptionDedupeKey = (subscriptionId: string) => `stripe.subscription.create:${subscriptionId}`;
/**
 * The meter event identifier of a subscription's `seq`-th report of an hour (`hourIso` is the
 * ISO instant of the hour start): `<subscriptionId>:<hourISO>` for the first, as earlier versions
 * sent it, then `…:<seq>`. Deterministic, so a re-send is deduplicated by Stripe.
 */
export const meterEventIdentifier = (subscriptionId: string, hourIso: string, seq = 0) => `${subscriptionId}:${hourIso}${seq > 0 ? `:${seq}` : ""}`;
export const usageReportDedupeKey = (subscriptionId: string, hourIso: string, seq = 0) => `stripe.usage:${meterEventIdentifier(subscriptionId, hourIso, seq)}`;
export const cancelStripeSubscriptionDedupeKey = (stripeSubscriptionId: string) => `stripe.subscription.cancel:${stripeSubscriptionId}`;

export const stripeJobs = [createStripeSubscriptionJob, reportUsageJob, cancelStripeSubscriptionJob] as const;
