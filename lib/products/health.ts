import { and, desc, gte, inArray, max, sql, sum } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, productThroughput, qualityIncidents } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { filterOpsVisibleProducts } from "./access";

/**
 * Product health from what the router reports: product_throughput (one row per product, minute
 * and router instance; summed over instances here) and quality_incidents (per product, hour and
 * reason). Only the owning team's members and admins see it (see access.ts).
 */

/** The chart covers this many complete minutes. */
export const HEALTH_WINDOW_MINUTES = 60;
/** Headline records/s are averaged over the last complete minutes (the current one is partial). */
export const RATE_WINDOW_MINUTES = 5;
/** The DLQ share that marks a product degraded is taken over this many recent minutes. */
export const DLQ_WINDOW_MINUTES = 15;
/** More than this share of incoming records in the DLQ marks the product degraded. */
export const DEGRADED_DLQ_SHARE = 0.05;
/** Without a freshness SLA in the contract, a stream silent for longer than this is stale. */
export const DEFAULT_STALE_SECONDS = 15 * 60;
/** Top DLQ reasons cover this many hours. */
export const TOP_REASONS_HOURS = 24;
export const TOP_REASONS_LIMIT = 5;

export type HealthStatus = "healthy" | "degraded" | "stale" | "no_data";

export type HealthPoint = { minute: Date; inPerSec: number; outPerSec: number; dlqPerSec: number };

export type DlqReason = { reason: string; count: number; lastSeenHour: Date; sample: string | null };

export type ProductHealth = {
  productId: string;
  status: HealthStatus;
  /** One sentence for the badge's title and screen readers. */
  statusReason: string;
  /** HEALTH_WINDOW_MINUTES complete minutes, oldest first, zero-filled where the router wrote nothing. */
  series: HealthPoint[];
  inPerSec: number;
  outPerSec: number;
  dlqPerSec: number;
  /** Over the last hour. */
  totals: { recordsIn: number; recordsOut: number; recordsDlq: number; bytesIn: number; bytesOut: number };
  /** recordsDlq / recordsIn over DLQ_WINDOW_MINUTES; null when nothing came in. */
  dlqShare: number | null;
  lastRecordAt: Date | null;
  /** now − lastRecordAt, never negative (producer clocks may run ahead). */
  lagSeconds: number | null;
  slaSeconds: number | null;
  /** Worst source-timestamp → delivered delay over the last hour. */
  maxDelayMs: number | null;
  topReasons: DlqReason[];
};

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function floorTo(t: number, unit: number): number {
  return Math.floor(t / unit) * unit;
}

/**
 * The status rule, pure so its thresholds are tested directly:
 * no_data — the router never reported the product; stale — the newest record is older than the
 * SLA (or DEFAULT_STALE_SECONDS without one); degraded — more than DEGRADED_DLQ_SHARE of recent
 * records went to the DLQ, or records arrive and none are delivered; healthy otherwise.
 */
export function classifyHealth(input: {
  hasData: boolean;
  lagSeconds: number | null;
  slaSeconds: number | null;
  dlqShare: number | null;
  recentIn: number;
  recentOut: number;
  recentDlq: number;
}): { status: HealthStatus; reason: string } {
  if (!input.hasData) return { status: "no_data", reason: "The router has not reported any records for this product yet." };
  const limit = input.slaSeconds ?? DEFAULT_STALE_SECONDS;
  if (input.lagSeconds == null) return { status: "stale", reason: "No record timestamp has been reported yet." };
  if (input.lagSeconds > limit) {
    return {
      status: "stale",
      reason: input.slaSeconds != null ? `The newest record is older than the ${formatSeconds(limit)} freshness SLA.` : `No new record for more than ${formatSeconds(limit)}.`,
    };
  }
  if (input.dlqShare != null && input.dlqShare > DEGRADED_DLQ_SHARE) {
    return { status: "degraded", reason: `${(input.dlqShare * 100).toFixed(1)}% of recent records broke the contract and went to the DLQ.` };
  }
  if (input.recentIn > input.recentDlq && input.recentOut === 0) {
    return { status: "degraded", reason: "Records arrive but none were delivered recently." };
  }
  return { status: "healthy", reason: "Fresh within the SLA and the DLQ share is low." };
}

function formatSeconds(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * Health of several products at once (the owner dashboard), without authorization: callers go
 * through getProductHealth / listProductHealth. Four queries whatever the number of products.
 */
export async function loadProductHealth(db: Db, productIds: string[], now: Date = new Date()): Promise<Map<string, ProductHealth>> {
  const out = new Map<string, ProductHealth>();
  if (productIds.length === 0) return out;
  const nowMs = now.getTime();
  const currentMinute = floorTo(nowMs, MINUTE_MS);
  const windowStart = new Date(currentMinute - HEALTH_WINDOW_MINUTES * MINUTE_MS);
  const reasonsStart = new Date(floorTo(nowMs, HOUR_MS) - (TOP_REASONS_HOURS - 1) * HOUR_MS);

  const [minuteRows, lastRows, contractRows, reasonRows] = await Promise.all([
    db
      .select({
        productId: productThroughput.productId,
        minute: productThroughput.minute,
        recordsIn: sum(productThroughput.recordsIn).mapWith(Number),
        recordsOut: sum(productThroughput.recordsOut).mapWith(Number),
        recordsDlq: sum(productThroughput.recordsDlq).mapWith(Number),
        bytesIn: sum(productThroughput.bytesIn).mapWith(Number),
        bytesOut: sum(productThroughput.bytesOut).mapWith(Number),
        maxDelayMs: max(productThroughput.maxDelayMs),
      })
      .from(productThroughput)
      .where(and(inArray(productThroughput.productId, productIds), gte(productThroughput.minute, windowStart)))
      .groupBy(productThroughput.productId, productThroughput.minute),
    // The newest minute comes from the primary key (product_id, minute, …): an index scan however
    // long the history; last_record_at is then read from the hour before it only.
    db.execute<{ product_id: string; last_minute: string | Date | null; last_record_at: string | Date | null }>(sql`
      select p.id as product_id, lm.last_minute, lr.last_record_at
      from unnest(${sql`array[${sql.join(productIds.map((id) => sql`${id}::uuid`), sql`, `)}]`}) as p(id)
      left join lateral (
        select max(minute) as last_minute from ${productThroughput} where product_id = p.id
      ) lm on true
      left join lateral (
        select max(last_record_at) as last_record_at from ${productThroughput}
        where product_id = p.id and lm.last_minute is not null and minute >= lm.last_minute - interval '1 hour'
      ) lr on true
    `),
    db
      .selectDistinctOn([contractVersions.productId], {
        productId: contractVersions.productId,
        freshnessSlaSeconds: contractVersions.freshnessSlaSeconds,
      })
      .from(contractVersions)
      .where(and(inArray(contractVersions.productId, productIds), inArray(contractVersions.status, ["published", "deprecated"])))
      .orderBy(
        contractVersions.productId,
        sql`(${contractVersions.status} = 'published') desc`,
        desc(contractVersions.major),
        desc(contractVersions.minor),
        desc(contractVersions.patch),
      ),
    db
      .select({
        productId: qualityIncidents.productId,
        reason: qualityIncidents.reason,
        count: sum(qualityIncidents.count).mapWith(Number),
        lastSeenHour: max(qualityIncidents.hour),
        sample: sql<string | null>`(array_agg(${qualityIncidents.sample} order by ${qualityIncidents.hour} desc) filter (where ${qualityIncidents.sample} is not null))[1]`,
      })
      .from(qualityIncidents)
      .where(and(inArray(qualityIncidents.productId, productIds), gte(qualityIncidents.hour, reasonsStart)))
      .groupBy(qualityIncidents.productId, qualityIncidents.reason),
  ]);

  for (const id of productIds) {
    const mine = minuteRows.filter((r) => r.productId === id);
    const byMinute = new Map(mine.map((r) => [r.minute.getTime(), r]));
    const series: HealthPoint[] = [];
    for (let m = windowStart.getTime(); m < currentMinute; m += MINUTE_MS) {
      const r = byMinute.get(m);
      series.push({ minute: new Date(m), inPerSec: (r?.recordsIn ?? 0) / 60, outPerSec: (r?.recordsOut ?? 0) / 60, dlqPerSec: (r?.recordsDlq ?? 0) / 60 });
    }
    const since = (minutes: number) => mine.filter((r) => r.minute.getTime() >= currentMinute - minutes * MINUTE_MS);
    const total = (rows: typeof mine, k: "recordsIn" | "recordsOut" | "recordsDlq" | "bytesIn" | "bytesOut") => rows.reduce((s, r) => s + (r[k] ?? 0), 0);
    const rateRows = since(RATE_WINDOW_MINUTES).filter((r) => r.minute.getTime() < currentMinute);
    const dlqRows = since(DLQ_WINDOW_MINUTES);
    const recentIn = total(dlqRows, "recordsIn");
    const recentDlq = total(dlqRows, "recordsDlq");
    const recentOut = total(dlqRows, "recordsOut");
    const delays = mine.map((r) => r.maxDelayMs).filter((d): d is number => d != null);

    const last = lastRows.find((r) => r.product_id === id);
    const lastRecordAt = last?.last_record_at ? new Date(last.last_record_at) : null;
    const lagSeconds = lastRecordAt ? Math.max(0, Math.round((nowMs - lastRecordAt.getTime()) / 1000)) : null;
    const slaSeconds = contractRows.find((c) => c.productId === id)?.freshnessSlaSeconds ?? null;
    const dlqShare = recentIn > 0 ? recentDlq / recentIn : null;
    const { status, reason } = classifyHealth({
      hasData: last?.last_minute != null,
      lagSeconds,
      slaSeconds,
      dlqShare,
      recentIn,
      recentOut,
      recentDlq,
    });
    const topReasons = reasonRows
      .filter((r) => r.productId === id)
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
      .slice(0, TOP_REASONS_LIMIT)
      .map((r) => ({ reason: r.reason, count: r.count, lastSeenHour: new Date(r.lastSeenHour!), sample: r.sample }));

    out.set(id, {
      productId: id,
      status,
      statusReason: reason,
      series,
      inPerSec: total(rateRows, "recordsIn") / (RATE_WINDOW_MINUTES * 60),
      outPerSec: total(rateRows, "recordsOut") / (RATE_WINDOW_MINUTES * 60),
      dlqPerSec: total(rateRows, "recordsDlq") / (RATE_WINDOW_MINUTES * 60),
      totals: {
        recordsIn: total(mine, "recordsIn"),
        recordsOut: total(mine, "recordsOut"),
        recordsDlq: total(mine, "recordsDlq"),
        bytesIn: total(mine, "bytesIn"),
        bytesOut: total(mine, "bytesOut"),
      },
      dlqShare,
      lastRecordAt,
      lagSeconds,
      slaSeconds,
      maxDelayMs: delays.length ? Math.max(...delays) : null,
      topReasons,
    });
  }
  return out;
}

/** One product's health, or null when `user` is neither a member of its owning team nor an admin. */
export async function getProductHealth(db: Db, user: SessionUser | null, productId: string, now?: Date): Promise<ProductHealth | null> {
  const [visible] = await filterOpsVisibleProducts(db, user, [productId]);
  if (!visible) return null;
  return (await loadProductHealth(db, [visible], now)).get(visible) ?? null;
}

/** Health of the products `user` may see among `productIds`, in the given order; others are left out. */
export async function listProductHealth(db: Db, user: SessionUser | null, productIds: string[], now?: Date): Promise<ProductHealth[]> {
  const visible = await filterOpsVisibleProducts(db, user, productIds);
  const map = await loadProductHealth(db, visible, now);
  return visible.map((id) => map.get(id)!).filter(Boolean);
}
