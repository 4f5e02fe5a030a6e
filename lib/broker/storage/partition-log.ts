import fs from "node:fs";
import path from "node:path";
import { inspectBatch, OFF_BASE_OFFSET, OFF_LEADER_EPOCH, type BatchInfo } from "../protocol/record-batch";

/**
 * One partition's log: segment files `<20-digit base offset>.log` holding record batches exactly
 * as produced (base offset rewritten), each with an index file `.index` of 32-byte entries
 * (base offset i64, file position i32, size i32, last offset delta i32, pad, max timestamp i64).
 *
 * Durability contract: `append` returns only after the batch bytes and then its index entry have
 * been written to the OS with synchronous writes, so a killed broker process loses nothing it
 * acknowledged (the page cache survives a SIGKILL); `fsync()` extends that to power loss. On
 * open, the index is trusted only as far as the log file backs it, and the log tail after the
 * last indexed batch is re-scanned: a torn batch (short or failing its CRC) is cut off.
 *
 * All file I/O here is synchronous on purpose: appends are then ordered with the offsets they
 * assign, without locks, and page-cache writes of one batch take microseconds.
 */

const INDEX_ENTRY = 32;
/** Recently appended batches kept in memory per partition, so consumers that keep up never touch the disk. */
const TAIL_CACHE_BYTES = 8 * 1024 * 1024;
/**
 * All partitions together: past this, an appending partition gives up its own oldest cached
 * batches, so a topic with many partitions cannot hold partitions × 8 MiB.
 */
const TOTAL_CACHE_BYTES = 256 * 1024 * 1024;
/** Process-wide (every broker in the process shares the budget). */
let totalCached = 0;
const LOG_START_FILE = "log-start-offset";

export interface ReadResult {
  chunks: Buffer[];
  bytes: number;
  /** Records at or after the fetch offset in the returned batches (exact for non-compacted logs). */
  records: number;
}

class Segment {
  readonly offsets: number[] = [];
  readonly lastOffsets: number[] = [];
  readonly positions: number[] = [];
  readonly sizes: number[] = [];
  readonly maxTimestamps: number[] = [];
  readonly cache: (Buffer | null)[] = [];
  size = 0;
  maxTimestamp = -1;

  constructor(
    readonly baseOffset: number,
    readonly logPath: string,
    readonly indexPath: string,
    public logFd: number,
    public indexFd: number,
  ) {}

  get count(): number {
    return this.offsets.length;
  }
  get nextOffset(): number {
    return this.count === 0 ? this.baseOffset : this.lastOffsets[this.count - 1] + 1;
  }

  push(base: number, info: { lastOffsetDelta: number; size: number; maxTimestamp: number }, buf: Buffer | null): void {
    this.offsets.push(base);
    this.lastOffsets.push(base + info.lastOffsetDelta);
    this.positions.push(this.size);
    this.sizes.push(info.size);
    this.maxTimestamps.push(info.maxTimestamp);
    this.cache.push(buf);
    this.size += info.size;
    if (info.maxTimestamp > this.maxTimestamp) this.maxTimestamp = info.maxTimestamp;
  }

  /** Index of the first batch whose last offset is >= offset, or count. */
  findBatch(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lastOffsets[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Only the active segment keeps its files open; older ones are opened per read, so descriptors
   * do not grow with the number of segments.
   */
  release(): void {
    if (this.logFd >= 0) fs.closeSync(this.logFd);
    if (this.indexFd >= 0) fs.closeSync(this.indexFd);
    this.logFd = -1;
    this.indexFd = -1;
  }

  readAt(buf: Buffer, length: number, position: number): void {
    if (this.logFd >= 0) {
      fs.readSync(this.logFd, buf, 0, length, position);
      return;
    }
    const fd = fs.openSync(this.logPath, "r");
    try {
      fs.readSync(fd, buf, 0, length, position);
    } finally {
      fs.closeSync(fd);
    }
  }

  close(): void {
    this.release();
  }
}

function segmentName(base: number): string {
  return String(base).padStart(20, "0");
}

export class PartitionLog {
  private segments: Segment[] = [];
  logStartOffset = 0;
  private cachedBytes = 0;
  /** Oldest (segment, batch) position still holding a cached buffer. */
  private cacheCursor = { seg: 0, idx: 0 };
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.load();
  }

  get highWatermark(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    return this.segments.reduce((s, g) => s + g.size, 0);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private load(): void {
    const bases = fs
      .readdirSync(this.dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    for (const base of bases) {
      this.segments[this.segments.length - 1]?.release();
      this.segments.push(this.openSegment(base, true));
    }
    if (this.segments.length === 0) this.segments.push(this.openSegment(0, false));
    const startFile = path.join(this.dir, LOG_START_FILE);
    const persisted = fs.existsSync(startFile) ? Number(fs.readFileSync(startFile, "utf8")) : 0;
    this.logStartOffset = Math.min(Math.max(persisted || 0, this.segments[0].baseOffset), this.highWatermark);
  }

  private openSegment(base: number, recover: boolean): Segment {
    const logPath = path.join(this.dir, `${segmentName(base)}.log`);
    const indexPath = path.join(this.dir, `${segmentName(base)}.index`);
    const seg = new Segment(base, logPath, indexPath, fs.openSync(logPath, "a+"), fs.openSync(indexPath, "a+"));
    if (recover) this.recover(seg);
    return seg;
  }

  private recover(seg: Segment): void {
    const logSize = fs.fstatSync(seg.logFd).size;
    const index = fs.readFileSync(seg.indexPath);
    let trusted = 0;
    for (let at = 0; at + INDEX_ENTRY <= index.length; at += INDEX_ENTRY) {
      const base = Number(index.readBigInt64BE(at));
      const pos = index.readInt32BE(at + 8);
      const size = index.readInt32BE(at + 12);
      const delta = index.readInt32BE(at + 16);
      const maxTs = Number(index.readBigInt64BE(at + 24));
      if (pos !== seg.size || pos + size > logSize || (seg.count > 0 && base !== seg.nextOffset)) break;
      seg.push(base, { lastOffsetDelta: delta, size, maxTimestamp: maxTs }, null);
      trusted++;
    }
    let rebuilt = false;
    if (trusted * INDEX_ENTRY !== index.length) rebuilt = true;
    if (seg.size < logSize) {
      // Re-scan the unindexed tail, validating CRCs; stop at the first torn batch.
      const tail = Buffer.allocUnsafe(logSize - seg.size);
      fs.readSync(seg.logFd, tail, 0, tail.length, seg.size);
      let at = 0;
      while (at < tail.length) {
        const info = inspectBatch(tail, at, true);
        if (typeof info === "string") break;
        const base = Number(tail.readBigInt64BE(at + OFF_BASE_OFFSET));
        if (seg.count > 0 && base !== seg.nextOffset) break;
        seg.push(base, info, null);
        at += info.size;
        rebuilt = true;
      }
      if (seg.size < logSize) fs.ftruncateSync(seg.logFd, seg.size);
    }
    if (rebuilt) {
      fs.ftruncateSync(seg.indexFd, 0);
      const out = Buffer.alloc(seg.count * INDEX_ENTRY);
      for (let i = 0; i < seg.count; i++) this.fillIndexEntry(out, i * INDEX_ENTRY, seg, i);
      if (out.length > 0) fs.writeSync(seg.indexFd, out, 0, out.length, 0);
    }
  }

  private fillIndexEntry(out: Buffer, at: number, seg: Segment, i: number): void {
    out.writeBigInt64BE(BigInt(seg.offsets[i]), at);
    out.writeInt32BE(seg.positions[i], at + 8);
    out.writeInt32BE(seg.sizes[i], at + 12);
    out.writeInt32BE(seg.lastOffsets[i] - seg.offsets[i], at + 16);
    out.writeInt32BE(0, at + 20);
    out.writeBigInt64BE(BigInt(seg.maxTimestamps[i]), at + 24);
  }

  /** Appends one validated batch, assigning its base offset. Returns the base offset. */
  append(batch: Buffer, info: BatchInfo, segmentBytes: number): number {
    if (this.closed) throw new Error("partition closed");
    if (this.active.count > 0 && this.active.size + info.size > segmentBytes) this.roll();
    const seg = this.active;
    const base = seg.nextOffset;
    batch.writeBigInt64BE(BigInt(base), OFF_BASE_OFFSET);
    batch.writeInt32BE(0, OFF_LEADER_EPOCH);
    let written = 0;
    while (written < batch.length) written += fs.writeSync(seg.logFd, batch, written, batch.length - written);
    seg.push(base, info, batch);
    const entry = Buffer.allocUnsafe(INDEX_ENTRY);
    this.fillIndexEntry(entry, 0, seg, seg.count - 1);
    fs.writeSync(seg.indexFd, entry);
    this.cachedBytes += info.size;
    totalCached += info.size;
    this.trimCache();
    for (const w of this.waiters) w();
    return base;
  }

  fsync(): void {
    fs.fsyncSync(this.active.logFd);
    fs.fsyncSync(this.active.indexFd);
  }

  private trimCache(): void {
    while (this.cachedBytes > TAIL_CACHE_BYTES || (totalCached > TOTAL_CACHE_BYTES && this.cachedBytes > 0)) {
      const seg = this.segments[this.cacheCursor.seg];
      if (!seg) return;
      if (this.cacheCursor.idx >= seg.count) {
        if (this.cacheCursor.seg >= this.segments.length - 1) return;
        this.cacheCursor = { seg: this.cacheCursor.seg + 1, idx: 0 };
        continue;
      }
      const b = seg.cache[this.cacheCursor.idx];
      if (b) {
        this.cachedBytes -= b.length;
        totalCached -= b.length;
        seg.cache[this.cacheCursor.idx] = null;
      }
      this.cacheCursor.idx++;
    }
  }

  private roll(): void {
    // A finished segment is flushed once; it is never written again.
    this.fsync();
    this.active.release();
    this.segments.push(this.openSegment(this.highWatermark, false));
  }

  /**
   * Whole batches starting with the one containing `offset`, up to `maxBytes` (always at least
   * one batch when `atLeastOne`, per KIP-74, so an oversized batch cannot stall a consumer).
   * Contiguous uncached batches are read with one pread.
   */
  read(offset: number, maxBytes: number, atLeastOne: boolean): ReadResult {
    const out: ReadResult = { chunks: [], bytes: 0, records: 0 };
    if (offset >= this.highWatermark || offset < this.logStartOffset) return out;
    let s = this.findSegment(offset);
    let i = this.segments[s].findBatch(offset);
    while (s < this.segments.length) {
      const seg = this.segments[s];
      let runStart = -1;
      let runBytes = 0;
      const flushRun = (end: number) => {
        if (runStart < 0) return;
        const buf = Buffer.allocUnsafe(runBytes);
        seg.readAt(buf, runBytes, seg.positions[runStart]);
        out.chunks.push(buf);
        runStart = -1;
        runBytes = 0;
        void end;
      };
      for (; i < seg.count; i++) {
        const size = seg.sizes[i];
        if (out.bytes + size > maxBytes && !(atLeastOne && out.bytes === 0)) {
          flushRun(i);
          return out;
        }
        const cached = seg.cache[i];
        if (cached) {
          flushRun(i);
          out.chunks.push(cached);
        } else {
          if (runStart < 0) runStart = i;
          runBytes += size;
        }
        out.bytes += size;
        out.records += seg.lastOffsets[i] - Math.max(offset, seg.offsets[i]) + 1;
      }
      flushRun(i);
      s++;
      i = 0;
    }
    return out;
  }

  /** Bytes of whole batches from the one containing `offset`, counted up to `cap` (index only). */
  availableBytes(offset: number, cap: number): number {
    if (offset >= this.highWatermark || offset < this.logStartOffset) return 0;
    let n = 0;
    let s = this.findSegment(offset);
    let i = this.segments[s].findBatch(offset);
    for (; s < this.segments.length; s++, i = 0) {
      const seg = this.segments[s];
      for (; i < seg.count; i++) {
        n += seg.sizes[i];
        if (n >= cap) return n;
      }
    }
    return n;
  }

  private findSegment(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First batch whose max timestamp is >= ts: its base offset and max timestamp, or null. */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < ts) continue;
      for (let i = 0; i < seg.count; i++) {
        if (seg.maxTimestamps[i] >= ts && seg.lastOffsets[i] >= this.logStartOffset) {
          return { offset: Math.max(seg.offsets[i], this.logStartOffset), timestamp: seg.maxTimestamps[i] };
        }
      }
    }
    return null;
  }

  /** Moves the log start forward (DeleteRecords); whole segments below it are removed. */
  advanceLogStart(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = Math.min(offset, this.highWatermark);
    fs.writeFileSync(path.join(this.dir, LOG_START_FILE), String(this.logStartOffset));
    while (this.segments.length > 1 && this.segments[1].baseOffset <= this.logStartOffset) this.dropFirstSegment();
    if (this.segments.length === 1 && this.active.count > 0 && this.active.nextOffset <= this.logStartOffset) {
      this.roll();
      this.dropFirstSegment();
    }
  }

  /**
   * Retention: drops whole segments from the head while they are older than retentionMs or the
   * log is over retentionBytes. A fully expired active segment is rolled first so it can go.
   */
  applyRetention(now: number, retentionMs: number, retentionBytes: number): number {
    let dropped = 0;
    const expired = (seg: Segment) => retentionMs >= 0 && seg.count > 0 && seg.maxTimestamp < now - retentionMs;
    for (;;) {
      if (this.segments.length === 1) {
        if (!expired(this.active)) break;
        this.roll();
      }
      const first = this.segments[0];
      const overSize = retentionBytes >= 0 && this.sizeBytes - first.size >= retentionBytes;
      if (!expired(first) && !overSize) break;
      this.dropFirstSegment();
      dropped++;
    }
    if (this.segments[0].baseOffset > this.logStartOffset) {
      this.logStartOffset = this.segments[0].baseOffset;
      fs.writeFileSync(path.join(this.dir, LOG_START_FILE), String(this.logStartOffset));
    }
    return dropped;
  }

  private dropFirstSegment(): void {
    const seg = this.segments.shift()!;
    for (const b of seg.cache) {
      if (!b) continue;
      this.cachedBytes -= b.length;
      totalCached -= b.length;
    }
    this.cacheCursor = { seg: Math.max(0, this.cacheCursor.seg - 1), idx: this.cacheCursor.seg === 0 ? 0 : this.cacheCursor.idx };
    seg.close();
    fs.rmSync(seg.logPath, { force: true });
    fs.rmSync(seg.indexPath, { force: true });
  }

  /** Calls `fn` on every append until the returned function is called. */
  watch(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  /** `flush`: fsync the active segment first (graceful shutdown); deleted topics skip it. */
  close(flush = false): void {
    if (this.closed) return;
    this.closed = true;
    if (flush) this.fsync();
    totalCached -= this.cachedBytes;
    this.cachedBytes = 0;
    for (const s of this.segments) {
      s.cache.fill(null);
      s.close();
    }
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}
