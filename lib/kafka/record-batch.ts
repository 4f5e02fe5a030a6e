import { crc32c } from "@/lib/broker/protocol/crc32c";

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
  const parts: Buffer[] = [];
  let count = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const k = Buffer.from(name, "utf8");
      const b = typeof v === "string" ? Buffer.from(v, "utf8") : v;
      const head = Buffer.allocUnsafe(10);
      let p = writeUvarint(head, 0, zigzag(k.length));
      parts.push(head.subarray(0, p), k);
      const mid = Buffer.allocUnsafe(5);
      p = writeUvarint(mid, 0, zigzag(b.length));
      parts.push(mid.subarray(0, p), b);
      count++;
    }
  }
  return count === 0 ? NO_HEADERS : { count, bytes: Buffer.concat(parts) };
}

const BATCH_OVERHEAD = 61;

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
  let total = BATCH_OVERHEAD;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!Number.isSafeInteger(r.timestamp)) throw new RangeError(`record ${i} has no valid timestamp`);
    if (r.timestamp > maxTs) maxTs = r.timestamp;
    const s = bodySize(r, r.timestamp - base, i);
    sizes[i] = s;
    total += uvarintSize(zigzag(s)) + s;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeBigInt64BE(0n, 0); // base offset
  buf.writeInt32BE(total - 12, 8); // batch length: everything after it
  buf.writeInt32BE(-1, 12); // partition leader epoch (set by the broker)
  buf[16] = 2; // magic
  buf.writeInt16BE(0, 21); // attributes: no compression, CreateTime, not transactional
  buf.writeInt32BE(records.length - 1, 23); // last offset delta
  buf.writeBigInt64BE(BigInt(base), 27);
  buf.writeBigInt64BE(BigInt(maxTs), 35);
  buf.writeBigInt64BE(-1n, 43); // producer id
  buf.writeInt16BE(-1, 51); // producer epoch
  buf.writeInt32BE(-1, 53); // base sequence
  buf.writeInt32BE(records.length, 57);
  let pos = BATCH_OVERHEAD;
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
  buf.writeUInt32BE(crc32c(buf, 21, total), 17);
  return buf;
}
