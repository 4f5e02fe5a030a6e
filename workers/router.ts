import { closeDb, getDb } from "@/db/client";
import { maskingSecret } from "@/lib/env";
import { shutdownSignal } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { internalGroupName } from "@/lib/kafka/names";
import { kafkaOffsetSource } from "@/lib/metering/offsets";
import { startHeartbeat, workerInstanceId } from "@/lib/ops/heartbeat";
import { consumerGroupLag } from "@/lib/ops/lag";
import { createLogger } from "@/lib/ops/log";
import { startWorkerHealthFromEnv } from "@/lib/ops/worker-server";
import { startRouter } from "@/lib/router";

/**
 * Router: source topics → contract validation → masking per tier → delivery topics (see
 * lib/router/README.md). Any number of these share the work through one consumer group.
 * Waits for Kafka instead of exiting (the launcher would stop the whole stack); SIGTERM/SIGINT
 * stop it after the batch in flight is produced, indexed and committed.
 */
const db = getDb();
const log = createLogger("router");
const signal = shutdownSignal();
const instance = workerInstanceId("router");
const connection = kafkaConnectionFromEnv();
const heartbeat = startHeartbeat(db, { worker: "router", instance, onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });
const health = await startWorkerHealthFromEnv(heartbeat, log);
// Lag: records on the source topics the router group has not committed yet (all instances').
const offsets = kafkaOffsetSource(connection, "tributary-router-lag");

const router = await startRouter({
  db,
  connection,
  instance,
  maskingSecret: maskingSecret(),
  log: (level, msg, data) => log[level](msg, data),
});
log.info("router started", { instance });

// Progress is a new commit of source offsets, or nothing left to do (no lag): a router that is
// alive but stuck behind its lag stops reporting success and turns unready.
let lastErrors = 0;
let lastCommits = 0;
let ticking = false;
const tick = setInterval(() => {
  if (ticking) return;
  ticking = true;
  void (async () => {
    const s = router.stats();
    const lag = await consumerGroupLag(offsets, internalGroupName("router"), s.sourceTopics).catch((err: unknown) => {
      log.warn("lag measurement failed", { error: err instanceof Error ? err.message : String(err) });
      return null;
    });
    const update = {
      lag,
      details: { unit: "records", products: s.products, sourceTopics: s.sourceTopics.length, recordsIn: s.recordsIn, recordsOut: s.recordsOut, recordsDlq: s.recordsDlq, commits: s.commits, problems: s.problems },
    };
    if (s.errors > lastErrors && s.lastError) heartbeat.failure(new Error(s.lastError));
    else if (s.commits > lastCommits || lag === 0) heartbeat.success(update);
    else heartbeat.update(update);
    lastErrors = s.errors;
    lastCommits = s.commits;
  })().finally(() => {
    ticking = false;
  });
}, 5_000);

if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
clearInterval(tick);
await router.stop();
const s = router.stats();
log.info("router stopped", { recordsIn: s.recordsIn, recordsOut: s.recordsOut, recordsDlq: s.recordsDlq });
await heartbeat.stop();
await health.close();
await offsets.close();
await closeDb();
