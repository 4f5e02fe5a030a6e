import { hostname } from "node:os";
import type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage, Message, Producer, TopicMessages } from "kafkajs";
import type { Database } from "@/db/client";
import { RECORD_MAX_BYTES } from "@/lib/contracts";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { internalGroupName } from "@/lib/kafka/names";
import { insertIndexRows, lockIndexTails, planIndexRows, recordSize, tailKey, type ByteIndexRow, type HeaderValue } from "./byte-index";
import { hourOf, incidentReason, ThroughputAccumulator, upsertIncidents, type IncidentDelta } from "./metrics";
import { compileProductRoute, planSignature as planSignatureOf, routeRecord, type ProductRoute } from "./plan";
import { loadRoutableProducts } from "./queries";
import { TopicCache } from "./topics";

export type RouterLogLevel = "debug" | "info" | "warn" | "error";
export type RouterLog = (level: RouterLogLevel, msg: string, data?: Record<string, unknown>) => void;

export type RouterOptions = {
  db: Database;
  connection: KafkaConnectionOptions;
  /** Names this process in product_throughput and DLQ headers; default router@host:pid. */
  instance?: string;
  /** How often the product list is re-read, ms (default 5,000). */
  refreshMs?: number;
  /** The masking master secret (lib/env maskingSecret()); required when a tier hashes or tokenizes. */
  maskingSecret?: string;
  log?: RouterLog;
  /** How often throughput is written, ms (default 2,000). */
  flushMs?: number;
  /** Consumer group; every router of a deployment shares it (default internalGroupName("router")). */
  groupId?: string;
  /** Source partitions processed in parallel by this process (default 4). */
  concurrency?: number;
  /** Consumer session timeout, ms (default 10,000): how long a killed router's partitions wait. */
  sessionTimeoutMs?: number;
  /** Largest source value accepted, bytes (default Kafka's 1,048,588). */
  maxRecordBytes?: number;
};

export type RouterStats = {
  instance: string;
  startedAt: string;
  /** Products with a compiled plan, and their source topics being consumed. */
  products: number;
  sourceTopics: string[];
  recordsIn: number;
  bytesIn: number;
  /** Records produced to delivery topics, summed over tiers and majors. */
  recordsOut: number;
  bytesOut: number;
  recordsDlq: number;
  batches: number;
  commits: number;
  refreshes: number;
  consumerRestarts: number;
  errors: number;
  lastError: string | null;
  lastBatchAt: string | null;
  /** Plans with contract or tier policies that do not compile, by product slug. */
  problems: Record<string, string[]>;
};

export type RunningRouter = { stop(): Promise<void>; stats(): RouterStats };

/** DLQ values above this are cut (header x-dlq-truncated has the original size). */
const DLQ_MAX_VALUE_BYTES = 900 * 1024;
/**
 * Source records per produce: bounds memory and the time between heartbeats, and keeps each
 * produced batch (one per delivery partition) under Kafka's default max.message.bytes of 1 MiB
 * even when masking makes values larger (hashes are 64 characters).
 */
const CHUNK_RECORDS = 1_000;
const CHUNK_BYTES = 384 * 1024;

const noopLog: RouterLog = () => {};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type PendingDelivery = { topic: string; partition: number; message: Message; size: number };

/**
 * The router: source topics → contract validation → masking per tier → delivery topics, bad
 * records → DLQ. See README.md here for routing rules, headers, the byte index and guarantees.
 */
export async function startRouter(opts: RouterOptions): Promise<RunningRouter> {
  const db = opts.db;
  const log = opts.log ?? noopLog;
  const instance = opts.instance ?? `router@${hostname()}:${process.pid}`;
  const refreshMs = opts.refreshMs ?? 5_000;
  const flushMs = opts.flushMs ?? 2_000;
  const groupId = opts.groupId ?? internalGroupName("router");
  const secret = opts.maskingSecret ?? "";
  const maxRecordBytes = opts.maxRecordBytes ?? RECORD_MAX_BYTES;
  const kafka = createKafka({ clientId: "tributary-router", connection: opts.connection, logLevel: "nothing", retries: 5 });

  const stats: RouterStats = {
    instance,
    startedAt: new Date().toISOString(),
    products: 0,
    sourceTopics: [],
    recordsIn: 0,
    bytesIn: 0,
    recordsOut: 0,
    bytesOut: 0,
    recordsDlq: 0,
    batches: 0,
    commits: 0,
    refreshes: 0,
    consumerRestarts: 0,
    errors: 0,
    lastError: null,
    lastBatchAt: null,
    problems: {},
  };
  const fail = (what: string, err: unknown) => {
    stats.errors++;
    stats.lastError = `${what}: ${errorMessage(err)}`;
    log("error", what, { error: errorMessage(err) });
  };

  let admin: Admin | null = null;
  let producer: Producer | null = null;
  let topics: TopicCache | null = null;
  let consumer: Consumer | null = null;
  let consumedTopics: string[] = [];
  let routesByTopic = new Map<string, ProductRoute[]>();
  const routesByProduct = new Map<string, ProductRoute>();
  const throughput = new ThroughputAccumulator();
  let stopping = false;

  async function connectClients(): Promise<void> {
    if (!admin) {
      const a = kafka.admin();
      await a.connect();
      admin = a;
      topics = new TopicCache(a);
    }
    if (!producer) {
      const p = kafka.producer({ allowAutoTopicCreation: false });
      await p.connect();
      producer = p;
    }
  }

  function deliveryPartition(topic: string, sourcePartition: number): number {
    const n = topics?.partitionCount(topic) ?? 0;
    return n > 0 ? sourcePartition % n : sourcePartition;
  }

  // ---- one source batch -------------------------------------------------------------------

  async function handleChunk(batchTopic: string, partition: number, messages: KafkaMessage[], routes: ProductRoute[]): Promise<void> {
    const now = Date.now();
    const deliveries: PendingDelivery[] = [];
    const dlqMessages: { topic: string; partition: number; message: Message }[] = [];
    const incidents: IncidentDelta[] = [];
    const perProduct = new Map<string, { recordsIn: number; bytesIn: number; recordsOut: number; bytesOut: number; recordsDlq: number; lastRecordAt: number }>();

    for (const m of messages) {
      const inSize = recordSize(m.key, m.value, m.headers as Record<string, HeaderValue> | undefined);
      const ts = Number(m.timestamp);
      for (const route of routes) {
        let acc = perProduct.get(route.productId);
        if (!acc) perProduct.set(route.productId, (acc = { recordsIn: 0, bytesIn: 0, recordsOut: 0, bytesOut: 0, recordsDlq: 0, lastRecordAt: 0 }));
        acc.recordsIn++;
        acc.bytesIn += inSize;
        if (Number.isFinite(ts)) acc.lastRecordAt = Math.max(acc.lastRecordAt, ts);
        const outcome = routeRecord(route, { key: m.key, value: m.value }, { maxRecordBytes, now });
        if (outcome.kind === "deliver") {
          for (const d of outcome.deliveries) {
            const headers = { "x-contract-version": d.version };
            const size = recordSize(m.key, d.value, headers);
            deliveries.push({ topic: d.topic, partition: deliveryPartition(d.topic, partition), size, message: { key: m.key, value: d.value, headers, timestamp: m.timestamp } });
            acc.recordsOut++;
            acc.bytesOut += size;
          }
          continue;
        }
        acc.recordsDlq++;
        const headers: IHeaders = {};
        for (const [name, v] of Object.entries(m.headers ?? {})) {
          if (v !== undefined && !name.startsWith("x-dlq-") && !name.startsWith("x-source-")) headers[name] = v;
        }
        headers["x-dlq-reason"] = outcome.reason;
        headers["x-dlq-reasons"] = JSON.stringify(outcome.reasons);
        if (outcome.field) headers["x-dlq-field"] = outcome.field;
        if (outcome.rule) headers["x-dlq-rule"] = outcome.rule;
        if (outcome.version) headers["x-contract-version"] = outcome.version;
        headers["x-source-topic"] = batchTopic;
        headers["x-source-partition"] = String(partition);
        headers["x-source-offset"] = m.offset;
        headers["x-source-timestamp"] = m.timestamp;
        headers["x-router-instance"] = instance;
        let value = m.value;
        if (value && value.byteLength > DLQ_MAX_VALUE_BYTES) {
          headers["x-dlq-truncated"] = String(value.byteLength);
          value = value.subarray(0, DLQ_MAX_VALUE_BYTES);
        }
        dlqMessages.push({ topic: route.dlqTopic, partition: deliveryPartition(route.dlqTopic, partition), message: { key: m.key, value, headers, timestamp: m.timestamp } });
        incidents.push({
          productId: route.productId,
          contractVersion: outcome.version ?? null,
          reason: incidentReason(outcome.reason),
          hour: hourOf(now),
          count: 1,
          sample: JSON.stringify({ topic: batchTopic, partition, offset: Number(m.offset), reasons: outcome.reasons }),
        });
      }
    }

    // Produce deliveries and DLQ records together, all replicas acknowledging.
    const byTopic = new Map<string, Message[]>();
    const groups = new Map<string, { topic: string; partition: number; sizes: number[] }>();
    for (const d of deliveries) {
      const msg = { ...d.message, partition: d.partition };
      (byTopic.get(d.topic) ?? byTopic.set(d.topic, []).get(d.topic)!).push(msg);
      const k = tailKey(d.topic, d.partition);
      (groups.get(k) ?? groups.set(k, { topic: d.topic, partition: d.partition, sizes: [] }).get(k)!).sizes.push(d.size);
    }
    for (const d of dlqMessages) (byTopic.get(d.topic) ?? byTopic.set(d.topic, []).get(d.topic)!).push({ ...d.message, partition: d.partition });
    let deliveredAt = now;
    const baseOffsets = new Map<string, number>();
    if (byTopic.size > 0) {
      const topicMessages: TopicMessages[] = [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
      const meta = await producer!.sendBatch({ acks: -1, topicMessages });
      deliveredAt = Date.now();
      for (const r of meta) baseOffsets.set(tailKey(r.topicName, r.partition), Number(r.baseOffset));
    }

    // Index rows and incidents durable before the source offset is committed.
    const groupList = [...groups.values()];
    if (groupList.length > 0 || incidents.length > 0) {
      await db.transaction(async (tx) => {
        const rows: ByteIndexRow[] = [];
        if (groupList.length) {
          const tails = await lockIndexTails(tx, groupList);
          for (const g of groupList) {
            const k = tailKey(g.topic, g.partition);
            const base = baseOffsets.get(k);
            if (base === undefined || !Number.isFinite(base)) throw new Error(`no base offset returned for ${k}`);
            rows.push(...planIndexRows(g.topic, g.partition, tails.get(k) ?? { offset: 0, cumulativeBytes: 0 }, base, g.sizes).rows);
          }
        }
        await insertIndexRows(tx, rows);
        await upsertIncidents(tx, incidents);
      });
    }

    for (const [productId, acc] of perProduct) {
      throughput.add(productId, now, {
        ...acc,
        lastRecordAt: acc.lastRecordAt || null,
        maxDelayMs: acc.recordsOut + acc.recordsDlq > 0 && acc.lastRecordAt ? Math.max(0, deliveredAt - minTimestamp(messages)) : null,
      });
      stats.recordsIn += acc.recordsIn;
      stats.bytesIn += acc.bytesIn;
      stats.recordsOut += acc.recordsOut;
      stats.bytesOut += acc.bytesOut;
      stats.recordsDlq += acc.recordsDlq;
    }
  }

  function minTimestamp(messages: KafkaMessage[]): number {
    let min = Infinity;
    for (const m of messages) {
      const ts = Number(m.timestamp);
      if (Number.isFinite(ts) && ts < min) min = ts;
    }
    return Number.isFinite(min) ? min : Date.now();
  }

  async function eachBatch(payload: EachBatchPayload, c: Consumer): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const routes = routesByTopic.get(batch.topic) ?? [];
    // A topic no longer routed (retired meanwhile): leave its offsets alone, the consumer is
    // about to be restarted without it.
    if (routes.length === 0 || batch.messages.length === 0) return;
    let start = 0;
    while (start < batch.messages.length) {
      if (!isRunning() || isStale()) return;
      let end = start;
      let bytes = 0;
      while (end < batch.messages.length && end - start < CHUNK_RECORDS) {
        const m = batch.messages[end];
        const size = Math.min(DLQ_MAX_VALUE_BYTES, m.value?.byteLength ?? 0) + (m.key?.byteLength ?? 0);
        // A large record travels alone, so its batch carries nothing else.
        if (end > start && bytes + size > CHUNK_BYTES) break;
        bytes += size;
        end++;
      }
      const chunk = batch.messages.slice(start, end);
      await handleChunk(batch.topic, batch.partition, chunk, routes);
      const last = chunk[chunk.length - 1].offset;
      // Produced with acks=-1 and indexed: only now may the source offset move.
      if (!isRunning() || isStale()) return;
      await c.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
      stats.commits++;
      resolveOffset(last);
      await heartbeat();
      start = end;
    }
    stats.batches++;
    stats.lastBatchAt = new Date().toISOString();
  }

  // ---- consumer lifecycle -----------------------------------------------------------------

  async function stopConsumer(): Promise<void> {
    const c = consumer;
    consumer = null;
    consumedTopics = [];
    if (c) await c.disconnect().catch((err) => fail("consumer disconnect", err));
  }

  async function startConsumer(sourceTopics: string[]): Promise<void> {
    await stopConsumer();
    if (sourceTopics.length === 0 || stopping) return;
    const c = kafka.consumer({
      groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((opts.sessionTimeoutMs ?? 10_000) / 10)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      retry: { retries: 8, initialRetryTime: 200 },
    });
    c.on(c.events.CRASH, (e) => fail("consumer crashed", e.payload.error));
    await c.connect();
    await c.subscribe({ topics: sourceTopics, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.concurrency ?? 4,
      eachBatch: async (payload) => {
        try {
          await eachBatch(payload, c);
        } catch (err) {
          fail(`batch ${payload.batch.topic}/${payload.batch.partition}`, err);
          // Rethrown: kafkajs retries the batch from the last committed offset (at-least-once).
          throw err;
        }
      },
    });
    consumer = c;
    consumedTopics = sourceTopics;
    stats.consumerRestarts++;
    log("info", `consuming ${sourceTopics.length} source topics`, { topics: sourceTopics });
  }

  // ---- refresh ------------------------------------------------------------------------------

  async function refresh(): Promise<void> {
    await connectClients();
    const now = Date.now();
    const existing = await topics!.listExisting();
    const products = (await loadRoutableProducts(db)).filter((p) => existing.has(p.sourceTopic) && (!p.sunsetAt || p.sunsetAt.getTime() > now));
    const next = new Map<string, ProductRoute>();
    const problems: Record<string, string[]> = {};
    for (const p of products) {
      const prev = routesByProduct.get(p.id);
      let route = prev;
      if (!prev || prev.signature !== planSignatureOf(p, now)) {
        route = compileProductRoute(p, secret, now);
        if (route.problems.length) log("warn", `plan problems for ${p.slug}`, { problems: route.problems });
      }
      if (route!.problems.length) problems[p.slug] = route!.problems.map((x) => (x.tier ? `v${x.major} ${x.tier}: ${x.message}` : x.message));
      if (route!.majors.length === 0) continue;
      // Output topics must exist before the first record is routed to them.
      await topics!.describe([p.sourceTopic]);
      const partitions = topics!.partitionCount(p.sourceTopic) ?? 1;
      const outputs = [route!.dlqTopic, ...route!.majors.flatMap((m) => m.tiers.map((t) => t.topic))];
      await topics!.ensure(outputs, partitions, existing);
      next.set(p.id, route!);
    }
    routesByProduct.clear();
    const byTopic = new Map<string, ProductRoute[]>();
    for (const r of next.values()) {
      routesByProduct.set(r.productId, r);
      (byTopic.get(r.sourceTopic) ?? byTopic.set(r.sourceTopic, []).get(r.sourceTopic)!).push(r);
    }
    routesByTopic = byTopic;
    stats.products = next.size;
    stats.problems = problems;
    stats.refreshes++;
    const wanted = [...byTopic.keys()].sort();
    if (wanted.join("\n") !== consumedTopics.join("\n") || !consumer) {
      if (wanted.length || consumer) await startConsumer(wanted);
      stats.sourceTopics = wanted;
    }
  }

  let refreshTimer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> = Promise.resolve();
  const scheduleRefresh = () => {
    if (stopping) return;
    refreshTimer = setTimeout(() => {
      refreshing = refresh()
        .catch((err) => fail("refresh", err))
        .finally(scheduleRefresh);
    }, refreshMs);
  };
  let flushing: Promise<unknown> = Promise.resolve();
  const flushTimer = setInterval(() => {
    flushing = throughput.flush(db, instance).catch((err) => fail("throughput flush", err));
  }, flushMs);

  refreshing = refresh().catch((err) => fail("refresh", err));
  await refreshing;
  scheduleRefresh();

  return {
    stats: () => ({ ...stats, sourceTopics: [...stats.sourceTopics], problems: { ...stats.problems } }),
    async stop() {
      if (stopping) return;
      stopping = true;
      if (refreshTimer) clearTimeout(refreshTimer);
      clearInterval(flushTimer);
      await refreshing.catch(() => {});
      await stopConsumer();
      await flushing;
      await throughput.flush(db, instance).catch((err) => fail("throughput flush", err));
      await producer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
    },
  };
}
