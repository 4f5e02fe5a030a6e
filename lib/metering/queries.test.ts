import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { plans, subscriptions, usageLedger } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { createTestDatabase } from "@/lib/testing/db";
import { computeChargeLines } from "@/lib/billing/charges";
import { periodKeyOf } from "@/lib/billing/periods";
import { costAndForecast, getProductUsage, getSubscriptionUsage, listTeamSubscriptionUsage, monthBounds } from "./queries";
import { activeSubscription } from "./test-fixtures";

/** Cost to date and forecast arithmetic, the usage queries, and who may see which usage. */

const t = await createTestDatabase();
const db = t.db;
const GB = 1_000_000_000;
const now = new Date("2026-11-22T12:00:00Z");
const DAY = 86_400_000;

describe("costAndForecast", () => {
  const november = { from: new Date("2026-11-01T00:00:00Z"), until: null };

  it("per GB: cost of the month so far, forecast = month + last 7 days' daily average × days left", () => {
    const plan = { priceModel: "per_gb" as const, priceMinor: 200, currency: "EUR" };
    const r = costAndForecast(plan, { messages: 10, bytes: 1.5 * GB }, { messages: 7, bytes: 0.7 * GB }, november, now);
    // 8.5 days left at 0.1 GB/day: 2.35 GB × €2.00.
    expect(r).toEqual({ currency: "EUR", costToDateMinor: 300, forecastMinor: 470, forecast: { messages: 10 + 9, bytes: 2.35 * GB } });
  });

  it("flat monthly: prorated by the seconds active so far; the forecast is the full month", () => {
    const plan = { priceModel: "flat_monthly" as const, priceMinor: 3000, currency: "EUR" };
    const r = costAndForecast(plan, { messages: 0, bytes: 0 }, { messages: 0, bytes: 0 }, november, now);
    expect(r.costToDateMinor).toBe(2150); // 21.5 of 30 days
    expect(r.forecastMinor).toBe(3000);
    const lateStart = costAndForecast(plan, { messages: 0, bytes: 0 }, { messages: 0, bytes: 0 }, { from: new Date("2026-11-16T00:00:00Z"), until: null }, now);
    expect(lateStart).toMatchObject({ costToDateMinor: 650, forecastMinor: 1500 });
  });

  it("per million messages: a young subscription averages over its own life; an ended one forecasts what it has", () => {
    const plan = { priceModel: "per_million_messages" as const, priceMinor: 1000, currency: "USD", monthlyCapMinor: 100_000 };
    const young = { from: new Date(now.getTime() - 2 * DAY), until: null };
    const r = costAndForecast(plan, { messages: 2_000_000, bytes: 0 }, { messages: 2_000_000, bytes: 0 }, young, now);
    // 1M/day for 8.5 more days: 10.5M × $10.00.
    expect(r).toMatchObject({ currency: "USD", costToDateMinor: 2000, forecastMinor: 10_500 });
    const ended = costAndForecast(plan, { messages: 2_000_000, bytes: 0 }, { messages: 2_000_000, bytes: 0 }, { from: young.from, until: new Date(now.getTime() - DAY) }, now);
    expect(ended).toMatchObject({ costToDateMinor: 2000, forecastMinor: 2000 });
    // The cap bounds both.
    const capped = costAndForecast(plan, { messages: 50_000_000, bytes: 0 }, { messages: 50_000_000, bytes: 0 }, young, now);
    expect(capped).toMatchObject({ costToDateMinor: 50_000, forecastMinor: 100_000 });
  });

  it("free plans cost nothing", () => {
    const r = costAndForecast({ priceModel: "free", priceMinor: 0, currency: "EUR" }, { messages: 5, bytes: 5 }, { messages: 5, bytes: 5 }, november, now);
    expect([r.costToDateMinor, r.forecastMinor]).toEqual([0, 0]);
  });

  it("month bounds are UTC calendar months", () => {
    expect(monthBounds(new Date("2026-12-31T23:59:59Z"))).toEqual({ start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
  });
});

describe("suspended subscriptions: the forecast follows the charges", () => {
  it("a suspended flat plan is forecast at the full month, as the finance page bills it; a suspended usage plan stops growing", async () => {
    const real = new Date();
    const { start } = monthBounds(real);
    const { w, sub } = await activeSubscription(db);
    await db.update(plans).set({ priceModel: "flat_monthly", priceMinor: 3000, currency: "EUR" }).where(eq(plans.id, sub.planId));
    await db.update(subscriptions).set({ state: "suspended", activatedAt: start, updatedAt: real }).where(eq(subscriptions.id, sub.id));
    const usage = await getSubscriptionUsage(db, w.users.consumer, sub.id, real);
    const lines = await computeChargeLines(db, periodKeyOf(real));
    const line = lines.find((l) => l.subscriptionId === sub.id)!;
    expect(line).toMatchObject({ kind: "flat", amountMinor: 3000 });
    expect(usage.cost.forecastMinor).toBe(line.amountMinor);
    expect(usage.cost.costToDateMinor).toBeLessThanOrEqual(3000);

    // Per GB, suspended a day ago: the forecast is what it has, not a week's average onwards.
    const perGb = { priceModel: "per_gb" as const, priceMinor: 200, currency: "EUR" };
    const suspendedAt = new Date(now.getTime() - DAY);
    const r = costAndForecast(perGb, { messages: 10, bytes: 1.5 * GB }, { messages: 7, bytes: 0.7 * GB }, { from: new Date("2026-11-01T00:00:00Z"), until: null, usageUntil: suspendedAt }, now);
    expect(r).toMatchObject({ costToDateMinor: 300, forecastMinor: 300 });
    // Flat monthly, suspended: the clock runs on to the month's end.
    const flat = costAndForecast({ priceModel: "flat_monthly", priceMinor: 3000, currency: "EUR" }, { messages: 0, bytes: 0 }, { messages: 0, bytes: 0 }, { from: new Date("2026-11-01T00:00:00Z"), until: null, usageUntil: suspendedAt }, now);
    expect(flat).toMatchObject({ costToDateMinor: 2150, forecastMinor: 3000 });
  });
});

describe("usage queries and who may see them", () => {
  it("a subscription's month, daily series, cost and lag; visible to its team and the product's owners only", async () => {
    const { w, sub } = await activeSubscription(db);
    await db.update(plans).set({ priceModel: "per_gb", priceMinor: 200 }).where(eq(plans.id, w.plans.autoPlan.id));
    await db.update(subscriptions).set({ activatedAt: new Date("2026-10-01T00:00:00Z") }).where(eq(subscriptions.id, sub.id));
    await db.insert(usageLedger).values([
      { subscriptionId: sub.id, hour: new Date("2026-10-31T23:00:00Z"), messages: 1000, bytes: 9 * GB, lag: 1 },
      { subscriptionId: sub.id, hour: new Date("2026-11-02T10:00:00Z"), messages: 100, bytes: 0.5 * GB, lag: 3 },
      { subscriptionId: sub.id, hour: new Date("2026-11-20T10:00:00Z"), messages: 30, bytes: 0.3 * GB, lag: 7 },
      { subscriptionId: sub.id, hour: new Date("2026-11-20T11:00:00Z"), messages: 40, bytes: 0.4 * GB, lag: null },
    ]);

    const u = await getSubscriptionUsage(db, w.users.consumer, sub.id, now);
    expect(u.month).toEqual({ messages: 170, bytes: 1.2 * GB });
    expect(u.cost).toMatchObject({ currency: "EUR", costToDateMinor: 240, forecastMinor: 240 + 170 });
    expect(u.lag).toMatchObject({ records: 7 });
    expect(u.daily).toHaveLength(30);
    expect(u.daily.find((d) => d.day.toISOString() === "2026-11-20T00:00:00.000Z")).toEqual({ day: new Date("2026-11-20T00:00:00Z"), messages: 70, bytes: 0.7 * GB });
    expect(u.daily.at(-1)!.day.toISOString()).toBe("2026-11-22T00:00:00.000Z");

    await expect(getSubscriptionUsage(db, w.users.colleague, sub.id, now)).resolves.toMatchObject({ month: { messages: 170 } });
    await expect(getSubscriptionUsage(db, w.users.owner, sub.id, now)).resolves.toMatchObject({ month: { messages: 170 } });
    await expect(getSubscriptionUsage(db, w.users.outsider, sub.id, now)).rejects.toMatchObject({ code: "not_found" });
    await expect(getSubscriptionUsage(db, w.users.partner, sub.id, now)).rejects.toMatchObject({ code: "not_found" });
    await expect(getSubscriptionUsage(db, w.users.consumer, "not-a-uuid", now)).rejects.toMatchObject({ code: "not_found" });

    const mine = await listTeamSubscriptionUsage(db, w.users.consumer, now);
    expect([...mine.keys()]).toEqual([sub.id]);
    expect(await listTeamSubscriptionUsage(db, w.users.outsider, now)).toEqual(new Map());
  });

  it("a product's usage across subscriptions for its owning team, finance and admins; not for consumers", async () => {
    const first = await activeSubscription(db);
    const w = first.w;
    const { sub: second } = await activeSubscription(db, { ...w, users: { ...w.users, consumer: w.users.outsider }, teams: { ...w.teams, consumerTeam: w.teams.otherTeam } });
    await db.insert(usageLedger).values([
      { subscriptionId: first.sub.id, hour: new Date("2026-11-21T10:00:00Z"), messages: 5, bytes: 500, lag: 2 },
      { subscriptionId: second.id, hour: new Date("2026-11-21T10:00:00Z"), messages: 7, bytes: 900, lag: 0 },
    ]);
    const p = await getProductUsage(db, w.users.owner, w.product.id, now);
    expect(p.month).toEqual({ messages: 12, bytes: 1400 });
    expect(p.subscriptions.map((s) => [s.subscriptionId, s.month.messages])).toEqual([
      [second.id, 7],
      [first.sub.id, 5],
    ]);
    expect(p.costByCurrency).toEqual([{ currency: "EUR", costToDateMinor: 0, forecastMinor: 0 }]);

    const finance: SessionUser = { ...w.users.outsider, teams: [], roles: ["finance"] };
    await expect(getProductUsage(db, finance, w.product.id, now)).resolves.toMatchObject({ month: { messages: 12 } });
    await expect(getProductUsage(db, w.users.consumer, w.product.id, now)).rejects.toMatchObject({ code: "not_found" });
    await expect(getProductUsage(db, w.users.partner, w.product.id, now)).rejects.toMatchObject({ code: "not_found" });
    // The consumer still sees only its own subscription of that product.
    await expect(getSubscriptionUsage(db, w.users.consumer, second.id, now)).rejects.toMatchObject({ code: "not_found" });
  });
});
