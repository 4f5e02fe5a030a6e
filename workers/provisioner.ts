import { closeDb, getDb } from "@/db/client";
import { consoleJobLogger, jobHandler, makeWorkerId, runWorkerLoop, shutdownSignal } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { runPeriodic } from "@/lib/provisioning/periodic";
import { deprovisionSubscription, provisionSubscription, reconcileAccess, retireCredential } from "@/lib/provisioning/service";
import { deprovisionSubscriptionJob, provisionSubscriptionJob, retireCredentialJob } from "@/lib/subscriptions/jobs";
import { expireDueSubscriptions } from "@/lib/subscriptions/service";

/**
 * Provisioner: runs subscription jobs against the cluster, and every minute ends expired
 * subscriptions and reconciles the cluster's principals with the database.
 */
const db = getDb();
const connection = kafkaConnectionFromEnv();
const provisioner = createProvisioner(connection);
const deps = { provisioner, connection };
const signal = shutdownSignal();
const log = consoleJobLogger("provisioner");

const periodic = runPeriodic({
  signal,
  everyMs: 60_000,
  log,
  tasks: {
    expire: () => expireDueSubscriptions(db).then((ids) => ids.length && log.info(`expired ${ids.length} subscriptions`)),
    reconcile: () => reconcileAccess(db, deps).then((r) => log.info("reconciled", { ...r })),
  },
});

await runWorkerLoop({
  db,
  workerId: makeWorkerId("provisioner"),
  signal,
  concurrency: 4,
  log,
  handlers: [
    jobHandler(provisionSubscriptionJob, async (payload, ctx) => void (await provisionSubscription(db, deps, payload, ctx))),
    jobHandler(deprovisionSubscriptionJob, async (payload) => void (await deprovisionSubscription(db, deps, payload))),
    jobHandler(retireCredentialJob, async (payload) => void (await retireCredential(db, deps, payload))),
  ],
});
await periodic;
await provisioner.close();
await closeDb();
