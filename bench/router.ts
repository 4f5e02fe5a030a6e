/**
 * Router benchmark, all on one embedded broker in one run:
 *   (a) plain kafkajs pass-through (consume, re-produce unchanged, commit),
 *   (b) the router with 1 tier, (c) with 3 tiers,
 * on ~1 KB JSON records with 6 masked fields: records/s, MB/s (source bytes) and router ÷
 * pass-through; then end-to-end latency (source produce → delivery consumed) at a steady
 * 2,000 records/s through the 1-tier router.
 *
 *   npm run bench:router [-- --records=20000 --seconds=10]
 *
 * Needs DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped).
 * Writes bench/results/router.json.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { Kafka } from "kafkajs";
import { createDb } from "@/db/client";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { silentLogger, startBroker } from "@/lib/broker";
import { env } from "@/lib/env";
import { createKafka } from "@/lib/kafka/client";
import { deliveryTopicName } from "@/lib/kafka/names";
import { startRouter } from "@/lib/router";
import { createRoutedProduct } from "@/lib/router/test-fixtures";
import { formatTable, percentile, round, writeResults } from "./lib/stats";
import { withAdmin, dropDatabase } from "@/lib/testing/pg";

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = hit ? Number(hit.slice(name.length + 3)) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

const RECORDS = Math.round(arg("records", 20_000));
const LATENCY_SECONDS = arg("seconds", 10);
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

async function totalHigh(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((s, o) => s + Number(o.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

async function waitCount(kafka: Kafka, topic: string, n: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await totalHigh(kafka, topic)) < n) {
    if (Date.now() > until) throw new Error(`timed out: ${topic} has fewer than ${n} records`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createTopic(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
}

const benchLog = (level: string, msg: string, data?: unknown) => {
  if (level === "warn" || level === "error") console.error(`router ${level}: ${msg} ${data ? JSON.stringify(data) : ""}`);
};

async function main() {
  const base = env().databaseUrl;
  const dbName = `trib_bench_router_${randomBytes(4).toString("hex")}`;
  await withAdmin(base, (sql) => sql.unsafe(`create database ${dbName}`));
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const { sql, db } = createDb(url.toString(), 8);
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-router-"));
  const broker = await startBroker({ port: 0, dataDir, log: silentLogger });
  const connection = { brokers: [broker.bootstrap] };
  const kafka = createKafka({ clientId: "bench-router", connection, logLevel: "nothing" });
  const secret = "bench-router-masking-secret-0123456789";
  const rows: (string | number)[][] = [["case", "records", "seconds", "records/s", "MB/s (source)", "vs pass-through"]];
  const results: Record<string, unknown> = {};
  try {
    await migrate(db, { migrationsFolder: path.join(process.cwd(), "db", "migrations") });

    // (a) pass-through: consume, re-produce unchanged (acks -1), commit per batch.
    await createTopic(kafka, "bench.pass.src");
    await createTopic(kafka, "bench.pass.out");
    const sourceBytes = await produceAll(kafka, "bench.pass.src", RECORDS);
    const passStart = process.hrtime.bigint();
    const consumer = kafka.consumer({ groupId: "bench-pass", maxWaitTimeInMs: 500 });
    const producer = kafka.producer();
    await Promise.all([consumer.connect(), producer.connect()]);
    await consumer.subscribe({ topic: "bench.pass.src", fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        await producer.send({ topic: "bench.pass.out", acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: batch.partition })) });
        const last = batch.messages[batch.messages.length - 1].offset;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
        resolveOffset(last);
        await heartbeat();
      },
    });
    await waitCount(kafka, "bench.pass.out", RECORDS);
    const passSeconds = Number(process.hrtime.bigint() - passStart) / 1e9;
    await consumer.disconnect();
    await producer.disconnect();
    const passRate = RECORDS / passSeconds;
    rows.push(["(a) kafkajs pass-through", RECORDS, round(passSeconds), Math.round(passRate), round(sourceBytes / passSeconds / 1e6), 1]);
    results.passthrough_records_per_s = Math.round(passRate);

    // (b), (c): the router, each on its own product and source topic.
    for (const [label, tiers, key] of [["(b) router, 1 tier", ONE_TIER, "1tier"], ["(c) router, 3 tiers", THREE_TIERS, "3tier"]] as const) {
      const slug = `bench-${key}`;
      const source = `bench.src.${key}`;
      await createTopic(kafka, source);
      await produceAll(kafka, source, RECORDS);
      await createRoutedProduct(db, { slug, sourceTopic: source, versions: [{ version: "1.0.0", schema: SCHEMA, qualityRules: [{ id: "r1", kind: "range", field: "bytes_up", params: { min: 0 } }] }], tiers: tiers as never });
      await setPii(db, slug);
      const start = process.hrtime.bigint();
      const router = await startRouter({ db, connection, maskingSecret: secret, refreshMs: 1_000, groupId: `bench-router-${key}`, log: benchLog });
      const out = deliveryTopicName(slug, 1, "internal");
      await waitCount(kafka, out, RECORDS);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const s = router.stats();
      await router.stop();
      if (s.recordsDlq > 0) throw new Error(`${s.recordsDlq} bench records went to the DLQ: ${s.lastError ?? ""}`);
      const rate = RECORDS / seconds;
      rows.push([label, RECORDS, round(seconds), Math.round(rate), round(sourceBytes / seconds / 1e6), round(rate / passRate)]);
      results[`router_${key}_records_per_s`] = Math.round(rate);
      results[`ratio_${key}`] = round(rate / passRate, 3);
    }

    // End-to-end latency at a steady 2,000 records/s through the 1-tier router.
    const slug = "bench-latency";
    const source = "bench.src.latency";
    await createTopic(kafka, source);
    await createRoutedProduct(db, { slug, sourceTopic: source, versions: [{ version: "1.0.0", schema: SCHEMA, qualityRules: [] }], tiers: ONE_TIER as never });
    await setPii(db, slug);
    const router = await startRouter({ db, connection, maskingSecret: secret, refreshMs: 500, groupId: "bench-router-latency", log: benchLog });
    const out = deliveryTopicName(slug, 1, "internal");
    const latencies: number[] = [];
    const reader = kafka.consumer({ groupId: "bench-latency-reader", maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: out, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const sent = Number(JSON.parse(message.value!.toString()).sent_at);
        latencies.push(Date.now() - sent);
      },
    });
    const p = kafka.producer();
    await p.connect();
    const total = Math.round(LATENCY_RATE * LATENCY_SECONDS);
    const tickMs = 10;
    const perTick = (LATENCY_RATE * tickMs) / 1000;
    const t0 = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / tickMs + 1) * perTick));
      if (due > sent) {
        const messages = [];
        for (; sent < due; sent++) messages.push({ key: `sub-${sent % 1000}`, value: JSON.stringify({ ...record(sent), sent_at: Date.now() }) });
        await p.send({ topic: source, acks: -1, messages });
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const until = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await p.disconnect();
    await reader.disconnect();
    await router.stop();
    // The first second includes the consumer's group join; steady state is what the goal is about.
    const steady = latencies.slice(Math.min(latencies.length - 1, LATENCY_RATE));
    results.e2e_rate_per_s = LATENCY_RATE;
    results.e2e_records = latencies.length;
    results.e2e_p50_ms = round(percentile(steady, 50));
    results.e2e_p99_ms = round(percentile(steady, 99));
    results.e2e_max_ms = round(Math.max(...steady));
    results.records = RECORDS;
    results.record_bytes = JSON.stringify(record(1)).length;
    results.cpus = cpus().length;
    results.loadavg_1m = round(loadavg()[0]);

    console.log(formatTable(rows));
    console.log(`\nend-to-end at ${LATENCY_RATE} records/s for ${LATENCY_SECONDS}s (1 tier, after the first second): p50 ${results.e2e_p50_ms} ms, p99 ${results.e2e_p99_ms} ms, max ${results.e2e_max_ms} ms (${latencies.length}/${total} received)`);
    console.log(`record ~${results.record_bytes} bytes, ${PARTITIONS} partitions, ${cpus().length} CPUs, load average ${results.loadavg_1m}`);
    const file = await writeResults("router", { ...results, table: rows });
    console.log(`wrote ${file}`);
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
    await sql.end({ timeout: 5 });
    await dropDatabase(base, dbName);
  }
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
