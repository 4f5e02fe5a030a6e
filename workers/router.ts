import { closeDb, getDb } from "@/db/client";
import { maskingSecret } from "@/lib/env";
import { shutdownSignal } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { startHeartbeat, workerInstanceId } from "@/lib/ops/heartbeat";
import { createLogger } from "@/lib/ops/log";
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
const heartbeat = startHeartbeat(db, { worker: "router", instance, onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });

const router = await startRouter({
  db,
  connection: kafkaConnectionFromEnv(),
  instance,
  maskingSecret: maskingSecret(),
  log: (level, msg, data) => log[level](msg, data),
});
log.info("router started", { instance });

let lastErrors = 0;
const tick = setInterval(() => {
  const s = router.stats();
  if (s.errors > lastErrors && s.lastError) heartbeat.failure(new Error(s.lastError));
  else heartbeat.success({ details: { products: s.products, sourceTopics: s.sourceTopics.length, recordsIn: s.recordsIn, recordsOut: s.recordsOut, recordsDlq: s.recordsDlq, problems: s.problems } });
  lastErrors = s.errors;
}, 5_000);

if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
clearInterval(tick);
await router.stop();
const s = router.stats();
log.info("router stopped", { recordsIn: s.recordsIn, recordsOut: s.recordsOut, recordsDlq: s.recordsDlq });
await heartbeat.stop();
await closeDb();
