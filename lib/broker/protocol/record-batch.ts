import { crc32c } from "./crc32c";

/**
 * Record batch v2 header (Kafka docs "Record Batch"); all offsets relative to the batch start.
 * The broker never decompresses: everything it needs (count, offsets, timestamps, codec) is in
 * the 61-byte header, and the CRC covers bytes 21..end, so rewriting the base offset (bytes 0..7)
 * keeps the stored batch valid.
 */
export const BATCH_HEADER_SIZE = 61;
export const OFF_BASE_OFFSET = 0;
export const OFF_LENGTH = 8;
export const OFF_LEADER_EPOCH = 12;
export const OFF_MAGIC = 16;
export const OFF_CRC = 17;
export const OFF_ATTRIBUTES = 21;
export const OFF_LAST_OFFSET_DELTA = 23;
export const OFF_BASE_TIMESTAMP = 27;
export const OFF_MAX_TIMESTAMP = 35;
export const OFF_PRODUCER_ID = 43;
export const OFF_PRODUCER_EPOCH = 51;
export const OFF_BASE_SEQUENCE = 53;
export const OFF_RECORD_COUNT = 57;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface BatchInfo {
  /** Total size including the 12-byte offset/length prefix. */
  size: number;
  recordCount: number;
  lastOffsetDelta: number;
  attributes: number;
  maxTimestamp: number;
  baseTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

export type BatchProblem = "truncated" | "magic" | "crc" | "count" | "control" | "codec" | "empty";

/** Validates one batch starting at `at`; returns its header or what is wrong with it. */
export function inspectBatch(buf: Buffer, at = 0, checkCrc = true): BatchInfo | BatchProblem {
  if (buf.length - at < BATCH_HEADER_SIZE) return "truncated";
  const batchLength = buf.readInt32BE(at + OFF_LENGTH);
  const size = batchLength + 12;
  if (batchLength < BATCH_HEADER_SIZE - 12 || at + size > buf.length) return "truncated";
  if (buf[at + OFF_MAGIC] !== 2) return "magic";
  if (checkCrc && crc32c(buf, at + OFF_ATTRIBUTES, at + size) !== buf.readUInt32BE(at + OFF_CRC)) return "crc";
  const recordCount = buf.readInt32BE(at + OFF_RECORD_COUNT);
  const lastOffsetDelta = buf.readInt32BE(at + OFF_LAST_OFFSET_DELTA);
  if (recordCount <= 0) return "empty";
  if (lastOffsetDelta !== recordCount - 1) return "count";
  const attributes = buf.readInt16BE(at + OFF_ATTRIBUTES);
  if ((attributes & ATTR_COMPRESSION_MASK) > 4) return "codec";
  return {
    size,
    recordCount,
    lastOffsetDelta,
    attributes,
    baseTimestamp: Number(buf.readBigInt64BE(at + OFF_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + OFF_MAX_TIMESTAMP)),
    producerId: buf.readBigInt64BE(at + OFF_PRODUCER_ID),
    producerEpoch: buf.readInt16BE(at + OFF_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + OFF_BASE_SEQUENCE),
  };
}

/** Sets LogAppendTime on a batch (attribute bit 3 and max timestamp) and recomputes the CRC. */
export function stampLogAppendTime(batch: Buffer, now: number): void {
  batch.writeInt16BE(batch.readInt16BE(OFF_ATTRIBUTES) | ATTR_LOG_APPEND_TIME, OFF_ATTRIBUTES);
  batch.writeBigInt64BE(BigInt(now), OFF_MAX_TIMESTAMP);
  batch.writeUInt32BE(crc32c(batch, OFF_ATTRIBUTES, batch.length), OFF_CRC);
}
