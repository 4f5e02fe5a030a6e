import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crc32c } from "../protocol/crc32c";
import { inspectBatch, OFF_CRC, type BatchInfo } from "../protocol/record-batch";
import { PartitionLog } from "./partition-log";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "partition-log-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(root, `p${n++}`);

/** A valid record batch v2 of `count` opaque records (the broker never looks inside). */
function batch(count: number, maxTimestamp: number, bodyBytes = 100): { buf: Buffer; info: BatchInfo } {
  const buf = Buffer.alloc(61 + bodyBytes);
  buf.writeInt32BE(buf.length - 12, 8);
  buf[16] = 2;
  buf.writeInt32BE(count - 1, 23);
  buf.writeBigInt64BE(BigInt(maxTimestamp), 27);
  buf.writeBigInt64BE(BigInt(maxTimestamp), 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(count, 57);
  buf.fill(0xab, 61);
  buf.writeUInt32BE(crc32c(buf, 21), OFF_CRC);
  const info = inspectBatch(buf);
  if (typeof info === "string") throw new Error(info);
  return { buf, info };
}

const offsetsIn = (chunks: Buffer[]) => {
  const out: number[] = [];
  for (const c of chunks) for (let at = 0; at < c.length; at += c.readInt32BE(at + 8) + 12) out.push(Number(c.readBigInt64BE(at)));
  return out;
};

describe("PartitionLog", () => {
  it("assigns offsets, returns whole batches from the one containing a mid-batch offset", () => {
    const log = new PartitionLog(freshDir(), "t", 0);
    expect(log.append(batch(5, 1).buf, batch(5, 1).info, 1 << 20)).toBe(0);
    const b2 = batch(3, 2);
    expect(log.append(b2.buf, b2.info, 1 << 20)).toBe(5);
    expect(log.highWatermark).toBe(8);
    const mid = log.read(6, 1 << 20, true);
    expect(offsetsIn(mid.chunks)).toEqual([5]);
    expect(mid.records).toBe(2);
    expect(offsetsIn(log.read(2, 1 << 20, true).chunks)).toEqual([0, 5]);
    expect(log.read(8, 1 << 20, true).bytes).toBe(0);
    log.close();
  });

  it("returns an oversized first batch (KIP-74) but respects the limit after it", () => {
    const log = new PartitionLog(freshDir(), "t", 0);
    for (let i = 0; i < 3; i++) {
      const b = batch(1, i, 1000);
      log.append(b.buf, b.info, 1 << 20);
    }
    expect(offsetsIn(log.read(0, 10, true).chunks)).toEqual([0]);
    expect(log.read(0, 10, false).bytes).toBe(0);
    expect(offsetsIn(log.read(0, 2200, false).chunks)).toEqual([0, 1]);
    log.close();
  });

  it("rolls segments, reads across them from disk after a reopen, and keeps offsets", () => {
    const dir = freshDir();
    const log = new PartitionLog(dir, "t", 0);
    for (let i = 0; i < 10; i++) {
      const b = batch(2, i, 400);
      log.append(b.buf, b.info, 1000);
    }
    log.close();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".log")).length).toBeGreaterThan(3);
    const again = new PartitionLog(dir, "t", 0);
    expect(again.highWatermark).toBe(20);
    const all = again.read(0, 1 << 20, true);
    expect(offsetsIn(all.chunks)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(all.records).toBe(20);
    // Stored bytes are still valid batches (the CRC does not cover the rewritten base offset).
    const joined = Buffer.concat(all.chunks);
    expect(typeof inspectBatch(joined, 0, true)).toBe("object");
    again.close();
  });

  it("applies retention by bytes and by time at segment granularity, moving the log start", () => {
    const log = new PartitionLog(freshDir(), "t", 0);
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) {
      const b = batch(1, now - 10_000 + i, 400);
      log.append(b.buf, b.info, 1000);
    }
    const before = log.sizeBytes;
    log.applyRetention(now, -1, 1500);
    expect(log.sizeBytes).toBeLessThan(before);
    expect(log.sizeBytes).toBeGreaterThanOrEqual(1500 - 1000);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.read(0, 1 << 20, true).bytes).toBe(0);
    // Everything older than 1 s: all of it, the active segment included.
    log.applyRetention(now, 1000, -1);
    expect(log.logStartOffset).toBe(10);
    expect(log.highWatermark).toBe(10);
    const b = batch(1, now, 10);
    expect(log.append(b.buf, b.info, 1000)).toBe(10);
    log.close();
  });

  it("moves the log start for DeleteRecords and persists it", () => {
    const dir = freshDir();
    const log = new PartitionLog(dir, "t", 0);
    for (let i = 0; i < 4; i++) {
      const b = batch(2, i);
      log.append(b.buf, b.info, 1 << 20);
    }
    log.advanceLogStart(3);
    expect(log.logStartOffset).toBe(3);
    expect(log.read(2, 1 << 20, true).bytes).toBe(0);
    expect(offsetsIn(log.read(3, 1 << 20, true).chunks)).toEqual([2, 4, 6]);
    log.close();
    const again = new PartitionLog(dir, "t", 0);
    expect(again.logStartOffset).toBe(3);
    again.close();
  });

  it("finds the first batch at or after a timestamp", () => {
    const log = new PartitionLog(freshDir(), "t", 0);
    for (const ts of [100, 200, 300]) {
      const b = batch(2, ts);
      log.append(b.buf, b.info, 1 << 20);
    }
    expect(log.offsetForTimestamp(150)).toEqual({ offset: 2, timestamp: 200 });
    expect(log.offsetForTimestamp(301)).toBeNull();
    log.close();
  });
});
