import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Many byte-index lookups in one query each, for the meter's batched transactions: the same
 * answers as lib/router/byte-index.ts's `readIndexTail` and `bytesBefore` (the router's file
 * defines the index and the record size; `byte-lookup.test.ts` checks these agree with it on
 * every offset of an index with batches, gaps and rows without sizes), one round trip for a
 * whole batch of subscriptions instead of three per group partition.
 */

export type PartitionRef = { topic: string; partition: number };
export type OffsetRef = PartitionRef & { offset: number };

const key = (topic: string, partition: number, offset?: number) => `${topic}\u0000${partition}${offset === undefined ? "" : `\u0000${offset}`}`;

/** A text[] literal (drizzle's sql`` would expand a JS array into a row). */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/** The next offset after each partition's last index row (0 when it has none), keyed by `tailKey`. */
export async function readIndexTails(db: Db, parts: readonly PartitionRef[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Map(parts.map((p) => [key(p.topic, p.partition), p])).values()];
  if (unique.length === 0) return out;
  const rows = await db.execute<{ topic: string; partition: number; offset: string | null }>(sql`
    select q.topic, q.partition, l.offset::text as offset
    from unnest(${textArray(unique.map((p) => p.topic))}::text[], ${`{${unique.map((p) => p.partition).join(",")}}`}::int[]) as q(topic, partition)
    left join lateral (
      select d.offset from delivery_byte_index d where d.topic = q.topic and d.partition = q.partition order by d.offset desc limit 1
    ) l on true`);
  for (const r of rows) out.set(key(r.topic, Number(r.partition)), Number(r.offset ?? 0));
  return out;
}

export function tailKey(topic: string, partition: number): string {
  return key(topic, partition);
}

export function offsetKey(topic: string, partition: number, offset: number): string {
  return key(topic, partition, offset);
}

/**
 * Exact bytes of the records before each offset (see bytesBefore in lib/router/byte-index.ts):
 * the row holding the offset gives cumulative − the sizes from the offset on; past the index, or
 * for a row without sizes, the last row ending before it (a lower bound). Keyed by `offsetKey`.
 */
export async function bytesBeforeMany(db: Db, refs: readonly OffsetRef[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Map(refs.filter((r) => r.offset > 0).map((r) => [key(r.topic, r.partition, r.offset), r])).values()];
  for (const r of refs) if (!(r.offset > 0)) out.set(key(r.topic, r.partition, r.offset), 0);
  if (unique.length === 0) return out;
  const rows = await db.execute<{
    topic: string;
    partition: number;
    off: string;
    row_offset: string | null;
    base_offset: string | null;
    cumulative_bytes: string | null;
    record_bytes: number[] | null;
    prev_cumulative: string | null;
  }>(sql`
    select q.topic, q.partition, q.off::text as off, d.offset::text as row_offset, d.base_offset::text as base_offset,
      d.cumulative_bytes::text as cumulative_bytes, d.record_bytes, p.cumulative_bytes::text as prev_cumulative
    from unnest(
      ${textArray(unique.map((r) => r.topic))}::text[],
      ${`{${unique.map((r) => r.partition).join(",")}}`}::int[],
      ${`{${unique.map((r) => r.offset).join(",")}}`}::bigint[]
    ) as q(topic, partition, off)
    left join lateral (
      select d.offset, d.base_offset, d.cumulative_bytes, d.record_bytes from delivery_byte_index d
      where d.topic = q.topic and d.partition = q.partition and d.offset >= q.off order by d.offset asc limit 1
    ) d on true
    left join lateral (
      select d2.cumulative_bytes from delivery_byte_index d2
      where d2.topic = q.topic and d2.partition = q.partition and d2.offset < q.off order by d2.offset desc limit 1
    ) p on true`);
  for (const r of rows) {
    const offset = Number(r.off);
    let bytes: number | null = null;
    if (r.row_offset !== null) {
      const rowOffset = Number(r.row_offset);
      const cumulative = Number(r.cumulative_bytes);
      if (rowOffset === offset) bytes = cumulative;
      else {
        const sizes = r.record_bytes ?? [];
        const base = r.base_offset !== null ? Number(r.base_offset) : rowOffset - sizes.length;
        if (offset >= base && sizes.length === rowOffset - base) {
          let after = 0;
          for (let i = offset - base; i < sizes.length; i++) after += sizes[i]!;
          bytes = cumulative - after;
        }
      }
    }
    out.set(key(r.topic, Number(r.partition), offset), bytes ?? Number(r.prev_cumulative ?? 0));
  }
  return out;
}
