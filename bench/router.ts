/**
 * Router benchmark, all on one embedded broker in one run:
 *   (a) plain kafkajs pass-through (consume, re-produce unchanged, commit),
 *   (b) the router with 1 tier, (c) with 3 tiers,
 *   (d) the pass-through again, producing through the router's BatchProducer instead of
 *       kafkajs' producer: the same client machinery as the router, so (b) ÷ (d) is what
 *       validation and masking themselves cost,
 * on ~1 KB JSON records with 6 masked fields: records/s, MB/s (source bytes) and router ÷
 * pass-through; then end-to-end latency (source produce → delivery consumed) at a steady
 * 2,000 records/s through the 1-tier router, twice: run as its own process (workers/router.ts,
 * as `npm run dev` runs it, so the source producer and the reader here do not share its event
 * loop; the headline figures) and inside this process beside them.
 *
 * The broker runs as a child process, as `npm run dev` runs it, so each measured client (the
 * pass-through or the router) has this process's event loop to itself. The source topic is
 * filled before each case starts; records/s is the steady rate from the first delivered record
 * to the last (consumer-group join and the router's start-up are reported apart, as "start s").
 * The cases run in turn, `--rounds` times (default 3), so a burst of load from elsewhere on
 * this shared machine hits all of them; the figures are the medians over the rounds, the ratios
 * the medians of each round's own ratio. Each router case retires its product afterwards (a
 * router routes every published product). 100,000 records per case by default: a case of a
 * few tens of thousands is over in about a second, much of it before V8 has optimized the hot
 * loops (the record-batch CRC runs several times slower in its first few hundred batches).
 * The latency phase starts once a warm-up record has gone all the way through, so it measures
 * the running pipeline, not a backlog left by the start. Its reader commits no offsets (kafkajs'
 * default commit after each batch doubled the reader's share of the tail).
 *
 *   npm run bench:router [-- --records=100000 --rounds=3 --seconds=10]
 *
 * Needs DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped).
 * Writes bench/results/router.json.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg, tmpdir } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Admin, Kafka, Message } from "kafkajs";
import { createDb } from "@/db/client";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { childEnv, env } from "@/lib/env";
import { spawn, type ChildProcess } from "node:child_process";
import { BatchProducer } from "@/lib/kafka/batch-producer";
import { encodeHeaders } from "@/lib/kafka/record-batch";
import { createKafka } from "@/lib/kafka/client";
import { deliveryTopicName } from "@/lib/kafka/names";
import { startRouter } from "@/lib/router";
import { createRoutedProduct } from "@/lib/router/test-fixtures";
import { startBrokerProcess } from "./lib/broker-process";
import { formatTable, percentile, round, writeResults } from "./lib/stats";
import { withAdmin, dropDatabase } from "@/lib/testing/pg";

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = hit ? Number(hit.slice(name.length + 3)) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

const RECORDS = Math.round(arg("records", 100_000));
const LATENCY_SECONDS = arg("seconds", 10);
const ROUNDS = Math.round(arg("rounds", 3));
const LATENCY_RATE = 2_000;
const PARTITIONS = 3;

const SCHEMA = {
  type: "object",
  required: ["id", "msisdn", "imsi", "email", "ts"],
  properties: {
    id: { type: "string" },
    msisdn: { type: "string" },
    imsi: { type: "string" },
    email: { type: "string" },
    name: { type: "string" },
    ip: { type: "string" },
    ts: { type: "string" },
    lat: { type: "number" },
    lon: { type: "number" },
    plan: { type: "string" },
    country: { type: "string" },
    bytes_up: { type: "integer" },
    bytes_down: { type: "integer" },
    cell: { type: "string" },
    note: { type: "string" },
    sent_at: { type: "number" },
  },
};
const PII: Record<string, string> = { msisdn: "direct", imsi: "direct", email: "direct", ip: "quasi", lat: "quasi", lon: "quasi" };
const MASKED = {
  msisdn: { strategy: "hash" },
  imsi: { strategy: "tokenize" },
  email: { strategy: "redact" },
  ip: { strategy: "generalize", prefixBits: 24 },
  lat: { strategy: "generalize", decimals: 2 },
  lon: { strategy: "generalize", decimals: 2 },
};
const ONE_TIER = [{ name: "internal", fullAccess: false, rules: MASKED }];
const THREE_TIERS = [
  { name: "full", fullAccess: true, rules: {} },
  { name: "internal", fullAccess: false, rules: MASKED },
  { name: "public", fullAccess: false, rules: { ...MASKED, msisdn: { strategy: "drop" }, imsi: { strategy: "drop" }, ts: { strategy: "generalize", truncate: "hour" } } },
];

function record(i: number): Record<string, unknown> {
  return {
    id: `evt-${i}`,
    msisdn: `4915${String(10_000_000 + (i % 9_000_000))}`,
    imsi: `26201${String(1_000_000_000 + i)}`,
    email: `user${i % 5000}@example.com`,
    name: `Customer ${i % 5000}`,
    ip: `10.${i % 250}.${(i >> 8) % 250}.${i % 200}`,
    ts: new Date(1_763_800_000_000 + i * 1000).toISOString(),
    lat: 52.52 + (i % 100) / 1000,
    lon: 13.405 + (i % 100) / 1000,
    plan: "unlimited-5g",
    country: "DE",
    bytes_up: i * 13,
    bytes_down: i * 101,
    cell: `cell-${i % 480}`,
    note: "x".repeat(720),
    sent_at: 0,
  };
}

async function produceAll(kafka: Kafka, topic: string, n: number): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  let bytes = 0;
  for (let i = 0; i < n; i += 500) {
    const messages = [];
    for (let k = i; k < Math.min(n, i + 500); k++) {
      const value = JSON.stringify(record(k));
      bytes += value.length + 8;
      messages.push({ key: `sub-${k % 1000}`, value });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  return bytes;
}

async function totalHigh(admin: Admin, topic: string): Promise<number> {
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((s, o) => s + Number(o.high), 0);
  } catch {
    return 0;
  }
}

type Timed = { startSeconds: number; seconds: number; records: number; cpuUsPerRecord?: number };

/**
 * Waits until `topic` holds `n` records. Returns the start-up time (from `t0` to the first
 * record out) and the steady part: records after the first poll that saw any, over the time
 * from that poll to the last.
 */
async function timeDelivery(admin: Admin, topic: string, n: number, t0: number, timeoutMs = 180_000): Promise<Timed> {
  const until = Date.now() + timeoutMs;
  let first: { at: number; count: number } | null = null;
  for (;;) {
    const count = await totalHigh(admin, topic);
    const at = performance.now();
    if (count > 0 && !first) first = { at, count };
    if (count >= n) {
      const f = first!;
      // Everything arrived between two polls: fall back to the whole run.
      if (f.count >= n) return { startSeconds: 0, seconds: (at - t0) / 1000, records: n };
      return { startSeconds: (f.at - t0) / 1000, seconds: (at - f.at) / 1000, records: n - f.count };
    }
    if (Date.now() > until) throw new Error(`timed out: ${topic} has ${count} of ${n} records`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function createTopic(admin: Admin, topic: string) {
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
}

/** Produced batches stay under the broker's 1 MiB max.message.bytes, as the router's do. */
const PASS_CHUNK_BYTES = 384 * 1024;

const benchLog = (level: string, msg: string, data?: unknown) => {
  if (level === "warn" || level === "error") console.error(`router ${level}: ${msg} ${data ? JSON.stringify(data) : ""}`);
};

/** CPU time of this process since `from` (the measured client's own; the broker is another process), µs. */
function cpuMicros(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return d.user + d.system;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Db = ReturnType<typeof createDb>["db"];

/** Where a pass-through re-produces a chunk: kafkajs' producer, or the router's BatchProducer. */
type Sink = { connect(): Promise<void>; send(partition: number, messages: Message[]): Promise<void>; disconnect(): Promise<void> };

function kafkajsSink(kafka: Kafka, topic: string): Sink {
  const producer = kafka.producer();
  return {
    connect: () => producer.connect(),
    send: async (partition, messages) => void (await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition })) })),
    disconnect: () => producer.disconnect(),
  };
}

function batchProducerSink(connection: { brokers: string[] }, topic: string): Sink {
  const producer = new BatchProducer({ connection, clientId: "bench-pass" });
  return {
    connect: () => producer.connect(),
    send: async (partition, messages) =>
      void (await producer.send([{ topic, partition, records: messages.map((m) => ({ key: m.key as Buffer | null, value: m.value as Buffer | null, timestamp: Number(m.timestamp), headers: encodeHeaders(m.headers) })) }])),
    disconnect: () => producer.disconnect(),
  };
}

async function passThrough(kafka: Kafka, admin: Admin, round: number, label: string, sinkFor: (topic: string) => Sink): Promise<Timed> {
  const src = `bench.${label}.src.${round}`;
  const out = `bench.${label}.out.${round}`;
  await createTopic(admin, src);
  await createTopic(admin, out);
  await produceAll(kafka, src, RECORDS);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const consumer = kafka.consumer({ groupId: `bench-${label}-${round}`, maxWaitTimeInMs: 500 });
  const producer = sinkFor(out);
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: src, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      let chunk: Message[] = [];
      let bytes = 0;
      for (const m of batch.messages) {
        const size = (m.value?.byteLength ?? 0) + (m.key?.byteLength ?? 0);
        if (chunk.length > 0 && bytes + size > PASS_CHUNK_BYTES) {
          await producer.send(batch.partition, chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push({ key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp });
        bytes += size;
      }
      if (chunk.length) await producer.send(batch.partition, chunk);
      const last = batch.messages[batch.messages.length - 1].offset;
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
      resolveOffset(last);
      await heartbeat();
    },
  });
  try {
    const timed = await timeDelivery(admin, out, RECORDS, start);
    return { ...timed, cpuUsPerRecord: cpuMicros(cpu0) / RECORDS };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

async function routerCase(kafka: Kafka, admin: Admin, db: Db, connection: { brokers: string[] }, secret: string, key: string, tiers: typeof ONE_TIER, round: number): Promise<Timed> {
  const slug = `bench-${key}-${round}`;
  const source = `bench.src.${key}.${round}`;
  await createTopic(admin, source);
  await produceAll(kafka, source, RECORDS);
  await createRoutedProduct(db, { slug, sourceTopic: source, versions: [{ version: "1.0.0", schema: SCHEMA, qualityRules: [{ id: "r1", kind: "range", field: "bytes_up", params: { min: 0 } }] }], tiers: tiers as never });
  await setPii(db, slug);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const router = await startRouter({ db, connection, maskingSecret: secret, refreshMs: 1_000, groupId: `bench-router-${key}-${round}`, log: benchLog });
  try {
    // The last tier's topic: every tier of a record is produced in the same request.
    const timed = await timeDelivery(admin, deliveryTopicName(slug, 1, tiers[tiers.length - 1].name), RECORDS, start);
    const cpuUsPerRecord = cpuMicros(cpu0) / RECORDS;
    const s = router.stats();
    if (s.recordsDlq > 0) throw new Error(`${s.recordsDlq} bench records went to the DLQ: ${s.lastError ?? ""}`);
    return { ...timed, cpuUsPerRecord };
  } finally {
    await router.stop();
    // Routers route every published product: the next case's router must not read this source.
    await retireProduct(db, slug);
  }
}

async function main() {
  const base = env().databaseUrl;
  const dbName = `trib_bench_router_${randomBytes(4).toString("hex")}`;
  await withAdmin(base, (sql) => sql.unsafe(`create database ${dbName}`));
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  const { sql, db } = createDb(dbUrl, 8);
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-router-"));
  const broker = await startBrokerProcess(dataDir);
  const connection = { brokers: [broker.bootstrap] };
  const kafka = createKafka({ clientId: "bench-router", connection, logLevel: "nothing" });
  const admin = kafka.admin();
  const secret = "bench-router-masking-secret-0123456789";
  const results: Record<string, unknown> = {};
  const bytesPerRecord = JSON.stringify(record(1)).length + 8;
  try {
    await admin.connect();
    await migrate(db, { migrationsFolder: path.join(process.cwd(), "db", "migrations") });

    const rate = (t: Timed) => t.records / t.seconds;
    const runs: { pass: Timed; one: Timed; three: Timed; passOwn: Timed }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const pass = await passThrough(kafka, admin, r, "pass", (topic) => kafkajsSink(kafka, topic));
      const one = await routerCase(kafka, admin, db, connection, secret, "1tier", ONE_TIER, r);
      const three = await routerCase(kafka, admin, db, connection, secret, "3tier", THREE_TIERS as never, r);
      const passOwn = await passThrough(kafka, admin, r, "passown", (topic) => batchProducerSink(connection, topic));
      runs.push({ pass, one, three, passOwn });
      console.log(
        `round ${r}: pass-through ${Math.round(rate(pass))}/s, router 1 tier ${Math.round(rate(one))}/s (${round(rate(one) / rate(pass))}), 3 tiers ${Math.round(rate(three))}/s (${round(rate(three) / rate(pass))}), pass-through with BatchProducer ${Math.round(rate(passOwn))}/s, load ${round(loadavg()[0])}`,
      );
    }
    const rows: (string | number)[][] = [["case", "records", "start s", "records/s (median)", "MB/s (source)", "vs pass-through (median of rounds)", "per round", "client CPU µs/record"]];
    const cases = [
      ["(a) kafkajs pass-through", (x: (typeof runs)[number]) => x.pass, "passthrough"],
      ["(b) router, 1 tier", (x: (typeof runs)[number]) => x.one, "1tier"],
      ["(c) router, 3 tiers", (x: (typeof runs)[number]) => x.three, "3tier"],
      ["(d) pass-through, BatchProducer", (x: (typeof runs)[number]) => x.passOwn, "passown"],
    ] as const;
    for (const [label, pick, key] of cases) {
      const rates = runs.map((x) => rate(pick(x)));
      const ratios = runs.map((x) => rate(pick(x)) / rate(x.pass));
      const m = median(rates);
      rows.push([label, RECORDS, round(median(runs.map((x) => pick(x).startSeconds))), Math.round(m), round((m * bytesPerRecord) / 1e6), round(median(ratios)), ratios.map((q) => round(q)).join(" / "), round(median(runs.map((x) => pick(x).cpuUsPerRecord ?? Number.NaN)), 1)]);
      const name = key === "passthrough" ? "passthrough" : key === "passown" ? "passthrough_batchproducer" : `router_${key}`;
      results[`${name}_cpu_us_per_record`] = round(median(runs.map((x) => pick(x).cpuUsPerRecord ?? Number.NaN)), 1);
      if (key === "passthrough") results.passthrough_records_per_s = Math.round(m);
      else if (key === "passown") {
        results.passthrough_batchproducer_records_per_s = Math.round(m);
        // What routing costs against the same client machinery: router 1 tier ÷ (d), per round.
        const own = runs.map((x) => rate(x.one) / rate(x.passOwn));
        results.ratio_1tier_vs_batchproducer_passthrough = round(median(own), 3);
        results.ratio_1tier_vs_batchproducer_passthrough_rounds = own.map((q) => round(q, 3));
      } else {
        results[`router_${key}_records_per_s`] = Math.round(m);
        results[`ratio_${key}`] = round(median(ratios), 3);
        results[`ratio_${key}_rounds`] = ratios.map((q) => round(q, 3));
      }
    }

    // End-to-end latency at a steady 2,000 records/s through the 1-tier router: first run as
    // its own process (the deployment shape), then inside this process beside the load.
    const own = await latencyRun(kafka, admin, db, "process", () => startRouterProcess(dbUrl, broker.bootstrap, secret));
    const inProcess = await latencyRun(kafka, admin, db, "inprocess", async () => {
      const r = await startRouter({ db, connection, maskingSecret: secret, refreshMs: 500, groupId: "bench-router-latency", log: benchLog });
      return { stop: () => r.stop(), cpuSeconds: () => null };
    });
    results.e2e_rate_per_s = LATENCY_RATE;
    results.e2e_offered_per_s = own.offered;
    results.e2e_records = own.latencies.length;
    results.e2e_p50_ms = round(percentile(own.latencies, 50));
    results.e2e_p99_ms = round(percentile(own.latencies, 99));
    results.e2e_max_ms = round(Math.max(...own.latencies));
    results.e2e_router_cpu_percent = own.routerCpuPercent;
    results.e2e_event_loop_delay_p99_ms = own.loopDelayP99;
    results.e2e_inprocess_p50_ms = round(percentile(inProcess.latencies, 50));
    results.e2e_inprocess_p99_ms = round(percentile(inProcess.latencies, 99));
    results.e2e_inprocess_max_ms = round(Math.max(...inProcess.latencies));
    results.e2e_inprocess_event_loop_delay_p99_ms = inProcess.loopDelayP99;
    results.records = RECORDS;
    results.rounds = ROUNDS;
    results.record_bytes = JSON.stringify(record(1)).length;
    results.cpus = cpus().length;
    results.loadavg_1m = round(loadavg()[0]);

    console.log(`\n${formatTable(rows)}`);
    const latencyRows: (string | number)[][] = [
      ["end-to-end at 2,000 records/s, 1 tier", "records", "p50 ms", "p99 ms", "max ms", "load process event-loop delay p99 ms", "router CPU %"],
      ["router as its own process (workers/router.ts)", own.latencies.length, results.e2e_p50_ms as number, results.e2e_p99_ms as number, results.e2e_max_ms as number, own.loopDelayP99, own.routerCpuPercent ?? "n/a"],
      ["router in the load's process", inProcess.latencies.length, results.e2e_inprocess_p50_ms as number, results.e2e_inprocess_p99_ms as number, results.e2e_inprocess_max_ms as number, inProcess.loopDelayP99, "n/a"],
    ];
    console.log(`\n${formatTable(latencyRows)}`);
    console.log(`(${LATENCY_SECONDS} s each, offered ${own.offered}/s and ${inProcess.offered}/s; latency = source produce → record read by a consumer of the delivery topic)`);
    console.log(`record ~${results.record_bytes} bytes, ${PARTITIONS} partitions, broker in its own process, ${cpus().length} CPUs, load average ${results.loadavg_1m}`);
    const file = await writeResults("router", { ...results, table: rows, latency_table: latencyRows });
    console.log(`wrote ${file}`);
  } finally {
    await admin.disconnect().catch(() => {});
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await sql.end({ timeout: 5 });
    await dropDatabase(base, dbName);
  }
}

type RouterHandle = { stop(): Promise<void>; cpuSeconds(): number | null };

/** CPU seconds (user + system) of a process so far, from /proc (Linux); null elsewhere. */
function procCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The router worker as `npm run dev` runs it, against the bench database and broker. */
async function startRouterProcess(databaseUrl: string, bootstrap: string, secret: string): Promise<RouterHandle> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "workers/router.ts"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: childEnv({ DATABASE_URL: databaseUrl, KAFKA_BROKERS: bootstrap, KAFKA_SASL_MECHANISM: undefined, MASKING_SECRET: secret, LOG_LEVEL: "error", WORKER_HEALTH_PORT: undefined, NODE_ENV: "test" }),
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    cpuSeconds: () => (child.pid ? procCpuSeconds(child.pid) : null),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

type LatencyRun = { latencies: number[]; offered: number; loopDelayP99: number; routerCpuPercent: number | null };

/**
 * One latency run on its own product: the router started by `start`, a reader of the delivery
 * topic here, a warm-up record all the way through, then LATENCY_RATE records/s for
 * LATENCY_SECONDS from this process (sent every 10 ms, each stamped with its send time).
 */
async function latencyRun(kafka: Kafka, admin: Admin, db: Db, label: string, start: () => Promise<RouterHandle>): Promise<LatencyRun> {
  const slug = `bench-latency-${label}`;
  const source = `bench.src.latency.${label}`;
  await createTopic(admin, source);
  await createRoutedProduct(db, { slug, sourceTopic: source, versions: [{ version: "1.0.0", schema: SCHEMA, qualityRules: [] }], tiers: ONE_TIER as never });
  await setPii(db, slug);
  const router = await start();
  const reader = kafka.consumer({ groupId: `bench-latency-reader-${label}`, maxWaitTimeInMs: 100 });
  const p = kafka.producer();
  try {
    const out = deliveryTopicName(slug, 1, "internal");
    // The router creates the delivery topic when it picks the product up.
    for (const until = Date.now() + 60_000; !(await admin.listTopics()).includes(out); ) {
      if (Date.now() > until) throw new Error(`the router never created ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const latencies: number[] = [];
    let warmedUp = false;
    let timedFrom = Infinity;
    await reader.connect();
    await reader.subscribe({ topic: out, fromBeginning: true });
    // A lean consumer: no offset commits, one clock reading per fetched batch.
    await reader.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        warmedUp = true;
        for (const m of batch.messages) {
          const sent = Number(JSON.parse(m.value!.toString()).sent_at);
          if (sent >= timedFrom) latencies.push(at - sent);
        }
      },
    });
    await p.connect();
    // Warm-up: one record at a time until one has reached the reader (groups joined, topics known).
    const warmUntil = Date.now() + 60_000;
    for (let i = 0; !warmedUp; i++) {
      if (Date.now() > warmUntil) throw new Error("the warm-up record never reached the delivery topic");
      await p.send({ topic: source, acks: -1, messages: [{ key: `warm-${i}`, value: JSON.stringify({ ...record(i), sent_at: Date.now() }) }] });
      await new Promise((r) => setTimeout(r, 100));
    }
    const total = Math.round(LATENCY_RATE * LATENCY_SECONDS);
    const tickMs = 10;
    const perTick = (LATENCY_RATE * tickMs) / 1000;
    // How late this (the load's) process's event loop ran meanwhile.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpu0 = router.cpuSeconds();
    const t0 = Date.now();
    timedFrom = t0;
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / tickMs + 1) * perTick));
      if (due > sent) {
        const messages = [];
        // At most 500 a send, so a stall of this process never makes one request too large.
        for (; sent < due && messages.length < 500; sent++) messages.push({ key: `sub-${sent % 1000}`, value: JSON.stringify({ ...record(sent), sent_at: Date.now() }) });
        await p.send({ topic: source, acks: -1, messages });
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const offeredSeconds = (Date.now() - t0) / 1000;
    const cpu1 = router.cpuSeconds();
    loopDelay.disable();
    const until = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (latencies.length < total) throw new Error(`${label}: only ${latencies.length} of ${total} records reached the reader`);
    return {
      latencies,
      offered: Math.round(total / offeredSeconds),
      loopDelayP99: round(loopDelay.percentile(99) / 1e6),
      routerCpuPercent: cpu0 !== null && cpu1 !== null ? round((100 * (cpu1 - cpu0)) / offeredSeconds, 1) : null,
    };
  } finally {
    await p.disconnect().catch(() => {});
    await reader.disconnect().catch(() => {});
    await router.stop();
    await retireProduct(db, slug);
  }
}

async function retireProduct(db: Db, slug: string) {
  const { dataProducts } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  await db.update(dataProducts).set({ status: "retired" }).where(eq(dataProducts.slug, slug));
}

/** The bench contract's PII tags (the fixture tags only its own payment fields). */
async function setPii(db: ReturnType<typeof createDb>["db"], slug: string) {
  const { contractVersions, dataProducts } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  const { flattenSchema } = await import("@/lib/contracts");
  const [p] = await db.select({ id: dataProducts.id }).from(dataProducts).where(eq(dataProducts.slug, slug));
  const fields = flattenSchema("json-schema", SCHEMA).map((f) => ({ ...f, pii: (PII[f.path] ?? "none") as "direct" }));
  await db.update(contractVersions).set({ fields }).where(eq(contractVersions.productId, p.id));
}

await main();
