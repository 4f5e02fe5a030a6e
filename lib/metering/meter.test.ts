import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { meterBaselines, meterCheckpoints, subscriptions, usageLedger } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { bytesBefore } from "@/lib/router/byte-index";
import { hourOf, runMeterOnce } from "./meter";
import { activeSubscription, FakeOffsetSource, indexBatch } from "./test-fixtures";

/**
 * The meter's rules against a fake cluster view (the Kafka path is exactness.test.ts): exact
 * messages and bytes from offset deltas and the byte index, idempotent re-runs, resets, an index
 * that lags, lag, ended subscriptions, concurrent meters and a failure inside a subscription.
 */

const t = await createTestDatabase();
const db = t.db;

async function ledger(subscriptionId: string) {
  const rows = await db.select().from(usageLedger).where(eq(usageLedger.subscriptionId, subscriptionId));
  return {
    messages: rows.reduce((a, r) => a + r.messages, 0),
    bytes: rows.reduce((a, r) => a + r.bytes, 0),
    rows,
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * A meter run before any topic or commit exists, as in production, where the meter sees a
 * subscription while it is provisioned: it records the baseline (all partitions from 0).
 */
async function seenByMeter() {
  expect((await runMeterOnce(db, { source: new FakeOffsetSource() })).errors).toEqual([]);
}

describe("byte index lookup", () => {
  it("is exact at, inside and between batches, and a lower bound past the index", async () => {
    const topic = "bytes.lookup";
    await indexBatch(db, topic, 0, [10, 20, 30]);
    await indexBatch(db, topic, 0, [1, 2]);
    expect(await bytesBefore(db, topic, 0, 0)).toBe(0);
    expect(await bytesBefore(db, topic, 0, 1)).toBe(10);
    expect(await bytesBefore(db, topic, 0, 3)).toBe(60);
    expect(await bytesBefore(db, topic, 0, 4)).toBe(61);
    expect(await bytesBefore(db, topic, 0, 5)).toBe(63);
    expect(await bytesBefore(db, topic, 0, 9)).toBe(63);
    expect(await bytesBefore(db, topic, 1, 2)).toBe(0);
  });
});

describe("runMeterOnce", () => {
  it("turns offset deltas of every group with the prefix into exact messages and bytes, once", async () => {
    const { sub } = await activeSubscription(db);
    await seenByMeter();
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    const sizes0 = [100, 200, 300, 400, 500];
    const sizes1 = [7, 8, 9];
    await indexBatch(db, topic, 0, sizes0.slice(0, 2));
    await indexBatch(db, topic, 0, sizes0.slice(2));
    await indexBatch(db, topic, 1, sizes1);
    src.setHigh(topic, 0, 5);
    src.setHigh(topic, 1, 3);
    src.commit(`${sub.groupPrefix}app`, topic, 0, 3);
    src.commit(`${sub.groupPrefix}app`, topic, 1, 3);
    src.commit(`${sub.groupPrefix}audit`, topic, 0, 5);
    // Not this subscription's: another prefix, and this prefix on another topic.
    src.commit("someone-else", topic, 0, 5);
    src.commit(`${sub.groupPrefix}app`, "other.topic", 0, 50);

    const now = new Date("2026-11-22T10:20:00Z");
    const report = await runMeterOnce(db, { source: src, now: () => now });
    expect(report.errors).toEqual([]);
    const expected = { messages: 3 + 3 + 5, bytes: sum(sizes0.slice(0, 3)) + sum(sizes1) + sum(sizes0) };
    const l = await ledger(sub.id);
    expect({ messages: l.messages, bytes: l.bytes }).toEqual(expected);
    expect(l.rows).toHaveLength(1);
    expect(l.rows[0]!.hour.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    // Lag: the most lagging group, summed over its partitions (app: 5-3 + 3-3).
    expect(l.rows[0]!.lag).toBe(2);

    // Re-runs add nothing.
    await runMeterOnce(db, { source: src, now: () => now });
    await runMeterOnce(db, { source: src, now: () => new Date("2026-11-22T11:01:00Z") });
    const again = await ledger(sub.id);
    expect({ messages: again.messages, bytes: again.bytes }).toEqual(expected);

    // Progress later lands in the later hour.
    await indexBatch(db, topic, 1, [50, 60]);
    src.setHigh(topic, 1, 5);
    src.commit(`${sub.groupPrefix}app`, topic, 1, 5);
    await runMeterOnce(db, { source: src, now: () => new Date("2026-11-22T11:30:00Z") });
    const later = await ledger(sub.id);
    expect({ messages: later.messages, bytes: later.bytes }).toEqual({ messages: expected.messages + 2, bytes: expected.bytes + 110 });
    const h11 = later.rows.find((r) => r.hour.toISOString() === "2026-11-22T11:00:00.000Z")!;
    expect({ messages: h11.messages, bytes: h11.bytes, lag: h11.lag }).toEqual({ messages: 2, bytes: 110, lag: 2 });
  });

  it("a group that moves back counts nothing, moves its checkpoint, and what it reads again counts again", async () => {
    const { sub } = await activeSubscription(db);
    await seenByMeter();
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    await indexBatch(db, topic, 0, [10, 10, 10, 10]);
    src.setHigh(topic, 0, 4);
    const g = `${sub.groupPrefix}g`;
    src.commit(g, topic, 0, 4);
    await runMeterOnce(db, { source: src });
    src.commit(g, topic, 0, 1);
    const report = await runMeterOnce(db, { source: src });
    expect(report.resets).toBe(1);
    expect(await ledger(sub.id)).toMatchObject({ messages: 4, bytes: 40 });
    const [cp] = await db.select().from(meterCheckpoints).where(and(eq(meterCheckpoints.subscriptionId, sub.id), eq(meterCheckpoints.groupId, g)));
    expect(cp!.committedOffset).toBe(1);
    src.commit(g, topic, 0, 4);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 7, bytes: 70 });
  });

  it("waits for the byte index to cover a commit, then counts the rest; after the grace period counts offsets with the bytes it has", async () => {
    const { sub } = await activeSubscription(db);
    await seenByMeter();
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    const g = `${sub.groupPrefix}g`;
    await indexBatch(db, topic, 0, [5, 5]);
    src.setHigh(topic, 0, 4);
    src.commit(g, topic, 0, 4);
    const t0 = new Date("2026-11-22T12:00:00Z");
    const r1 = await runMeterOnce(db, { source: src, now: () => t0, indexGraceMs: 60_000 });
    expect(r1.deferred).toBe(1);
    expect(await ledger(sub.id)).toMatchObject({ messages: 2, bytes: 10 });
    await indexBatch(db, topic, 0, [7, 9]);
    await runMeterOnce(db, { source: src, now: () => new Date(t0.getTime() + 1000), indexGraceMs: 60_000 });
    expect(await ledger(sub.id)).toMatchObject({ messages: 4, bytes: 26 });

    // Records the router never indexes: counted once the grace period is over, with 0 bytes.
    src.setHigh(topic, 0, 6);
    src.commit(g, topic, 0, 6);
    await runMeterOnce(db, { source: src, now: () => new Date(t0.getTime() + 2000), indexGraceMs: 60_000 });
    expect(await ledger(sub.id)).toMatchObject({ messages: 4, bytes: 26 });
    await runMeterOnce(db, { source: src, now: () => new Date(t0.getTime() + 120_000), indexGraceMs: 60_000 });
    expect(await ledger(sub.id)).toMatchObject({ messages: 6, bytes: 26 });
  });

  it("meters subscriptions that ended recently (their last commits), not older ones", async () => {
    const recent = await activeSubscription(db);
    const old = await activeSubscription(db);
    await seenByMeter();
    const now = new Date();
    await db.update(subscriptions).set({ state: "revoked", endedAt: new Date(now.getTime() - 3600_000) }).where(eq(subscriptions.id, recent.sub.id));
    await db.update(subscriptions).set({ state: "expired", endedAt: new Date(now.getTime() - 48 * 3600_000), updatedAt: new Date(now.getTime() - 48 * 3600_000) }).where(eq(subscriptions.id, old.sub.id));
    const src = new FakeOffsetSource();
    for (const s of [recent.sub, old.sub]) {
      await indexBatch(db, s.deliveryTopic!, 0, [1, 2, 3]);
      src.setHigh(s.deliveryTopic!, 0, 3);
      src.commit(`${s.groupPrefix}g`, s.deliveryTopic!, 0, 3);
    }
    await runMeterOnce(db, { source: src, now: () => now });
    expect(await ledger(recent.sub.id)).toMatchObject({ messages: 3, bytes: 6 });
    expect(await ledger(old.sub.id)).toMatchObject({ messages: 0, bytes: 0 });
  });

  it("two meters at once count everything exactly once", async () => {
    const subs = await Promise.all([activeSubscription(db), activeSubscription(db), activeSubscription(db)]);
    await seenByMeter();
    const src = new FakeOffsetSource();
    for (const { sub } of subs) {
      await indexBatch(db, sub.deliveryTopic!, 0, [11, 22, 33, 44]);
      src.setHigh(sub.deliveryTopic!, 0, 4);
      src.commit(`${sub.groupPrefix}a`, sub.deliveryTopic!, 0, 4);
      src.commit(`${sub.groupPrefix}b`, sub.deliveryTopic!, 0, 2);
    }
    await Promise.all([runMeterOnce(db, { source: src }), runMeterOnce(db, { source: src }), runMeterOnce(db, { source: src })]);
    for (const { sub } of subs) expect(await ledger(sub.id)).toMatchObject({ messages: 6, bytes: 110 + 33 });
  });

  it("a failure inside one subscription rolls back all of it, leaves the others counted, and the next run is exact", async () => {
    const a = await activeSubscription(db);
    const b = await activeSubscription(db);
    await seenByMeter();
    const src = new FakeOffsetSource();
    for (const { sub } of [a, b]) {
      await indexBatch(db, sub.deliveryTopic!, 0, [3, 3, 3]);
      src.setHigh(sub.deliveryTopic!, 0, 3);
      src.commit(`${sub.groupPrefix}first`, sub.deliveryTopic!, 0, 3);
      src.commit(`${sub.groupPrefix}second`, sub.deliveryTopic!, 0, 3);
    }
    src.beforeCommitted = (g) => {
      if (g === `${a.sub.groupPrefix}second`) throw new Error("broker went away");
    };
    const r = await runMeterOnce(db, { source: src });
    expect(r.errors).toEqual([{ subscriptionId: a.sub.id, error: "broker went away" }]);
    expect(await ledger(a.sub.id)).toMatchObject({ messages: 0, bytes: 0 });
    expect(await db.select().from(meterCheckpoints).where(eq(meterCheckpoints.subscriptionId, a.sub.id))).toEqual([]);
    expect(await ledger(b.sub.id)).toMatchObject({ messages: 6, bytes: 18 });
    src.beforeCommitted = () => {};
    await runMeterOnce(db, { source: src });
    expect(await ledger(a.sub.id)).toMatchObject({ messages: 6, bytes: 18 });
    expect(await ledger(b.sub.id)).toMatchObject({ messages: 6, bytes: 18 });
  });

  it("a group starting at latest on a topic with history is billed only for what it read after it started", async () => {
    const { sub } = await activeSubscription(db);
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    // Ten records were on the (shared) delivery topic before the subscription existed.
    await indexBatch(db, topic, 0, Array(10).fill(100));
    src.setHigh(topic, 0, 10);
    // The meter sees the subscription (it is being provisioned): baseline 10.
    await db.update(subscriptions).set({ state: "provisioning" }).where(eq(subscriptions.id, sub.id));
    await runMeterOnce(db, { source: src });
    const [base] = await db.select().from(meterBaselines).where(eq(meterBaselines.subscriptionId, sub.id));
    expect(base!.offsets).toEqual({ "0": 10 });
    await db.update(subscriptions).set({ state: "active" }).where(eq(subscriptions.id, sub.id));
    // The consumer starts at "latest" (10); three records of 7 bytes arrive and it commits them.
    await indexBatch(db, topic, 0, [7, 7, 7]);
    src.setHigh(topic, 0, 13);
    src.commit(`${sub.groupPrefix}live`, topic, 0, 13);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 3, bytes: 21 });
    // A second group reading from the beginning reads the backlog too, which is not billable
    // (it was there before the subscription); what came after is, again, because it was delivered again.
    src.commit(`${sub.groupPrefix}replay`, topic, 0, 13);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 6, bytes: 42 });
    // A reset below the baseline and a re-read: only the part past the baseline counts.
    src.commit(`${sub.groupPrefix}replay`, topic, 0, 2);
    await runMeterOnce(db, { source: src });
    src.commit(`${sub.groupPrefix}replay`, topic, 0, 11);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 7, bytes: 49 });
  });

  it("a group reading from the beginning that commits between two meter runs is billed for everything since the baseline", async () => {
    const { sub } = await activeSubscription(db);
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    src.setHigh(topic, 0, 0);
    await runMeterOnce(db, { source: src }); // first sight: empty topic, baseline 0
    // Between two runs: five records arrive, the group reads all of them and commits.
    await indexBatch(db, topic, 0, [1, 2, 3, 4, 5]);
    src.setHigh(topic, 0, 5);
    src.commit(`${sub.groupPrefix}app`, topic, 0, 5);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 5, bytes: 15 });
    // A partition added to the topic later starts at 0 (it had no records at the baseline).
    await indexBatch(db, topic, 1, [10, 10]);
    src.setHigh(topic, 1, 2);
    src.commit(`${sub.groupPrefix}app`, topic, 1, 2);
    await runMeterOnce(db, { source: src });
    expect(await ledger(sub.id)).toMatchObject({ messages: 7, bytes: 35 });
  });

  it("a subscription metered before baselines existed keeps counting from the log start", async () => {
    const { sub } = await activeSubscription(db);
    const topic = sub.deliveryTopic!;
    const src = new FakeOffsetSource();
    await indexBatch(db, topic, 0, [5, 5, 5, 5]);
    src.setHigh(topic, 0, 4);
    const g = `${sub.groupPrefix}old`;
    src.commit(g, topic, 0, 2);
    await runMeterOnce(db, { source: src });
    // Simulate the state an older meter left: checkpoints and ledger, no baseline.
    await db.delete(meterBaselines).where(eq(meterBaselines.subscriptionId, sub.id));
    await db.update(meterCheckpoints).set({ committedOffset: 2 }).where(eq(meterCheckpoints.subscriptionId, sub.id));
    await db.delete(usageLedger).where(eq(usageLedger.subscriptionId, sub.id));
    src.commit(`${sub.groupPrefix}new`, topic, 0, 4);
    src.commit(g, topic, 0, 4);
    await runMeterOnce(db, { source: src });
    // "old" 2 -> 4, and "new" from the log start: 4.
    expect(await ledger(sub.id)).toMatchObject({ messages: 6, bytes: 30 });
    const [base] = await db.select().from(meterBaselines).where(eq(meterBaselines.subscriptionId, sub.id));
    expect(base!.offsets).toEqual({});
  });

  it("hourOf truncates to the UTC hour", () => {
    expect(hourOf(new Date("2026-11-22T23:59:59.999Z")).toISOString()).toBe("2026-11-22T23:00:00.000Z");
  });
});
