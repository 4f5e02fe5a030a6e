import { describe, expect, it } from "vitest";
import { createTestDatabase } from "@/lib/testing/db";
import { bytesBefore, bytesBetween, insertIndexRows, lockIndexTails, planBatchRows, planIndexRows, recordSize, type IndexTail } from "./byte-index";

const t = await createTestDatabase();

describe("recordSize", () => {
  it("counts key, value and header names and values in bytes", () => {
    expect(recordSize("ab", Buffer.from("héllo"), { "x-v": "1.0.0", multi: ["a", Buffer.from("bc")] })).toBe(2 + 6 + 3 + 5 + 5 + 1 + 5 + 2);
    expect(recordSize(null, null, null)).toBe(0);
  });
});

describe("planIndexRows", () => {
  it("continues from the tail", () => {
    const { rows, tail } = planIndexRows("t", 0, { offset: 3, cumulativeBytes: 30 }, 3, [1, 2, 3]);
    expect(rows).toEqual([{ topic: "t", partition: 0, baseOffset: 3, offset: 6, cumulativeBytes: 36, recordBytes: [1, 2, 3] }]);
    expect(tail).toEqual({ offset: 6, cumulativeBytes: 36 });
  });
  it("covers unindexed records with a zero-size gap row", () => {
    const { rows } = planIndexRows("t", 0, { offset: 3, cumulativeBytes: 30 }, 5, [4]);
    expect(rows).toEqual([
      { topic: "t", partition: 0, baseOffset: 3, offset: 5, cumulativeBytes: 30, recordBytes: [0, 0] },
      { topic: "t", partition: 0, baseOffset: 5, offset: 6, cumulativeBytes: 34, recordBytes: [4] },
    ]);
  });
  it("never overlaps indexed offsets", () => {
    expect(planIndexRows("t", 0, { offset: 5, cumulativeBytes: 30 }, 3, [1, 2]).rows).toEqual([]);
    expect(planIndexRows("t", 0, { offset: 5, cumulativeBytes: 30 }, 3, [1, 2, 7, 8]).rows).toEqual([{ topic: "t", partition: 0, baseOffset: 5, offset: 7, cumulativeBytes: 45, recordBytes: [7, 8] }]);
  });
});

describe("planBatchRows", () => {
  it("joins batches of one partition that follow each other into one row, per partition", () => {
    const tails = new Map<string, IndexTail>([["t/0", { offset: 2, cumulativeBytes: 20 }]]);
    const rows = planBatchRows(tails, [
      { topic: "t", partition: 0, baseOffset: 2, sizes: [1, 2] },
      { topic: "t", partition: 1, baseOffset: 0, sizes: [9] },
      { topic: "t", partition: 0, baseOffset: 4, sizes: [3] },
    ]);
    expect(rows).toEqual([
      { topic: "t", partition: 0, baseOffset: 2, offset: 5, cumulativeBytes: 26, recordBytes: [1, 2, 3] },
      { topic: "t", partition: 1, baseOffset: 0, offset: 1, cumulativeBytes: 9, recordBytes: [9] },
    ]);
    expect(tails.get("t/0")).toEqual({ offset: 5, cumulativeBytes: 26 });
    expect(tails.get("t/1")).toEqual({ offset: 1, cumulativeBytes: 9 });
  });
  it("keeps a gap (records another writer put in between) as its own zero row, never merged", () => {
    const tails = new Map<string, IndexTail>();
    const rows = planBatchRows(tails, [
      { topic: "t", partition: 0, baseOffset: 0, sizes: [5] },
      { topic: "t", partition: 0, baseOffset: 3, sizes: [7] },
      { topic: "t", partition: 0, baseOffset: 4, sizes: [8] },
    ]);
    expect(rows).toEqual([
      { topic: "t", partition: 0, baseOffset: 0, offset: 1, cumulativeBytes: 5, recordBytes: [5] },
      { topic: "t", partition: 0, baseOffset: 1, offset: 3, cumulativeBytes: 5, recordBytes: [0, 0] },
      { topic: "t", partition: 0, baseOffset: 3, offset: 5, cumulativeBytes: 20, recordBytes: [7, 8] },
    ]);
  });
});

describe("bytesBefore", () => {
  it("is exact at every offset, across batches and gaps, per partition", async () => {
    const sizes = [10, 20, 30, 0, 0, 5, 7];
    await t.db.transaction(async (tx) => {
      const tails = await lockIndexTails(tx, [{ topic: "d", partition: 1 }]);
      let tail = tails.get("d/1")!;
      expect(tail).toEqual({ offset: 0, cumulativeBytes: 0 });
      let r = planIndexRows("d", 1, tail, 0, [10, 20, 30]);
      await insertIndexRows(tx, r.rows);
      tail = r.tail;
      r = planIndexRows("d", 1, tail, 5, [5, 7]);
      await insertIndexRows(tx, r.rows);
    });
    await insertIndexRows(t.db, planIndexRows("d", 2, { offset: 0, cumulativeBytes: 0 }, 0, [1000]).rows);
    let expected = 0;
    for (let o = 0; o <= sizes.length; o++) {
      expect(await bytesBefore(t.db, "d", 1, o)).toBe(expected);
      expected += sizes[o] ?? 0;
    }
    expect(await bytesBefore(t.db, "d", 1, 100)).toBe(72);
    expect(await bytesBefore(t.db, "d", 1, -1)).toBe(0);
    expect(await bytesBetween(t.db, "d", 1, 1, 6)).toBe(20 + 30 + 5);
    expect(await bytesBefore(t.db, "d", 2, 1)).toBe(1000);
    expect(await bytesBefore(t.db, "other", 0, 5)).toBe(0);
    const tails = await t.db.transaction((tx) => lockIndexTails(tx, [{ topic: "d", partition: 1 }, { topic: "d", partition: 2 }]));
    expect(tails.get("d/1")).toEqual({ offset: 7, cumulativeBytes: 72 });
    expect(tails.get("d/2")).toEqual({ offset: 1, cumulativeBytes: 1000 });
  });
});
