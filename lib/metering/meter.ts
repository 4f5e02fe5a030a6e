import { and, eq, gte, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { meterBaselines, meterCheckpoints, subscriptions, usageLedger } from "@/db/schema";
import { bytesBefore, readIndexTail } from "@/lib/router/byte-index";
import type { OffsetSource } from "./offsets";

/**
 * The meter: committed offsets of each subscription's consumer groups on its delivery topic ->
 * usage_ledger (messages and bytes per subscription per hour, plus lag). See README.md.
 *
 * Invariants:
 * - For one subscription, the checkpoints and the ledger row change in ONE transaction, so a
 *   crash or a re-run never counts an offset range twice nor drops one: the checkpoint is the
 *   exact boundary of what the ledger already holds.
 * - That transaction first takes an advisory lock on the subscription and only then reads the
 *   committed offsets from Kafka, so two meters running at once serialise per subscription and
 *   the second one reads offsets at least as new as the checkpoints the first one wrote.
 * - Usage is never negative: a committed offset below its checkpoint (a reset, a deleted and
 *   recreated group) counts nothing and moves the checkpoint down; what the group then reads
 *   again is counted again, because it was delivered again.
 */

export type MeterLogger = { info(msg: string, data?: Record<string, unknown>): void; warn(msg: string, data?: Record<string, unknown>): void };

export type MeterDeps = {
  source: OffsetSource;
  now?: () => Date;
  /** Subscriptions that ended less than this long ago are still metered, to catch their final commits. */
  endedGraceMs?: number;
  /**
   * How long the meter waits for the router's byte index to cover a committed offset. Until then
   * it counts up to the end of the index and keeps the rest for a later run; after that it counts
   * the offsets with the bytes the index has (records the router never indexed count 0 bytes).
   */
  indexGraceMs?: number;
  log?: MeterLogger;
  /**
   * Subscriptions metered at once, each in its own transaction (default 4). The per-subscription
   * advisory lock keeps this safe; it only overlaps the round trips, so 10,000 subscriptions fit
   * in the 15-second interval (bench:chargeback measures the rate).
   */
  concurrency?: number;
};

export type MeterReport = {
  subscriptions: number;
  groups: number;
  messages: number;
  bytes: number;
  /** Group partitions whose committed offset went below the checkpoint. */
  resets: number;
  /** Group partitions counted only partly because the byte index is behind. */
  deferred: number;
  errors: { subscriptionId: string; error: string }[];
};

export const DEFAULT_ENDED_GRACE_MS = 6 * 3600_000;
export const DEFAULT_INDEX_GRACE_MS = 10 * 60_000;
export const DEFAULT_METER_INTERVAL_MS = 15_000;
export const DEFAULT_METER_CONCURRENCY = 4;

export function hourOf(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 3600_000) * 3600_000);
}

type MeteredSubscription = { id: string; deliveryTopic: string; groupPrefix: string };

/**
 * Active and suspended subscriptions, those ended within the grace period, and those being
 * provisioned: the meter records where their billing starts (meter_baselines) before their
 * credential exists, so before any consumer of theirs can read.
 */
export async function listMeteredSubscriptions(db: Db, now: Date, endedGraceMs = DEFAULT_ENDED_GRACE_MS): Promise<MeteredSubscription[]> {
  const rows = await db
    .select({ id: subscriptions.id, deliveryTopic: subscriptions.deliveryTopic, groupPrefix: subscriptions.groupPrefix })
    .from(subscriptions)
    .where(
      and(
        isNotNull(subscriptions.deliveryTopic),
        isNotNull(subscriptions.groupPrefix),
        or(
          inArray(subscriptions.state, ["provisioning", "active", "suspended"]),
          gte(subscriptions.endedAt, new Date(now.getTime() - endedGraceMs)),
          // Ended without an end time recorded: judge by the last update.
          and(inArray(subscriptions.state, ["revoked", "expired"]), gte(subscriptions.updatedAt, new Date(now.getTime() - endedGraceMs))),
        ),
      ),
    )
    .orderBy(subscriptions.id);
  return rows.map((r) => ({ id: r.id, deliveryTopic: r.deliveryTopic!, groupPrefix: r.groupPrefix! }));
}

/**
 * One pass over every metered subscription. Each subscription is its own transaction; one that
 * fails (Kafka unreachable, a lock timeout) is reported and retried by the next run, with no
 * effect on the others.
 */
export async function runMeterOnce(db: Db, deps: MeterDeps): Promise<MeterReport> {
  const now = deps.now?.() ?? new Date();
  const report: MeterReport = { subscriptions: 0, groups: 0, messages: 0, bytes: 0, resets: 0, deferred: 0, errors: [] };
  const subs = await listMeteredSubscriptions(db, now, deps.endedGraceMs);
  if (subs.length === 0) return report;
  const allGroups = await deps.source.listGroupIds();
  const watermarks = new Map<string, Promise<Map<number, { low: number; high: number }>>>();
  const one = async (sub: MeteredSubscription) => {
    const groups = allGroups.filter((g) => g.startsWith(sub.groupPrefix)).sort();
    try {
      if (!watermarks.has(sub.deliveryTopic)) watermarks.set(sub.deliveryTopic, deps.source.topicOffsets(sub.deliveryTopic));
      const marks = await watermarks.get(sub.deliveryTopic)!;
      const r = await meterSubscription(db, deps, sub, groups, marks, now);
      if (r === null) return;
      report.subscriptions++;
      report.groups += groups.length;
      report.messages += r.messages;
      report.bytes += r.bytes;
      report.resets += r.resets;
      report.deferred += r.deferred;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      report.errors.push({ subscriptionId: sub.id, error });
      deps.log?.warn("meter: subscription failed", { subscriptionId: sub.id, error });
    }
  };
  let next = 0;
  const lanes = Math.max(1, Math.min(deps.concurrency ?? DEFAULT_METER_CONCURRENCY, subs.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < subs.length) await one(subs[next++]!);
    }),
  );
  return report;
}

async function meterSubscription(
  db: Db,
  deps: MeterDeps,
  sub: MeteredSubscription,
  groups: string[],
  marks: Map<number, { low: number; high: number }>,
  now: Date,
): Promise<{ messages: number; bytes: number; resets: number; deferred: number } | null> {
  const indexGraceMs = deps.indexGraceMs ?? DEFAULT_INDEX_GRACE_MS;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`meter:${sub.id}`}, 0))`);
    const existing = await tx.select().from(meterCheckpoints).where(eq(meterCheckpoints.subscriptionId, sub.id));
    const baseline = await readOrRecordBaseline(tx, sub, marks, existing.some((c) => c.topic === sub.deliveryTopic), now);
    if (groups.length === 0 && existing.length === 0) return null;
    const checkpoint = new Map(existing.filter((c) => c.topic === sub.deliveryTopic).map((c) => [`${c.groupId}\u0000${c.partition}`, c]));

    let messages = 0;
    let bytes = 0;
    let resets = 0;
    let deferred = 0;
    let lag: number | null = null;
    const writes: { groupId: string; partition: number; committedOffset: number }[] = [];
    const ends = new Map<number, number>();

    for (const groupId of groups) {
      // Read after taking the lock: see the invariants at the top of the file.
      const committed = await deps.source.committedOffsets(groupId, sub.deliveryTopic);
      let groupLag = 0;
      for (const [partition, offset] of [...committed].sort((a, b) => a[0] - b[0])) {
        const high = marks.get(partition)?.high;
        if (high !== undefined) groupLag += Math.max(0, high - offset);
        const cp = checkpoint.get(`${groupId}\u0000${partition}`);
        // A group's first commit is counted from the start of the retained log, clamped to the
        // baseline below: Kafka keeps no record of where a group started reading (README:
        // "Where billing starts").
        const from = cp ? cp.committedOffset : Math.min(marks.get(partition)?.low ?? 0, offset);
        if (offset === from) {
          if (!cp) writes.push({ groupId, partition, committedOffset: offset });
          continue;
        }
        if (offset < from) {
          resets++;
          writes.push({ groupId, partition, committedOffset: offset });
          deps.log?.info("meter: committed offset went back; nothing counted, checkpoint moved", { subscriptionId: sub.id, groupId, partition, from, to: offset });
          continue;
        }
        let to = offset;
        if (!ends.has(partition)) ends.set(partition, (await readIndexTail(tx, sub.deliveryTopic, partition)).offset);
        const end = ends.get(partition)!;
        if (end < offset) {
          const waitedMs = cp ? now.getTime() - cp.updatedAt.getTime() : 0;
          if (waitedMs < indexGraceMs) {
            to = Math.max(from, end);
            deferred++;
          }
        }
        // Offsets below the subscription's baseline are never billed (README: "Where billing starts").
        const billedFrom = Math.max(from, baseline.get(partition) ?? 0);
        if (to > billedFrom) {
          messages += to - billedFrom;
          bytes += (await bytesBefore(tx, sub.deliveryTopic, partition, to)) - (await bytesBefore(tx, sub.deliveryTopic, partition, billedFrom));
        }
        if (to !== from || !cp) writes.push({ groupId, partition, committedOffset: to });
      }
      if (committed.size > 0) lag = Math.max(lag ?? 0, groupLag);
    }

    if (messages === 0 && lag === null && writes.length === 0) return { messages, bytes, resets, deferred };
    await tx
      .insert(usageLedger)
      .values({ subscriptionId: sub.id, hour: hourOf(now), messages, bytes, lag, updatedAt: now })
      .onConflictDoUpdate({
        target: [usageLedger.subscriptionId, usageLedger.hour],
        set: {
          messages: sql`${usageLedger.messages} + excluded.messages`,
          bytes: sql`${usageLedger.bytes} + excluded.bytes`,
          lag: sql`coalesce(excluded.lag, ${usageLedger.lag})`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
    if (writes.length > 0) {
      await tx
        .insert(meterCheckpoints)
        .values(writes.map((w) => ({ subscriptionId: sub.id, topic: sub.deliveryTopic, ...w, updatedAt: now })))
        .onConflictDoUpdate({
          target: [meterCheckpoints.subscriptionId, meterCheckpoints.groupId, meterCheckpoints.topic, meterCheckpoints.partition],
          set: { committedOffset: sql`excluded.committed_offset`, updatedAt: sql`excluded.updated_at` },
        });
    }
    return { messages, bytes, resets, deferred };
  });
}

/**
 * The subscription's baseline on its delivery topic, recorded the first time the meter sees it:
 * each partition's high watermark now (`marks`, read this run). A subscription that already has
 * checkpoints on the topic from before baselines existed keeps counting from the log start (an
 * empty baseline), so its past and future usage stay on one rule. Partitions missing from the
 * baseline (added to the topic later) start at 0.
 */
async function readOrRecordBaseline(
  tx: Db,
  sub: MeteredSubscription,
  marks: Map<number, { low: number; high: number }>,
  hasCheckpoints: boolean,
  now: Date,
): Promise<Map<number, number>> {
  const [row] = await tx
    .select({ offsets: meterBaselines.offsets })
    .from(meterBaselines)
    .where(and(eq(meterBaselines.subscriptionId, sub.id), eq(meterBaselines.topic, sub.deliveryTopic)));
  let offsets = row?.offsets;
  if (!offsets) {
    offsets = hasCheckpoints ? {} : Object.fromEntries([...marks].map(([p, m]) => [String(p), m.high]));
    await tx.insert(meterBaselines).values({ subscriptionId: sub.id, topic: sub.deliveryTopic, offsets, recordedAt: now }).onConflictDoNothing();
  }
  return new Map(Object.entries(offsets).map(([p, o]) => [Number(p), o]));
}

/**
 * Runs the meter every `everyMs` until `signal` aborts; a run never overlaps the previous one.
 * Resolves when stopped. Each run's report goes to `onRun` (the worker's heartbeat and logs).
 */
export async function startMeter(
  db: Db,
  deps: MeterDeps & { signal: AbortSignal; everyMs?: number; onRun?: (report: MeterReport) => void; onError?: (err: unknown) => void },
): Promise<void> {
  const everyMs = deps.everyMs ?? DEFAULT_METER_INTERVAL_MS;
  while (!deps.signal.aborted) {
    const started = Date.now();
    try {
      deps.onRun?.(await runMeterOnce(db, deps));
    } catch (err) {
      deps.onError?.(err);
    }
    const wait = Math.max(0, everyMs - (Date.now() - started));
    if (deps.signal.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        deps.signal.removeEventListener("abort", done);
        resolve();
      }
      deps.signal.addEventListener("abort", done);
    });
  }
}
