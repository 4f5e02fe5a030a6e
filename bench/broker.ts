import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";

/**
 * `npm run bench:broker`: kafkajs against the embedded broker running as a child process, so
 * the broker's CPU time is measured apart from the client's (the child reports
 * process.cpuUsage() over IPC). Phases, each on its own topic of 1 KB records:
 *   produce   — the producer alone (acks=-1), batches of BATCH records, IN_FLIGHT sends at once;
 *   consume   — a consumer group reading back what was produced;
 *   pipeline  — producer and consumer at the same time; records/s is the end-to-end figure.
 * Figures go to stdout as a table and to bench/results/broker.json.
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const RECORD_BYTES = 1024;
const BATCH = 1_000;
const IN_FLIGHT = 4;
const PARTITIONS = 8;

type Cpu = NodeJS.CpuUsage;
const cpuSeconds = (a: Cpu, b: Cpu) => (b.user - a.user + (b.system - a.system)) / 1e6;

async function startChild(dataDir: string): Promise<{ child: ChildProcess; port: number; cpu(): Promise<Cpu> }> {
  const child = fork(path.join(import.meta.dirname, "..", "scripts", "broker.ts"), ["--port", "0", "--metrics-port", "0", "--data", dataDir, "--report-cpu"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("broker did not start in 30 s")), 30_000);
    child.on("message", (m: { ready?: number }) => {
      if (m.ready) {
        clearTimeout(t);
        resolve(m.ready);
      }
    });
    child.on("exit", (code) => reject(new Error(`broker exited with ${code}`)));
  });
  const cpu = () =>
    new Promise<Cpu>((resolve) => {
      const onMsg = (m: { cpu?: Cpu }) => {
        if (m.cpu) {
          child.off("message", onMsg);
          resolve(m.cpu);
        }
      };
      child.on("message", onMsg);
      child.send("cpu");
    });
  return { child, port, cpu };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function produceAll(producer: Producer, topic: string, total: number, latencies: number[]): Promise<void> {
  const value = Buffer.alloc(RECORD_BYTES);
  for (let i = 0; i < RECORD_BYTES; i++) value[i] = (i * 31) & 0xff;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const start = next;
      const n = Math.min(BATCH, total - start);
      next += n;
      const messages = Array.from({ length: n }, (_, i) => ({ value, partition: (start + i) % PARTITIONS }));
      const t0 = performance.now();
      await producer.send({ topic, acks: -1, messages });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function consumeAll(kafka: Kafka, topic: string, total: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100, maxBytes: 50 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= total) resolve();
      },
    });
  });
  await consumer.disconnect();
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "broker-bench-"));
const broker = await startChild(dataDir);
const kafka = new Kafka({ clientId: "bench", brokers: [`localhost:${broker.port}`], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: ["produce", "pipeline"].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

const gb = (RECORDS * RECORD_BYTES) / 1e9;
type Phase = { name: string; seconds: number; brokerCpu: number; brokerSystem: number; clientCpu: number };
const phases: Phase[] = [];
async function measure(name: string, fn: () => Promise<void>): Promise<void> {
  const b0 = await broker.cpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const b1 = await broker.cpu();
  phases.push({
    name,
    seconds,
    brokerCpu: cpuSeconds(b0, b1),
    brokerSystem: (b1.system - b0.system) / 1e6,
    clientCpu: cpuSeconds(c0, process.cpuUsage()),
  });
}

console.log(`benchmark: ${RECORDS} records of ${RECORD_BYTES} B, batches of ${BATCH}, ${IN_FLIGHT} sends in flight, ${PARTITIONS} partitions`);
const produceLatencies: number[] = [];
await measure("produce", () => produceAll(producer, "produce", RECORDS, produceLatencies));
await measure("consume", () => consumeAll(kafka, "produce", RECORDS));
const pipelineLatencies: number[] = [];
await measure("pipeline", async () => {
  await Promise.all([produceAll(producer, "pipeline", RECORDS, pipelineLatencies), consumeAll(kafka, "pipeline", RECORDS)]);
});

await producer.disconnect();
await admin.disconnect();
broker.child.kill("SIGTERM");
await new Promise((r) => broker.child.once("exit", r));
rmSync(dataDir, { recursive: true, force: true });

const row = (p: Phase) => ({
  phase: p.name,
  "msgs/s": Math.round(RECORDS / p.seconds),
  "MB/s": +((RECORDS * RECORD_BYTES) / 1e6 / p.seconds).toFixed(1),
  "broker CPU s/GB": +(p.brokerCpu / gb).toFixed(2),
  "of which kernel": +(p.brokerSystem / gb).toFixed(2),
  "client CPU s/GB": +(p.clientCpu / gb).toFixed(2),
});
console.table(phases.map(row));
console.log(
  `produce-ack latency per ${BATCH}-record send: p50 ${percentile(produceLatencies, 50).toFixed(1)} ms, p99 ${percentile(produceLatencies, 99).toFixed(1)} ms` +
    ` (while consuming: p50 ${percentile(pipelineLatencies, 50).toFixed(1)} ms, p99 ${percentile(pipelineLatencies, 99).toFixed(1)} ms)`,
);

const pipeline = phases.find((p) => p.name === "pipeline")!;
const results = {
  recorded_at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "", node: process.version },
  setup: { records: RECORDS, record_bytes: RECORD_BYTES, batch: BATCH, in_flight: IN_FLIGHT, partitions: PARTITIONS, acks: -1 },
  records_per_s: Math.round(RECORDS / pipeline.seconds),
  broker_cpu_s_per_gb: +(pipeline.brokerCpu / gb).toFixed(2),
  client_cpu_s_per_gb: +(pipeline.clientCpu / gb).toFixed(2),
  produce_ack_latency_ms: { p50: +percentile(produceLatencies, 50).toFixed(1), p99: +percentile(produceLatencies, 99).toFixed(1) },
  phases: phases.map(row),
};
const out = path.join(import.meta.dirname, "results", "broker.json");
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), out)}`);
