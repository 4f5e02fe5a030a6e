import { randomBytes } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";

export type Consumed = KafkaMessage & { topic: string; partition: number };

/**
 * Reads a topic from the beginning with a throwaway group until `done(all)` holds or `ms` pass
 * (then returns what it has; callers assert on it).
 */
export async function consumeUntil(kafka: Kafka, topics: string | string[], done: (all: Consumed[]) => boolean, ms = 15_000): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: `router-test-${randomBytes(4).toString("hex")}`, sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  const out: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: Array.isArray(topics) ? topics : [topics], fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          out.push({ ...message, topic, partition });
          if (done(out)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

export function header(m: KafkaMessage, name: string): string | undefined {
  const v = m.headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}
