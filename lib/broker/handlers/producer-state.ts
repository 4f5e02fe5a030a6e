import { AclOperation, CLUSTER_RESOURCE, ResourceType } from "../authz";
import { InitProducerId } from "../protocol/apis/producer-id";
import { ErrorCode } from "../protocol/errors";
import type { BatchInfo } from "../protocol/record-batch";
import type { BrokerServer } from "../server";

/**
 * Idempotent-producer bookkeeping (KIP-98 without transactions): per producer id and partition
 * the epoch and the last batch's sequence range and offset. A re-sent last batch gets its
 * original offset back; any gap or overlap is OUT_OF_ORDER_SEQUENCE_NUMBER, a stale epoch
 * INVALID_PRODUCER_EPOCH. Kafka remembers the last five batches; kafkajs's idempotent producer
 * runs with one request in flight, for which the last one suffices.
 *
 * The state is in memory: after a broker restart an idempotent producer continuing with a
 * non-zero sequence is refused (45) and must re-initialise. Ids start at the boot time in
 * milliseconds so they are not reused across restarts.
 */
interface Entry {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

export type SequenceCheck = { kind: "ok" } | { kind: "duplicate"; baseOffset: number } | { kind: "error"; errorCode: number };

const INT32_MAX = 0x7fffffff;

export class ProducerState {
  private nextId = BigInt(Date.now());
  private readonly entries = new Map<string, Entry>();

  allocate(): { producerId: bigint; producerEpoch: number } {
    const producerId = this.nextId;
    this.nextId += 1n;
    return { producerId, producerEpoch: 0 };
  }

  check(info: BatchInfo, topic: string, partition: number): SequenceCheck {
    if (info.producerId < 0n) return { kind: "ok" };
    const e = this.entries.get(`${info.producerId}:${topic}:${partition}`);
    if (!e || info.producerEpoch > e.epoch) {
      return info.baseSequence === 0 ? { kind: "ok" } : { kind: "error", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    if (info.producerEpoch < e.epoch) return { kind: "error", errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (info.baseSequence === e.firstSeq && info.baseSequence + info.lastOffsetDelta === e.lastSeq) {
      return { kind: "duplicate", baseOffset: e.baseOffset };
    }
    const expected = e.lastSeq === INT32_MAX ? 0 : e.lastSeq + 1;
    return info.baseSequence === expected ? { kind: "ok" } : { kind: "error", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  record(info: BatchInfo, topic: string, partition: number, baseOffset: number): void {
    if (info.producerId < 0n) return;
    this.entries.set(`${info.producerId}:${topic}:${partition}`, {
      epoch: info.producerEpoch,
      firstSeq: info.baseSequence,
      lastSeq: (info.baseSequence + info.lastOffsetDelta) % (INT32_MAX + 1),
      baseOffset,
    });
  }
}

export function registerInitProducerId(server: BrokerServer, producers: ProducerState): void {
  server.registerHandler(InitProducerId, (ctx, raw) => {
    const body = raw as { transactionalId: string | null };
    // Transactions are not implemented; only the idempotent (non-transactional) form is served.
    if (body.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    if (!ctx.authorize(AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_RESOURCE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: 0, ...producers.allocate() };
  });
}
