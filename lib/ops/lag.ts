import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { OffsetSource } from "@/lib/metering/offsets";
import { escapeLike } from "./sql-like";

/**
 * The lag figures workers put in their heartbeats (lib/ops/heartbeat.ts). Each names its unit in
 * the worker's heartbeat details.
 */

/**
 * Records the group has not consumed yet on `topics`: per partition, the high watermark minus
 * the group's committed offset (or minus the log start when it has committed nothing there).
 */
export async function consumerGroupLag(source: OffsetSource, groupId: string, topics: readonly string[]): Promise<number> {
  let lag = 0;
  for (const topic of topics) {
    const [committed, offsets] = await Promise.all([source.committedOffsets(groupId, topic), source.topicOffsets(topic)]);
    for (const [partition, { low, high }] of offsets) lag += Math.max(0, high - Math.max(low, committed.get(partition) ?? low));
  }
  return lag;
}

/**
 * Meter: seconds since the oldest active subscription that the meter has not seen yet became
 * active (it writes a baseline the first time it meters a subscription); 0 when every active
 * subscription is metered.
 */
export async function unmeteredSubscriptionAgeSeconds(db: Db): Promise<number> {
  const [row] = await db.execute<{ age: number | null }>(sql`
    select extract(epoch from now() - min(coalesce(s.activated_at, s.updated_at)))::float8 as age
    from subscriptions s
    where s.state = 'active' and not exists (select 1 from meter_baselines b where b.subscription_id = s.id)`);
  return Math.max(0, Math.round(Number(row?.age ?? 0)));
}

/** Seconds the oldest queued or running job of these kinds has waited since it was due; 0 when none. */
export async function oldestPendingJobAgeSeconds(db: Db, kindPrefix: string): Promise<number> {
  const [row] = await db.execute<{ age: number | null }>(sql`
    select extract(epoch from now() - min(run_at))::float8 as age
    from jobs where status in ('queued', 'running') and kind like ${`${escapeLike(kindPrefix)}%`} and run_at <= now()`);
  return Math.max(0, Math.round(Number(row?.age ?? 0)));
}
