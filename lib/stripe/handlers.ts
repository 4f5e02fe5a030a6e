import type Stripe from "stripe";
import type { Database } from "@/db/client";
import { jobHandler, type JobHandler } from "@/lib/jobs";
import { cancelStripeSubscriptionJob, createStripeSubscriptionJob, reportUsageJob } from "./jobs";
import {
  cancelStripeSubscription,
  createStripeSubscription,
  enqueueMissingStripeSubscriptions,
  enqueueStripeCancellations,
  enqueueUsageReports,
  pruneFinishedUsageJobs,
  reportUsageHour,
  suspendAfterGrace,
} from "./service";

/** The billing worker's Stripe job handlers (each idempotent; see jobs.ts). */
export function stripeJobHandlers(db: Database, stripe: Stripe): JobHandler[] {
  return [
    jobHandler(createStripeSubscriptionJob, async (payload) => void (await createStripeSubscription(db, stripe, payload))),
    jobHandler(reportUsageJob, async (payload) => void (await reportUsageHour(db, stripe, payload))),
    jobHandler(cancelStripeSubscriptionJob, async (payload) => void (await cancelStripeSubscription(db, stripe, payload))),
  ];
}

export type BillingTaskOptions = {
  /** Non-payment grace before suspension (default 3 days). */
  graceMs?: number;
  now?: () => Date;
  /** lib/billing's refreshOpenPeriodCharges, once it exists; runs with or without Stripe. */
  refreshCharges?: (db: Database, now?: Date) => Promise<unknown>;
};

/**
 * The billing worker's periodic tasks. Without Stripe only the non-Stripe ones run (charges);
 * the Stripe ones enqueue outbox jobs, so a task that runs twice enqueues nothing new.
 */
export function billingPeriodicTasks(db: Database, stripe: Stripe | null, opts: BillingTaskOptions = {}): Record<string, () => Promise<unknown>> {
  const now = opts.now ?? (() => new Date());
  const tasks: Record<string, () => Promise<unknown>> = {};
  if (opts.refreshCharges) {
    const refresh = opts.refreshCharges;
    tasks.charges = () => refresh(db, now());
  }
  if (stripe) {
    tasks.stripeSubscriptions = () => enqueueMissingStripeSubscriptions(db);
    tasks.stripeUsage = () => enqueueUsageReports(db, { now: now() });
    tasks.stripeCancellations = () => enqueueStripeCancellations(db, { now: now() });
    tasks.stripeJobPrune = () => pruneFinishedUsageJobs(db, { now: now() });
    tasks.suspendAfterGrace = () => suspendAfterGrace(db, { now: now(), graceMs: opts.graceMs });
  }
  return tasks;
}
