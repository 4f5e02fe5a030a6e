import { closeDb, getDb } from "@/db/client";
import { consoleJobLogger, shutdownSignal } from "@/lib/jobs";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { DEFAULT_METER_INTERVAL_MS, startMeter } from "@/lib/metering/meter";
import { kafkaOffsetSource } from "@/lib/metering/offsets";
import { startHeartbeat } from "@/lib/ops/heartbeat";
import { unmeteredSubscriptionAgeSeconds } from "@/lib/ops/lag";
import { startWorkerHealthFromEnv } from "@/lib/ops/worker-server";

/**
 * Meter: every 15 s, committed offsets of each subscription's consumer groups -> usage_ledger
 * (lib/metering/meter.ts). SIGTERM / SIGINT stop it after the current run. A SIGKILL at any
 * point loses nothing and counts nothing twice (one transaction per subscription).
 *
 * `--interval-ms N` overrides the period (tests run it every few milliseconds).
 */
function intervalFromArgs(): number {
  const i = process.argv.indexOf("--interval-ms");
  const n = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_METER_INTERVAL_MS;
}

const db = getDb();
const log = consoleJobLogger("meter");
const source = kafkaOffsetSource(kafkaConnectionFromEnv());
const signal = shutdownSignal();
// Lag: seconds the oldest active subscription has waited for its first metering (0 when none).
// A meter whose runs stop completing stops reporting success and turns unready.
const heartbeat = startHeartbeat(db, { worker: "meter", lag: () => unmeteredSubscriptionAgeSeconds(db), onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });
const health = await startWorkerHealthFromEnv(heartbeat, log);
const everyMs = intervalFromArgs();
log.info("meter started", { everyMs });

await startMeter(db, {
  source,
  signal,
  everyMs,
  log,
  onRun: (r) => {
    if (r.errors.length > 0) heartbeat.failure(new Error(`${r.errors.length} subscription(s) failed: ${r.errors[0]!.error}`));
    else heartbeat.success({ details: { unit: "seconds unmetered", subscriptions: r.subscriptions, groups: r.groups, resets: r.resets, deferred: r.deferred } });
    if (r.messages > 0 || r.resets > 0 || r.errors.length > 0) {
      log.info("metered", { subscriptions: r.subscriptions, messages: r.messages, bytes: r.bytes, resets: r.resets, deferred: r.deferred, errors: r.errors.length });
    }
  },
  onError: (err) => {
    heartbeat.failure(err);
    log.warn("meter run failed", { error: err instanceof Error ? err.message : String(err) });
  },
});
log.info("meter stopped");
await heartbeat.stop();
await health.close();
await source.close();
await closeDb();
