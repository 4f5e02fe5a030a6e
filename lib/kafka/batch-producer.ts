import { Metadata } from "@/lib/broker/protocol/apis/metadata";
import { Produce } from "@/lib/broker/protocol/apis/produce";
import { ErrorCode } from "@/lib/broker/protocol/errors";
import type { KafkaConnectionOptions } from "./client";
import { encodeRecordBatch, type BatchRecord } from "./record-batch";
import { KafkaWireError, WireConnection } from "./wire";

/**
 * A producer for callers that already know each record's partition and send many records per
 * partition at once (the router). It speaks the protocol through `WireConnection` (TLS and SASL
 * as configured, versions negotiated) and encodes each partition's records as one record batch
 * in one pass (`encodeRecordBatch`). Requests go to each partition's leader, found by Metadata;
 * retriable errors (leadership moved, topic not known yet, timeouts, lost connections) refresh
 * the metadata and retry the failed partitions with backoff, like kafkajs' producer. Not
 * idempotent: a retry after a lost response may write a partition's batch twice (the router's
 * byte index accounts for records it never indexed).
 */

export type PartitionRecords = { topic: string; partition: number; records: readonly BatchRecord[] };
export type PartitionResult = { topic: string; partition: number; baseOffset: number };

export type BatchProducerOptions = {
  connection: KafkaConnectionOptions;
  clientId?: string;
  /** Retries after the first attempt (default 5), with backoff from `initialRetryMs` (100) doubling. */
  retries?: number;
  initialRetryMs?: number;
  /** How long a request may wait for its response, ms (default 30,000); also the broker's ack timeout. */
  requestTimeoutMs?: number;
};

const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  19, // NOT_ENOUGH_REPLICAS
  20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
  56, // KAFKA_STORAGE_ERROR
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
]);

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([k, v]) => [v, k]));

export class ProduceError extends Error {
  constructor(
    message: string,
    readonly errorCode?: number,
    readonly retriable = false,
  ) {
    super(message);
    this.name = "ProduceError";
  }
}

type Encoded = { topic: string; partition: number; batch: Buffer };
type QueuedSend = { batches: Map<string, Encoded>; resolve: (r: PartitionResult[]) => void; reject: (err: unknown) => void };

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class BatchProducer {
  private readonly retries: number;
  private readonly initialRetryMs: number;
  private readonly timeoutMs: number;
  private readonly clientId: string;
  /** Open (or opening) connections by broker address; the bootstrap one under "". */
  private readonly conns = new Map<string, Promise<WireConnection>>();
  /** Leader broker address ("host:port") by partition key. */
  private leaders = new Map<string, string>();
  /** Topic-level errors of the last Metadata answer that no retry can fix (authorization). */
  private readonly topicErrors = new Map<string, number>();
  private closed = false;
  /** Produce requests sent so far (each may carry the sends of several callers). */
  requestsSent = 0;

  constructor(private readonly opts: BatchProducerOptions) {
    this.retries = opts.retries ?? 5;
    this.initialRetryMs = opts.initialRetryMs ?? 100;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.clientId = opts.clientId ?? "tributary-producer";
  }

  /** Connects to a bootstrap broker (authenticating), so configuration errors show at start. */
  async connect(): Promise<void> {
    await this.connection("");
  }

  private connection(address: string): Promise<WireConnection> {
    if (this.closed) return Promise.reject(new ProduceError("The producer is closed"));
    let c = this.conns.get(address);
    if (!c) {
      const brokers = address ? [address] : this.opts.connection.brokers;
      c = WireConnection.open({ connection: { ...this.opts.connection, brokers }, clientId: this.clientId, timeoutMs: this.timeoutMs });
      // A failed open is forgotten, so the next attempt dials again.
      c.catch(() => {
        if (this.conns.get(address) === c) this.conns.delete(address);
      });
      this.conns.set(address, c);
    }
    return c;
  }

  /** Drops a connection that failed (closed by the broker, timed out), so the next use redials. */
  private drop(address: string, conn: WireConnection): void {
    void this.conns.get(address)?.then((c) => {
      if (c === conn && this.conns.get(address)) {
        this.conns.delete(address);
        c.close();
      }
    }, () => {});
  }

  /** Leaders of every partition of `topics`, from Metadata on the bootstrap connection. */
  private async refreshMetadata(topics: string[]): Promise<void> {
    const conn = await this.connection("");
    let res: Record<string, unknown>;
    try {
      const v = conn.pickVersion(Metadata, [1, 6]);
      res = await conn.send(Metadata, v, { topics: topics.map((name) => ({ name })), allowAutoTopicCreation: false });
    } catch (err) {
      this.drop("", conn);
      throw err;
    }
    const nodes = new Map<number, string>();
    for (const b of res.brokers as { nodeId: number; host: string; port: number }[]) nodes.set(b.nodeId, `${b.host.includes(":") ? `[${b.host}]` : b.host}:${b.port}`);
    for (const t of res.topics as { errorCode: number; name: string; partitions: { errorCode: number; partitionIndex: number; leaderId: number }[] }[]) {
      if (t.errorCode !== 0 && !RETRIABLE.has(t.errorCode)) this.topicErrors.set(t.name, t.errorCode);
      else this.topicErrors.delete(t.name);
      for (const p of t.partitions ?? []) {
        const address = nodes.get(p.leaderId);
        if (address && p.leaderId >= 0) this.leaders.set(key(t.name, p.partitionIndex), address);
        else this.leaders.delete(key(t.name, p.partitionIndex));
      }
    }
  }

  /**
   * Produces each entry as one record batch to its partition with acks = all, and returns each
   * entry's base offset (in the order given). Throws ProduceError when a partition still fails
   * after the retries, or at once for a non-retriable error (authorization, a batch too large);
   * the other entries are written regardless.
   *
   * Sends made in the same turn of the event loop (the router routes the partitions of one fetch
   * concurrently) share one Produce request per broker: on a small machine each request's
   * socket writes and wake-ups cost more than encoding its records. A partition named by two of
   * them goes in the next request (Kafka takes one batch per partition per request).
   */
  send(entries: readonly PartitionRecords[]): Promise<PartitionResult[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const batches = new Map<string, Encoded>();
    try {
      for (const e of entries) {
        const k = key(e.topic, e.partition);
        if (batches.has(k)) throw new ProduceError(`${e.topic}/${e.partition} given twice in one send`);
        if (e.records.length === 0) throw new ProduceError(`${e.topic}/${e.partition} has no records`);
        batches.set(k, { topic: e.topic, partition: e.partition, batch: encodeRecordBatch(e.records) });
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<PartitionResult[]>((resolve, reject) => {
      this.queued.push({ batches, resolve, reject });
      this.scheduleFlush();
    });
  }

  private queued: QueuedSend[] = [];
  private flushScheduled = false;

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushQueued());
  }

  private flushQueued(): void {
    this.flushScheduled = false;
    const round: QueuedSend[] = [];
    const later: QueuedSend[] = [];
    const taken = new Map<string, Encoded>();
    for (const q of this.queued) {
      if ([...q.batches.keys()].some((k) => taken.has(k))) later.push(q);
      else {
        round.push(q);
        for (const [k, b] of q.batches) taken.set(k, b);
      }
    }
    this.queued = [];
    const outcome = this.produceAll(taken);
    for (const q of round) {
      void outcome.then((o) => {
        const results: PartitionResult[] = [];
        for (const [k, b] of q.batches) {
          const r = o.get(k);
          if (typeof r !== "number") return q.reject(r ?? new ProduceError(`no outcome for ${b.topic}/${b.partition}`));
          results.push({ topic: b.topic, partition: b.partition, baseOffset: r });
        }
        q.resolve(results);
      });
    }
    // A partition named twice waits for the request before it: its batches stay in order.
    if (later.length)
      void outcome.then(() => {
        this.queued = [...later, ...this.queued];
        this.scheduleFlush();
      });
  }

  /** Produces every batch, retrying the retriable failures; the base offset or the final error per partition key. */
  private async produceAll(batches: Map<string, Encoded>): Promise<Map<string, number | ProduceError>> {
    const out = new Map<string, number | ProduceError>();
    let pending = [...batches.keys()];
    for (let attempt = 0; ; attempt++) {
      let metadataError: ProduceError | null = null;
      const unknown = pending.filter((k) => !this.leaders.has(k));
      if (unknown.length) {
        try {
          await this.refreshMetadata([...new Set(unknown.map((k) => batches.get(k)!.topic))]);
        } catch (err) {
          metadataError = connectionError("", err);
        }
      }
      const failed: string[] = [];
      const byLeader = new Map<string, string[]>();
      for (const k of pending) {
        const l = this.leaders.get(k);
        const b = batches.get(k)!;
        if (!l) {
          const code = this.topicErrors.get(b.topic);
          const err =
            code !== undefined
              ? new ProduceError(`producing to ${b.topic}/${b.partition} failed: ${ERROR_NAMES.get(code) ?? `error ${code}`}`, code, false)
              : (metadataError ?? new ProduceError(`no leader known for ${b.topic}/${b.partition}`, ErrorCode.LEADER_NOT_AVAILABLE, true));
          out.set(k, err);
          if (err.retriable) failed.push(k);
          continue;
        }
        (byLeader.get(l) ?? byLeader.set(l, []).get(l)!).push(k);
      }
      await Promise.all(
        [...byLeader].map(async ([address, keys]) => {
          const outcome = await this.produceTo(address, keys.map((k) => batches.get(k)!));
          for (const k of keys) {
            const o = outcome.get(k) ?? new ProduceError(`no response for ${k.replace("\u0000", "/")}`, undefined, true);
            out.set(k, o);
            if (typeof o === "number" || !o.retriable) continue;
            failed.push(k);
            this.leaders.delete(k);
          }
        }),
      );
      if (failed.length === 0 || attempt >= this.retries || this.closed) return out;
      pending = failed;
      await new Promise((r) => setTimeout(r, this.initialRetryMs * 2 ** attempt));
    }
  }

  /** One Produce request to one broker: base offset or error per partition key. */
  private async produceTo(address: string, parts: Encoded[]): Promise<Map<string, number | ProduceError>> {
    const out = new Map<string, number | ProduceError>();
    let conn: WireConnection;
    try {
      conn = await this.connection(address);
    } catch (err) {
      for (const p of parts) out.set(key(p.topic, p.partition), connectionError(address, err));
      return out;
    }
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    for (const p of parts) (byTopic.get(p.topic) ?? byTopic.set(p.topic, []).get(p.topic)!).push({ index: p.partition, records: p.batch });
    let v: number;
    try {
      v = conn.pickVersion(Produce, [3, 7]);
    } catch (err) {
      // No Produce version both sides speak: no retry will change that.
      for (const p of parts) out.set(key(p.topic, p.partition), new ProduceError(err instanceof Error ? err.message : String(err)));
      return out;
    }
    let res: Record<string, unknown>;
    try {
      this.requestsSent++;
      res = await conn.send(Produce, v, {
        transactionalId: null,
        acks: -1,
        timeoutMs: this.timeoutMs,
        topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
      });
    } catch (err) {
      this.drop(address, conn);
      for (const p of parts) out.set(key(p.topic, p.partition), connectionError(address, err));
      return out;
    }
    for (const t of res.responses as { name: string; partitionResponses: { index: number; errorCode: number; baseOffset: bigint }[] }[]) {
      for (const p of t.partitionResponses) {
        const k = key(t.name, p.index);
        if (p.errorCode === 0) out.set(k, Number(p.baseOffset));
        else {
          const name = ERROR_NAMES.get(p.errorCode) ?? `error ${p.errorCode}`;
          out.set(k, new ProduceError(`producing to ${t.name}/${p.index} failed: ${name}`, p.errorCode, RETRIABLE.has(p.errorCode)));
        }
      }
    }
    return out;
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    const conns = [...this.conns.values()];
    this.conns.clear();
    for (const c of conns) (await c.catch(() => null))?.close();
  }
}

function connectionError(address: string, err: unknown): ProduceError {
  const msg = err instanceof Error ? err.message : String(err);
  // A broker that answered the handshake or authentication with an error code (mechanism not
  // enabled, wrong password) answers every retry the same way.
  const fatal = err instanceof KafkaWireError && err.errorCode !== undefined;
  return new ProduceError(`broker ${address || "(bootstrap)"}: ${msg}`, err instanceof KafkaWireError ? err.errorCode : undefined, !fatal);
}
