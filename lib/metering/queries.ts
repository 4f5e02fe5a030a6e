import { and, desc, eq, gte, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dataProducts, plans, subscriptions, teams, usageLedger } from "@/db/schema";
import { isAdmin, isFinance, isMemberOfTeam, type SessionUser } from "@/lib/auth/roles";
import { priceUsage, type PricedPlan } from "@/lib/billing/pricing";
import { AppError } from "@/lib/errors";

/**
 * Usage and cost to date for consumers (one subscription) and owners (one product across its
 * subscriptions), read from usage_ledger.
 *
 * - Cost to date: the current calendar month (UTC) priced with lib/billing/pricing.ts
 *   (`priceUsage`): the same rules as the charges, so the figure matches the invoice for the
 *   usage so far. Flat monthly plans are prorated by the seconds active so far.
 * - Forecast (month end): month to date plus the daily average of the last 7 days (or of the
 *   subscription's life, when shorter) times the days left in the month — a straight line, said
 *   so in the UI. A subscription that has ended forecasts what it has.
 * - Lag: the newest lag the meter recorded (records behind, of the most lagging group).
 *
 * Who may see what: a subscription's usage is visible to the members of its team, to the
 * members of the team that owns its product, and to finance and admins. A product's usage is
 * visible to the members of its owning team, finance and admins. Anyone else gets not_found, so
 * ids of other teams' subscriptions reveal nothing.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const FORECAST_WINDOW_DAYS = 7;
export const SERIES_DAYS = 30;

export type UsageTotals = { messages: number; bytes: number };

export type CostFigures = {
  currency: string;
  costToDateMinor: number;
  forecastMinor: number;
  forecast: UsageTotals;
};

export type DailyPoint = { day: Date; messages: number; bytes: number };

export type UsageSummary = {
  monthStart: Date;
  monthEnd: Date;
  month: UsageTotals;
  daily: DailyPoint[];
  cost: CostFigures;
  lag: { records: number; at: Date } | null;
};

export type SubscriptionUsage = UsageSummary & {
  subscriptionId: string;
  planName: string;
  priceModel: PricedPlan["priceModel"];
};

export type ProductUsage = {
  productId: string;
  monthStart: Date;
  monthEnd: Date;
  month: UsageTotals;
  daily: DailyPoint[];
  /** Totals per currency (plans may differ). */
  costByCurrency: { currency: string; costToDateMinor: number; forecastMinor: number }[];
  subscriptions: {
    subscriptionId: string;
    teamName: string;
    planName: string;
    state: string;
    month: UsageTotals;
    cost: CostFigures;
    lag: { records: number; at: Date } | null;
  }[];
};

export function monthBounds(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

function overlapSeconds(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.floor((Math.min(a1, b1) - Math.max(a0, b0)) / 1000));
}

/**
 * `from`–`until`: the billing clock, as lib/billing/charges.ts runs it (activation to the end;
 * null: still running). `usageUntil`: when usage stopped although the clock runs on (a suspended
 * subscription has no access, so it consumes nothing more); null or absent: usage continues.
 */
export type ActiveSpan = { from: Date; until: Date | null; usageUntil?: Date | null };

/**
 * Cost to date and month-end forecast (pure). `window` is the usage of the last 7 days (or of the
 * subscription's life when shorter, which `active.from` tells).
 */
export function costAndForecast(plan: PricedPlan, month: UsageTotals, window: UsageTotals, active: ActiveSpan, now: Date): CostFigures {
  const { start, end } = monthBounds(now);
  const t = now.getTime();
  const from = active.from.getTime();
  const until = active.until?.getTime() ?? Infinity;
  const periodSeconds = Math.round((end.getTime() - start.getTime()) / 1000);
  const activeToDate = overlapSeconds(from, Math.min(until, t), start.getTime(), t);
  const activeAtEnd = overlapSeconds(from, until, start.getTime(), end.getTime());
  const toDate = priceUsage(plan, { messages: month.messages, bytes: month.bytes, activeSeconds: activeToDate, periodSeconds });

  const windowStart = Math.max(t - FORECAST_WINDOW_DAYS * DAY_MS, from);
  const windowDays = Math.max(HOUR_MS, t - windowStart) / DAY_MS;
  const usageUntil = active.usageUntil?.getTime() ?? Infinity;
  const remainingDays = Math.max(0, Math.min(until, usageUntil, end.getTime()) - t) / DAY_MS;
  const forecast = {
    messages: month.messages + Math.round((window.messages / windowDays) * remainingDays),
    bytes: month.bytes + Math.round((window.bytes / windowDays) * remainingDays),
  };
  const atEnd = priceUsage(plan, { messages: forecast.messages, bytes: forecast.bytes, activeSeconds: activeAtEnd, periodSeconds });
  return { currency: toDate.currency, costToDateMinor: toDate.amountMinor, forecastMinor: atEnd.amountMinor, forecast };
}

type SubRow = {
  id: string;
  teamId: string;
  state: string;
  activatedAt: Date | null;
  createdAt: Date;
  endedAt: Date | null;
  updatedAt: Date;
  planName: string;
  plan: PricedPlan;
};

const ENDED = new Set(["revoked", "expired", "failed"]);

/**
 * The same rule as the charges (lib/billing/charges.ts): the clock runs from activation to the
 * end (ended_at, else the last state change of an ended subscription). A suspension does not
 * stop it — the subscription is not over, Stripe keeps billing it, and a flat plan's month is
 * owed as in the chargeback — but a suspended subscription has no access, so its usage forecast
 * stops at the suspension.
 */
function activeSpan(s: SubRow): ActiveSpan {
  const from = s.activatedAt ?? s.createdAt;
  if (!s.activatedAt) return { from, until: from };
  if (ENDED.has(s.state)) return { from, until: s.endedAt ?? s.updatedAt };
  return { from, until: s.endedAt, usageUntil: s.state === "suspended" ? s.updatedAt : null };
}

async function totalsBySubscription(db: Db, ids: string[], now: Date) {
  const { start } = monthBounds(now);
  const weekAgo = new Date(now.getTime() - FORECAST_WINDOW_DAYS * DAY_MS);
  const since = start < weekAgo ? start : weekAgo;
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const rows = await db
    .select({
      subscriptionId: usageLedger.subscriptionId,
      monthMessages: sql<string>`coalesce(sum(${usageLedger.messages}) filter (where ${usageLedger.hour} >= ${ts(start)}), 0)`,
      monthBytes: sql<string>`coalesce(sum(${usageLedger.bytes}) filter (where ${usageLedger.hour} >= ${ts(start)}), 0)`,
      weekMessages: sql<string>`coalesce(sum(${usageLedger.messages}) filter (where ${usageLedger.hour} >= ${ts(weekAgo)}), 0)`,
      weekBytes: sql<string>`coalesce(sum(${usageLedger.bytes}) filter (where ${usageLedger.hour} >= ${ts(weekAgo)}), 0)`,
    })
    .from(usageLedger)
    .where(and(inArray(usageLedger.subscriptionId, ids), gte(usageLedger.hour, since)))
    .groupBy(usageLedger.subscriptionId);
  return new Map(
    rows.map((r) => [
      r.subscriptionId,
      { month: { messages: Number(r.monthMessages), bytes: Number(r.monthBytes) }, week: { messages: Number(r.weekMessages), bytes: Number(r.weekBytes) } },
    ]),
  );
}

async function dailySeries(db: Db, ids: string[], now: Date): Promise<DailyPoint[]> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (SERIES_DAYS - 1) * DAY_MS);
  const day = sql<Date>`date_trunc('day', ${usageLedger.hour}, 'UTC')`;
  const rows = await db
    .select({ day, messages: sql<string>`sum(${usageLedger.messages})`, bytes: sql<string>`sum(${usageLedger.bytes})` })
    .from(usageLedger)
    .where(and(inArray(usageLedger.subscriptionId, ids), gte(usageLedger.hour, since)))
    .groupBy(day)
    .orderBy(day);
  const byDay = new Map(rows.map((r) => [new Date(r.day).getTime(), r]));
  // Every day of the window, zeros included, so the chart shows quiet days as quiet.
  const out: DailyPoint[] = [];
  for (let d = since.getTime(); d <= now.getTime(); d += DAY_MS) {
    const r = byDay.get(d);
    out.push({ day: new Date(d), messages: Number(r?.messages ?? 0), bytes: Number(r?.bytes ?? 0) });
  }
  return out;
}

async function latestLag(db: Db, ids: string[]) {
  const rows = await db
    .selectDistinctOn([usageLedger.subscriptionId], { subscriptionId: usageLedger.subscriptionId, lag: usageLedger.lag, at: usageLedger.updatedAt })
    .from(usageLedger)
    .where(and(inArray(usageLedger.subscriptionId, ids), isNotNull(usageLedger.lag)))
    .orderBy(usageLedger.subscriptionId, desc(usageLedger.hour));
  return new Map(rows.map((r) => [r.subscriptionId, { records: r.lag!, at: r.at }]));
}

const subColumns = {
  id: subscriptions.id,
  teamId: subscriptions.teamId,
  productId: subscriptions.productId,
  state: subscriptions.state,
  activatedAt: subscriptions.activatedAt,
  createdAt: subscriptions.createdAt,
  endedAt: subscriptions.endedAt,
  updatedAt: subscriptions.updatedAt,
  planName: plans.name,
  priceModel: plans.priceModel,
  priceMinor: plans.priceMinor,
  currency: plans.currency,
  monthlyCapMinor: plans.monthlyCapMinor,
  ownerTeamId: dataProducts.ownerTeamId,
  teamName: teams.name,
};

type LoadedSub = SubRow & { productId: string; ownerTeamId: string; teamName: string };

type SelectedSub = Awaited<ReturnType<ReturnType<typeof selectSubs>["execute"]>>[number];

function toSubRow(r: SelectedSub): LoadedSub {
  const { priceModel, priceMinor, currency, monthlyCapMinor, ...rest } = r;
  return { ...rest, plan: { priceModel, priceMinor, currency, monthlyCapMinor } };
}

function selectSubs(db: Db) {
  return db
    .select(subColumns)
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .innerJoin(teams, eq(teams.id, subscriptions.teamId));
}

export function maySeeSubscriptionUsage(user: SessionUser, sub: { teamId: string; ownerTeamId: string }): boolean {
  return isMemberOfTeam(user, sub.teamId) || isMemberOfTeam(user, sub.ownerTeamId) || isAdmin(user) || isFinance(user);
}

export function maySeeProductUsage(user: SessionUser, product: { ownerTeamId: string }): boolean {
  return isMemberOfTeam(user, product.ownerTeamId) || isAdmin(user) || isFinance(user);
}

/** One subscription's usage; not_found unless the user may see it. */
export async function getSubscriptionUsage(db: Db, user: SessionUser, subscriptionId: string, now = new Date()): Promise<SubscriptionUsage> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!uuid.test(subscriptionId)) throw new AppError("not_found", "This subscription does not exist.");
  const [raw] = await selectSubs(db).where(eq(subscriptions.id, subscriptionId));
  if (!raw) throw new AppError("not_found", "This subscription does not exist.");
  const sub = toSubRow(raw);
  if (!maySeeSubscriptionUsage(user, sub)) throw new AppError("not_found", "This subscription does not exist.");
  const totals = await totalsBySubscription(db, [sub.id], now);
  const daily = await dailySeries(db, [sub.id], now);
  const lags = await latestLag(db, [sub.id]);
  const t = totals.get(sub.id) ?? { month: { messages: 0, bytes: 0 }, week: { messages: 0, bytes: 0 } };
  const { start, end } = monthBounds(now);
  return {
    subscriptionId: sub.id,
    planName: sub.planName,
    priceModel: sub.plan.priceModel,
    monthStart: start,
    monthEnd: end,
    month: t.month,
    daily,
    cost: costAndForecast(sub.plan, t.month, t.week, activeSpan(sub), now),
    lag: lags.get(sub.id) ?? null,
  };
}

/** Usage of every subscription a user's teams hold, keyed by subscription id (the subscriptions page). */
export async function listTeamSubscriptionUsage(db: Db, user: SessionUser, now = new Date()): Promise<Map<string, SubscriptionUsage>> {
  const teamIds = user.teams.map((t) => t.id);
  if (teamIds.length === 0) return new Map();
  const subs = (await selectSubs(db).where(inArray(subscriptions.teamId, teamIds))).map(toSubRow);
  const out = new Map<string, SubscriptionUsage>();
  for (const s of subs) out.set(s.id, await getSubscriptionUsage(db, user, s.id, now));
  return out;
}

/** A product's usage across its subscriptions, for its owners; not_found unless the user may see it. */
export async function getProductUsage(db: Db, user: SessionUser, productId: string, now = new Date()): Promise<ProductUsage> {
  const [product] = await db.select({ id: dataProducts.id, ownerTeamId: dataProducts.ownerTeamId }).from(dataProducts).where(eq(dataProducts.id, productId));
  if (!product || !maySeeProductUsage(user, product)) throw new AppError("not_found", "This product does not exist.");
  const subs = (await selectSubs(db).where(eq(subscriptions.productId, productId))).map(toSubRow);
  const ids = subs.map((s) => s.id);
  const { start, end } = monthBounds(now);
  if (ids.length === 0) {
    return { productId, monthStart: start, monthEnd: end, month: { messages: 0, bytes: 0 }, daily: [], costByCurrency: [], subscriptions: [] };
  }
  const totals = await totalsBySubscription(db, ids, now);
  const daily = await dailySeries(db, ids, now);
  const lags = await latestLag(db, ids);
  const rows = subs.map((s) => {
    const t = totals.get(s.id) ?? { month: { messages: 0, bytes: 0 }, week: { messages: 0, bytes: 0 } };
    return {
      subscriptionId: s.id,
      teamName: s.teamName,
      planName: s.planName,
      state: s.state,
      month: t.month,
      cost: costAndForecast(s.plan, t.month, t.week, activeSpan(s), now),
      lag: lags.get(s.id) ?? null,
    };
  });
  const byCurrency = new Map<string, { currency: string; costToDateMinor: number; forecastMinor: number }>();
  for (const r of rows) {
    const c = byCurrency.get(r.cost.currency) ?? { currency: r.cost.currency, costToDateMinor: 0, forecastMinor: 0 };
    c.costToDateMinor += r.cost.costToDateMinor;
    c.forecastMinor += r.cost.forecastMinor;
    byCurrency.set(r.cost.currency, c);
  }
  // Subscriptions with usage this month first, biggest first; then the rest.
  rows.sort((a, b) => b.month.bytes - a.month.bytes || b.month.messages - a.month.messages);
  return {
    productId,
    monthStart: start,
    monthEnd: end,
    month: { messages: rows.reduce((a, r) => a + r.month.messages, 0), bytes: rows.reduce((a, r) => a + r.month.bytes, 0) },
    daily,
    costByCurrency: [...byCurrency.values()],
    subscriptions: rows,
  };
}
