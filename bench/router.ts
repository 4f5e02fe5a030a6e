/**
 * Router benchmark, all on one embedded broker in one run:
 *   (a) plain kafkajs pass-through (consume, re-produce unchanged, commit),
 *   (b) the router with 1 tier, (c) with 3 tiers,
 * on ~1 KB JSON records with 6 masked fields: records/s, MB/s (source bytes) and router ÷
 * pass-through; then end-to-end latency (source produce → delivery consumed) at a steady
 * 2,000 records/s through the 1-tier router.
 *
 * The broker runs as a child process, as `npm run dev` runs it, so each measured client (the
 * pass-through or the router) has this process's event loop to itself. The source topic is
 * filled before each case starts; records/s is the steady rate from the first delivered record
 * to the last (consumer-group join and the router's start-up are reported apart, as "start s").
 * The three cases run in turn, `--rounds` times (default 3), so a burst of load from elsewhere on
 * this shared machine hits all of them; the figures are the medians over the rounds, the ratios
 * the medians of each round's own ratio. Each router case retires its product afterwards (a
 * router routes every published product). The latency phase starts once a warm-up record has
 * gone all the way through, so it measures the running pipeline, not a backlog left by the start.
 *
 *   npm run bench:router [-- --records=20000 --rounds=3 --seconds=10]
 *
 * Needs DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped).
 * Writes bench/results/router.json.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg, tmpdir } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { Admin, Kafka, Message } from "kafkajs";
import { createDb } from "@/db/client";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { env } from "@/lib/env";
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

const RECORDS = Math.round(arg("records", 20_000));
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

async function passThrough(kafka: Kafka, admin: Admin, round: number): Promise<Timed> {
  const src = `bench.pass.src.${round}`;
  const out = `bench.pass.out.${round}`;
  await createTopic(admin, src);
  await createTopic(admin, out);
  await produceAll(kafka, src, RECORDS);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const consumer = kafka.consumer({ groupId: `bench-pass-${round}`, maxWaitTimeInMs: 500 });
  const producer = kafka.producer();
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
          await producer.send({ topic: out, acks: -1, messages: chunk });
          chunk = [];
          bytes = 0;
        }
        chunk.push({ key: m.key, value: m.value, headers: m.headers, partition: batch.partition });
        bytes += size;
      }
      if (chunk.length) await producer.send({ topic: out, acks: -1, messages: chunk });
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
  const { sql, db } = createDb(url.toString(), 8);
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
    const runs: { pass: Timed; one: Timed; three: Timed }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const pass = await passThrough(kafka, admin, r);
      const one = await routerCase(kafka, admin, db, connection, secret, "1tier", ONE_TIER, r);
      const three = await routerCase(kafka, admin, db, connection, secret, "3tier", THREE_TIERS as never, r);
      runs.push({ pass, one, three });
      console.log(`round ${r}: pass-through ${Math.round(rate(pass))}/s, router 1 tier ${Math.round(rate(one))}/s (${round(rate(one) / rate(pass))}), 3 tiers ${Math.round(rate(three))}/s (${round(rate(three) / rate(pass))}), load ${round(loadavg()[0])}`);
    }
    const rows: (string | number)[][] = [["case", "records", "start s", "records/s (median)", "MB/s (source)", "vs pass-through (median of rounds)", "per round", "client CPU µs/record"]];
    const cases = [
      ["(a) kafkajs pass-through", (x: (typeof runs)[number]) => x.pass, "passthrough"],
      ["(b) router, 1 tier", (x: (typeof runs)[number]) => x.one, "1tier"],
      ["(c) router, 3 tiers", (x: (typeof runs)[number]) => x.three, "3tier"],
    ] as const;
    for (const [label, pick, key] of cases) {
      const rates = runs.map((x) => rate(pick(x)));
      const ratios = runs.map((x) => rate(pick(x)) / rate(x.pass));
      const m = median(rates);
      rows.push([label, RECORDS, round(median(runs.map((x) => pick(x).startSeconds))), Math.round(m), round((m * bytesPerRecord) / 1e6), round(median(ratios)), ratios.map((q) => round(q)).join(" / "), round(median(runs.map((x) => pick(x).cpuUsPerRecord ?? Number.NaN)), 1)]);
      results[`${key === "passthrough" ? "passthrough" : `router_${key}`}_cpu_us_per_record`] = round(median(runs.map((x) => pick(x).cpuUsPerRecord ?? Number.NaN)), 1);
      if (key === "passthrough") results.passthrough_records_per_s = Math.round(m);
      else {
        results[`router_${key}_records_per_s`] = Math.round(m);
        results[`ratio_${key}`] = round(median(ratios), 3);
        results[`ratio_${key}_rounds`] = ratios.map((q) => round(q, 3));
      }
    }

    // End-to-end latency at a steady 2,000 records/s through the 1-tier router.
    const slug = "bench-latency";
    const source = "bench.src.latency";
    await createTopic(admin, source);
    await createRoutedProduct(db, { slug, sourceTopic: source, versions: [{ version: "1.0.0", schema: SCHEMA, qualityRules: [] }], tiers: ONE_TIER as never });
    await setPii(db, slug);
    const router = await startRouter({ db, connection, maskingSecret: secret, refreshMs: 500, groupId: "bench-router-latency", log: benchLog });
    const out = deliveryTopicName(slug, 1, "internal");
    const latencies: number[] = [];
    let warmedUp = false;
    let timedFrom = Infinity;
    const reader = kafka.consumer({ groupId: "bench-latency-reader", maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: out, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const sent = Number(JSON.parse(message.value!.toString()).sent_at);
        warmedUp = true;
        if (sent >= timedFrom) latencies.push(Date.now() - sent);
      },
    });
    const p = kafka.producer();
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
    // How late this process's event loop ran meanwhile: on a busy shared machine that, not the
    // router, is often most of the latency, so it is reported beside it.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
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
    loopDelay.disable();
    const until = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await p.disconnect();
    await reader.disconnect();
    await router.stop();
    results.e2e_rate_per_s = LATENCY_RATE;
    results.e2e_offered_per_s = Math.round(total / offeredSeconds);
    results.e2e_records = latencies.length;
    results.e2e_p50_ms = round(percentile(latencies, 50));
    results.e2e_p99_ms = round(percentile(latencies, 99));
    results.e2e_max_ms = round(Math.max(...latencies));
    results.e2e_event_loop_delay_p99_ms = round(loopDelay.percentile(99) / 1e6);
    results.records = RECORDS;
    results.rounds = ROUNDS;
    results.record_bytes = JSON.stringify(record(1)).length;
    results.cpus = cpus().length;
    results.loadavg_1m = round(loadavg()[0]);

    console.log(`\n${formatTable(rows)}`);
    console.log(`\nend-to-end at ${LATENCY_RATE} records/s for ${LATENCY_SECONDS}s (1 tier, offered ${results.e2e_offered_per_s}/s): p50 ${results.e2e_p50_ms} ms, p99 ${results.e2e_p99_ms} ms, max ${results.e2e_max_ms} ms (${latencies.length}/${total} received); this process's event loop delay p99 ${results.e2e_event_loop_delay_p99_ms} ms`);
    console.log(`record ~${results.record_bytes} bytes, ${PARTITIONS} partitions, broker in its own process, ${cpus().length} CPUs, load average ${results.loadavg_1m}`);
    const file = await writeResults("router", { ...results, table: rows });
    console.log(`wrote ${file}`);
  } finally {
    await admin.disconnect().catch(() => {});
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await sql.end({ timeout: 5 });
    await dropDatabase(base, dbName);
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
