import type { Db } from "@/db/client";
import { jobHandler, type JobHandler } from "@/lib/jobs";
import { deprovisionSubscriptionJob, provisionSubscriptionJob, retireCredentialJob } from "@/lib/subscriptions/jobs";
import { expireDueSubscriptions, notifyExpiringAccess } from "@/lib/subscriptions/service";
import { retireDueProducts } from "@/lib/versions/service";
import { deprovisionSubscription, failExhaustedProvisioning, provisionSubscription, reconcileAccess, retireCredential, type ProvisioningDeps, type ReconcileReport } from "./service";

/**
 * What the provisioner worker runs, in one place so workers/provisioner.ts stays an entry point
 * and tests drive exactly the same handlers and periodic tasks in-process.
 */

export const PROVISIONER_JOB_KINDS: readonly string[] = [provisionSubscriptionJob.kind, deprovisionSubscriptionJob.kind, retireCredentialJob.kind];

export function provisionerJobHandlers(db: Db, deps: ProvisioningDeps): JobHandler[] {
  return [
    jobHandler(provisionSubscriptionJob, async (payload, ctx) => void (await provisionSubscription(db, deps, payload, ctx))),
    jobHandler(deprovisionSubscriptionJob, async (payload, ctx) => void (await deprovisionSubscription(db, deps, payload, ctx))),
    jobHandler(retireCredentialJob, async (payload) => void (await retireCredential(db, deps, payload))),
  ];
}

export type PeriodicHooks = {
  info?: (message: string, fields?: Record<string, unknown>) => void;
  onReconciled?: (report: ReconcileReport) => void;
  onReconcileFailed?: (err: unknown) => void;
};

/**
 * The housekeeping rounds, in order: products past their sunset retire (ending their
 * subscriptions), expired subscriptions end, teams hear about access expiring within 7 days / 1
 * day and rotation grace periods ending within 24 h, provisioning the queue gave up on is marked
 * failed, then the cluster is reconciled with the database.
 */
export function provisionerPeriodicTasks(db: Db, deps: ProvisioningDeps, hooks: PeriodicHooks = {}): Record<string, () => Promise<unknown>> {
  const info = hooks.info ?? (() => {});
  return {
    retire: () => retireDueProducts(db).then((ids) => ids.length && info(`retired ${ids.length} products past their sunset`)),
    expire: () => expireDueSubscriptions(db).then((ids) => ids.length && info(`expired ${ids.length} subscriptions`)),
    notify: () =>
      notifyExpiringAccess(db).then((r) => (r.expiring.length || r.graceEnding.length) && info("sent expiry notices", { ...r })),
    exhausted: () => failExhaustedProvisioning(db).then((ids) => ids.length && info(`marked ${ids.length} subscriptions failed after their provision job gave up`)),
    reconcile: () =>
      reconcileAccess(db, deps).then(
        (r) => {
          // Only drift is news; a clean pass is visible in the heartbeat.
          if (Object.values(r).some((v) => Array.isArray(v) && v.length > 0)) info("reconciled drift", { ...r });
          hooks.onReconciled?.(r);
        },
        (err) => (hooks.onReconcileFailed?.(err), Promise.reject(err)),
      ),
  };
}
