import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { billingPeriods, charges, plans, subscriptions } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { seedDemoWorld } from "./demo";
import { seedDemoUsage } from "./usage";

const t = await createTestDatabase();
const NOW = new Date("2026-11-22T07:30:00Z");

describe("seedDemoUsage", () => {
  it("gives the demo world subscriptions, hourly usage, charges and a closed month, once", async () => {
    await seedDemoWorld(t.db);
    const res = await seedDemoUsage(t.db, { months: 3, now: NOW });
    expect(res).toMatchObject({ seeded: true, subscriptions: 15, closed: ["2026-09"] });
    expect(res.ledgerRows).toBeGreaterThan(15 * 24 * 30);

    const [{ n, last }] = await t.db.execute<{ n: number; last: Date }>(sql`select count(*)::int as n, max(hour) as last from usage_ledger`);
    expect(n).toBe(res.ledgerRows);
    expect(new Date(last).toISOString()).toBe("2026-11-22T06:00:00.000Z");

    const periods = await t.db.select().from(billingPeriods).orderBy(billingPeriods.month);
    expect(periods.map((p) => [p.month, p.status])).toEqual([
      ["2026-09-01", "closed"],
      ["2026-10-01", "open"],
      ["2026-11-01", "open"],
    ]);

    // The partner's per-GB plan (cap 5,000.00 EUR) hits its cap in a full month.
    const capped = await t.db
      .select({ amount: charges.amountMinor, cap: plans.monthlyCapMinor, description: charges.description })
      .from(charges)
      .innerJoin(plans, eq(plans.id, charges.planId))
      .innerJoin(billingPeriods, eq(billingPeriods.id, charges.periodId))
      .where(sql`${plans.monthlyCapMinor} is not null and ${billingPeriods.month} = '2026-10-01'`);
    expect(capped).toHaveLength(1);
    expect(capped[0]!.amount).toBe(capped[0]!.cap);
    expect(capped[0]!.description).toContain("capped");

    // Currencies stay apart: the USD partner plan gives USD lines.
    const currencies = await t.db.selectDistinct({ c: charges.currency }).from(charges);
    expect(currencies.map((c) => c.c).sort()).toEqual(["EUR", "USD"]);

    // The ended subscription has no usage after its end.
    const [ended] = await t.db.select().from(subscriptions).where(eq(subscriptions.state, "revoked"));
    const [{ after }] = await t.db.execute<{ after: number }>(
      sql`select count(*)::int as after from usage_ledger where subscription_id = ${ended!.id} and hour > ${ended!.endedAt!.toISOString()}::timestamptz`,
    );
    expect(after).toBe(0);

    expect(await seedDemoUsage(t.db, { months: 3, now: NOW })).toMatchObject({ seeded: false });
    const [{ again }] = await t.db.execute<{ again: number }>(sql`select count(*)::int as again from usage_ledger`);
    expect(again).toBe(n);
  });
});
