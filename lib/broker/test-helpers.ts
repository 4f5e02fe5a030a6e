import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { silentLogger, startBroker, type BrokerOptions, type RunningBroker } from "./index";

/** A broker on a free port with its own temp data dir, silent logs; `cleanup` removes the dir. */
export async function startTestBroker(options: Partial<BrokerOptions> = {}): Promise<RunningBroker & { dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "broker-test-"));
  const broker = await startBroker({ port: 0, log: silentLogger, firstRequestTimeoutMs: 2_000, ...options, dataDir });
  return {
    ...broker,
    dataDir,
    async cleanup() {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function kafkaFor(bootstrap: string, clientId = "test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
