import { and, gte, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { meterBaselines, meterCheckpoints, subscriptions, usageLedger } from "@/db/schema";
import { bytesBeforeMany, offsetKey, readIndexTails, tailKey } from "./byte-lookup";
import type { OffsetSource } from "./offsets";

/**
 * The meter: committed offsets of each subscription's consumer groups on its delivery topic ->
 * usage_ledger (messages and bytes per subscription per hour, plus lag). See README.md.
 *
 * Invariants:
 * - For one subscription, the checkpoints and the ledger row change in ONE transaction (a batch
 *   of subscriptions shares it), so a crash or a re-run never counts an offset range twice nor
 *   drops one: the checkpoint is the exact boundary of what the ledger already holds.
 * - That transaction first takes an advisory lock on each subscription and only then reads the
 *   checkpoints and the committed offsets from Kafka, so two meters running at once serialise
 *   per subscription and the second one reads offsets at least as new as the checkpoints the
 *   first one wrote.
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
   * Subscriptions per transaction (default 100): a batch costs about ten round trips whatever its
   * size, where one transaction per subscription cost ten each, so 10,000 subscriptions fit in
   * the 15-second interval (bench:chargeback measures the rate). The invariants hold per
   * subscription inside the batch; a failing batch is retried one subscription at a time.
   */
  batchSize?: number;
  /** Batches metered at once (default 4), each in its own transaction. */
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
export const DEFAULT_METER_BATCH = 100;

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
 * One pass over every metered subscription, in batches of `batchSize` subscriptions per
 * transaction (`concurrency` batches at once). A batch that fails (Kafka unreachable, a lock
 * timeout, a deadlock) is retried one subscription per transaction, so one bad subscription is
 * reported and retried by the next run with no effect on the others.
 */
export async function runMeterOnce(db: Db, deps: MeterDeps): Promise<MeterReport> {
  const now = deps.now?.() ?? new Date();
  const report: MeterReport = { subscriptions: 0, groups: 0, messages: 0, bytes: 0, resets: 0, deferred: 0, errors: [] };
  const subs = await listMeteredSubscriptions(db, now, deps.endedGraceMs);
  if (subs.length === 0) return report;
  const allGroups = (await deps.source.listGroupIds()).sort();
  const watermarks = new Map<string, Promise<Map<number, { low: number; high: number }>>>();
  const marksOf = (topic: string) => {
    if (!watermarks.has(topic)) watermarks.set(topic, deps.source.topicOffsets(topic));
    return watermarks.get(topic)!;
  };
  const record = (w: MeterWork, r: SubscriptionResult | null) => {
    if (r === null) return;
    report.subscriptions++;
    report.groups += w.groups.length;
    report.messages += r.messages;
    report.bytes += r.bytes;
    report.resets += r.resets;
    report.deferred += r.deferred;
  };
  const fail = (w: MeterWork, err: unknown) => {
    const error = err instanceof Error ? err.message : String(err);
    report.errors.push({ subscriptionId: w.sub.id, error });
    deps.log?.warn("meter: subscription failed", { subscriptionId: w.sub.id, error });
  };
  const runBatch = async (batch: MeterWork[]) => {
    try {
      const results = await meterBatch(db, deps, batch, now);
      batch.forEach((w, i) => record(w, results[i]!));
    } catch (err) {
      if (batch.length === 1) return fail(batch[0]!, err);
      for (const w of batch) {
        try {
          record(w, (await meterBatch(db, deps, [w], now))[0]!);
        } catch (e) {
          fail(w, e);
        }
      }
    }
  };

  const work: MeterWork[] = subs.map((sub) => ({ sub, groups: groupsWithPrefix(allGroups, sub.groupPrefix), marks: marksOf(sub.deliveryTopic) }));
  const size = Math.max(1, deps.batchSize ?? DEFAULT_METER_BATCH);
  const batches: MeterWork[][] = [];
  for (let i = 0; i < work.length; i += size) batches.push(work.slice(i, i + size));
  let next = 0;
  const lanes = Math.max(1, Math.min(deps.concurrency ?? DEFAULT_METER_CONCURRENCY, batches.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < batches.length) await runBatch(batches[next++]!);
    }),
  );
  return report;
}

/** Group ids starting with `prefix`, from the sorted list of all groups (binary search, then scan). */
export function groupsWithPrefix(sorted: readonly string[], prefix: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
  return out;
}

type MeterWork = { sub: MeteredSubscription; groups: string[]; marks: Promise<Map<number, { low: number; high: number }>> };
type SubscriptionResult = { messages: number; bytes: number; resets: number; deferred: number };
type CheckpointRow = typeof meterCheckpoints.$inferSelect;
type Write = { subscriptionId: string; groupId: string; partition: number; committedOffset: number };
/** A billed range of one group partition; its bytes come from one batched index lookup. */
type Range = { partition: number; from: number; to: number };

const lockKey = (subscriptionId: string) => `meter:${subscriptionId}`;

/**
 * One transaction for a batch of subscriptions (see the invariants at the top of the file, which
 * hold per subscription): advisory locks on all of them, taken in one statement in lock-id
 * order so two meters never deadlock; then checkpoints and baselines; then the committed offsets
 * from Kafka (after the locks); then two batched byte-index lookups; then one ledger upsert and
 * one checkpoint upsert for the whole batch. Returns one result per subscription (null: nothing
 * to meter yet).
 */
async function meterBatch(db: Db, deps: MeterDeps, batch: MeterWork[], now: Date): Promise<(SubscriptionResult | null)[]> {
  const indexGraceMs = deps.indexGraceMs ?? DEFAULT_INDEX_GRACE_MS;
  const marksList = await Promise.all(batch.map((w) => w.marks));
  const ids = batch.map((w) => w.sub.id);
  return db.transaction(async (tx) => {
    const keys = `{${ids.map((id) => `"${lockKey(id)}"`).join(",")}}`;
    await tx.execute(sql`select count(pg_advisory_xact_lock(h)) from (select distinct hashtextextended(k, 0) as h from unnest(${keys}::text[]) k order by 1) s`);
    const idList = sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
    const existing = await tx.select().from(meterCheckpoints).where(sql`${meterCheckpoints.subscriptionId} in (${idList})`);
    const bySub = new Map<string, CheckpointRow[]>();
    for (const c of existing) bySub.set(c.subscriptionId, [...(bySub.get(c.subscriptionId) ?? []), c]);
    const baselines = await readOrRecordBaselines(tx, batch, marksList, bySub, now);
    // Read after taking the locks: see the invariants at the top of the file.
    const committed = await Promise.all(batch.map((w) => Promise.all(w.groups.map((g) => deps.source.committedOffsets(g, w.sub.deliveryTopic)))));

    type Plan = { result: SubscriptionResult; lag: number | null; writes: Write[]; ranges: Range[]; skip: boolean };
    const tails = await readIndexTails(
      tx,
      batch.flatMap((w, i) => committed[i]!.flatMap((m) => [...m.keys()].map((partition) => ({ topic: w.sub.deliveryTopic, partition })))),
    );
    const plans: Plan[] = batch.map((w, i) => {
      const { sub, groups } = w;
      const marks = marksList[i]!;
      const own = bySub.get(sub.id) ?? [];
      const plan: Plan = { result: { messages: 0, bytes: 0, resets: 0, deferred: 0 }, lag: null, writes: [], ranges: [], skip: groups.length === 0 && own.length === 0 };
      if (plan.skip) return plan;
      const baseline = baselines[i]!;
      const checkpoint = new Map(own.filter((c) => c.topic === sub.deliveryTopic).map((c) => [`${c.groupId}\u0000${c.partition}`, c]));
      groups.forEach((groupId, g) => {
        const offsets = committed[i]![g]!;
        let groupLag = 0;
        for (const [partition, offset] of [...offsets].sort((a, b) => a[0] - b[0])) {
          const high = marks.get(partition)?.high;
          if (high !== undefined) groupLag += Math.max(0, high - offset);
          const cp = checkpoint.get(`${groupId}\u0000${partition}`);
          // A group's first commit is counted from the start of the retained log, clamped to the
          // baseline below: Kafka keeps no record of where a group started reading (README:
          // "Where billing starts").
          const from = cp ? cp.committedOffset : Math.min(marks.get(partition)?.low ?? 0, offset);
          if (offset === from) {
            if (!cp) plan.writes.push({ subscriptionId: sub.id, groupId, partition, committedOffset: offset });
            continue;
          }
          if (offset < from) {
            plan.result.resets++;
            plan.writes.push({ subscriptionId: sub.id, groupId, partition, committedOffset: offset });
            deps.log?.info("meter: committed offset went back; nothing counted, checkpoint moved", { subscriptionId: sub.id, groupId, partition, from, to: offset });
            continue;
          }
          let to = offset;
          const end = tails.get(tailKey(sub.deliveryTopic, partition)) ?? 0;
          if (end < offset) {
            const waitedMs = cp ? now.getTime() - cp.updatedAt.getTime() : 0;
            if (waitedMs < indexGraceMs) {
              to = Math.max(from, end);
              plan.result.deferred++;
            }
          }
          // Offsets below the subscription's baseline are never billed (README: "Where billing starts").
          const billedFrom = Math.max(from, baseline.get(partition) ?? 0);
          if (to > billedFrom) {
            plan.result.messages += to - billedFrom;
            plan.ranges.push({ partition, from: billedFrom, to });
          }
          if (to !== from || !cp) plan.writes.push({ subscriptionId: sub.id, groupId, partition, committedOffset: to });
        }
        if (offsets.size > 0) plan.lag = Math.max(plan.lag ?? 0, groupLag);
      });
      return plan;
    });

    const refs = batch.flatMap((w, i) => plans[i]!.ranges.flatMap((r) => [{ topic: w.sub.deliveryTopic, partition: r.partition, offset: r.from }, { topic: w.sub.deliveryTopic, partition: r.partition, offset: r.to }]));
    const before = await bytesBeforeMany(tx, refs);
    const at = (topic: string, partition: number, offset: number) => before.get(offsetKey(topic, partition, offset)) ?? 0;
    batch.forEach((w, i) => {
      for (const r of plans[i]!.ranges) plans[i]!.result.bytes += at(w.sub.deliveryTopic, r.partition, r.to) - at(w.sub.deliveryTopic, r.partition, r.from);
    });

    const ledgerRows = batch.flatMap((w, i) => {
      const pl = plans[i]!;
      if (pl.skip || (pl.result.messages === 0 && pl.lag === null && pl.writes.length === 0)) return [];
      return [{ subscriptionId: w.sub.id, hour: hourOf(now), messages: pl.result.messages, bytes: pl.result.bytes, lag: pl.lag, updatedAt: now }];
    });
    if (ledgerRows.length > 0) {
      await tx
        .insert(usageLedger)
        .values(ledgerRows)
        .onConflictDoUpdate({
          target: [usageLedger.subscriptionId, usageLedger.hour],
          set: {
            messages: sql`${usageLedger.messages} + excluded.messages`,
            bytes: sql`${usageLedger.bytes} + excluded.bytes`,
            lag: sql`coalesce(excluded.lag, ${usageLedger.lag})`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    }
    const writes = batch.flatMap((w, i) => plans[i]!.writes.map((x) => ({ ...x, topic: w.sub.deliveryTopic, updatedAt: now })));
    if (writes.length > 0) {
      await tx
        .insert(meterCheckpoints)
        .values(writes)
        .onConflictDoUpdate({
          target: [meterCheckpoints.subscriptionId, meterCheckpoints.groupId, meterCheckpoints.topic, meterCheckpoints.partition],
          set: { committedOffset: sql`excluded.committed_offset`, updatedAt: sql`excluded.updated_at` },
        });
    }
    return plans.map((pl) => (pl.skip ? null : pl.result));
  });
}

/**
 * Each subscription's baseline on its delivery topic, recorded the first time the meter sees it:
 * each partition's high watermark now (`marks`, read this run). A subscription that already has
 * checkpoints on the topic from before baselines existed keeps counting from the log start (an
 * empty baseline), so its past and future usage stay on one rule. Partitions missing from the
 * baseline (added to the topic later) start at 0.
 */
async function readOrRecordBaselines(
  tx: Db,
  batch: MeterWork[],
  marksList: Map<number, { low: number; high: number }>[],
  checkpoints: Map<string, CheckpointRow[]>,
  now: Date,
): Promise<Map<number, number>[]> {
  const rows = await tx
    .select()
    .from(meterBaselines)
    .where(sql`${meterBaselines.subscriptionId} in (${sql.join(batch.map((w) => sql`${w.sub.id}::uuid`), sql`, `)})`);
  const known = new Map(rows.map((r) => [`${r.subscriptionId}\u0000${r.topic}`, r.offsets]));
  const missing: (typeof meterBaselines.$inferInsert)[] = [];
  const out = batch.map((w, i) => {
    let offsets = known.get(`${w.sub.id}\u0000${w.sub.deliveryTopic}`);
    if (!offsets) {
      const legacy = (checkpoints.get(w.sub.id) ?? []).some((c) => c.topic === w.sub.deliveryTopic);
      offsets = legacy ? {} : Object.fromEntries([...marksList[i]!].map(([p, m]) => [String(p), m.high]));
      missing.push({ subscriptionId: w.sub.id, topic: w.sub.deliveryTopic, offsets, recordedAt: now });
    }
    return new Map(Object.entries(offsets).map(([p, o]) => [Number(p), o]));
  });
  if (missing.length > 0) await tx.insert(meterBaselines).values(missing).onConflictDoNothing();
  return out;
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
