import { expect } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { E2E_BROKER } from "./fixtures";

export type RevealedForTest = { username: string; password: string; topic: string; groupPrefix: string };

/**
 * A real kafkajs consumer with a revealed credential, in a group under the subscription's prefix,
 * reading its delivery topic from the beginning until at least one record arrives (or 30 s).
 * Returns the records' values.
 */
export async function consumeWithCredential(c: RevealedForTest, group = "e2e"): Promise<string[]> {
  const kafka = new Kafka({
    clientId: "e2e-consumer",
    brokers: [E2E_BROKER],
    sasl: { mechanism: "scram-sha-512", username: c.username, password: c.password },
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `${c.groupPrefix}${group}`, maxWaitTimeInMs: 200 });
  const received: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [c.topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString() ?? "");
      },
    });
    await expect.poll(() => received.length, { timeout: 30_000, message: `records on ${c.topic} within 30 s` }).toBeGreaterThan(0);
  } finally {
    await consumer.disconnect();
  }
  return received;
}
