import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { usageLedger, usageMonthly } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { activeSubscription } from "./test-fixtures";

/**
 * usage_monthly, the per-subscription monthly rollup that charges are computed from, is kept by
 * triggers on usage_ledger (migration 0010): whatever writes the ledger, in whatever statement
 * shape, the rollup equals the ledger's sums per UTC month, in the same transaction.
 */
const t = await createTestDatabase();
const db = t.db;

async function rollup(subscriptionId: string) {
  const rows = await db.select().from(usageMonthly).where(eq(usageMonthly.subscriptionId, subscriptionId)).orderBy(usageMonthly.month);
  return rows.map((r) => ({ month: r.month, messages: r.messages, bytes: r.bytes }));
}

/** The ledger summed per UTC month, computed the slow way. */
async function fromLedger(subscriptionId: string) {
  const rows = await db.execute<{ month: string; messages: string; bytes: string }>(sql`
    select to_char(date_trunc('month', hour at time zone 'UTC'), 'YYYY-MM-DD') as month, sum(messages)::text as messages, sum(bytes)::text as bytes
    from usage_ledger where subscription_id = ${subscriptionId} group by 1 order by 1`);
  return rows.map((r) => ({ month: r.month, messages: Number(r.messages), bytes: Number(r.bytes) }));
}

describe("usage_monthly", () => {
  it("follows inserts, adding upserts, overwrites, moves and deletes, per UTC month", async () => {
    const { sub } = await activeSubscription(db);
    const { sub: other } = await activeSubscription(db);
    // The last hour of October UTC and the first of November (a CET midnight would differ).
    await db.insert(usageLedger).values([
      { subscriptionId: sub.id, hour: new Date("2026-10-31T23:00:00Z"), messages: 10, bytes: 100 },
      { subscriptionId: sub.id, hour: new Date("2026-11-01T00:00:00Z"), messages: 1, bytes: 7 },
      { subscriptionId: other.id, hour: new Date("2026-11-01T00:00:00Z"), messages: 5, bytes: 5 },
    ]);
    expect(await rollup(sub.id)).toEqual([
      { month: "2026-10-01", messages: 10, bytes: 100 },
      { month: "2026-11-01", messages: 1, bytes: 7 },
    ]);
    // The meter's adding upsert: one statement that inserts one row and updates another.
    await db
      .insert(usageLedger)
      .values([
        { subscriptionId: sub.id, hour: new Date("2026-11-01T00:00:00Z"), messages: 4, bytes: 40 },
        { subscriptionId: sub.id, hour: new Date("2026-11-02T05:00:00Z"), messages: 3, bytes: 30 },
      ])
      .onConflictDoUpdate({
        target: [usageLedger.subscriptionId, usageLedger.hour],
        set: { messages: sql`${usageLedger.messages} + excluded.messages`, bytes: sql`${usageLedger.bytes} + excluded.bytes` },
      });
    expect(await rollup(sub.id)).toEqual([
      { month: "2026-10-01", messages: 10, bytes: 100 },
      { month: "2026-11-01", messages: 8, bytes: 77 },
    ]);
    // An overwrite, a row moved to another month, and a delete.
    await db.execute(sql`update usage_ledger set messages = 2, bytes = 2 where subscription_id = ${sub.id} and hour = '2026-11-02T05:00:00Z'`);
    await db.execute(sql`update usage_ledger set hour = '2026-12-03T00:00:00Z' where subscription_id = ${sub.id} and hour = '2026-10-31T23:00:00Z'`);
    expect(await rollup(sub.id)).toEqual([
      { month: "2026-10-01", messages: 0, bytes: 0 },
      { month: "2026-11-01", messages: 7, bytes: 49 },
      { month: "2026-12-01", messages: 10, bytes: 100 },
    ]);
    await db.execute(sql`delete from usage_ledger where subscription_id = ${sub.id} and hour = '2026-11-01T00:00:00Z'`);
    const after = (await rollup(sub.id)).filter((r) => r.messages !== 0 || r.bytes !== 0);
    expect(after).toEqual(await fromLedger(sub.id));
    expect(after).toEqual([
      { month: "2026-11-01", messages: 2, bytes: 2 },
      { month: "2026-12-01", messages: 10, bytes: 100 },
    ]);
    expect(await rollup(other.id)).toEqual([{ month: "2026-11-01", messages: 5, bytes: 5 }]);
  });

  it("rolls back with the transaction that wrote the ledger", async () => {
    const { sub } = await activeSubscription(db);
    await db
      .transaction(async (tx) => {
        await tx.insert(usageLedger).values({ subscriptionId: sub.id, hour: new Date("2026-11-05T00:00:00Z"), messages: 9, bytes: 9 });
        expect(await tx.select().from(usageMonthly).where(eq(usageMonthly.subscriptionId, sub.id))).toHaveLength(1);
        throw new Error("crash before commit");
      })
      .catch(() => {});
    expect(await rollup(sub.id)).toEqual([]);
  });

  it("keeps the latest ledger updated_at of the month (the late-usage rule reads it)", async () => {
    const { sub } = await activeSubscription(db);
    await db.insert(usageLedger).values({ subscriptionId: sub.id, hour: new Date("2026-09-10T00:00:00Z"), messages: 1, updatedAt: new Date("2026-09-10T00:10:00Z") });
    await db.insert(usageLedger).values({ subscriptionId: sub.id, hour: new Date("2026-09-11T00:00:00Z"), messages: 1, updatedAt: new Date("2026-10-02T00:00:00Z") });
    await db.insert(usageLedger).values({ subscriptionId: sub.id, hour: new Date("2026-09-12T00:00:00Z"), messages: 1, updatedAt: new Date("2026-09-12T00:10:00Z") });
    const [row] = await db.select().from(usageMonthly).where(eq(usageMonthly.subscriptionId, sub.id));
    expect(row!.updatedAt.toISOString()).toBe("2026-10-02T00:00:00.000Z");
  });
});
