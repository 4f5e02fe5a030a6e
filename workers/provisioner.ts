import { closeDb, getDb } from "@/db/client";
import { consoleJobLogger, jobHandler, makeWorkerId, runWorkerLoop, shutdownSignal, summarizeQueue } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { startHeartbeat } from "@/lib/ops/heartbeat";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { runPeriodic } from "@/lib/provisioning/periodic";
import { deprovisionSubscription, provisionSubscription, reconcileAccess, retireCredential } from "@/lib/provisioning/service";
import { deprovisionSubscriptionJob, provisionSubscriptionJob, retireCredentialJob } from "@/lib/subscriptions/jobs";
import { expireDueSubscriptions } from "@/lib/subscriptions/service";
import { retireDueProducts } from "@/lib/versions/service";

/**
 * Provisioner: runs subscription jobs against the cluster, and every 30 seconds retires products past their sunset, ends expired
 * subscriptions and reconciles the cluster's principals with the database.
 */
const db = getDb();
const connection = kafkaConnectionFromEnv();
const provisioner = createProvisioner(connection);
const deps = { provisioner, connection };
const signal = shutdownSignal();
const log = consoleJobLogger("provisioner");
const heartbeat = startHeartbeat(db, { worker: "provisioner", onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });

const ownKinds = new Set<string>([provisionSubscriptionJob.kind, deprovisionSubscriptionJob.kind, retireCredentialJob.kind]);
const periodic = runPeriodic({
  signal,
  everyMs: 30_000,
  log,
  tasks: {
    retire: () => retireDueProducts(db).then((ids) => ids.length && log.info(`retired ${ids.length} products past their sunset`)),
    expire: () => expireDueSubscriptions(db).then((ids) => ids.length && log.info(`expired ${ids.length} subscriptions`)),
    reconcile: () =>
      reconcileAccess(db, deps).then(
        (r) => {
          // Only drift is news; a clean pass is visible in the heartbeat.
          if (Object.values(r).some((v) => Array.isArray(v) && v.length > 0)) log.info("reconciled drift", { ...r });
          heartbeat.success({ details: { lastReconcile: r } });
        },
        (err) => (heartbeat.failure(err), Promise.reject(err)),
      ),
    queue: () =>
      summarizeQueue(db).then((kinds) => {
        const mine = kinds.filter((k) => ownKinds.has(k.kind));
        heartbeat.success({ lag: mine.reduce((n, k) => n + k.queued, 0), details: { unit: "queued jobs", kinds: mine } });
      }),
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
await heartbeat.stop();
await provisioner.close();
await closeDb();
