import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "../authz";
import type { BrokerCore } from "../core";
import { Fetch } from "../protocol/apis/fetch";
import { ListOffsets } from "../protocol/apis/list-offsets";
import { Metadata } from "../protocol/apis/metadata";
import { Produce } from "../protocol/apis/produce";
import { ErrorCode } from "../protocol/errors";
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, inspectBatch, stampLogAppendTime } from "../protocol/record-batch";
import { holdResponse } from "../quotas";
import type { Connection } from "../server";
import type { PartitionLog } from "../storage/partition-log";
import { validTopicName } from "../storage/topic-store";
import { ProducerState } from "./producer-state";

interface MetadataRequest {
  topics: { name: string }[] | null;
  allowAutoTopicCreation: boolean;
}
interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
}
interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { topic: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number }[] }[];
}
interface ListOffsetsRequest {
  topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
}

/** Longest a Fetch is parked; clients use 0.5–5 s, so this only bounds nonsense values. */
const MAX_FETCH_WAIT_MS = 60_000;
const LATEST = -1n;
const EARLIEST = -2n;

export function registerDataHandlers(core: BrokerCore, producers: ProducerState): void {
  const { server, topics, config, metrics } = core;

  const brokers = () => [{ nodeId: config.nodeId, host: config.advertisedHost, port: config.advertisedPort ?? server.port, rack: null }];

  const topicMetadata = (name: string) => {
    const t = topics.get(name)!;
    return {
      errorCode: 0,
      name,
      isInternal: false,
      partitions: t.partitions.map((_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: config.nodeId,
        leaderEpoch: 0,
        replicaNodes: [config.nodeId],
        isrNodes: [config.nodeId],
        offlineReplicas: [],
      })),
    };
  };

  // Kafka's rules (notes §7): all-topics requests silently omit topics the caller may not
  // DESCRIBE; a named topic without DESCRIBE gets 29 whether or not it exists.
  server.registerHandler(Metadata, (ctx, raw, header) => {
    const req = raw as unknown as MetadataRequest;
    const all = req.topics === null || (header.apiVersion === 0 && req.topics.length === 0);
    const out = [];
    if (all) {
      for (const name of [...topics.topics.keys()].sort()) {
        if (ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) out.push(topicMetadata(name));
      }
    } else {
      for (const { name } of req.topics!) {
        const empty = { name, isInternal: false, partitions: [] };
        if (!ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
          out.push({ ...empty, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
        } else if (topics.get(name)) {
          out.push(topicMetadata(name));
        } else if (!validTopicName(name)) {
          out.push({ ...empty, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
        } else if (config.autoCreateTopics && req.allowAutoTopicCreation) {
          const mayCreate =
            ctx.authorize(AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_RESOURCE) ||
            ctx.authorize(AclOperation.CREATE, ResourceType.TOPIC, name);
          if (mayCreate) {
            topics.create(name, config.defaultPartitions, {});
            config.log.info(`auto-created topic ${name} (${config.defaultPartitions} partitions)`);
            out.push(topicMetadata(name));
          } else {
            out.push({ ...empty, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
          }
        } else {
          out.push({ ...empty, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        }
      }
    }
    return { throttleTimeMs: 0, brokers: brokers(), clusterId: config.clusterId, controllerId: config.nodeId, topics: out };
  });

  server.registerHandler(Produce, (ctx, raw) => {
    const req = raw as unknown as ProduceRequest;
    const now = Date.now();
    const touched = new Set<PartitionLog>();
    const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
    const responses = req.topicData.map((td) => {
      const allowed = ctx.authorize(AclOperation.WRITE, ResourceType.TOPIC, td.name);
      const topic = topics.get(td.name);
      return {
        name: td.name,
        partitionResponses: td.partitionData.map((pd) => {
          const res = (errorCode: number, baseOffset = -1, logStartOffset = -1) => ({
            index: pd.index,
            errorCode,
            baseOffset: BigInt(baseOffset),
            logAppendTimeMs: -1n,
            logStartOffset: BigInt(logStartOffset),
          });
          if (!validAcks) return res(ErrorCode.INVALID_REQUIRED_ACKS);
          if (!allowed) {
            metrics.rejected(ctx.principal, td.name);
            return res(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          }
          const log = topic?.partitions[pd.index];
          if (!topic || !log) return res(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const records = pd.records;
          if (!records || records.length === 0) return res(ErrorCode.INVALID_RECORD);
          const info = inspectBatch(records, 0, true);
          if (info === "crc") return res(ErrorCode.CORRUPT_MESSAGE);
          if (typeof info === "string") return res(ErrorCode.INVALID_RECORD);
          // Exactly one batch per partition per request, as Kafka enforces for magic v2.
          if (info.size !== records.length) return res(ErrorCode.INVALID_RECORD);
          if (info.attributes & (ATTR_CONTROL | ATTR_TRANSACTIONAL) || req.transactionalId !== null) {
            return res(ErrorCode.INVALID_RECORD);
          }
          const eff = topics.effective(topic);
          if (info.size > eff.maxMessageBytes) return res(ErrorCode.MESSAGE_TOO_LARGE);
          const seq = producers.check(info, td.name, pd.index);
          if (seq.kind === "duplicate") return res(0, seq.baseOffset, log.logStartOffset);
          if (seq.kind === "error") return res(seq.errorCode);
          let logAppendTime = -1;
          if (eff.logAppendTime) {
            stampLogAppendTime(records, now);
            // Retention and timestamp lookups read the index, which must see the stamped time.
            info.maxTimestamp = now;
            logAppendTime = now;
          }
          const base = log.append(records, info, eff.segmentBytes);
          producers.record(info, td.name, pd.index, base);
          touched.add(log);
          metrics.produced(ctx.principal, td.name, info.size, info.recordCount);
          return { ...res(0, base, log.logStartOffset), logAppendTimeMs: BigInt(logAppendTime) };
        }),
      };
    });
    if (config.fsyncOnAck && req.acks !== 0) for (const log of touched) log.fsync();
    let produced = 0;
    for (const td of req.topicData) for (const pd of td.partitionData) produced += pd.records?.length ?? 0;
    const throttleTimeMs = core.quotas.record("producer_byte_rate", ctx, produced);
    if (req.acks === 0) return null;
    if (throttleTimeMs === 0) return { responses, throttleTimeMs };
    return holdResponse(ctx, throttleTimeMs).then(() => ({ responses, throttleTimeMs }));
  });

  server.registerHandler(Fetch, (ctx, raw) => fetch(core, ctx, raw as unknown as FetchRequest));

  server.registerHandler(ListOffsets, (ctx, raw) => {
    const req = raw as unknown as ListOffsetsRequest;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const allowed = ctx.authorize(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((p) => {
            const none = { partitionIndex: p.partitionIndex, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
            if (!allowed) return { ...none, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
            const log = topics.partition(t.name, p.partitionIndex);
            if (!log) return { ...none, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            if (p.timestamp === LATEST) return { ...none, errorCode: 0, offset: BigInt(log.highWatermark), leaderEpoch: 0 };
            if (p.timestamp === EARLIEST) return { ...none, errorCode: 0, offset: BigInt(log.logStartOffset), leaderEpoch: 0 };
            const hit = log.offsetForTimestamp(Number(p.timestamp));
            if (!hit) return { ...none, errorCode: 0 };
            return { ...none, errorCode: 0, offset: BigInt(hit.offset), timestamp: BigInt(hit.timestamp), leaderEpoch: 0 };
          }),
        };
      }),
    };
  });
}

/**
 * Long-polled Fetch: answer at once when minBytes are available (or maxWait is 0), otherwise
 * park until an append to any requested partition brings enough bytes, or maxWait passes.
 */
async function fetch(core: BrokerCore, ctx: Connection, req: FetchRequest) {
  const { topics, metrics } = core;
  const allowed = new Map<string, boolean>();
  for (const t of req.topics) {
    if (!allowed.has(t.topic)) allowed.set(t.topic, ctx.authorize(AclOperation.READ, ResourceType.TOPIC, t.topic));
  }

  const collect = () => {
    let remaining = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
    let total = 0;
    const responses = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const base = {
          partitionIndex: p.partition,
          highWatermark: -1n,
          lastStableOffset: -1n,
          logStartOffset: -1n,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: null as Buffer[] | null,
        };
        if (!allowed.get(t.topic)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        const log = topics.partition(t.topic, p.partition);
        if (!log) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const hw = BigInt(log.highWatermark);
        const marks = { highWatermark: hw, lastStableOffset: hw, logStartOffset: BigInt(log.logStartOffset), abortedTransactions: [] };
        const offset = Number(p.fetchOffset);
        if (offset < log.logStartOffset || offset > log.highWatermark) {
          return { ...base, ...marks, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        const limit = Math.min(p.partitionMaxBytes > 0 ? p.partitionMaxBytes : 0x7fffffff, remaining);
        // KIP-74: the first non-empty partition of a response returns at least one batch.
        const r = log.read(offset, limit, total === 0);
        remaining -= r.bytes;
        total += r.bytes;
        if (r.bytes > 0) metrics.fetched(ctx.principal, t.topic, r.bytes, r.records);
        return { ...base, ...marks, errorCode: 0, records: r.chunks };
      }),
    }));
    return { total, body: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses } };
  };

  const logs: { log: PartitionLog; offset: number }[] = [];
  // As in Kafka, a partition-level error (unauthorized, unknown, out of range) answers at once.
  let anyError = false;
  for (const t of req.topics) {
    if (!allowed.get(t.topic)) {
      anyError ||= t.partitions.length > 0;
      continue;
    }
    for (const p of t.partitions) {
      const log = topics.partition(t.topic, p.partition);
      const offset = Number(p.fetchOffset);
      if (!log || offset < log.logStartOffset || offset > log.highWatermark) anyError = true;
      else logs.push({ log, offset });
    }
  }
  const minBytes = Math.max(1, req.minBytes);
  // Only byte counts from the index are needed to decide whether to wait; nothing is read.
  const enough = () => {
    let n = 0;
    for (const { log, offset } of logs) {
      n += log.availableBytes(offset, minBytes - n);
      if (n >= minBytes) return true;
    }
    return false;
  };
  if (req.maxWaitMs <= 0 || anyError || logs.length === 0 || enough()) return finalize();

  await new Promise<void>((resolve) => {
    const unwatch: (() => void)[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const u of unwatch) u();
      resolve();
    };
    const timer = setTimeout(finish, Math.min(req.maxWaitMs, MAX_FETCH_WAIT_MS));
    const onAppend = () => {
      if (ctx.isClosed || enough()) finish();
    };
    unwatch.push(ctx.onClose(finish));
    for (const { log } of logs) unwatch.push(log.watch(onAppend));
  });
  return finalize();

  async function finalize() {
    const { total, body } = collect();
    const throttleTimeMs = core.quotas.record("consumer_byte_rate", ctx, total);
    if (throttleTimeMs > 0) await holdResponse(ctx, throttleTimeMs);
    return { ...body, throttleTimeMs };
  }
}
