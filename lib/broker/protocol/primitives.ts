/**
 * Byte-level reader and writer for the Kafka wire format. Big-endian fixed-width integers,
 * unsigned varints (KIP-482 lengths and tag numbers) and zig-zag varints (record fields).
 * The writer keeps a list of chunks so large payloads (stored record batches) are passed by
 * reference to the socket instead of being copied into one buffer.
 */

export class ProtocolError extends Error {}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) throw new ProtocolError(`truncated: need ${n} bytes at ${at}, have ${this.end - at}`);
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1)];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolError("varint too long");
  }
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1)];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw new ProtocolError("varlong too long");
  }

  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  uuid(): string {
    return this.raw(16).toString("hex");
  }

  /** int16 length, -1 = null. */
  nullableString(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.raw(n).toString("utf8");
  }
  /** uvarint length + 1, 0 = null. */
  compactNullableString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.raw(n).toString("utf8");
  }
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.raw(n);
  }
  compactNullableBytes(): Buffer | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    return this.raw(n);
  }
}

const CHUNK = 16 * 1024;
/** Payloads at least this big are referenced, not copied. */
const BY_REFERENCE = 4 * 1024;

export class Writer {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  private pos = 0;
  private done = 0;

  constructor(initial = 1024) {
    this.cur = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.done + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.flushCurrent();
    this.cur = Buffer.allocUnsafe(Math.max(CHUNK, n));
  }

  private flushCurrent(): void {
    if (this.pos > 0) {
      this.chunks.push(this.cur.subarray(0, this.pos));
      this.done += this.pos;
      this.cur = this.cur.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.cur.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  int16(v: number): this {
    this.ensure(2);
    this.cur.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.cur.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.cur.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: bigint | number): this {
    this.ensure(8);
    this.cur.writeBigInt64BE(typeof v === "bigint" ? v : BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.cur.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  uvarint(v: number): this {
    this.ensure(5);
    let n = v;
    while (n >= 0x80) {
      this.cur[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.cur[this.pos++] = n;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  varlong(v: bigint): this {
    this.ensure(10);
    let n = (v << 1n) ^ (v >> 63n);
    if (n < 0n) n += 1n << 64n;
    while (n >= 0x80n) {
      this.cur[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.cur[this.pos++] = Number(n);
    return this;
  }

  raw(b: Buffer): this {
    if (b.length >= BY_REFERENCE) {
      this.flushCurrent();
      this.chunks.push(b);
      this.done += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.cur, this.pos);
    this.pos += b.length;
    return this;
  }
  uuid(hex: string): this {
    const b = Buffer.from(hex.padStart(32, "0"), "hex");
    return this.raw(b);
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, "utf8");
    return this.int16(b.length).raw(b);
  }
  compactNullableString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const b = Buffer.from(v, "utf8");
    return this.uvarint(b.length + 1).raw(b);
  }
  /** Bytes may arrive as several chunks (stored batches) that are written back to back. */
  nullableBytes(v: Buffer | Buffer[] | null): this {
    if (v === null) return this.int32(-1);
    if (Array.isArray(v)) {
      this.int32(v.reduce((s, b) => s + b.length, 0));
      for (const b of v) this.raw(b);
      return this;
    }
    return this.int32(v.length).raw(v);
  }
  compactNullableBytes(v: Buffer | Buffer[] | null): this {
    if (v === null) return this.uvarint(0);
    if (Array.isArray(v)) {
      this.uvarint(v.reduce((s, b) => s + b.length, 0) + 1);
      for (const b of v) this.raw(b);
      return this;
    }
    return this.uvarint(v.length + 1).raw(v);
  }

  /** The written bytes as chunks, in order (no copy). */
  toChunks(): Buffer[] {
    this.flushCurrent();
    return this.chunks;
  }
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.done);
  }
}
