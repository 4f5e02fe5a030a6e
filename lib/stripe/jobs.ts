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

/** One closed hour of one subscription's usage as one meter event. */
export const reportUsageJob = defineJob({
  kind: "stripe.usage.report",
  schema: z.object({ subscriptionId: z.uuid(), hour: z.iso.datetime() }),
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
/** Also the meter event's identifier suffix; `hour` is the ISO instant (toISOString) of the hour start. */
export const usageReportDedupeKey = (subscriptionId: string, hourIso: string) => `stripe.usage:${subscriptionId}:${hourIso}`;
export const meterEventIdentifier = (subscriptionId: string, hourIso: string) => `${subscriptionId}:${hourIso}`;
export const cancelStripeSubscriptionDedupeKey = (stripeSubscriptionId: string) => `stripe.subscription.cancel:${stripeSubscriptionId}`;

export const stripeJobs = [createStripeSubscriptionJob, reportUsageJob, cancelStripeSubscriptionJob] as const;
