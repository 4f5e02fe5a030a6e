import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deliveryByteIndex } from "@/db/schema";

/**
 * The per-partition byte index of delivery topics (table delivery_byte_index), written by the
 * router and read by the meter.
 *
 * Record size (the unit of every byte count here and in product_throughput):
 *   key bytes + value bytes + for each header (UTF-8 bytes of its name + bytes of its value).
 * Null keys, values and header values count 0. This is what a consumer receives as payload;
 * Kafka's own framing (varints, CRCs, batch headers) and compression are left out, so the number
 * is the same whatever client, batching or codec is used, and it can be recomputed from the data.
 *
 * One row per produced batch and delivery partition: records [base_offset, offset) with each
 * record's size in record_bytes (offset order) and cumulative_bytes = bytes of every record with
 * offset < offset. Rows of a partition are contiguous: the router continues from the partition's
 * last row, and when the log holds records that were never indexed (a crash between the produce
 * and the row insert; on restart those source records are delivered again at new offsets), it
 * writes a gap row for them whose record sizes are 0: they are duplicates of records indexed
 * later, so counting them would bill the same bytes twice.
 */

export type HeaderValue = Buffer | string | null | undefined | (Buffer | string)[];

export function byteLength(v: Buffer | Uint8Array | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "string" ? Buffer.byteLength(v) : v.byteLength;
}

/** The size of one record as defined above. */
export function recordSize(key: Buffer | string | null | undefined, value: Buffer | string | null | undefined, headers?: Record<string, HeaderValue> | null): number {
  let n = byteLength(key) + byteLength(value);
  if (headers) {
    for (const name in headers) {
      const h = headers[name];
      if (Array.isArray(h)) for (const part of h) n += Buffer.byteLength(name) + byteLength(part);
      else n += Buffer.byteLength(name) + byteLength(h);
    }
  }
  return n;
}

export type ByteIndexRow = {
  topic: string;
  partition: number;
  baseOffset: number;
  offset: number;
  cumulativeBytes: number;
  recordBytes: number[];
};

/** The last indexed position of a partition: next offset and the bytes before it. */
export type IndexTail = { offset: number; cumulativeBytes: number };

export async function readIndexTail(db: Db, topic: string, partition: number): Promise<IndexTail> {
  const [row] = await db
    .select({ offset: deliveryByteIndex.offset, cumulativeBytes: deliveryByteIndex.cumulativeBytes })
    .from(deliveryByteIndex)
    .where(and(eq(deliveryByteIndex.topic, topic), eq(deliveryByteIndex.partition, partition)))
    .orderBy(desc(deliveryByteIndex.offset))
    .limit(1);
  return row ?? { offset: 0, cumulativeBytes: 0 };
}

/**
 * The rows for one produced batch that starts at `baseOffset`, continuing from `tail`: a gap row
 * first when the log has records the index never saw, then the batch's row. Returns the new tail.
 * A batch that starts before the tail (a second writer during a consumer-group rebalance whose
 * records another row already covered as a gap) is indexed from the tail on only, so rows never
 * overlap and cumulative counts never go backwards.
 */
export function planIndexRows(topic: string, partition: number, tail: IndexTail, baseOffset: number, sizes: readonly number[]): { rows: ByteIndexRow[]; tail: IndexTail } {
  const rows: ByteIndexRow[] = [];
  let cumulative = tail.cumulativeBytes;
  if (baseOffset > tail.offset) {
    rows.push({ topic, partition, baseOffset: tail.offset, offset: baseOffset, cumulativeBytes: cumulative, recordBytes: new Array<number>(baseOffset - tail.offset).fill(0) });
  }
  const skip = Math.max(0, tail.offset - baseOffset);
  if (skip >= sizes.length) return { rows, tail: baseOffset > tail.offset ? { offset: baseOffset, cumulativeBytes: cumulative } : tail };
  const kept = sizes.slice(skip);
  for (const s of kept) cumulative += s;
  const start = baseOffset + skip;
  const end = start + kept.length;
  rows.push({ topic, partition, baseOffset: start, offset: end, cumulativeBytes: cumulative, recordBytes: kept });
  return { rows, tail: { offset: end, cumulativeBytes: cumulative } };
}

/**
 * Index rows for batches produced one after another (produce order), continuing from `tails`
 * (updated in place). A batch that starts where the partition's previous batch of this call
 * ended extends that row instead of adding one, so several batches produced for one source batch
 * cost one row per partition; gap rows are never merged, they stay recognisable (all sizes 0).
 */
export function planBatchRows(tails: Map<string, IndexTail>, batches: readonly { topic: string; partition: number; baseOffset: number; sizes: readonly number[] }[]): ByteIndexRow[] {
  const out: ByteIndexRow[] = [];
  const open = new Map<string, ByteIndexRow>();
  for (const b of batches) {
    const k = tailKey(b.topic, b.partition);
    const plan = planIndexRows(b.topic, b.partition, tails.get(k) ?? { offset: 0, cumulativeBytes: 0 }, b.baseOffset, b.sizes);
    tails.set(k, plan.tail);
    const prev = open.get(k);
    for (const r of plan.rows) {
      const gap = r.baseOffset < b.baseOffset;
      if (!gap && prev && prev.offset === r.baseOffset && plan.rows.length === 1) {
        prev.offset = r.offset;
        prev.cumulativeBytes = r.cumulativeBytes;
        prev.recordBytes = prev.recordBytes.concat(r.recordBytes);
        continue;
      }
      out.push(r);
      if (gap) open.delete(k);
      else open.set(k, r);
    }
  }
  return out;
}

/**
 * Locks the given partitions' index tails for the rest of the transaction (advisory locks taken
 * in a fixed order, so two writers never deadlock) and reads them. Call inside a transaction.
 */
export async function lockIndexTails(tx: Db, partitions: readonly { topic: string; partition: number }[]): Promise<Map<string, IndexTail>> {
  const out = new Map<string, IndexTail>();
  if (partitions.length === 0) return out;
  const keys = [...new Set(partitions.map((p) => tailKey(p.topic, p.partition)))].sort();
  await tx.execute(sql`select count(pg_advisory_xact_lock(hashtextextended(k, 7471))) from (select unnest(${pgTextArray(keys)}::text[]) as k order by 1) s`);
  const topics = partitions.map((p) => p.topic);
  const parts = partitions.map((p) => p.partition);
  const rows = await tx.execute<{ topic: string; partition: number; offset: string | null; cumulative_bytes: string | null }>(sql`
    select t.topic, t.partition, l.offset, l.cumulative_bytes
    from unnest(${pgTextArray(topics)}::text[], ${pgTextArray(parts.map(String))}::int[]) as t(topic, partition)
    left join lateral (
      select d.offset, d.cumulative_bytes from delivery_byte_index d
      where d.topic = t.topic and d.partition = t.partition
      order by d.offset desc limit 1
    ) l on true`);
  for (const r of rows) {
    out.set(tailKey(r.topic, Number(r.partition)), { offset: Number(r.offset ?? 0), cumulativeBytes: Number(r.cumulative_bytes ?? 0) });
  }
  return out;
}

export function tailKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** A Postgres text[] literal; passing JS arrays through drizzle's sql`` would expand them into a row. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

export async function insertIndexRows(db: Db, rows: readonly ByteIndexRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Keyed by (topic, partition, offset): writing the same batch twice (a retried transaction)
  // leaves the first row in place.
  await db.insert(deliveryByteIndex).values([...rows]).onConflictDoNothing();
}

/**
 * Exact bytes of all records of `topic`/`partition` with offset < `offset` (the size definition
 * above), for a committed consumer offset. Offsets at or below 0 give 0. An offset past the index
 * (records produced but not indexed yet, or never by the router) gives the bytes of everything
 * indexed so far: a lower bound, exact again once the index catches up.
 */
export async function bytesBefore(db: Db, topic: string, partition: number, offset: number): Promise<number> {
  if (!(offset > 0)) return 0;
  // The first row ending at or after `offset` holds it (or ends exactly there).
  const [row] = await db
    .select({ baseOffset: deliveryByteIndex.baseOffset, offset: deliveryByteIndex.offset, cumulativeBytes: deliveryByteIndex.cumulativeBytes, recordBytes: deliveryByteIndex.recordBytes })
    .from(deliveryByteIndex)
    .where(and(eq(deliveryByteIndex.topic, topic), eq(deliveryByteIndex.partition, partition), gte(deliveryByteIndex.offset, offset)))
    .orderBy(asc(deliveryByteIndex.offset))
    .limit(1);
  if (row) {
    if (row.offset === offset) return row.cumulativeBytes;
    const base = row.baseOffset ?? row.offset - (row.recordBytes?.length ?? 0);
    const sizes = row.recordBytes ?? [];
    if (offset >= base && sizes.length === row.offset - base) {
      let after = 0;
      for (let i = offset - base; i < sizes.length; i++) after += sizes[i];
      return row.cumulativeBytes - after;
    }
  }
  // Past the index, or a row without sizes: the last row ending before `offset`.
  const [prev] = await db
    .select({ cumulativeBytes: deliveryByteIndex.cumulativeBytes })
    .from(deliveryByteIndex)
    .where(and(eq(deliveryByteIndex.topic, topic), eq(deliveryByteIndex.partition, partition), lt(deliveryByteIndex.offset, offset)))
    .orderBy(desc(deliveryByteIndex.offset))
    .limit(1);
  return prev?.cumulativeBytes ?? 0;
}

/** Bytes of the records with from <= offset < to: what a consumer group read between two commits. */
export async function bytesBetween(db: Db, topic: string, partition: number, from: number, to: number): Promise<number> {
  if (to <= from) return 0;
  const [a, b] = await Promise.all([bytesBefore(db, topic, partition, from), bytesBefore(db, topic, partition, to)]);
  return Math.max(0, b - a);
}
