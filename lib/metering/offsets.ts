import type { Admin } from "kafkajs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";

/**
 * What the meter needs from the cluster, through standard Kafka admin APIs only: ListGroups,
 * OffsetFetch and ListOffsets. Every Kafka (Apache Kafka, MSK, Confluent, Redpanda) and the
 * embedded broker answer these; the meter never relies on broker-specific metrics.
 */
export interface OffsetSource {
  /** Every consumer group id the cluster knows (the meter filters by prefix). */
  listGroupIds(): Promise<string[]>;
  /** Committed offset per partition of `groupId` on `topic`; partitions without a commit are left out. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
  /** Log start (low) and high watermark per partition; an unknown topic gives an empty map. */
  topicOffsets(topic: string): Promise<Map<number, { low: number; high: number }>>;
  close(): Promise<void>;
}

/** The kafkajs implementation, with one admin connection kept open across runs. */
export function kafkaOffsetSource(connection: KafkaConnectionOptions, clientId = "tributary-meter"): OffsetSource {
  let admin: Promise<Admin> | null = null;
  const get = () => {
    admin ??= (async () => {
      const a = createKafka({ clientId, connection, logLevel: "nothing", retries: 2 }).admin();
      await a.connect();
      return a;
    })().catch((err) => {
      admin = null;
      throw err;
    });
    return admin;
  };
  // A failed call may have left the connection broken: drop it so the next run reconnects.
  const guarded = async <T>(fn: (a: Admin) => Promise<T>): Promise<T> => {
    const a = await get();
    try {
      return await fn(a);
    } catch (err) {
      admin = null;
      await a.disconnect().catch(() => {});
      throw err;
    }
  };
  return {
    listGroupIds: () => guarded(async (a) => (await a.listGroups()).groups.map((g) => g.groupId)),
    committedOffsets: (groupId, topic) =>
      guarded(async (a) => {
        const res = await a.fetchOffsets({ groupId, topics: [topic] });
        const out = new Map<number, number>();
        for (const t of res) {
          if (t.topic !== topic) continue;
          for (const p of t.partitions) {
            const o = Number(p.offset);
            if (Number.isSafeInteger(o) && o >= 0) out.set(p.partition, o);
          }
        }
        return out;
      }),
    topicOffsets: (topic) =>
      guarded(async (a) => {
        const out = new Map<number, { low: number; high: number }>();
        try {
          for (const p of await a.fetchTopicOffsets(topic)) out.set(p.partition, { low: Number(p.low), high: Number(p.high) });
        } catch (err) {
          if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test(String((err as Error).message)) || (err as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION") return out;
          throw err;
        }
        return out;
      }),
    async close() {
      const a = admin;
      admin = null;
      if (a) await (await a.catch(() => null))?.disconnect();
    },
  };
}
