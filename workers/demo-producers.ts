import { closeDb, getDb } from "@/db/client";
import { runDemoProducers } from "@/lib/demo/producers";
import { env } from "@/lib/env";
import { createKafka } from "@/lib/kafka/client";
import { createLogger } from "@/lib/ops/log";

/**
 * `npm run dev` only (the launcher starts it): live demo traffic for the seeded products, see
 * lib/demo/producers.ts. SIGTERM / SIGINT stop it cleanly. The launcher prefixes our lines.
 */
const logger = createLogger("demo-producers");
const log = (message: string) => logger.info(message);
const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => controller.abort());

async function main(): Promise<void> {
  const e = env();
  if (e.DEMO_PRODUCER_RATE === 0) {
    // Exiting would make the launcher shut everything down; idle until told to stop.
    log("DEMO_PRODUCER_RATE=0: demo producers off");
    await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
    return;
  }
  const stats = await runDemoProducers({
    kafka: createKafka({ clientId: "tributary-demo-producers" }),
    db: getDb(),
    signal: controller.signal,
    ratePerProduct: e.DEMO_PRODUCER_RATE,
    badShare: e.DEMO_PRODUCER_BAD_SHARE,
    log,
  });
  log(`stopped after ${stats.produced} records (${stats.bad} bad, ${stats.failedBatches} failed batches)`);
}

main()
  .catch((err: unknown) => {
    logger.error("demo producers failed", { error: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
  })
  .finally(() => closeDb());
