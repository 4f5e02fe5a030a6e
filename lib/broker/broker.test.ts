import { CompressionTypes, type EachMessagePayload } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { kafkaFor, startTestBroker, waitFor } from "./test-helpers";

const broker = await startTestBroker({ metricsPort: 0, retentionCheckIntervalMs: 100 });
const kafka = kafkaFor(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();

afterAll(async () => {
  await admin.disconnect();
  await broker.cleanup();
});

async function consumeAll(topic: string, expected: number, groupId = `g-${topic}`) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: EachMessagePayload["message"][] = [];
  const partitions: number[] = [];
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      got.push(message);
      partitions.push(partition);
    },
  });
  await waitFor(() => got.length >= expected, 15_000, `${expected} messages on ${topic}`);
  await consumer.disconnect();
  return { got, partitions };
}

describe("kafkajs produce and consume", () => {
  it("round-trips plain records with keys and headers", async () => {
    await admin.createTopics({ topics: [{ topic: "plain", numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    const res = await producer.send({
      topic: "plain",
      messages: [
        { key: "k1", value: "v1", headers: { h: "x", two: ["a", "b"] } },
        { key: null, value: "v2" },
        { key: "k3", value: Buffer.alloc(3000, 7) },
      ],
    });
    expect(res[0].errorCode).toBe(0);
    expect(res[0].baseOffset).toBe("0");
    await producer.send({ topic: "plain", messages: [{ value: "v4" }] });
    await producer.disconnect();

    const { got } = await consumeAll("plain", 4);
    expect(got.map((m) => m.offset)).toEqual(["0", "1", "2", "3"]);
    expect(got[0].key?.toString()).toBe("k1");
    expect(got[0].headers?.h?.toString()).toBe("x");
    expect((got[0].headers?.two as Buffer[]).map(String)).toEqual(["a", "b"]);
    expect(got[1].key).toBeNull();
    expect(got[2].value).toEqual(Buffer.alloc(3000, 7));
  });

  it("round-trips gzip batches across many partitions, keeping per-key order", async () => {
    await admin.createTopics({ topics: [{ topic: "zipped", numPartitions: 12 }] });
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 600 }, (_, i) => ({ key: `key-${i % 40}`, value: `value-${i}` }));
    await producer.send({ topic: "zipped", compression: CompressionTypes.GZIP, messages });
    await producer.disconnect();

    const { got, partitions } = await consumeAll("zipped", 600);
    expect(got).toHaveLength(600);
    expect(new Set(partitions).size).toBeGreaterThan(6);
    const byKey = new Map<string, number[]>();
    for (const m of got) {
      const k = m.key!.toString();
      byKey.set(k, [...(byKey.get(k) ?? []), Number(m.value!.toString().slice(6))]);
    }
    for (const seq of byKey.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
  });

  it("appends acks=0 produces without answering them", async () => {
    await admin.createTopics({ topics: [{ topic: "fire-and-forget" }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "fire-and-forget", acks: 0, messages: [{ value: "a" }, { value: "b" }] });
    await producer.send({ topic: "fire-and-forget", acks: 1, messages: [{ value: "c" }] });
    await producer.disconnect();
    const offs = await admin.fetchTopicOffsets("fire-and-forget");
    expect(offs[0].high).toBe("3");
  });

  it("refuses produce to a topic that does not exist (auto-create is off)", async () => {
    const producer = kafka.producer({ retry: { retries: 1, initialRetryTime: 50 } });
    await producer.connect();
    await expect(producer.send({ topic: "nope", messages: [{ value: "x" }] })).rejects.toThrow(/does not host this topic-partition|topic/i);
    await producer.disconnect();
  });

  it("counts produced and fetched bytes per principal and topic", () => {
    const snap = broker.core.metrics.snapshot().find((s) => s.topic === "plain");
    expect(snap?.principal).toBe("User:ANONYMOUS");
    expect(snap?.counters.producedRecords).toBe(4);
    expect(snap?.counters.fetchedRecords).toBe(4);
    expect(snap?.counters.producedBytes).toBeGreaterThan(3000);
  });

  it("serves Prometheus text on /metrics and a health check on /healthz", async () => {
    const text = await (await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`)).text();
    expect(text).toMatch(/broker_produced_records_total\{principal="User:ANONYMOUS",topic="plain"\} 4/);
    expect(text).toMatch(/broker_requests_total\{api="Produce"\} \d+/);
    const health = await fetch(`http://127.0.0.1:${broker.metricsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
  });
});

describe("fetch long poll, idempotence, timestamps, retention", () => {
  it("wakes a parked fetch as soon as a record arrives instead of waiting out maxWait", async () => {
    await admin.createTopics({ topics: [{ topic: "poll" }] });
    const consumer = kafka.consumer({ groupId: "poller", maxWaitTimeInMs: 5_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: "poll", fromBeginning: true });
    const arrivals: number[] = [];
    await consumer.run({ eachMessage: async () => void arrivals.push(Date.now()) });
    // Let the consumer park its first Fetch on the empty partition.
    await new Promise((r) => setTimeout(r, 1_000));
    const producer = kafka.producer();
    await producer.connect();
    const sentAt = Date.now();
    await producer.send({ topic: "poll", messages: [{ value: "ping" }] });
    await waitFor(() => arrivals.length === 1, 10_000, "the record");
    expect(arrivals[0] - sentAt).toBeLessThan(2_000);
    await producer.disconnect();
    await consumer.disconnect();
  });

  it("serves the kafkajs idempotent producer (InitProducerId, sequences)", async () => {
    await admin.createTopics({ topics: [{ topic: "idem" }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 3; i++) await producer.send({ topic: "idem", messages: [{ value: `i${i}` }, { value: `j${i}` }] });
    await producer.disconnect();
    const offs = await admin.fetchTopicOffsets("idem");
    expect(offs[0].high).toBe("6");
  });

  it("stamps LogAppendTime when the topic asks for it", async () => {
    await admin.createTopics({ topics: [{ topic: "lat", configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }] }] });
    const producer = kafka.producer();
    await producer.connect();
    const before = Date.now();
    await producer.send({ topic: "lat", messages: [{ value: "x", timestamp: "1000" }] });
    await producer.disconnect();
    // The 1970 CreateTime must not make retention (checked every 100 ms here) drop the record.
    await new Promise((r) => setTimeout(r, 300));
    const { got } = await consumeAll("lat", 1);
    expect(Number(got[0].timestamp)).toBeGreaterThanOrEqual(before - 5);
    expect((await admin.fetchTopicOffsets("lat"))[0].low).toBe("0");
  });

  it("deletes expired data on the retention timer and moves the low watermark", async () => {
    await admin.createTopics({ topics: [{ topic: "short", configEntries: [{ name: "retention.ms", value: "200" }] }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "short", messages: [{ value: "a" }, { value: "b" }] });
    await producer.disconnect();
    await waitFor(async () => (await admin.fetchTopicOffsets("short"))[0].low === "2", 5_000, "retention");
    expect((await admin.fetchTopicOffsets("short"))[0].high).toBe("2");
  });
});


describe("auto-creation (off by default)", () => {
  it("creates a missing topic from Metadata when the broker allows it and the client asks", async () => {
    const auto = await startTestBroker({ autoCreateTopics: true, defaultPartitions: 3 });
    const k = kafkaFor(auto.bootstrap);
    const producer = k.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: "born-on-write", messages: [{ value: "x" }] });
    await producer.disconnect();
    const a = k.admin();
    await a.connect();
    const md = await a.fetchTopicMetadata({ topics: ["born-on-write"] });
    expect(md.topics[0].partitions).toHaveLength(3);
    await a.disconnect();
    await auto.cleanup();
  });
});
