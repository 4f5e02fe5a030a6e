import { z } from "zod";
import { defineJob } from "@/lib/jobs";

/**
 * Jobs written in the same transaction as a subscription's state change. Dedupe keys carry the
 * entity id: a double click or a concurrent approval enqueues one job.
 */

/** Topic, principal, ACLs, probe, then "active". Eight attempts with backoff span about 4 minutes. */
export const provisionSubscriptionJob = defineJob({
  kind: "subscription.provision",
  schema: z.object({ subscriptionId: z.uuid() }),
  maxAttempts: 8,
  backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.5 },
  timeoutMs: 60_000,
});

/** Removes every credential and ACL of an ended subscription. Retried for long: access must end. */
export const deprovisionSubscriptionJob = defineJob({
  kind: "subscription.deprovision",
  schema: z.object({ subscriptionId: z.uuid() }),
  maxAttempts: 20,
  backoff: { baseMs: 1_000, maxMs: 5 * 60_000, jitter: 0.5 },
  timeoutMs: 60_000,
});

/** Runs when a rotated credential's grace period is over. */
export const retireCredentialJob = defineJob({
  kind: "credential.retire",
  schema: z.object({ credentialId: z.uuid() }),
  maxAttempts: 20,
  timeoutMs: 60_000,
});

export const provisionDedupeKey = (subscriptionId: string) => `subscription.provision:${subscriptionId}`;
/** One deprovisioning per ending: a resumed subscription that ends again needs a new job. */
export const deprovisionDedupeKey = (subscriptionId: string, endedAt: Date) => `subscription.deprovision:${subscriptionId}:${endedAt.getTime()}`;
export const retireDedupeKey = (credentialId: string) => `credential.retire:${credentialId}`;
