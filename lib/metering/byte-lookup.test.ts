import { describe, expect, it } from "vitest";
import { deliveryByteIndex } from "@/db/schema";
import { bytesBefore, readIndexTail } from "@/lib/router/byte-index";
import { createTestDatabase } from "@/lib/testing/db";
import { bytesBeforeMany, offsetKey, readIndexTails, tailKey } from "./byte-lookup";
import { indexBatch } from "./test-fixtures";

/** The meter's batched lookups answer exactly what the router's single lookups answer. */
const t = await createTestDatabase();
const db = t.db;

describe("batched byte-index lookups", () => {
  it("agree with bytesBefore and readIndexTail on every offset, across batches, gaps, rows without sizes and partitions", async () => {
    const topic = "lookup.many";
    await indexBatch(db, topic, 0, [10, 20, 30]);
    await indexBatch(db, topic, 0, [0, 0]); // a gap row (duplicates the router re-delivered)
    await indexBatch(db, topic, 0, [1, 2, 3, 4]);
    // A legacy row without per-record sizes covering [9, 12).
    await db.insert(deliveryByteIndex).values({ topic, partition: 0, offset: 12, cumulativeBytes: 100 });
    await indexBatch(db, topic, 1, [5]);
    await indexBatch(db, `${topic}"quoted\\`, 0, [7, 7]);
    const refs = [];
    for (const [tp, partition] of [[topic, 0], [topic, 1], [topic, 2], [`${topic}"quoted\\`, 0]] as const) {
      for (let offset = -1; offset <= 15; offset++) refs.push({ topic: tp, partition, offset });
    }
    const many = await bytesBeforeMany(db, refs);
    for (const r of refs) {
      expect(many.get(offsetKey(r.topic, r.partition, r.offset)), JSON.stringify(r)).toBe(await bytesBefore(db, r.topic, r.partition, r.offset));
    }
    const tails = await readIndexTails(db, refs);
    for (const r of refs) expect(tails.get(tailKey(r.topic, r.partition))).toBe((await readIndexTail(db, r.topic, r.partition)).offset);
    expect(await bytesBeforeMany(db, [])).toEqual(new Map());
  });
});
