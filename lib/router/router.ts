import { hostname } from "node:os";
import type { Admin, Consumer, EachBatchPayload, IHeaders, KafkaMessage } from "kafkajs";
import type { Database } from "@/db/client";
import { RECORD_MAX_BYTES } from "@/lib/contracts";
import { BatchProducer, type PartitionRecords } from "@/lib/kafka/batch-producer";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { encodeHeaders, type BatchRecord, type HeaderBlock } from "@/lib/kafka/record-batch";
import { internalGroupName } from "@/lib/kafka/names";
import { byteLength, insertIndexRows, lockIndexTails, planBatchRows, recordSize, tailKey, type HeaderValue } from "./byte-index";
import { hourOf, incidentReason, ThroughputAccumulator, upsertIncidents, type IncidentDelta } from "./metrics";
import { compileProductRoute, planSignature as planSignatureOf, routeRecord, type ProductRoute } from "./plan";
import { Coalescer } from "./coalescer";
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

/** DLQ keys and values above these are cut (headers x-dlq-key-truncated / x-dlq-truncated have the original sizes). */
const DLQ_MAX_VALUE_BYTES = 900 * 1024;
const DLQ_MAX_KEY_BYTES = 64 * 1024;
/**
 * A produce request carries at most this many source records and, per delivery partition, at most
 * CHUNK_BYTES of output: it bounds memory and the time between heartbeats, and keeps each
 * produced batch (one per delivery partition) under Kafka's default max.message.bytes of 1 MiB
 * whatever masking does to record sizes. A single record over CHUNK_BYTES travels alone.
 */
const CHUNK_RECORDS = 1_000;
/**
 * Routed records per source partition whose index write and commit may still be outstanding
 * (then the router waits): the bound on duplicates after a crash, besides the batch in flight.
 */
const MAX_OUTSTANDING_RECORDS = 4_000;
/** Index writes (and the commits behind them) start at most this often; see indexWriter. */
const INDEX_FLUSH_INTERVAL_MS = 50;
const CHUNK_BYTES = 384 * 1024;

const noopLog: RouterLog = () => {};

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One record to produce; `key` is tailKey(topic, partition), made once. */
type Output = { topic: string; partition: number; key: string; record: BatchRecord; size: number; indexed: boolean };

/**
 * The x-contract-version header of a version, encoded once: each delivered record then copies
 * the same few bytes, and the header's share of the record size is known.
 */
const versionHeaders = new Map<string, { headers: HeaderBlock; size: number }>();
function versionHeader(version: string): { headers: HeaderBlock; size: number } {
  let h = versionHeaders.get(version);
  if (!h) {
    const value = Buffer.from(version);
    versionHeaders.set(version, (h = { headers: encodeHeaders({ "x-contract-version": value }), size: recordSize(null, null, { "x-contract-version": value }) }));
  }
  return h;
}

type ProductAcc = { recordsIn: number; bytesIn: number; recordsOut: number; bytesOut: number; recordsDlq: number; lastRecordAt: number };

/** One produce request's worth of routed records. */
class Chunk {
  outputs: Output[] = [];
  records = 0;
  minTimestamp = Infinity;
  private bytes = new Map<string, number>();

  /** The outputs of one source record go to distinct partitions (one per tier and major, or the DLQ). */
  fits(outputs: readonly Output[]): boolean {
    if (this.records === 0) return true;
    if (this.records >= CHUNK_RECORDS) return false;
    for (const o of outputs) if ((this.bytes.get(o.key) ?? 0) + o.size > CHUNK_BYTES) return false;
    return true;
  }

  add(outputs: readonly Output[], timestamp: number): void {
    for (const o of outputs) {
      this.bytes.set(o.key, (this.bytes.get(o.key) ?? 0) + o.size);
      this.outputs.push(o);
    }
    this.records++;
    if (Number.isFinite(timestamp) && timestamp < this.minTimestamp) this.minTimestamp = timestamp;
  }
}

/** A produced batch of one delivery partition, in produce order: what the byte index records. */
type Produced = { topic: string; partition: number; baseOffset: number; sizes: number[] };

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
  let producer: BatchProducer | null = null;
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
      const p = new BatchProducer({ connection: opts.connection, clientId: "tributary-router", retries: 5 });
      await p.connect();
      producer = p;
    }
  }

  function deliveryPartition(topic: string, sourcePartition: number): number {
    const n = topics?.partitionCount(topic) ?? 0;
    return n > 0 ? sourcePartition % n : sourcePartition;
  }

  // ---- one source record ------------------------------------------------------------------

  /** Routes one record through every product reading its topic: its deliveries and DLQ records. */
  function routeMessage(batchTopic: string, partition: number, m: KafkaMessage, routes: ProductRoute[], now: number, perProduct: Map<string, ProductAcc>, incidents: IncidentDelta[]): Output[] {
    const outputs: Output[] = [];
    const inSize = recordSize(m.key, m.value, m.headers as Record<string, HeaderValue> | undefined);
    const ts = Number(m.timestamp);
    const timestamp = Number.isSafeInteger(ts) ? ts : now;
    for (const route of routes) {
      let acc = perProduct.get(route.productId);
      if (!acc) perProduct.set(route.productId, (acc = { recordsIn: 0, bytesIn: 0, recordsOut: 0, bytesOut: 0, recordsDlq: 0, lastRecordAt: 0 }));
      acc.recordsIn++;
      acc.bytesIn += inSize;
      if (Number.isFinite(ts)) acc.lastRecordAt = Math.max(acc.lastRecordAt, ts);
      const outcome = routeRecord(route, { key: m.key, value: m.value }, { maxRecordBytes, now });
      if (outcome.kind === "deliver") {
        for (const d of outcome.deliveries) {
          const header = versionHeader(d.version);
          const size = byteLength(m.key) + d.value.byteLength + header.size;
          const p = deliveryPartition(d.topic, partition);
          outputs.push({ topic: d.topic, partition: p, key: tailKey(d.topic, p), size, indexed: true, record: { key: m.key, value: d.value, headers: header.headers, timestamp } });
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
      let key = m.key;
      if (key && key.byteLength > DLQ_MAX_KEY_BYTES) {
        headers["x-dlq-key-truncated"] = String(key.byteLength);
        key = key.subarray(0, DLQ_MAX_KEY_BYTES);
      }
      let value = m.value;
      if (value && value.byteLength > DLQ_MAX_VALUE_BYTES) {
        headers["x-dlq-truncated"] = String(value.byteLength);
        value = value.subarray(0, DLQ_MAX_VALUE_BYTES);
      }
      const dlqPartition = deliveryPartition(route.dlqTopic, partition);
      outputs.push({ topic: route.dlqTopic, partition: dlqPartition, key: tailKey(route.dlqTopic, dlqPartition), size: recordSize(key, value, headers as Record<string, HeaderValue>), indexed: false, record: { key, value, headers: encodeHeaders(headers), timestamp } });
      incidents.push({
        productId: route.productId,
        contractVersion: outcome.version ?? null,
        reason: incidentReason(outcome.reason),
        hour: hourOf(now),
        count: 1,
        sample: JSON.stringify({ topic: batchTopic, partition, offset: Number(m.offset), reasons: outcome.reasons }),
      });
    }
    return outputs;
  }

  // ---- one source batch -------------------------------------------------------------------

  /**
   * Produces one chunk, one record batch per delivery partition, all replicas acknowledging, and
   * notes each delivery partition's base offset.
   */
  async function produceChunk(chunk: Chunk, produced: Produced[]): Promise<number> {
    const byPartition = new Map<string, PartitionRecords & { records: BatchRecord[] }>();
    const sizes = new Map<string, Produced>();
    for (const o of chunk.outputs) {
      (byPartition.get(o.key) ?? byPartition.set(o.key, { topic: o.topic, partition: o.partition, records: [] }).get(o.key)!).records.push(o.record);
      if (!o.indexed) continue;
      (sizes.get(o.key) ?? sizes.set(o.key, { topic: o.topic, partition: o.partition, baseOffset: -1, sizes: [] }).get(o.key)!).sizes.push(o.size);
    }
    if (byPartition.size === 0) return Date.now();
    const results = await producer!.send([...byPartition.values()]);
    for (const r of results) {
      const p = sizes.get(tailKey(r.topic, r.partition));
      if (p) p.baseOffset = r.baseOffset;
    }
    for (const [k, p] of sizes) {
      if (!Number.isFinite(p.baseOffset) || p.baseOffset < 0) throw new Error(`no base offset returned for ${k}`);
      produced.push(p);
    }
    return Date.now();
  }

  /** Index rows of every batch produced for one source batch (in produce order) and its incidents, in one transaction. */
  async function recordProduced(produced: readonly Produced[], incidents: readonly IncidentDelta[]): Promise<void> {
    if (produced.length === 0 && incidents.length === 0) return;
    await db.transaction(async (tx) => {
      if (produced.length) await insertIndexRows(tx, planBatchRows(await lockIndexTails(tx, produced), produced));
      await upsertIncidents(tx, incidents);
    });
  }

  /**
   * Per source partition, the index writes and offset commits of routed batches, which run while
   * the next batches are routed and produced (a consumer sees a record once it is produced; the
   * index and the commit only need to follow, in order). They run strictly in batch order, so
   * the byte index grows in offset order; a lane whose turn comes writes everything queued in
   * it at once. At most MAX_OUTSTANDING_RECORDS are outstanding per partition, so a slow
   * database slows the router down instead of letting work pile up, and fetching is not held up
   * by each transaction's round trips and fsync.
   */
  type LaneItem = { produced: Produced[]; incidents: IncidentDelta[]; first: string; last: string; records: number; done: () => void };
  type Lane = { topic: string; partition: number; consumer: Consumer; queue: LaneItem[]; draining: boolean; failed: boolean; dropped: boolean; pending: Promise<void>[]; pendingRecords: number };
  const lanes = new Map<string, Lane>();
  /** Every outstanding index write and commit, also of lanes dropped by a rebalance. */
  const outstanding = new Set<Promise<void>>();

  /**
   * Group commit: the index writes of all lanes waiting at the same moment share one
   * transaction, and their offsets one OffsetCommit request, at most every
   * INDEX_FLUSH_INTERVAL_MS. At 2,000 records/s a partition's fetched batches are a few records
   * each, and one transaction and one commit per batch cost the router more CPU (socket writes,
   * query building) than routing the records. Consumers see records once produced: the index
   * and the commit only bound the re-routing after a crash.
   */
  const indexWriter = new Coalescer<{ produced: Produced[]; incidents: IncidentDelta[] }>(async (items) => {
    // Per delivery partition in log order: lanes of two source partitions may share one.
    const produced = items.flatMap((i) => i.produced).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition || a.baseOffset - b.baseOffset));
    await recordProduced(produced, items.flatMap((i) => i.incidents));
  }, INDEX_FLUSH_INTERVAL_MS);
  const committer = new Coalescer<{ consumer: Consumer; topic: string; partition: number; offset: number }>(async (items) => {
    const byConsumer = new Map<Consumer, Map<string, { topic: string; partition: number; offset: number }>>();
    for (const i of items) {
      const m = byConsumer.get(i.consumer) ?? byConsumer.set(i.consumer, new Map()).get(i.consumer)!;
      const k = tailKey(i.topic, i.partition);
      const cur = m.get(k);
      if (!cur || cur.offset < i.offset) m.set(k, { topic: i.topic, partition: i.partition, offset: i.offset });
    }
    for (const [consumer, offsets] of byConsumer) {
      await consumer.commitOffsets([...offsets.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    }
  });

  /**
   * Writes a lane's queued batches, oldest first: everything queued when the lane's turn comes
   * goes into one index write and one commit of the newest offset. After a failure the lane
   * writes nothing more; the partition is sought back to the first batch not written.
   */
  async function drainLane(laneKey: string, l: Lane): Promise<void> {
    try {
      while (l.queue.length) {
        const items = l.queue.splice(0);
        if (!l.failed) {
          try {
            await indexWriter.run({ produced: items.flatMap((i) => i.produced), incidents: items.flatMap((i) => i.incidents) });
            await committer.run({ consumer: l.consumer, topic: l.topic, partition: l.partition, offset: Number(items[items.length - 1].last) + 1 });
            stats.commits++;
          } catch (err) {
            l.failed = true;
            fail(`index or commit ${laneKey}`, err);
            // Everything from these batches on counts as not routed: fetch it again, on a fresh lane.
            if (!l.dropped && lanes.get(laneKey) === l) {
              lanes.delete(laneKey);
              try {
                l.consumer.seek({ topic: l.topic, partition: l.partition, offset: items[0].first });
              } catch (e) {
                fail(`seek ${laneKey}`, e);
              }
            }
          }
        }
        for (const i of items) i.done();
      }
    } finally {
      l.draining = false;
    }
  }

  /**
   * One source batch of one partition: route each record, produce in chunks (sequentially, so
   * each delivery partition gets its records in source order), then — behind the batch before
   * it — write the byte index rows and incidents in one transaction and commit the source
   * offset. The offset is committed only after both; a crash anywhere before re-routes the batch
   * (at-least-once, duplicates bounded per partition by MAX_OUTSTANDING_RECORDS plus the batch
   * being routed). If the index write or the commit fails, the partition is sought back to that
   * batch's first offset and routed again.
   */
  async function eachBatch(payload: EachBatchPayload, c: Consumer): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    // A heartbeat that learns of a rebalance throws. Members may still commit while a rebalance
    // is being prepared, so the batch is finished and committed first, then the error is
    // rethrown for kafkajs to rejoin: otherwise every rebalance would re-route a whole batch.
    let rebalance: unknown = null;
    const heartbeat = async () => {
      if (rebalance) return;
      try {
        await payload.heartbeat();
      } catch (err) {
        if ((err as { type?: string }).type !== "REBALANCE_IN_PROGRESS") throw err;
        rebalance = err;
      }
    };
    const routes = routesByTopic.get(batch.topic) ?? [];
    // A topic no longer routed (retired meanwhile): leave its offsets alone, the consumer is
    // about to be restarted without it.
    if (routes.length === 0 || batch.messages.length === 0) return;
    const now = Date.now();
    const perProduct = new Map<string, ProductAcc>();
    const incidents: IncidentDelta[] = [];
    const produced: Produced[] = [];
    let maxDelayMs = 0;
    let chunk = new Chunk();
    // One produce in flight while the next chunk is routed: routing is CPU, producing is mostly
    // waiting for the broker. Produces stay strictly one after another, so each delivery
    // partition receives its records in source order.
    let inflight: Promise<void> | null = null;
    const flush = async () => {
      const c = chunk;
      chunk = new Chunk();
      if (inflight) await inflight;
      if (c.records === 0) return;
      const p = produceChunk(c, produced).then((deliveredAt) => {
        maxDelayMs = Math.max(maxDelayMs, deliveredAt - (Number.isFinite(c.minTimestamp) ? c.minTimestamp : deliveredAt));
      });
      // Marked as handled now (it is awaited later), so a failure while the next chunk is being
      // routed is not an unhandled rejection that would end the process.
      p.catch(() => {});
      inflight = p;
    };
    // heartbeat() is cheap (kafkajs sends one only every heartbeatInterval): called after each
    // produce of a long batch, so a slow batch on a loaded machine keeps its membership.
    try {
      for (const m of batch.messages) {
        const outputs = routeMessage(batch.topic, batch.partition, m, routes, now, perProduct, incidents);
        if (!chunk.fits(outputs)) {
          await flush();
          if (!isRunning() || isStale()) return;
          await heartbeat();
        }
        chunk.add(outputs, Number(m.timestamp));
      }
      await flush();
    } finally {
      // Never leave a produce running unobserved (its failure must fail this batch).
      if (inflight) await inflight;
    }
    if (!isRunning() || isStale()) return;
    const laneKey = tailKey(batch.topic, batch.partition);
    let lane = lanes.get(laneKey);
    if (!lane) lanes.set(laneKey, (lane = { topic: batch.topic, partition: batch.partition, consumer: c, queue: [], draining: false, failed: false, dropped: false, pending: [], pendingRecords: 0 }));
    const l = lane;
    // Produced with acks=-1: kafkajs may fetch on. The source offset itself moves only in the lane.
    resolveOffset(batch.messages[batch.messages.length - 1].offset);
    let settle!: () => void;
    const settled = new Promise<void>((r) => (settle = r));
    const records = batch.messages.length;
    l.queue.push({ produced, incidents, first: batch.messages[0].offset, last: batch.messages[records - 1].offset, records, done: settle });
    outstanding.add(settled);
    l.pending.push(settled);
    l.pendingRecords += records;
    void settled.then(() => {
      outstanding.delete(settled);
      l.pending.splice(l.pending.indexOf(settled), 1);
      l.pendingRecords -= records;
    });
    if (!l.draining) {
      l.draining = true;
      void drainLane(laneKey, l);
    }
    for (const [productId, acc] of perProduct) {
      throughput.add(productId, now, { ...acc, lastRecordAt: acc.lastRecordAt || null, maxDelayMs: acc.recordsOut + acc.recordsDlq > 0 && acc.lastRecordAt ? maxDelayMs : null });
      stats.recordsIn += acc.recordsIn;
      stats.bytesIn += acc.bytesIn;
      stats.recordsOut += acc.recordsOut;
      stats.bytesOut += acc.bytesOut;
      stats.recordsDlq += acc.recordsDlq;
    }
    stats.batches++;
    stats.lastBatchAt = new Date().toISOString();

    if (!rebalance) {
      while (l.pendingRecords > MAX_OUTSTANDING_RECORDS && l.pending.length > 1) await l.pending[0];
      await heartbeat();
    }
    if (rebalance) {
      await Promise.all(l.pending);
      throw rebalance;
    }

  }

  // ---- consumer lifecycle -----------------------------------------------------------------

  /** Batches being routed right now (eachBatch calls not yet returned). */
  const inBatch = new Set<Promise<void>>();
  const subscribedTopics = new WeakMap<Consumer, string[]>();
  const topicsOf = (c: Consumer) => subscribedTopics.get(c) ?? [];

  /** Waits for the outstanding index writes and commits. */
  async function drainLanes(): Promise<void> {
    await Promise.all([...outstanding]);
  }

  async function stopConsumer(): Promise<void> {
    const c = consumer;
    consumer = null;
    consumedTopics = [];
    if (!c) return;
    // Stop fetching, let the batches being routed and their index writes and commits finish while
    // still a member of the group, then leave.
    try {
      c.pause(topicsOf(c).map((topic) => ({ topic })));
    } catch (err) {
      fail("consumer pause", err);
    }
    await Promise.all([...inBatch]);
    await drainLanes();
    lanes.clear();
    await c.disconnect().catch((err) => fail("consumer disconnect", err));
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
    // After a rebalance kafkajs fetches from the committed offsets: a lane of the old generation
    // must not seek any more (its partition may belong to another router now).
    c.on(c.events.GROUP_JOIN, () => {
      for (const l of lanes.values()) l.dropped = true;
      lanes.clear();
    });
    await c.connect();
    await c.subscribe({ topics: sourceTopics, fromBeginning: true });
    subscribedTopics.set(c, sourceTopics);
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: opts.concurrency ?? 4,
      eachBatch: async (payload) => {
        const run = eachBatch(payload, c);
        const settled = run.catch(() => {});
        inBatch.add(settled);
        try {
          await run;
        } catch (err) {
          // A rebalance is not a failure: kafkajs rejoins and goes on.
          if ((err as { type?: string }).type !== "REBALANCE_IN_PROGRESS") fail(`batch ${payload.batch.topic}/${payload.batch.partition}`, err);
          // Rethrown: kafkajs fetches again from the last resolved offset, which only ever passed
          // produced records (at-least-once).
          throw err;
        } finally {
          inBatch.delete(settled);
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
