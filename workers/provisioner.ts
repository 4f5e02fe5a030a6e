import { closeDb, getDb } from "@/db/client";
import { consoleJobLogger, makeWorkerId, shutdownSignal, startWorker, summarizeQueue } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { startHeartbeat } from "@/lib/ops/heartbeat";
import { startWorkerHealthFromEnv } from "@/lib/ops/worker-server";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { runPeriodic } from "@/lib/provisioning/periodic";
import { PROVISIONER_JOB_KINDS, provisionerJobHandlers, provisionerPeriodicTasks } from "@/lib/provisioning/runner";

/**
 * Provisioner: runs subscription jobs against the cluster, and every 30 seconds retires products
 * past their sunset, ends expired subscriptions, fails provisioning the queue gave up on and
 * reconciles the cluster's principals with the database (lib/provisioning/runner.ts).
 */
const db = getDb();
const connection = kafkaConnectionFromEnv();
const provisioner = createProvisioner(connection);
const deps = { provisioner, connection };
const signal = shutdownSignal();
const log = consoleJobLogger("provisioner");
const heartbeat = startHeartbeat(db, { worker: "provisioner", onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });
const health = await startWorkerHealthFromEnv(heartbeat, log);
const worker = startWorker({
  db,
  workerId: makeWorkerId("provisioner"),
  signal,
  concurrency: 4,
  log,
  handlers: provisionerJobHandlers(db, deps),
});
let succeededBefore = 0;

const ownKinds = new Set(PROVISIONER_JOB_KINDS);
const periodic = runPeriodic({
  signal,
  everyMs: 30_000,
  log,
  tasks: {
    ...provisionerPeriodicTasks(db, deps, {
      info: (message, fields) => log.info(message, fields),
      onReconciled: (r) => heartbeat.success({ details: { lastReconcile: r } }),
      onReconcileFailed: (err) => heartbeat.failure(err),
    }),
    // Lag is the queued jobs; progress means a job finished since the last round, or nothing waits.
    queue: () =>
      summarizeQueue(db).then((kinds) => {
        const mine = kinds.filter((k) => ownKinds.has(k.kind));
        const queued = mine.reduce((n, k) => n + k.queued, 0);
        const update = { lag: queued, details: { unit: "queued jobs", kinds: mine } };
        const progressed = worker.stats.succeeded > succeededBefore;
        succeededBefore = worker.stats.succeeded;
        if (progressed || queued === 0) heartbeat.success(update);
        else heartbeat.update(update);
      }),
  },
});

await worker.stopped;
await periodic;
await heartbeat.stop();
await health.close();
await provisioner.close();
await closeDb();
