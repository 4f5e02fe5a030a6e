import { afterAll, describe, expect, it } from "vitest";
import type { KafkaMessage } from "kafkajs";
import { inspectBatch } from "@/lib/broker/protocol/record-batch";
import { securityBrokerOptions } from "@/lib/broker/security";
import { kafkaFor, startTestBroker, waitFor } from "@/lib/broker/test-helpers";
import { BatchProducer, ProduceError } from "./batch-producer";
import { createKafka } from "./client";
import { encodeHeaders, encodeRecordBatch, type BatchRecord } from "./record-batch";

const deny = new Set<string>();
const broker = await startTestBroker({
  plugins: [(server) => server.setAuthorizer({ authorize: (r) => !deny.has(r.resourceName) })],
});
const kafka = kafkaFor(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic: "bp.a", numPartitions: 3 }, { topic: "bp.b", numPartitions: 1 }, { topic: "bp.denied" }] });
const producer = new BatchProducer({ connection: { brokers: [broker.bootstrap] }, retries: 2, initialRetryMs: 20 });
await producer.connect();

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  await broker.cleanup();
});

async function readAll(topic: string, n: number): Promise<(KafkaMessage & { partition: number })[]> {
  const consumer = kafka.consumer({ groupId: `bp-read-${topic}-${Math.random()}`, maxWaitTimeInMs: 100 });
  const got: (KafkaMessage & { partition: number })[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message, partition }) => void got.push({ ...message, partition }) });
  try {
    await waitFor(() => got.length >= n, 15_000, `${n} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe("encodeRecordBatch", () => {
  it("writes a v2 batch the broker's own parser accepts: CRC, count, offsets and timestamps", () => {
    const records: BatchRecord[] = [
      { key: Buffer.from("k"), value: Buffer.from("v1"), timestamp: 1_700_000_000_500 },
      { key: null, value: Buffer.from("x".repeat(300)), timestamp: 1_700_000_000_000, headers: encodeHeaders({ h: "1" }) },
      { key: Buffer.from("k2"), value: null, timestamp: 1_700_000_009_999 },
    ];
    const batch = encodeRecordBatch(records);
    const info = inspectBatch(batch);
    if (typeof info === "string") throw new Error(`batch refused: ${info}`);
    expect(info).toMatchObject({ size: batch.length, recordCount: 3, lastOffsetDelta: 2, attributes: 0, baseTimestamp: 1_700_000_000_500, maxTimestamp: 1_700_000_009_999, producerId: -1n });
    // Any flipped byte after the CRC field is caught.
    batch[batch.length - 5] ^= 1;
    expect(inspectBatch(batch)).toBe("crc");
  });

  it("refuses an empty batch and a record without a timestamp", () => {
    expect(() => encodeRecordBatch([])).toThrow(/at least one record/);
    expect(() => encodeRecordBatch([{ key: null, value: Buffer.from("v"), timestamp: Number.NaN }])).toThrow(/timestamp/);
  });

  it("encodes repeated header names as separate headers and skips undefined ones", () => {
    const h = encodeHeaders({ a: ["1", Buffer.from("2")], b: undefined, c: "ü" });
    expect(h.count).toBe(3);
    // [len a][a][len 1][1] [len a][a][len 2][2] [len c][c][len ü (2 bytes)][ü]
    expect(h.bytes.length).toBe(4 + 4 + 1 + 1 + 1 + 2);
    expect(encodeHeaders(undefined).count).toBe(0);
  });
});

describe("BatchProducer", () => {
  it("produces one batch per partition across topics and returns the base offsets consumers see", async () => {
    const hdr = encodeHeaders({ "x-contract-version": "1.2.0" });
    const ts = Date.now() - 60_000;
    const mk = (p: number, n: number): BatchRecord[] => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`key-${p}-${i}`), value: Buffer.from(JSON.stringify({ p, i })), timestamp: ts + i, headers: hdr }));
    const first = await producer.send([
      { topic: "bp.a", partition: 0, records: mk(0, 5) },
      { topic: "bp.a", partition: 2, records: mk(2, 3) },
      { topic: "bp.b", partition: 0, records: mk(9, 4) },
    ]);
    expect(first).toEqual([
      { topic: "bp.a", partition: 0, baseOffset: 0 },
      { topic: "bp.a", partition: 2, baseOffset: 0 },
      { topic: "bp.b", partition: 0, baseOffset: 0 },
    ]);
    const second = await producer.send([{ topic: "bp.a", partition: 0, records: mk(0, 2) }]);
    expect(second).toEqual([{ topic: "bp.a", partition: 0, baseOffset: 5 }]);

    const a = await readAll("bp.a", 10);
    expect(a).toHaveLength(10);
    const p0 = a.filter((m) => m.partition === 0);
    expect(p0.map((m) => Number(m.offset))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(p0.map((m) => m.key!.toString())).toEqual(["key-0-0", "key-0-1", "key-0-2", "key-0-3", "key-0-4", "key-0-0", "key-0-1"]);
    expect(p0.map((m) => Number(m.timestamp))).toEqual([ts, ts + 1, ts + 2, ts + 3, ts + 4, ts, ts + 1]);
    for (const m of a) {
      expect(m.headers?.["x-contract-version"]?.toString()).toBe("1.2.0");
      expect(JSON.parse(m.value!.toString())).toMatchObject({ p: m.partition });
    }
    expect(await readAll("bp.b", 4)).toHaveLength(4);
  });

  it("keeps null keys and values and several headers as kafkajs reads them", async () => {
    await producer.send([{ topic: "bp.b", partition: 0, records: [{ key: null, value: null, timestamp: 1_700_000_000_000, headers: encodeHeaders({ reason: "bad", n: ["1", "2"] }) }] }]);
    const all = await readAll("bp.b", 5);
    const m = all.find((x) => x.key === null)!;
    expect(m.value).toBeNull();
    expect(m.headers?.reason?.toString()).toBe("bad");
    expect((m.headers?.n as Buffer[]).map(String)).toEqual(["1", "2"]);
  });

  it("fails after its retries for a topic that does not exist, naming it", async () => {
    const t0 = Date.now();
    const err = await producer.send([{ topic: "bp.missing", partition: 0, records: [{ key: null, value: Buffer.from("v"), timestamp: Date.now() }] }]).catch((e) => e);
    expect(err).toBeInstanceOf(ProduceError);
    expect(String(err.message)).toMatch(/bp\.missing/);
    // Two retries with 20 ms then 40 ms of backoff: it did retry, and gave up quickly.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60);
  });

  it("fails at once, without retrying, when the topic may not be written", async () => {
    deny.add("bp.denied");
    try {
      const err = await producer.send([{ topic: "bp.denied", partition: 0, records: [{ key: null, value: Buffer.from("v"), timestamp: Date.now() }] }]).catch((e) => e);
      expect(err).toBeInstanceOf(ProduceError);
      expect(err.retriable).toBe(false);
      expect(String(err.message)).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    } finally {
      deny.delete("bp.denied");
    }
  });

  it("refuses a batch above the broker's max.message.bytes without retrying, and writes nothing", async () => {
    const before = await admin.fetchTopicOffsets("bp.b");
    const big = Buffer.alloc(1_100_000, 0x61);
    const err = await producer.send([{ topic: "bp.b", partition: 0, records: [{ key: null, value: big, timestamp: Date.now() }] }]).catch((e) => e);
    expect(err).toBeInstanceOf(ProduceError);
    expect(err.retriable).toBe(false);
    expect(await admin.fetchTopicOffsets("bp.b")).toEqual(before);
  });

  it("sends made in the same tick share one request; a partition named twice waits its turn, in order", async () => {
    const r = (v: string) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() });
    const before = producer.requestsSent;
    const [x, y, z] = await Promise.all([
      producer.send([{ topic: "bp.a", partition: 1, records: [r("x")] }]),
      producer.send([{ topic: "bp.b", partition: 0, records: [r("y")] }]),
      producer.send([{ topic: "bp.a", partition: 1, records: [r("z")] }]),
    ]);
    // x and y in one request, z (same partition as x) in the next.
    expect(producer.requestsSent - before).toBe(2);
    expect(z[0].baseOffset).toBe(x[0].baseOffset + 1);
    expect(y[0].topic).toBe("bp.b");
  });

  it("fails only the sends whose partitions failed when sends share a request", async () => {
    deny.add("bp.denied");
    try {
      const r = { key: null, value: Buffer.from("v"), timestamp: Date.now() };
      const [ok, bad] = await Promise.allSettled([producer.send([{ topic: "bp.b", partition: 0, records: [r] }]), producer.send([{ topic: "bp.denied", partition: 0, records: [r] }])]);
      expect(ok.status).toBe("fulfilled");
      expect(bad.status).toBe("rejected");
    } finally {
      deny.delete("bp.denied");
    }
  });

  it("refuses the same partition twice in one send", async () => {
    const r = { key: null, value: Buffer.from("v"), timestamp: Date.now() };
    await expect(producer.send([{ topic: "bp.b", partition: 0, records: [r] }, { topic: "bp.b", partition: 0, records: [r] }])).rejects.toThrow(/twice/);
  });
});

describe("BatchProducer against a restarted or secured broker", () => {
  it("reconnects after the broker restarts on the same port", async () => {
    const b1 = await startTestBroker();
    const port = b1.port;
    const dataDir = b1.dataDir;
    const k = kafkaFor(b1.bootstrap).admin();
    await k.connect();
    await k.createTopics({ waitForLeaders: true, topics: [{ topic: "bp.restart" }] });
    await k.disconnect();
    const p = new BatchProducer({ connection: { brokers: [b1.bootstrap] }, retries: 6, initialRetryMs: 50 });
    const rec = () => [{ key: null, value: Buffer.from("v"), timestamp: Date.now() }];
    try {
      expect(await p.send([{ topic: "bp.restart", partition: 0, records: rec() }])).toEqual([{ topic: "bp.restart", partition: 0, baseOffset: 0 }]);
      await b1.close();
      const b2 = await startTestBroker({ port, dataDir });
      try {
        expect(await p.send([{ topic: "bp.restart", partition: 0, records: rec() }])).toEqual([{ topic: "bp.restart", partition: 0, baseOffset: 1 }]);
      } finally {
        await b2.cleanup();
      }
    } finally {
      await p.disconnect();
    }
  });

  it("authenticates with SCRAM and refuses a wrong password at connect", async () => {
    const secured = await startTestBroker(securityBrokerOptions("bp-admin-password"));
    const connection = (password: string) => ({ brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512" as const, username: "admin", password } });
    const a = createKafka({ clientId: "bp-test", connection: connection("bp-admin-password"), logLevel: "nothing" }).admin();
    const good = new BatchProducer({ connection: connection("bp-admin-password") });
    const bad = new BatchProducer({ connection: connection("wrong") });
    try {
      await a.connect();
      await a.createTopics({ waitForLeaders: true, topics: [{ topic: "bp.secured" }] });
      await good.connect();
      expect(await good.send([{ topic: "bp.secured", partition: 0, records: [{ key: Buffer.from("k"), value: Buffer.from("v"), timestamp: Date.now() }] }])).toEqual([{ topic: "bp.secured", partition: 0, baseOffset: 0 }]);
      await expect(bad.connect()).rejects.toThrow(/authentication failed/i);
      // A send with the wrong password fails as not retriable (the broker answered with an error code).
      const refused = await bad.send([{ topic: "bp.secured", partition: 0, records: [{ key: null, value: Buffer.from("v"), timestamp: Date.now() }] }]).catch((e) => e);
      expect(refused).toBeInstanceOf(ProduceError);
      expect(refused.retriable).toBe(false);
      expect(String(refused.message)).toMatch(/authentication failed/i);
    } finally {
      await good.disconnect();
      await bad.disconnect();
      await a.disconnect();
      await secured.cleanup();
    }
  });
});
