import { and, asc, desc, eq, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deliveryByteIndex } from "@/db/schema";

/**
 * Reading the router's byte index (delivery_byte_index) for the meter. The router's own module
 * (lib/router/byte-index.ts, `bytesBefore`) defines the record size and writes the rows; this
 * file reads them with the same rules and is to be replaced by that import once it is committed.
 *
 * A row covers offsets [base_offset, offset) of a partition with each record's size in
 * record_bytes; cumulative_bytes counts every record with offset < offset.
 */

/**
 * Exact bytes of all records with offset < `offset`. An offset past the index gives the bytes of
 * everything indexed (a lower bound; see `indexEnd` to know whether the index covers it).
 */
export async function bytesBefore(db: Db, topic: string, partition: number, offset: number): Promise<number> {
  if (!(offset > 0)) return 0;
  const [row] = await db
    .select({ baseOffset: deliveryByteIndex.baseOffset, offset: deliveryByteIndex.offset, cumulativeBytes: deliveryByteIndex.cumulativeBytes, recordBytes: deliveryByteIndex.recordBytes })
    .from(deliveryByteIndex)
    .where(and(eq(deliveryByteIndex.topic, topic), eq(deliveryByteIndex.partition, partition), gte(deliveryByteIndex.offset, offset)))
    .orderBy(asc(deliveryByteIndex.offset))
    .limit(1);
  if (row) {
    if (row.offset === offset) return row.cumulativeBytes;
    const sizes = row.recordBytes ?? [];
    const base = row.baseOffset ?? row.offset - sizes.length;
    if (sizes.length === row.offset - base) {
      // Inside the row: subtract the records at or after `offset`. Before the row (a gap no row
      // covers): every record of the row is after `offset`.
      let after = 0;
      for (let i = Math.max(0, offset - base); i < sizes.length; i++) after += sizes[i]!;
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

/** The next offset after the last indexed record of a partition (0 when nothing is indexed). */
export async function indexEnd(db: Db, topic: string, partition: number): Promise<number> {
  const [row] = await db
    .select({ offset: deliveryByteIndex.offset })
    .from(deliveryByteIndex)
    .where(and(eq(deliveryByteIndex.topic, topic), eq(deliveryByteIndex.partition, partition)))
    .orderBy(desc(deliveryByteIndex.offset))
    .limit(1);
  return row?.offset ?? 0;
}
