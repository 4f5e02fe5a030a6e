import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { productThroughput, qualityIncidents } from "@/db/schema";

/**
 * Throughput per product and minute, accumulated in memory and flushed every few seconds as
 * adding upserts (one row per router instance and minute; readers sum over instances). A crash
 * loses at most the unflushed seconds of these statistics; the byte index, the incidents and the
 * offsets, which must be exact, are written before each commit instead.
 */
export type ThroughputDelta = {
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
  recordsDlq: number;
  /** Latest source record timestamp, epoch ms. */
  lastRecordAt: number | null;
  maxDelayMs: number | null;
};

export function emptyDelta(): ThroughputDelta {
  return { recordsIn: 0, bytesIn: 0, recordsOut: 0, bytesOut: 0, recordsDlq: 0, lastRecordAt: null, maxDelayMs: null };
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

export class ThroughputAccumulator {
  private pending = new Map<string, { productId: string; minute: number; d: ThroughputDelta }>();

  add(productId: string, atMs: number, delta: Partial<ThroughputDelta>): void {
    const minute = minuteOf(atMs);
    const key = `${productId}|${minute}`;
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { productId, minute, d: emptyDelta() }));
    const d = entry.d;
    d.recordsIn += delta.recordsIn ?? 0;
    d.bytesIn += delta.bytesIn ?? 0;
    d.recordsOut += delta.recordsOut ?? 0;
    d.bytesOut += delta.bytesOut ?? 0;
    d.recordsDlq += delta.recordsDlq ?? 0;
    if (delta.lastRecordAt != null) d.lastRecordAt = Math.max(d.lastRecordAt ?? 0, delta.lastRecordAt);
    if (delta.maxDelayMs != null) d.maxDelayMs = Math.max(d.maxDelayMs ?? 0, delta.maxDelayMs);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Writes and clears what is pending; on failure the deltas are kept for the next flush. */
  async flush(db: Db, instance: string): Promise<number> {
    if (this.pending.size === 0) return 0;
    const entries = [...this.pending.values()];
    this.pending = new Map();
    try {
      await db
        .insert(productThroughput)
        .values(
          entries.map(({ productId, minute, d }) => ({
            productId,
            minute: new Date(minute),
            instance,
            recordsIn: d.recordsIn,
            bytesIn: d.bytesIn,
            recordsOut: d.recordsOut,
            bytesOut: d.bytesOut,
            recordsDlq: d.recordsDlq,
            lastRecordAt: d.lastRecordAt == null ? null : new Date(d.lastRecordAt),
            maxDelayMs: d.maxDelayMs == null ? null : Math.min(2_147_483_647, Math.round(d.maxDelayMs)),
          })),
        )
        .onConflictDoUpdate({
          target: [productThroughput.productId, productThroughput.minute, productThroughput.instance],
          set: {
            recordsIn: sql`${productThroughput.recordsIn} + excluded.records_in`,
            bytesIn: sql`${productThroughput.bytesIn} + excluded.bytes_in`,
            recordsOut: sql`${productThroughput.recordsOut} + excluded.records_out`,
            bytesOut: sql`${productThroughput.bytesOut} + excluded.bytes_out`,
            recordsDlq: sql`${productThroughput.recordsDlq} + excluded.records_dlq`,
            lastRecordAt: sql`greatest(${productThroughput.lastRecordAt}, excluded.last_record_at)`,
            maxDelayMs: sql`greatest(${productThroughput.maxDelayMs}, excluded.max_delay_ms)`,
          },
        });
    } catch (err) {
      for (const e of entries) this.add(e.productId, e.minute, e.d);
      throw err;
    }
    return entries.length;
  }
}

export type IncidentDelta = { productId: string; contractVersion: string | null; reason: string; hour: number; count: number; sample: string };

/** Reasons are grouping keys: cap them so a pathological message cannot bloat the table. */
export function incidentReason(reason: string): string {
  return reason.length > 300 ? `${reason.slice(0, 300)}...` : reason;
}

export function hourOf(ms: number): number {
  return Math.floor(ms / 3_600_000) * 3_600_000;
}

/**
 * Adds counts to quality_incidents (one row per product, hour and reason). The sample is a
 * locator of the first record seen (source topic, partition, offset, all reasons), never the
 * record's content: the DLQ topic keeps the bytes for the owner, and this table is read more
 * widely.
 */
export async function upsertIncidents(db: Db, deltas: readonly IncidentDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const merged = new Map<string, IncidentDelta>();
  for (const d of deltas) {
    const key = `${d.productId}|${d.hour}|${d.reason}`;
    const cur = merged.get(key);
    if (cur) cur.count += d.count;
    else merged.set(key, { ...d });
  }
  await db
    .insert(qualityIncidents)
    .values([...merged.values()].map((d) => ({ productId: d.productId, contractVersion: d.contractVersion, reason: d.reason, hour: new Date(d.hour), count: d.count, sample: d.sample })))
    .onConflictDoUpdate({
      target: [qualityIncidents.productId, qualityIncidents.hour, qualityIncidents.reason],
      set: { count: sql`${qualityIncidents.count} + excluded.count`, contractVersion: sql`coalesce(excluded.contract_version, ${qualityIncidents.contractVersion})` },
    });
}
