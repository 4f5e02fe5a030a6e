import { crc32c } from "@/lib/broker/protocol/crc32c";
import { Writer } from "@/lib/broker/protocol/primitives";
import {
  BATCH_HEADER_SIZE,
  OFF_ATTRIBUTES,
  OFF_BASE_OFFSET,
  OFF_BASE_SEQUENCE,
  OFF_BASE_TIMESTAMP,
  OFF_CRC,
  OFF_LAST_OFFSET_DELTA,
  OFF_LEADER_EPOCH,
  OFF_LENGTH,
  OFF_MAGIC,
  OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  OFF_RECORD_COUNT,
} from "@/lib/broker/protocol/record-batch";

/**
 * Record batch v2 encoding for producers (Kafka docs "Record Batch" / "Record"). One pass: the
 * exact size is computed first, one buffer is allocated, every record is written in place and
 * one CRC-32C covers the batch. kafkajs builds two growing encoders per record and one per
 * header and copies each record into the batch again; for the router's ~1 KB records that
 * encoding was most of its produce cost (lib/router/README.md, "Benchmark").
 *
 * No compression, CreateTime timestamps, no idempotence (producer id −1): what kafkajs' default
 * producer sends, so brokers treat the batches the same.
 */

/** Headers already in wire form: `count` entries of [varint key length, key, varint value length, value]. */
export type HeaderBlock = { count: number; bytes: Buffer };

export type BatchRecord = { key: Buffer | null; value: Buffer | null; timestamp: number; headers?: HeaderBlock };

export type HeaderInput = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

const NO_HEADERS: HeaderBlock = { count: 0, bytes: Buffer.alloc(0) };

/** Bytes of the unsigned varint `v` (v ≥ 0, below 2^53). */
function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Zig-zag of a safe integer, as a non-negative number (exact up to 2^52). */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function writeUvarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Encodes headers once (for a header every record shares, once per process). */
export function encodeHeaders(headers: HeaderInput | undefined): HeaderBlock {
  if (!headers) return NO_HEADERS;
  const w = new Writer(64);
  let count = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const k = Buffer.from(name, "utf8");
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const b = typeof v === "string" ? Buffer.from(v, "utf8") : v;
      w.varint(k.length).raw(k).varint(b.length).raw(b);
      count++;
    }
  }
  return count === 0 ? NO_HEADERS : { count, bytes: w.toBuffer() };
}

/** The size of one record's body (what its length prefix says). */
function bodySize(r: BatchRecord, tsDelta: number, offsetDelta: number): number {
  const h = r.headers ?? NO_HEADERS;
  const k = r.key ? uvarintSize(zigzag(r.key.length)) + r.key.length : 1;
  const v = r.value ? uvarintSize(zigzag(r.value.length)) + r.value.length : 1;
  return 1 + uvarintSize(zigzag(tsDelta)) + uvarintSize(zigzag(offsetDelta)) + k + v + uvarintSize(zigzag(h.count)) + h.bytes.length;
}

/**
 * One uncompressed record batch (base offset 0; the broker assigns offsets) holding `records` in
 * order. The first record's timestamp is the base; later ones are deltas (may be negative).
 */
export function encodeRecordBatch(records: readonly BatchRecord[]): Buffer {
  if (records.length === 0) throw new RangeError("a record batch needs at least one record");
  const base = records[0].timestamp;
  let maxTs = base;
  const sizes = new Array<number>(records.length);
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!Number.isSafeInteger(r.timestamp)) throw new RangeError(`record ${i} has no valid timestamp`);
    if (r.timestamp > maxTs) maxTs = r.timestamp;
    const s = bodySize(r, r.timestamp - base, i);
    sizes[i] = s;
    total += uvarintSize(zigzag(s)) + s;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeBigInt64BE(0n, OFF_BASE_OFFSET);
  buf.writeInt32BE(total - OFF_LEADER_EPOCH, OFF_LENGTH); // everything after the length field
  buf.writeInt32BE(-1, OFF_LEADER_EPOCH); // set by the broker
  buf[OFF_MAGIC] = 2;
  buf.writeInt16BE(0, OFF_ATTRIBUTES); // no compression, CreateTime, not transactional
  buf.writeInt32BE(records.length - 1, OFF_LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(base), OFF_BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(maxTs), OFF_MAX_TIMESTAMP);
  buf.writeBigInt64BE(-1n, OFF_PRODUCER_ID);
  buf.writeInt16BE(-1, OFF_PRODUCER_EPOCH);
  buf.writeInt32BE(-1, OFF_BASE_SEQUENCE);
  buf.writeInt32BE(records.length, OFF_RECORD_COUNT);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const h = r.headers ?? NO_HEADERS;
    pos = writeUvarint(buf, pos, zigzag(sizes[i]));
    buf[pos++] = 0; // record attributes
    pos = writeUvarint(buf, pos, zigzag(r.timestamp - base));
    pos = writeUvarint(buf, pos, zigzag(i));
    if (r.key) {
      pos = writeUvarint(buf, pos, zigzag(r.key.length));
      pos += r.key.copy(buf, pos);
    } else buf[pos++] = 1; // varint −1: null
    if (r.value) {
      pos = writeUvarint(buf, pos, zigzag(r.value.length));
      pos += r.value.copy(buf, pos);
    } else buf[pos++] = 1;
    pos = writeUvarint(buf, pos, zigzag(h.count));
    pos += h.bytes.copy(buf, pos);
  }
  if (pos !== total) throw new Error(`record batch size mismatch: wrote ${pos} of ${total} bytes`);
  buf.writeUInt32BE(crc32c(buf, OFF_ATTRIBUTES, total), OFF_CRC);
  return buf;
}
