import { closeDb, getDb } from "@/db/client";
import { refreshOpenPeriodCharges } from "@/lib/billing/charges";
import { consoleJobLogger, makeWorkerId, runWorkerLoop, shutdownSignal } from "@/lib/jobs";
import { startHeartbeat } from "@/lib/ops/heartbeat";
import { oldestPendingJobAgeSeconds } from "@/lib/ops/lag";
import { startWorkerHealthFromEnv } from "@/lib/ops/worker-server";
import { runPeriodic } from "@/lib/provisioning/periodic";
import { getStripe } from "@/lib/stripe/client";
import { billingPeriodicTasks, stripeJobHandlers } from "@/lib/stripe/handlers";

/**
 * Billing: every minute refreshes the open period's charges (lib/billing) and, when
 * STRIPE_SECRET_KEY is set, enqueues Stripe work (missing subscriptions, closed usage hours,
 * cancellations) and suspends organizations past their payment grace period; runs the Stripe
 * jobs from the outbox. Without Stripe only the charges task runs. Stops on SIGTERM / SIGINT.
 */
const db = getDb();
const stripe = getStripe();
const signal = shutdownSignal();
const log = consoleJobLogger("billing");
log.info("billing started", { stripe: stripe ? "on" : "off (STRIPE_SECRET_KEY unset)" });

// Lag, in seconds: the older of the open period's charges (since the last complete refresh) and
// the oldest due Stripe job still waiting.
const started = Date.now();
let chargesRefreshedAt: number | null = null;
const heartbeat = startHeartbeat(db, {
  worker: "billing",
  lag: async () => Math.max(Math.round((Date.now() - (chargesRefreshedAt ?? started)) / 1000), stripe ? await oldestPendingJobAgeSeconds(db, "stripe.") : 0),
  onError: (err) => log.warn("heartbeat failed", { error: String(err) }),
});
const health = await startWorkerHealthFromEnv(heartbeat, log);
// Each task reports to the heartbeat, so /api/health/workers/billing shows the last failure.
const tasks = Object.fromEntries(
  Object.entries(billingPeriodicTasks(db, stripe, { refreshCharges: refreshOpenPeriodCharges })).map(([name, task]) => [
    name,
    () =>
      task().then(
        () => {
          if (name === "charges") chargesRefreshedAt = Date.now();
          heartbeat.success({ details: { unit: "seconds", stripe: Boolean(stripe), lastTask: name } });
        },
        (err) => (heartbeat.failure(err), Promise.reject(err)),
      ),
  ]),
);
const periodic = runPeriodic({ signal, everyMs: 60_000, log, tasks });

if (stripe) {
  await runWorkerLoop({ db, workerId: makeWorkerId("billing"), signal, concurrency: 4, log, handlers: stripeJobHandlers(db, stripe) });
}
await periodic;
await heartbeat.stop();
await health.close();
log.info("billing stopped");
await closeDb();
