import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ApiVersions,
  CreateTopics,
  DescribeConfigs,
  Fetch,
  FindCoordinator,
  JoinGroup,
  ListOffsets,
  Metadata,
  OffsetCommit,
  Produce,
} from "./protocol/apis";
import { writeRequestHeader } from "./protocol/headers";
import { Reader, Writer } from "./protocol/primitives";
import { compile, isFlexible, type ApiSchema } from "./protocol/schema";
import { silentLogger } from "./config";
import { kafkaFor, startTestBroker, waitFor } from "./test-helpers";

const handlerFailures: string[] = [];
const broker = await startTestBroker({
  firstRequestTimeoutMs: 400,
  log: { ...silentLogger, warn: (m) => void (m.startsWith("handler failed") && handlerFailures.push(m)) },
});
const kafka = kafkaFor(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: "fuzz", numPartitions: 2 }] });
const producer = kafka.producer();
await producer.connect();
const acked: string[] = [];
async function produceSome(tag: string, n = 10) {
  const messages = Array.from({ length: n }, (_, i) => ({ value: `${tag}-${i}`, partition: i % 2 }));
  await producer.send({ topic: "fuzz", messages });
  acked.push(...messages.map((m) => m.value));
}
await produceSome("before");

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  await broker.cleanup();
});

function frame(schema: ApiSchema, version: number, body: Record<string, unknown>, correlationId = 1): Buffer {
  const w = new Writer(256);
  w.int32(0);
  writeRequestHeader(w, { apiKey: schema.apiKey, apiVersion: version, correlationId, clientId: "fuzzer" }, isFlexible(schema.request, version));
  compile(schema.request, version).encode(w, body);
  const b = w.toBuffer();
  b.writeInt32BE(b.length - 4, 0);
  return b;
}

interface Outcome {
  closed: boolean;
  received: Buffer;
}

/** Sends bytes on a fresh connection; resolves when the server closes it or after `ms`. */
function probe(bytes: Buffer, ms = 2_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: broker.port });
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ closed, received: Buffer.concat(chunks) });
    };
    const timer = setTimeout(() => done(false), ms);
    s.on("data", (d) => chunks.push(d));
    s.on("close", () => done(true));
    s.on("error", () => done(true));
    s.on("connect", () => {
      if (bytes.length > 0) s.write(bytes);
    });
  });
}

async function stillServing(tag: string) {
  await produceSome(tag);
  const md = await admin.fetchTopicMetadata({ topics: ["fuzz"] });
  expect(md.topics[0].partitions).toHaveLength(2);
}

function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const storedBatch = (() => {
  const dir = path.join(broker.dataDir, "topics", "fuzz", "0");
  const log = fs.readdirSync(dir).find((f) => f.endsWith(".log"))!;
  const bytes = fs.readFileSync(path.join(dir, log));
  return bytes.subarray(0, bytes.readInt32BE(8) + 12);
})();

const seeds: Buffer[] = [
  frame(ApiVersions, 2, {}),
  frame(Metadata, 6, { topics: [{ name: "fuzz" }], allowAutoTopicCreation: false }),
  frame(Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: "fuzz", partitionData: [{ index: 0, records: storedBatch }] }] }),
  frame(Fetch, 11, {
    replicaId: -1,
    maxWaitMs: 10,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: "fuzz", partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: "",
  }),
  frame(ListOffsets, 3, { replicaId: -1, isolationLevel: 1, topics: [{ name: "fuzz", partitions: [{ partitionIndex: 1, timestamp: -1n }] }] }),
  frame(OffsetCommit, 5, { groupId: "fz", generationId: -1, memberId: "", topics: [{ name: "fuzz", partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: "m" }] }] }),
  frame(JoinGroup, 5, { groupId: "fz", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: "", groupInstanceId: null, protocolType: "consumer", protocols: [{ name: "rr", metadata: Buffer.from([0, 1]) }] }),
  frame(CreateTopics, 3, { topics: [{ name: "fz-created", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: true }),
  frame(DescribeConfigs, 2, { resources: [{ resourceType: 2, resourceName: "fuzz", configurationKeys: null }], includeSynonyms: false }),
  frame(FindCoordinator, 2, { key: "fz", keyType: 0 }),
];

describe("robustness: a bad connection is closed, everyone else keeps being served", () => {
  it("answers well-formed seed requests (sanity check of the fuzz corpus)", async () => {
    for (const s of seeds) {
      const out = await probe(s, 300);
      expect(out.received.length).toBeGreaterThan(8);
      expect(out.received.readInt32BE(4)).toBe(1);
    }
  });

  it("closes on random bytes, truncated frames, oversized or negative length prefixes", async () => {
    const rnd = seededRandom(7);
    const random = Buffer.from(Array.from({ length: 256 }, () => Math.floor(rnd() * 256)));
    random.writeInt32BE(0x40000000, 0);
    const truncatedBody = Buffer.from(seeds[1].subarray(0, seeds[1].length - 3));
    truncatedBody.writeInt32BE(truncatedBody.length - 4, 0);
    const cases: [string, Buffer][] = [
      ["random bytes", random],
      ["oversized length prefix", Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
      ["negative length prefix", Buffer.from([0xff, 0xff, 0xff, 0xfe])],
      ["frame shorter than a header", Buffer.from([0, 0, 0, 3, 1, 2, 3])],
      ["body truncated inside its size", truncatedBody],
    ];
    for (const [name, bytes] of cases) {
      const out = await probe(bytes);
      expect(out.closed, name).toBe(true);
      expect(out.received.length, name).toBe(0);
    }
    // A frame that promises more than it sends, then goes quiet, is closed by the first-request timer.
    const partial = await probe(seeds[1].subarray(0, 12), 3_000);
    expect(partial.closed).toBe(true);
    await stillServing("after-garbage");
  });

  it("closes on unknown API keys and versions, but answers unknown ApiVersions versions with error 35", async () => {
    const unknownKey = Buffer.from(seeds[0]);
    unknownKey.writeInt16BE(999, 4);
    expect((await probe(unknownKey)).closed).toBe(true);
    const unknownVersion = Buffer.from(seeds[1]);
    unknownVersion.writeInt16BE(42, 6);
    expect((await probe(unknownVersion)).closed).toBe(true);

    const futureApiVersions = Buffer.from(seeds[0]);
    futureApiVersions.writeInt16BE(9, 6);
    const out = await probe(futureApiVersions, 500);
    const r = new Reader(out.received, 4);
    expect(r.int32()).toBe(1);
    expect(r.int16()).toBe(35);
    expect(r.int32()).toBeGreaterThan(10);
    expect(r.int16()).toBe(0);
    await stillServing("after-unknown");
  });

  it("closes a TLS ClientHello sent to the plaintext port, and a client that never speaks", async () => {
    // TLS record header: handshake (0x16), TLS 1.0 (0x0301), length 0x0200, ClientHello (0x01)...
    const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), Buffer.alloc(505, 0x2a)]);
    const tls = await probe(hello);
    expect(tls.closed).toBe(true);
    expect(tls.received.length).toBe(0);
    const started = Date.now();
    const silent = await probe(Buffer.alloc(0), 5_000);
    expect(silent.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    await stillServing("after-tls");
  });

  it("survives a seeded fuzz loop of mutated requests without losing acknowledged data", async () => {
    const rnd = seededRandom(20261122);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const mutate = (src: Buffer): Buffer => {
      const b = Buffer.from(src);
      switch (Math.floor(rnd() * 5)) {
        case 0: // flip a few bytes after the size prefix
          for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) b[4 + Math.floor(rnd() * (b.length - 4))] = Math.floor(rnd() * 256);
          return b;
        case 1: {
          // truncate, with a consistent size prefix
          const cut = Buffer.from(b.subarray(0, 8 + Math.floor(rnd() * (b.length - 8))));
          cut.writeInt32BE(cut.length - 4, 0);
          return cut;
        }
        case 2: // wrong size prefix
          b.writeInt32BE(Math.floor(rnd() * 0x7fffffff) - 0x20000000, 0);
          return b;
        case 3: // random version
          b.writeInt16BE(Math.floor(rnd() * 20) - 2, 6);
          return b;
        default: {
          // junk appended inside the frame
          const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
          const out = Buffer.concat([b, junk]);
          out.writeInt32BE(out.length - 4, 0);
          return out;
        }
      }
    };
    const until = Date.now() + 4_000;
    let rounds = 0;
    while (Date.now() < until && rounds < 2_000) {
      const batch = Array.from({ length: 8 }, () => mutate(pick(seeds)));
      await Promise.all(batch.map((b) => probe(b, 150)));
      rounds++;
      if (rounds % 25 === 0) await produceSome(`fuzz-${rounds}`, 2);
    }
    expect(rounds).toBeGreaterThan(10);
    // Whatever decodes must be handled: a handler that throws is a bug even though it only
    // costs that connection.
    expect(handlerFailures).toEqual([]);
    await stillServing("after-fuzz");

    const consumer = kafka.consumer({ groupId: "fuzz-check", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "fuzz", fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    await waitFor(() => acked.every((v) => seen.has(v)), 15_000, "every acknowledged record");
    await consumer.disconnect();
  }, 40_000);
});
