import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ApiVersions, JoinGroup, Metadata, OffsetCommit, Produce } from "./apis";
import { crc32c } from "./crc32c";
import { Reader, Writer } from "./primitives";
import { compile, type MessageSchema } from "./schema";

// kafkajs's own encoders/decoders serve as an independent oracle for the wire layout.
const require = createRequire(import.meta.url);

async function kafkajsRequestBody(path: string, args: unknown): Promise<Buffer> {
  const make = require(`kafkajs/src/protocol/requests/${path}/request.js`);
  const req = make(args);
  const enc = await req.encode();
  return enc.buffer as Buffer;
}

function encode(schema: MessageSchema, version: number, value: Record<string, unknown>): Buffer {
  const w = new Writer(8);
  compile(schema, version).encode(w, value);
  return w.toBuffer();
}

describe("declarative codec", () => {
  it("decodes what kafkajs encodes: Metadata v6 with topics and with null (all topics)", async () => {
    const named = await kafkajsRequestBody("metadata/v6", { topics: ["a", "bé"], allowAutoTopicCreation: false });
    expect(compile(Metadata.request, 6).decode(new Reader(named))).toEqual({
      topics: [{ name: "a" }, { name: "bé" }],
      allowAutoTopicCreation: false,
    });
    const all = await kafkajsRequestBody("metadata/v6", { topics: [] });
    expect(compile(Metadata.request, 6).decode(new Reader(all)).topics).toBeNull();
  });

  it("decodes an OffsetCommit v5 from kafkajs, metadata string included", async () => {
    const body = await kafkajsRequestBody("offsetCommit/v5", {
      groupId: "g",
      groupGenerationId: 3,
      memberId: "m-1",
      topics: [{ topic: "t", partitions: [{ partition: 2, offset: "42", metadata: "meta" }] }],
    });
    const d = compile(OffsetCommit.request, 5).decode(new Reader(body));
    expect(d).toMatchObject({ groupId: "g", generationId: 3, memberId: "m-1", retentionTimeMs: -1n });
    expect(d.topics).toEqual([
      { name: "t", partitions: [{ partitionIndex: 2, committedOffset: 42n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: "meta" }] },
    ]);
  });

  it("encodes a JoinGroup v5 response kafkajs can decode", async () => {
    const buf = encode(JoinGroup.response, 5, {
      errorCode: 0,
      generationId: 7,
      protocolName: "RoundRobinAssigner",
      leader: "m1",
      memberId: "m2",
      members: [{ memberId: "m1", groupInstanceId: null, metadata: Buffer.from([1, 2, 3]) }],
    });
    const { decode } = require("kafkajs/src/protocol/requests/joinGroup/v5/response.js");
    const out = await decode(buf);
    expect(out.generationId).toBe(7);
    expect(out.groupProtocol).toBe("RoundRobinAssigner");
    expect(out.members[0].memberMetadata).toEqual(Buffer.from([1, 2, 3]));
  });

  it("round-trips a flexible ApiVersions v3 request and response (compact strings, tagged fields)", () => {
    const req = encode(ApiVersions.request, 3, { clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2" });
    // compact string: uvarint(len + 1) then bytes, then an empty tagged-field section
    expect(req[0]).toBe("librdkafka".length + 1);
    expect(req[req.length - 1]).toBe(0);
    expect(compile(ApiVersions.request, 3).decode(new Reader(req))).toEqual({
      clientSoftwareName: "librdkafka",
      clientSoftwareVersion: "2.0.2",
    });
    const res = { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 7 }], throttleTimeMs: 0 };
    const buf = encode(ApiVersions.response, 3, res);
    expect(compile(ApiVersions.response, 3).decode(new Reader(buf))).toEqual(res);
  });

  it("passes records through as the exact bytes, chunked or not", () => {
    const a = Buffer.alloc(5000, 1);
    const b = Buffer.from([9, 9]);
    const value = { transactionalId: null, acks: -1, timeoutMs: 100, topicData: [{ name: "t", partitionData: [{ index: 0, records: [a, b] }] }] };
    const buf = encode(Produce.request, 7, value);
    const d = compile(Produce.request, 7).decode(new Reader(buf)) as { topicData: { partitionData: { records: Buffer }[] }[] };
    expect(d.topicData[0].partitionData[0].records).toEqual(Buffer.concat([a, b]));
  });

  it("rejects truncated input instead of reading past the end", () => {
    const buf = encode(Metadata.request, 6, { topics: [{ name: "abc" }] });
    expect(() => compile(Metadata.request, 6).decode(new Reader(buf.subarray(0, buf.length - 3)))).toThrow(/truncated/);
  });

  it("writes and reads varints at their edges", () => {
    const w = new Writer(4);
    const ints = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)];
    for (const v of ints) w.varint(v);
    const longs = [0n, -1n, 1n << 40n, -(1n << 62n), (1n << 63n) - 1n];
    for (const v of longs) w.varlong(v);
    w.uvarint(2 ** 32 - 1);
    const r = new Reader(w.toBuffer());
    expect(ints.map(() => r.varint())).toEqual(ints);
    expect(longs.map(() => r.varlong())).toEqual(longs);
    expect(r.uvarint()).toBe(2 ** 32 - 1);
  });

  it("computes CRC-32C (Castagnoli) check values", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    const big = Buffer.alloc(1000, 7);
    expect(crc32c(big, 3, 999)).toBe(crc32c(Buffer.from(big.subarray(3, 999))));
  });

  it("gives the same CRC-32C on the word path and the byte path, at every alignment", () => {
    const reference = (b: Uint8Array) => {
      let c = ~0 >>> 0;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
    for (let start = 0; start < 9; start++) {
      for (const len of [0, 1, 7, 8, 9, 31, 64, 200]) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(data, start, start + len)).toBe(reference(slice));
        expect(crc32c(slice)).toBe(reference(slice));
      }
    }
  });
});
