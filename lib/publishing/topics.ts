import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import { decodeRecord } from "@/lib/contracts";
import { AppError } from "@/lib/errors";
import type { clusters } from "@/db/schema";
import { clusterConnection } from "@/lib/admin/clusters";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { internalGroupName } from "@/lib/kafka/names";
import { isSourceCandidate } from "./checks";
import type { SampleMessage } from "./schemas";

/**
 * The wizard's view of a cluster: which topics an owner may publish from, and a sample of the
 * newest messages of one. All through the Kafka protocol (kafkajs admin + a throwaway consumer
 * group), so it works the same against the embedded broker and a real cluster.
 */

/** A registered cluster as stored (the sealed admin secret is opened only to connect). */
export type ClusterRow = typeof clusters.$inferSelect;

export type TopicInfo = { name: string; partitions: number };

export async function listSourceTopics(kafka: Kafka): Promise<TopicInfo[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter(isSourceCandidate).sort();
    if (names.length === 0) return [];
    const meta = await admin.fetchTopicMetadata({ topics: names });
    return meta.topics.map((t) => ({ name: t.name, partitions: t.partitions.length })).sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function missingTopic(topic: string): AppError {
  return new AppError("validation", `The topic ${topic} does not exist on this cluster.`, { fieldErrors: { "source.topic": [`The topic ${topic} does not exist on this cluster.`] } });
}

export type TopicSample = { topic: string; partitions: number; messages: SampleMessage[] };

/** Values longer than this are cut for display and inference (inference needs shape, not bulk). */
export const SAMPLE_VALUE_MAX = 64 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function clip(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? text.slice(0, max) : text;
}

function decode(buf: Buffer | null): string | null {
  if (buf === null) return null;
  try {
    return utf8.decode(buf);
  } catch {
    // Kept as text the owner can read; inference reports it as not JSON.
    return `<${buf.byteLength} bytes, not UTF-8 text>`;
  }
}

/**
 * The newest `max` messages of a topic, spread over its partitions: read with a throwaway
 * consumer group (under the platform's internal prefix, deleted afterwards) that seeks each
 * partition to its high watermark minus its share. Never commits offsets.
 */
export async function sampleTopic(kafka: Kafka, topic: string, opts: { max?: number; timeoutMs?: number } = {}): Promise<TopicSample> {
  const max = opts.max ?? 20;
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Asked explicitly: a metadata request for an unknown topic may auto-create it on some clusters.
    if (!(await admin.listTopics()).includes(topic)) throw missingTopic(topic);
    let offsets: { partition: number; high: string; low: string }[];
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } catch {
      throw missingTopic(topic);
    }
    const share = Math.max(1, Math.ceil(max / Math.max(1, offsets.length)));
    const plan = offsets.map((o) => {
      const high = Number(o.high);
      const from = Math.max(Number(o.low), high - share);
      return { partition: o.partition, from, high };
    });
    const wanted = plan.reduce((n, p) => n + (p.high - p.from), 0);
    if (wanted === 0) return { topic, partitions: offsets.length, messages: [] };

    const groupId = internalGroupName(`wizard-sample-${randomUUID()}`);
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000, rebalanceTimeout: 10_000, retry: { retries: 2 } });
    const messages: SampleMessage[] = [];
    const highOf = new Map(plan.map((p) => [p.partition, p.high]));
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (Number(message.offset) >= (highOf.get(partition) ?? 0)) return;
          if (messages.length >= wanted) return;
          // The verdict on the whole record, as the router's decoder gives it; the value may be cut below.
          const decoded = decodeRecord(message.value);
          const value = decode(message.value);
          messages.push({
            partition,
            offset: message.offset,
            key: clip(decode(message.key), 1000),
            value: clip(value, SAMPLE_VALUE_MAX),
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            reject: decoded.ok ? null : decoded.reason,
            ...(value !== null && value.length > SAMPLE_VALUE_MAX ? { truncated: true } : {}),
          });
          if (messages.length >= wanted) finish();
        },
      });
      for (const p of plan) if (p.high > p.from) consumer.seek({ topic, partition: p.partition, offset: String(p.from) });
      const timer = setTimeout(finish, opts.timeoutMs ?? 8000);
      await done;
      clearTimeout(timer);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    messages.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || a.partition - b.partition);
    return { topic, partitions: offsets.length, messages: messages.slice(0, max) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A client for a cluster, connected the way cluster administration connects (lib/admin/clusters):
 * the embedded one through the env connection, a registered SASL cluster with the admin
 * credentials an admin stored (opened here, server-side only, never returned).
 */
export function kafkaForCluster(cluster: ClusterRow): Kafka {
  let connection: KafkaConnectionOptions;
  try {
    connection = clusterConnection(cluster);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A secret sealed under another ENCRYPTION_KEY: say what to do, not what broke.
    throw new AppError("unavailable", `The stored credentials of ${cluster.name} cannot be used; ask an admin to enter them again.`, { cause: e });
  }
  return createKafka({ clientId: "tributary-wizard", connection, retries: 1 });
}
