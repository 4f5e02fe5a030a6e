import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { cpuSeconds, startBrokerProcess } from "./lib/broker-process";

/**
 * `npm run bench:broker`: kafkajs against the embedded broker running as a child process, so
 * the broker's CPU time is measured apart from the client's (the child reports
 * process.cpuUsage() over IPC). Phases, each on its own topic of 1 KB records:
 *   produce   — the producer alone (acks=-1), batches of BATCH records, IN_FLIGHT sends at once;
 *   consume   — a consumer group reading back what was produced;
 *   pipeline  — producer and consumer at the same time; records/s is the end-to-end figure.
 * kafkajs's own encoding costs ~3x the broker's CPU per GB, so it bounds those figures. When
 * `kcat` (librdkafka) is installed, the same three phases run again with kcat as the client
 * (`produce (kcat)`, `consume (kcat)`, `pipeline (kcat)`, each its own topic) to measure the
 * broker's own capacity; kcat's CPU is the children's rusage (/proc/self/stat cutime+cstime).
 * Figures go to stdout as a table and to bench/results/broker.json.
 * Options: `npm run bench:broker -- --records 200000 --kcat-records 500000`.
 */
const { values: args } = parseArgs({ options: { records: { type: "string" }, "kcat-records": { type: "string" } } });
const RECORDS = Number(args.records ?? 200_000);
const KCAT_RECORDS = Number(args["kcat-records"] ?? 500_000);
const KCAT_TIMEOUT_MS = 90_000;
const RECORD_BYTES = 1024;
const BATCH = 1_000;
const IN_FLIGHT = 4;
const PARTITIONS = 8;

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

/** CPU seconds (user + system) of this process's terminated, reaped children: cutime + cstime of /proc/self/stat. */
function childrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
}

const kcatAvailable = (() => {
  const r = spawnSync("kcat", ["-V"], { stdio: "ignore" });
  return !r.error && r.status === 0;
})();

/** Runs kcat to completion (killed after KCAT_TIMEOUT_MS); resolves with the number of bytes it wrote to stdout. */
function runKcat(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("kcat", argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = 0;
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.length));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), KCAT_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${argv.join(" ")} exited with ${code ?? signal}: ${err.trim().slice(-500)}`));
    });
  });
}

/** A file of `n` lines of RECORD_BYTES printable bytes each, for `kcat -P -l`. */
function writeRecordFile(file: string, n: number): void {
  const line = Buffer.alloc(RECORD_BYTES + 1);
  for (let i = 0; i < RECORD_BYTES; i++) line[i] = 33 + ((i * 31) % 94);
  line[RECORD_BYTES] = 0x0a;
  const perChunk = 1_000;
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => line));
  const fd = openSync(file, "w");
  try {
    for (let left = n; left > 0; left -= perChunk) writeSync(fd, chunk, 0, Math.min(perChunk, left) * line.length);
  } finally {
    closeSync(fd);
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "broker-bench-"));
const broker = await startBrokerProcess(dataDir);
const kafka = new Kafka({ clientId: "bench", brokers: [`localhost:${broker.port}`], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: ["produce", "pipeline"].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

const gb = (RECORDS * RECORD_BYTES) / 1e9;
type Phase = { name: string; records: number; seconds: number; brokerCpu: number; brokerSystem: number; clientCpu: number };
const phases: Phase[] = [];
/** Times fn; the client's CPU is this process's own, or with `children` the CPU of child processes reaped meanwhile (kcat). */
async function measure(name: string, fn: () => Promise<void>, opts: { records?: number; children?: boolean } = {}): Promise<void> {
  const b0 = await broker.cpu();
  const c0 = process.cpuUsage();
  const k0 = childrenCpuSeconds();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const b1 = await broker.cpu();
  phases.push({
    name,
    records: opts.records ?? RECORDS,
    seconds,
    brokerCpu: cpuSeconds(b0, b1),
    brokerSystem: (b1.system - b0.system) / 1e6,
    clientCpu: opts.children ? childrenCpuSeconds() - k0 : cpuSeconds(c0, process.cpuUsage()),
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

/** Sum of the topic's high watermarks: how many records the broker holds. */
async function storedRecords(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: ${got} records, expected ${want}`);
}

if (kcatAvailable) {
  console.log(`kcat phases: ${KCAT_RECORDS} records of ${RECORD_BYTES} B, linger.ms=5, batch.num.messages=10000, acks=all, no compression; consumer fetch.wait.max.ms=100`);
  await admin.createTopics({ topics: ["kcat-produce", "kcat-pipeline"].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
  const fileDir = mkdtempSync(path.join(os.tmpdir(), "broker-bench-kcat-"));
  const file = path.join(fileDir, "records.txt");
  writeRecordFile(file, KCAT_RECORDS);
  const bootstrap = `localhost:${broker.port}`;
  const produceArgs = (topic: string) =>
    ["-P", "-b", bootstrap, "-t", topic, "-q", "-z", "none", "-X", "acks=all", "-X", "linger.ms=5", "-X", "batch.num.messages=10000", "-l", file];
  // one byte per record on stdout, counted here
  const consumeArgs = (topic: string, exitAtEnd: boolean) =>
    ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-q", "-X", "fetch.wait.max.ms=100", "-c", String(KCAT_RECORDS), ...(exitAtEnd ? ["-e"] : []), "-f", "x"];
  await measure("produce (kcat)", async () => void (await runKcat(produceArgs("kcat-produce"))), { records: KCAT_RECORDS, children: true });
  check("produce (kcat) stored", await storedRecords("kcat-produce"), KCAT_RECORDS);
  let consumed = 0;
  await measure("consume (kcat)", async () => void (consumed = await runKcat(consumeArgs("kcat-produce", true))), { records: KCAT_RECORDS, children: true });
  check("consume (kcat) received", consumed, KCAT_RECORDS);
  await measure(
    "pipeline (kcat)",
    async () => {
      [consumed] = await Promise.all([runKcat(consumeArgs("kcat-pipeline", false)), runKcat(produceArgs("kcat-pipeline"))]);
    },
    { records: KCAT_RECORDS, children: true },
  );
  check("pipeline (kcat) received", consumed, KCAT_RECORDS);
  check("pipeline (kcat) stored", await storedRecords("kcat-pipeline"), KCAT_RECORDS);
  rmSync(fileDir, { recursive: true, force: true });
} else {
  console.log("kcat not found (apt-get install -y kcat): running the kafkajs phases only");
}

await producer.disconnect();
await admin.disconnect();
await broker.stop();
rmSync(dataDir, { recursive: true, force: true });

const phaseGb = (p: Phase) => (p.records * RECORD_BYTES) / 1e9;
const row = (p: Phase) => ({
  phase: p.name,
  "msgs/s": Math.round(p.records / p.seconds),
  "MB/s": +((p.records * RECORD_BYTES) / 1e6 / p.seconds).toFixed(1),
  "broker CPU s/GB": +(p.brokerCpu / phaseGb(p)).toFixed(2),
  "of which kernel": +(p.brokerSystem / phaseGb(p)).toFixed(2),
  "client CPU s/GB": +(p.clientCpu / phaseGb(p)).toFixed(2),
});
console.table(phases.map(row));
console.log(
  `produce-ack latency per ${BATCH}-record send: p50 ${percentile(produceLatencies, 50).toFixed(1)} ms, p99 ${percentile(produceLatencies, 99).toFixed(1)} ms` +
    ` (while consuming: p50 ${percentile(pipelineLatencies, 50).toFixed(1)} ms, p99 ${percentile(pipelineLatencies, 99).toFixed(1)} ms)`,
);

const pipeline = phases.find((p) => p.name === "pipeline")!;
const rate = (name: string) => {
  const p = phases.find((x) => x.name === name);
  return p ? Math.round(p.records / p.seconds) : null;
};
const results = {
  recorded_at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "", node: process.version },
  setup: { records: RECORDS, record_bytes: RECORD_BYTES, batch: BATCH, in_flight: IN_FLIGHT, partitions: PARTITIONS, acks: -1 },
  records_per_s: Math.round(RECORDS / pipeline.seconds),
  broker_cpu_s_per_gb: +(pipeline.brokerCpu / gb).toFixed(2),
  client_cpu_s_per_gb: +(pipeline.clientCpu / gb).toFixed(2),
  produce_ack_latency_ms: { p50: +percentile(produceLatencies, 50).toFixed(1), p99: +percentile(produceLatencies, 99).toFixed(1) },
  kcat_records: kcatAvailable ? KCAT_RECORDS : 0,
  kcat_pipeline_records_per_s: rate("pipeline (kcat)"),
  kcat_produce_records_per_s: rate("produce (kcat)"),
  kcat_consume_records_per_s: rate("consume (kcat)"),
  notes: kcatAvailable
    ? "records_per_s and the produce/consume/pipeline rows are bounded by the kafkajs client (its CPU per GB is ~3x the broker's); " +
      "the kcat_* figures and '(kcat)' rows use librdkafka (kcat), whose CPU per GB is far lower, so they measure the broker's own capacity " +
      "(on this 2-core machine broker and kcat share the cores)."
    : "kcat was not installed: only the kafkajs phases ran; all figures are bounded by the kafkajs client (its CPU per GB is ~3x the broker's).",
  phases: phases.map(row),
};
const out = path.join(import.meta.dirname, "results", "broker.json");
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), out)}`);
