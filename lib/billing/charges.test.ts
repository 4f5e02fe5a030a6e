import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, billingPeriods, charges } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { adjustmentBookingPeriod, closePeriod, createAdjustment, recomputePeriodCharges, refreshOpenPeriodCharges } from "./charges";
import { createBillingWorld } from "./test-fixtures";

// Billing periods are global (one row per month), so the arithmetic and the lifecycle each get
// their own database: closing a month in one must not order-block the other.
const arith = await createTestDatabase();
const life = await createTestDatabase();

const at = (iso: string) => new Date(iso);
const GB = 1_000_000_000;

async function linesOf(db: typeof arith.db, subscriptionIds: string[]) {
  return db
    .select()
    .from(charges)
    .where(inArray(charges.subscriptionId, subscriptionIds))
    .orderBy(charges.createdAt);
}

describe("chargeback arithmetic (one open month)", async () => {
  const w = await createBillingWorld(arith.db);
  const perGb = await w.plan({ priceModel: "per_gb", priceMinor: 1000 });
  const perMillionCapped = await w.plan({ priceModel: "per_million_messages", priceMinor: 400, currency: "USD", monthlyCapMinor: 500 });
  const flat = await w.plan({ priceModel: "flat_monthly", priceMinor: 9900 });
  const flatSmall = await w.plan({ priceModel: "flat_monthly", priceMinor: 3100 });
  const free = await w.plan({ priceModel: "free" });

  const sGb = await w.subscription({ planId: perGb.id, activatedAt: at("2029-06-01T00:00:00Z") });
  const sMsg = await w.subscription({ planId: perMillionCapped.id, teamId: w.teams.teamB.id, activatedAt: at("2029-06-01T00:00:00Z") });
  const sFlatStart = await w.subscription({ planId: flat.id, activatedAt: at("2030-01-16T00:00:00Z") });
  const sFlatEnd = await w.subscription({ planId: flatSmall.id, activatedAt: at("2029-12-01T00:00:00Z"), endedAt: at("2030-01-02T00:00:00Z") });
  const sFree = await w.subscription({ planId: free.id, teamId: w.teams.teamNone.id, activatedAt: at("2029-06-01T00:00:00Z") });
  const sLater = await w.subscription({ planId: flat.id, activatedAt: at("2030-02-03T00:00:00Z") });
  const ids = [sGb, sMsg, sFlatStart, sFlatEnd, sFree, sLater].map((s) => s.id);

  // 1.5 GB over the month, with hours on both edges; the hour before the month does not count.
  await w.usage(sGb.id, at("2029-12-31T23:00:00Z"), { bytes: 7 * GB, messages: 1 });
  await w.usage(sGb.id, at("2030-01-01T00:00:00Z"), { bytes: 0.5 * GB, messages: 10 });
  await w.usage(sGb.id, at("2030-01-15T12:00:00Z"), { bytes: 0.25 * GB, messages: 10 });
  await w.usage(sGb.id, at("2030-01-31T23:00:00Z"), { bytes: 0.75 * GB, messages: 10 });
  await w.usage(sGb.id, at("2030-02-01T00:00:00Z"), { bytes: 9 * GB, messages: 1 });
  // 2,000,000 messages at 4.00 USD per million = 8.00, capped at 5.00.
  await w.usage(sMsg.id, at("2030-01-10T00:00:00Z"), { messages: 1_200_000 });
  await w.usage(sMsg.id, at("2030-01-11T00:00:00Z"), { messages: 800_000 });
  await w.usage(sFree.id, at("2030-01-11T00:00:00Z"), { messages: 42, bytes: 5 * GB });

  it("prices each subscription once for the month, with proration, caps and its own currency", async () => {
    await recomputePeriodCharges(arith.db, "2030-01");
    const lines = await linesOf(arith.db, ids);
    const by = new Map(lines.map((l) => [l.subscriptionId, l]));
    expect(lines).toHaveLength(5);
    expect(by.get(sGb.id)).toMatchObject({ kind: "usage", quantity: "1.5", amountMinor: 1500, currency: "EUR", costCenterId: w.costCenters.ccA.id });
    expect(by.get(sMsg.id)).toMatchObject({ kind: "usage", quantity: "2", amountMinor: 500, currency: "USD", costCenterId: w.costCenters.ccB.id });
    expect(by.get(sMsg.id)!.description).toContain("capped");
    // 16 of 31 days of 99.00: 51.096774... -> 5110 (half-up once).
    expect(by.get(sFlatStart.id)).toMatchObject({ kind: "flat", amountMinor: 5110, currency: "EUR" });
    // 1 of 31 days of 31.00.
    expect(by.get(sFlatEnd.id)).toMatchObject({ kind: "flat", amountMinor: 100 });
    expect(by.get(sFree.id)).toMatchObject({ kind: "usage", amountMinor: 0, quantity: "42", costCenterId: null });
    expect(by.has(sLater.id)).toBe(false);
  });

  it("is idempotent: recomputing replaces the lines instead of adding to them", async () => {
    const first = await recomputePeriodCharges(arith.db, "2030-01");
    const second = await recomputePeriodCharges(arith.db, "2030-01");
    expect(second).toEqual(first);
    const lines = await linesOf(arith.db, ids);
    expect(lines).toHaveLength(5);
    const eur = lines.filter((l) => l.currency === "EUR").reduce((s, l) => s + l.amountMinor, 0);
    const usd = lines.filter((l) => l.currency === "USD").reduce((s, l) => s + l.amountMinor, 0);
    expect([eur, usd]).toEqual([1500 + 5110 + 100, 500]);
    expect(second!.totals.map((t) => t.currency)).toEqual(["EUR", "USD"]);
  });

  it("follows the ledger while the period is open", async () => {
    await w.usage(sGb.id, at("2030-01-20T00:00:00Z"), { bytes: 1 * GB });
    await recomputePeriodCharges(arith.db, "2030-01");
    const [line] = (await linesOf(arith.db, [sGb.id])).filter((l) => l.kind === "usage");
    expect(line).toMatchObject({ quantity: "2.5", amountMinor: 2500 });
  });

  it("sweeps open months with usage and the current month", async () => {
    const res = await refreshOpenPeriodCharges(arith.db, at("2030-02-10T00:00:00Z"));
    expect(res.map((r) => r.period)).toEqual(["2029-12", "2030-01", "2030-02"]);
    const feb = await linesOf(arith.db, [sLater.id]);
    // Activated 3 Feb, live: billed through the month's end (26 of 28 days of 99.00 = 91.93).
    expect(feb).toMatchObject([{ kind: "flat", amountMinor: 9193 }]);
  });
});

describe("period close, late usage and compensating rows", async () => {
  const w = await createBillingWorld(life.db);
  const perGb = await w.plan({ priceModel: "per_gb", priceMinor: 1000, monthlyCapMinor: 100_000 });
  const flat = await w.plan({ priceModel: "flat_monthly", priceMinor: 3100 });
  const sGb = await w.subscription({ planId: perGb.id, activatedAt: at("2031-01-01T00:00:00Z") });
  const sFlat = await w.subscription({ planId: flat.id, activatedAt: at("2031-01-01T00:00:00Z") });
  await w.usage(sGb.id, at("2031-01-05T00:00:00Z"), { bytes: 2 * GB, updatedAt: at("2031-01-05T01:00:00Z") });
  await w.usage(sGb.id, at("2031-02-05T00:00:00Z"), { bytes: 1 * GB, updatedAt: at("2031-02-05T01:00:00Z") });
  const closedAt = at("2031-02-02T09:00:00Z");

  const janLines = async () => {
    const [jan] = await life.db.select().from(billingPeriods).where(eq(billingPeriods.month, "2031-01-01"));
    return jan ? life.db.select().from(charges).where(eq(charges.periodId, jan.id)).orderBy(charges.subscriptionId) : [];
  };
  const lineIn = async (month: string, subscriptionId: string, kind: "usage" | "flat" | "adjustment" = "usage") => {
    const [p] = await life.db.select().from(billingPeriods).where(eq(billingPeriods.month, month));
    return life.db
      .select()
      .from(charges)
      .where(and(eq(charges.periodId, p!.id), eq(charges.subscriptionId, subscriptionId), eq(charges.kind, kind)));
  };

  it("refuses to close a running month, and refuses people without the finance role (audited)", async () => {
    await expect(closePeriod(life.db, w.users.finance, "2031-01", { now: at("2031-01-31T23:59:59Z") })).rejects.toMatchObject({ code: "validation" });
    await expect(closePeriod(life.db, w.users.consumer, "2031-01", { now: closedAt })).rejects.toMatchObject({ code: "forbidden" });
    await expect(closePeriod(life.db, w.users.owner, "2031-01", { now: closedAt })).rejects.toMatchObject({ code: "forbidden" });
    const denied = await life.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "billing_period.close"), eq(auditLog.result, "denied")));
    expect(denied.map((a) => a.actorId).sort()).toEqual([w.users.consumer.id, w.users.owner.id].sort());
  });

  it("closes in order, freezes the charges, and audits the close", async () => {
    await recomputePeriodCharges(life.db, "2031-01");
    await recomputePeriodCharges(life.db, "2031-02");
    await expect(closePeriod(life.db, w.users.finance, "2031-02", { now: at("2031-03-02T00:00:00Z") })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("Close 2031-01 first"),
    });
    const res = await closePeriod(life.db, w.users.finance, "2031-01", { now: closedAt });
    expect(res.totals).toEqual([{ currency: "EUR", amountMinor: 2000 + 3100 }]);
    const [period] = await life.db.select().from(billingPeriods).where(eq(billingPeriods.month, "2031-01-01"));
    expect(period).toMatchObject({ status: "closed", closedBy: w.users.finance.id });
    expect(period!.closedAt?.toISOString()).toBe(closedAt.toISOString());
    const [audit] = await life.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "billing_period.close"), eq(auditLog.result, "success")));
    expect(audit).toMatchObject({ actorId: w.users.finance.id, resourceId: "2031-01" });

    const frozen = await janLines();
    await expect(recomputePeriodCharges(life.db, "2031-01")).rejects.toMatchObject({ code: "conflict" });
    await expect(closePeriod(life.db, w.users.admin, "2031-01", { now: closedAt })).rejects.toMatchObject({ code: "conflict" });
    // A period before a closed one is never opened.
    await expect(recomputePeriodCharges(life.db, "2030-12")).rejects.toMatchObject({ code: "conflict" });
    const swept = await refreshOpenPeriodCharges(life.db, at("2031-02-20T00:00:00Z"));
    expect(swept.map((s) => s.period)).toEqual(["2031-02"]);
    expect(await janLines()).toEqual(frozen);
  });

  it("bills usage that arrives for a closed month in the next open period, exactly once", async () => {
    // The 5 Jan hour grows by 0.5 GB after the close (a late meter write).
    await w.usage(sGb.id, at("2031-01-05T00:00:00Z"), { bytes: 2.5 * GB, updatedAt: at("2031-02-03T00:00:00Z") });
    // A new row for a closed hour counts too.
    await w.usage(sGb.id, at("2031-01-31T23:00:00Z"), { bytes: 0.25 * GB, updatedAt: at("2031-02-03T00:00:00Z") });
    const jan = await janLines();
    await recomputePeriodCharges(life.db, "2031-02");
    await recomputePeriodCharges(life.db, "2031-02");
    const [feb] = await lineIn("2031-02-01", sGb.id);
    expect(feb).toMatchObject({ quantity: "1.75", amountMinor: 1750 });
    expect(feb!.description).toContain("0.75 GB of late usage");
    expect(await janLines()).toEqual(jan);

    // Once February closes with the late usage in it, March does not bill it again ...
    await closePeriod(life.db, w.users.finance, "2031-02", { now: at("2031-03-01T06:00:00Z") });
    await recomputePeriodCharges(life.db, "2031-03");
    expect(await lineIn("2031-03-01", sGb.id)).toHaveLength(1);
    expect((await lineIn("2031-03-01", sGb.id))[0]).toMatchObject({ quantity: "0", amountMinor: 0 });
    // ... but a later change to January lands in March, the next open period.
    await w.usage(sGb.id, at("2031-01-06T00:00:00Z"), { bytes: 0.1 * GB, updatedAt: at("2031-03-02T00:00:00Z") });
    await recomputePeriodCharges(life.db, "2031-03");
    expect((await lineIn("2031-03-01", sGb.id))[0]).toMatchObject({ quantity: "0.1", amountMinor: 100 });
  });

  it("corrects a closed charge with a compensating row, never an edit", async () => {
    const jan = await janLines();
    const flatJan = jan.find((l) => l.subscriptionId === sFlat.id)!;
    await expect(createAdjustment(life.db, w.users.consumer, { chargeId: flatJan.id, amountMinor: -1000, reason: "x" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createAdjustment(life.db, w.users.finance, { chargeId: flatJan.id, amountMinor: 0, reason: "" })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { amountMinor: expect.any(Array), reason: expect.any(Array) },
    });
    const adj = await createAdjustment(life.db, w.users.finance, { chargeId: flatJan.id, amountMinor: -1000, reason: "Outage credit, ticket 4711" }, { now: at("2031-03-05T00:00:00Z") });
    expect(adj).toMatchObject({ kind: "adjustment", amountMinor: -1000, currency: "EUR", compensatesChargeId: flatJan.id, subscriptionId: sFlat.id, bookedIn: "2031-03" });
    expect(await adjustmentBookingPeriod(life.db, "2031-01", at("2031-03-05T00:00:00Z"))).toBe("2031-03");
    // Booked in the earliest open period (March), with the original untouched.
    const [march] = await life.db.select().from(billingPeriods).where(eq(billingPeriods.month, "2031-03-01"));
    expect(adj.periodId).toBe(march!.id);
    expect(await janLines()).toEqual(jan);
    // Recomputing March keeps the adjustment.
    await recomputePeriodCharges(life.db, "2031-03");
    expect(await lineIn("2031-03-01", sFlat.id, "adjustment")).toHaveLength(1);
    // An open period's charge cannot be "compensated": it is recomputed instead.
    const [marchFlat] = await lineIn("2031-03-01", sFlat.id, "flat");
    await expect(createAdjustment(life.db, w.users.finance, { chargeId: marchFlat!.id, amountMinor: 5, reason: "x" })).rejects.toMatchObject({ code: "conflict" });
    const [audit] = await life.db.select().from(auditLog).where(and(eq(auditLog.action, "charge.adjust"), eq(auditLog.result, "success")));
    expect(audit).toMatchObject({ actorId: w.users.finance.id, resourceId: flatJan.id });
  });
});
