import { closeDb, getDb } from "@/db/client";
import { refreshOpenPeriodCharges } from "@/lib/billing/charges";
import { consoleJobLogger, makeWorkerId, runWorkerLoop, shutdownSignal } from "@/lib/jobs";
import { startHeartbeat } from "@/lib/ops/heartbeat";
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

const heartbeat = startHeartbeat(db, { worker: "billing", onError: (err) => log.warn("heartbeat failed", { error: String(err) }) });
// Each task reports to the heartbeat, so /api/health/workers/billing shows the last failure.
const tasks = Object.fromEntries(
  Object.entries(billingPeriodicTasks(db, stripe, { refreshCharges: refreshOpenPeriodCharges })).map(([name, task]) => [
    name,
    () =>
      task().then(
        () => heartbeat.success({ details: { stripe: Boolean(stripe), lastTask: name } }),
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
log.info("billing stopped");
await closeDb();
