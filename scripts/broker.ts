import path from "node:path";
import { parseArgs } from "node:util";
import { consoleLogger, startBroker, type BrokerLogger } from "@/lib/broker";
import { securityBrokerOptions } from "@/lib/broker/security";
import { env } from "@/lib/env";

/**
 * `npm run broker -- --port 9092 --data .data/kafka [--metrics-port 9464] [--host ::]`
 *
 * Runs the embedded Kafka-compatible broker in the foreground. With BROKER_ADMIN_PASSWORD set it
 * requires SASL, treats User:admin as super user and (re)writes admin's SCRAM credentials;
 * otherwise it is plaintext and allow-all. SIGINT/SIGTERM close listeners and files, then exit.
 */
const e = env();
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    data: { type: "string" },
    host: { type: "string" },
    "metrics-port": { type: "string" },
    "advertised-host": { type: "string" },
    "auto-create-topics": { type: "boolean" },
    partitions: { type: "string" },
    debug: { type: "boolean" },
    "report-cpu": { type: "boolean" },
  },
});

const stamp = () => new Date().toISOString().slice(11, 23);
const log: BrokerLogger = {
  info: (m) => console.log(`${stamp()} INFO  ${m}`),
  warn: (m) => console.warn(`${stamp()} WARN  ${m}`),
  error: (m) => console.error(`${stamp()} ERROR ${m}`),
  debug: values.debug ? (m) => console.log(`${stamp()} DEBUG ${m}`) : consoleLogger.debug,
};

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`--${name} must be a port number, got ${v}`);
    process.exit(2);
  }
  return n;
};

const broker = await startBroker({
  port: int(values.port, "port") ?? e.BROKER_PORT,
  host: values.host ?? "::",
  dataDir: values.data ?? path.join(e.DATA_DIR, "kafka"),
  metricsPort: int(values["metrics-port"], "metrics-port") ?? e.BROKER_METRICS_PORT,
  advertisedHost: values["advertised-host"] ?? "localhost",
  autoCreateTopics: values["auto-create-topics"] ?? false,
  defaultPartitions: values.partitions ? Number(values.partitions) : undefined,
  log,
  ...securityBrokerOptions(e.BROKER_ADMIN_PASSWORD),
});
log.info(e.BROKER_ADMIN_PASSWORD ? "SASL required (PLAIN, SCRAM-SHA-256/512); User:admin is a super user" : "plaintext, no authentication, allow-all");

// The benchmark runs the broker as a child process and asks for its own CPU time over IPC.
if (values["report-cpu"] && process.send) {
  process.on("message", (msg) => {
    if (msg === "cpu") process.send!({ cpu: process.cpuUsage() });
  });
  process.send({ ready: broker.port });
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info(`${signal} received, shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await broker.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
if (values["report-cpu"]) process.on("disconnect", () => void stop("parent disconnect"));
