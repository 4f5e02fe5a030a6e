import { and, eq, gte, isNull, lte, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingPeriods, charges, costCenters, dataProducts, plans, subscriptions, teams, users } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { adjustmentBookingPeriod, assertFinance } from "./charges";
import { addMonths, periodBounds, periodKeyOf, periodKeyOfMonthDate, periodRange } from "./periods";
import { normalizeCurrency, sumByCurrency } from "./pricing";
import type { ChargebackLevel } from "./schemas";

/**
 * The finance reports: chargeback (who consumes: cost center → team → subscription) and
 * showback (who provides: owning team, product), read from the charges table of one period.
 * Every function takes the viewer and refuses anyone without the finance role (admins pass), so
 * a page, route or script cannot leak the numbers by forgetting a guard.
 * Amounts are never added across currencies: every total is a list of { currency, amountMinor }.
 */
export type Money = { currency: string; amountMinor: number };

export type ReportRow = {
  /** The group's id (cost center, team, subscription, product); "none" for no cost center. */
  key: string;
  label: string;
  detail: string | null;
  totals: Money[];
  lines: number;
};

/**
 * One month, drilled into: chargeback by the consumers' cost center and team; `owner` (showback)
 * by the team that owns the products.
 */
export type ReportFilter = { period: string; costCenter?: string; team?: string; owner?: string };

type Grouped = { key: string | null; label: string | null; detail: string | null; currency: string; amount: string; lines: number };

function filterWhere(periodId: string, f: ReportFilter): SQL {
  const parts: SQL[] = [eq(charges.periodId, periodId)];
  if (f.costCenter === "none") parts.push(isNull(charges.costCenterId));
  else if (f.costCenter) parts.push(eq(charges.costCenterId, f.costCenter));
  if (f.team) parts.push(eq(charges.teamId, f.team));
  if (f.owner) parts.push(ownedBy(f.owner));
  return and(...parts)!;
}

/** Charges for products of owning team `owner`. */
function ownedBy(owner: string): SQL {
  return sql`${charges.productId} in (select ${dataProducts.id} from ${dataProducts} where ${dataProducts.ownerTeamId} = ${owner}::uuid)`;
}

function fold(rows: Grouped[], fallbackLabel: string): ReportRow[] {
  const byKey = new Map<string, { label: string; detail: string | null; lines: number; money: Money[] }>();
  for (const r of rows) {
    const key = r.key ?? "none";
    const e = byKey.get(key) ?? { label: r.label ?? fallbackLabel, detail: r.detail, lines: 0, money: [] };
    e.lines += Number(r.lines);
    e.money.push({ currency: r.currency, amountMinor: Number(r.amount) });
    byKey.set(key, e);
  }
  return [...byKey.entries()]
    .map(([key, e]) => ({ key, label: e.label, detail: e.detail, totals: sumByCurrency(e.money), lines: e.lines }))
    .sort((a, b) => primaryAmount(b) - primaryAmount(a) || a.label.localeCompare(b.label));
}

/** Sort key: the largest single-currency total (rows with several currencies are rare). */
function primaryAmount(r: { totals: Money[] }): number {
  return Math.max(0, ...r.totals.map((t) => t.amountMinor));
}

async function findPeriod(db: Db, key: string) {
  const [row] = await db.select().from(billingPeriods).where(eq(billingPeriods.month, periodBounds(key).monthDate));
  return row ?? null;
}

const amountSum = sql<string>`sum(${charges.amountMinor})::text`;
const lineCount = sql<number>`count(*)::int`;

/** Chargeback or showback rows for one period at one level, within the filter. */
export async function getChargebackRows(db: Db, viewer: SessionUser, level: ChargebackLevel | "owner-team", f: ReportFilter): Promise<ReportRow[]> {
  assertFinance(viewer);
  const period = await findPeriod(db, f.period);
  if (!period) return [];
  const where = filterWhere(period.id, f);
  let rows: Grouped[];
  switch (level) {
    case "cost-center":
      rows = await db
        .select({ key: charges.costCenterId, label: costCenters.code, detail: costCenters.name, currency: charges.currency, amount: amountSum, lines: lineCount })
        .from(charges)
        .leftJoin(costCenters, eq(costCenters.id, charges.costCenterId))
        .where(where)
        .groupBy(charges.costCenterId, costCenters.code, costCenters.name, charges.currency);
      return fold(rows, "No cost center");
    case "team":
      rows = await db
        .select({ key: charges.teamId, label: teams.name, detail: teams.slug, currency: charges.currency, amount: amountSum, lines: lineCount })
        .from(charges)
        .innerJoin(teams, eq(teams.id, charges.teamId))
        .where(where)
        .groupBy(charges.teamId, teams.name, teams.slug, charges.currency);
      return fold(rows, "Unknown team");
    case "subscription":
      rows = await db
        .select({
          key: charges.subscriptionId,
          label: dataProducts.name,
          detail: sql<string>`${plans.name} || ' · ' || ${subscriptions.state}::text`,
          currency: charges.currency,
          amount: amountSum,
          lines: lineCount,
        })
        .from(charges)
        .innerJoin(subscriptions, eq(subscriptions.id, charges.subscriptionId))
        .innerJoin(dataProducts, eq(dataProducts.id, charges.productId))
        .innerJoin(plans, eq(plans.id, subscriptions.planId))
        .where(where)
        .groupBy(charges.subscriptionId, dataProducts.name, plans.name, subscriptions.state, charges.currency);
      return fold(rows, "Unknown subscription");
    case "product":
      rows = await db
        .select({ key: charges.productId, label: dataProducts.name, detail: dataProducts.slug, currency: charges.currency, amount: amountSum, lines: lineCount })
        .from(charges)
        .innerJoin(dataProducts, eq(dataProducts.id, charges.productId))
        .where(where)
        .groupBy(charges.productId, dataProducts.name, dataProducts.slug, charges.currency);
      return fold(rows, "Unknown product");
    case "owner-team":
      rows = await db
        .select({ key: dataProducts.ownerTeamId, label: teams.name, detail: teams.slug, currency: charges.currency, amount: amountSum, lines: lineCount })
        .from(charges)
        .innerJoin(dataProducts, eq(dataProducts.id, charges.productId))
        .innerJoin(teams, eq(teams.id, dataProducts.ownerTeamId))
        .where(where)
        .groupBy(dataProducts.ownerTeamId, teams.name, teams.slug, charges.currency);
      return fold(rows, "Unknown team");
  }
}

export type ChargeLineRow = {
  id: string;
  period: string;
  kind: "usage" | "flat" | "adjustment";
  costCenterCode: string | null;
  costCenterName: string | null;
  teamSlug: string;
  teamName: string;
  subscriptionId: string;
  productSlug: string;
  productName: string;
  ownerTeamName: string;
  planName: string;
  quantity: string;
  amountMinor: number;
  currency: string;
  description: string;
  compensatesChargeId: string | null;
};

/** Individual charge lines (subscription-level CSV, subscription detail), largest first. */
/** Charge lines shown per page when a team is drilled into (the CSV has all of them). */
export const CHARGE_LINES_PAGE_SIZE = 50;

/**
 * Charge lines in report order (cost center, team, product, subscription, kind). With `page`,
 * only that slice: a team drilled into can hold thousands of lines.
 */
export async function getChargeLines(db: Db, viewer: SessionUser, f: ReportFilter & { subscription?: string }, page?: { limit: number; offset: number }): Promise<ChargeLineRow[]> {
  assertFinance(viewer);
  const period = await findPeriod(db, f.period);
  if (!period) return [];
  const ownerTeams = sql`owner_teams`;
  const query = db
    .select({
      id: charges.id,
      kind: charges.kind,
      costCenterCode: costCenters.code,
      costCenterName: costCenters.name,
      teamSlug: teams.slug,
      teamName: teams.name,
      subscriptionId: charges.subscriptionId,
      productSlug: dataProducts.slug,
      productName: dataProducts.name,
      ownerTeamName: sql<string>`(select name from teams ${ownerTeams} where ${ownerTeams}.id = ${dataProducts.ownerTeamId})`,
      planName: plans.name,
      quantity: charges.quantity,
      amountMinor: charges.amountMinor,
      currency: charges.currency,
      description: charges.description,
      compensatesChargeId: charges.compensatesChargeId,
    })
    .from(charges)
    .innerJoin(teams, eq(teams.id, charges.teamId))
    .leftJoin(costCenters, eq(costCenters.id, charges.costCenterId))
    .innerJoin(dataProducts, eq(dataProducts.id, charges.productId))
    .innerJoin(plans, eq(plans.id, charges.planId))
    .where(f.subscription ? and(filterWhere(period.id, f), eq(charges.subscriptionId, f.subscription)) : filterWhere(period.id, f))
    // charges.id last: a total order, so pages never overlap or skip a line.
    .orderBy(sql`${costCenters.code} nulls last`, teams.name, dataProducts.name, charges.subscriptionId, charges.kind, charges.id)
    .$dynamic();
  const rows = await (page ? query.limit(page.limit).offset(page.offset) : query);
  return rows.map((r) => ({ ...r, period: f.period }));
}

/** How many charge lines `getChargeLines` returns for `f` without a page. */
export async function countChargeLines(db: Db, viewer: SessionUser, f: ReportFilter): Promise<number> {
  assertFinance(viewer);
  const period = await findPeriod(db, f.period);
  if (!period) return 0;
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(charges).where(filterWhere(period.id, f));
  return row?.n ?? 0;
}

export type PeriodInfo = {
  key: string;
  exists: boolean;
  status: "open" | "closed";
  closedAt: Date | null;
  closedByName: string | null;
  /** Why the close button is unavailable, or null when it may be pressed. */
  closeBlockedReason: string | null;
  /** Closed periods only: the open period corrections to its charges are booked in. */
  adjustmentsBookIn: string | null;
};

export async function getPeriodInfo(db: Db, viewer: SessionUser, key: string, now: Date = new Date()): Promise<PeriodInfo> {
  assertFinance(viewer);
  const bounds = periodBounds(key);
  const [row] = await db
    .select({ p: billingPeriods, closedByName: users.name })
    .from(billingPeriods)
    .leftJoin(users, eq(users.id, billingPeriods.closedBy))
    .where(eq(billingPeriods.month, bounds.monthDate));
  let closeBlockedReason: string | null = null;
  if (row?.p.status === "closed") closeBlockedReason = "This period is closed.";
  else if (now < bounds.end) closeBlockedReason = `The month is still running; it can be closed from ${bounds.end.toISOString().slice(0, 10)}.`;
  else {
    const [earlier] = await db
      .select({ month: billingPeriods.month })
      .from(billingPeriods)
      .where(and(eq(billingPeriods.status, "open"), sql`${billingPeriods.month} < ${bounds.monthDate}::date`))
      .orderBy(billingPeriods.month)
      .limit(1);
    if (earlier) closeBlockedReason = `Close ${periodKeyOfMonthDate(earlier.month)} first: periods close in order.`;
  }
  return {
    key,
    exists: Boolean(row),
    status: row?.p.status ?? "open",
    closedAt: row?.p.closedAt ?? null,
    closedByName: row?.closedByName ?? null,
    closeBlockedReason,
    adjustmentsBookIn: row?.p.status === "closed" ? await adjustmentBookingPeriod(db, key, now) : null,
  };
}

/** Months for the picker: the last `count` months up to now plus every month with a period row, newest first. */
export async function listPickerPeriods(db: Db, viewer: SessionUser, now: Date = new Date(), count = 12): Promise<{ key: string; status: "open" | "closed" | "none" }[]> {
  assertFinance(viewer);
  const current = periodKeyOf(now);
  const rows = await db.select({ month: billingPeriods.month, status: billingPeriods.status }).from(billingPeriods);
  const status = new Map<string, "open" | "closed">(rows.map((r) => [periodKeyOfMonthDate(r.month), r.status]));
  const keys = new Set([...periodRange(addMonths(current, -(count - 1)), current), ...status.keys()]);
  return [...keys].sort().reverse().map((key) => ({ key, status: status.get(key) ?? "none" }));
}

export type TrendSeries = { currency: string; points: { period: string; amountMinor: number }[] };

/** Total charges per month and currency for the `months` months ending at `end`, within the filter. */
export async function getTrend(db: Db, viewer: SessionUser, f: Omit<ReportFilter, "period"> & { end: string; months?: number }): Promise<TrendSeries[]> {
  assertFinance(viewer);
  const months = periodRange(addMonths(f.end, -((f.months ?? 12) - 1)), f.end);
  const parts: SQL[] = [gte(billingPeriods.month, periodBounds(months[0]!).monthDate), lte(billingPeriods.month, periodBounds(f.end).monthDate)];
  if (f.costCenter === "none") parts.push(isNull(charges.costCenterId));
  else if (f.costCenter) parts.push(eq(charges.costCenterId, f.costCenter));
  if (f.team) parts.push(eq(charges.teamId, f.team));
  if (f.owner) parts.push(ownedBy(f.owner));
  const rows = await db
    .select({ month: billingPeriods.month, currency: charges.currency, amount: amountSum })
    .from(charges)
    .innerJoin(billingPeriods, eq(billingPeriods.id, charges.periodId))
    .where(and(...parts))
    .groupBy(billingPeriods.month, charges.currency);
  const byCurrency = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const c = normalizeCurrency(r.currency);
    const m = byCurrency.get(c) ?? new Map<string, number>();
    m.set(periodKeyOfMonthDate(r.month), (m.get(periodKeyOfMonthDate(r.month)) ?? 0) + Number(r.amount));
    byCurrency.set(c, m);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, m]) => ({ currency, points: months.map((period) => ({ period, amountMinor: m.get(period) ?? 0 })) }));
}

export type Crumb = { costCenter?: { key: string; label: string }; team?: { key: string; label: string }; owner?: { key: string; label: string } };

/** Labels of the drill-down filter, for breadcrumbs (null when an id does not exist). */
export async function resolveCrumbs(db: Db, viewer: SessionUser, f: Omit<ReportFilter, "period">): Promise<Crumb | null> {
  assertFinance(viewer);
  const out: Crumb = {};
  if (f.costCenter === "none") out.costCenter = { key: "none", label: "No cost center" };
  else if (f.costCenter) {
    const [cc] = await db.select().from(costCenters).where(eq(costCenters.id, f.costCenter));
    if (!cc) return null;
    out.costCenter = { key: cc.id, label: `${cc.code} ${cc.name}` };
  }
  if (f.team) {
    const [t] = await db.select().from(teams).where(eq(teams.id, f.team));
    if (!t) return null;
    out.team = { key: t.id, label: t.name };
  }
  if (f.owner) {
    const [t] = await db.select().from(teams).where(eq(teams.id, f.owner));
    if (!t) return null;
    out.owner = { key: t.id, label: t.name };
  }
  return out;
}

export type FinancePageData = {
  period: PeriodInfo;
  periods: { key: string; status: "open" | "closed" | "none" }[];
  crumbs: Crumb;
  level: "cost-center" | "team" | "subscription";
  totals: Money[];
  chargeback: ReportRow[];
  /** One page of the charge lines behind the subscription level (a team drilled into); empty otherwise. */
  lines: ChargeLineRow[];
  /** All charge lines at that level, the page shown (1-based, clamped) and the page count. */
  linesTotal: number;
  linesPage: number;
  linesPageCount: number;
  providers: ReportRow[];
  /** Showback by product: every product, or the owning team's products when drilled into one. */
  products: ReportRow[];
  trend: TrendSeries[];
  /** The drilled-into owning team's revenue per month (empty without `owner`). */
  ownerTrend: TrendSeries[];
};

/**
 * Everything /finance renders for one period and drill-down, in one call (the benchmark times
 * this). Null when a drill-down id does not exist (the page answers 404).
 */
/** Everything /finance renders for `f`; `page` is the page of charge lines at the subscription level. */
export async function loadFinancePage(db: Db, viewer: SessionUser, f: ReportFilter, now: Date = new Date(), page = 1): Promise<FinancePageData | null> {
  assertFinance(viewer);
  const crumbs = await resolveCrumbs(db, viewer, f);
  if (!crumbs) return null;
  const level = f.team ? "subscription" : f.costCenter ? "team" : "cost-center";
  const consumers = { period: f.period, costCenter: f.costCenter, team: f.team };
  // The page of lines needs the count (to clamp the page); both run beside the other queries.
  const linesPaged = (async () => {
    const total = level === "subscription" ? await countChargeLines(db, viewer, consumers) : 0;
    const pageCount = Math.max(1, Math.ceil(total / CHARGE_LINES_PAGE_SIZE));
    const shown = Math.min(Math.max(1, page), pageCount);
    const rows = total > 0 ? await getChargeLines(db, viewer, consumers, { limit: CHARGE_LINES_PAGE_SIZE, offset: (shown - 1) * CHARGE_LINES_PAGE_SIZE }) : [];
    return { total, pageCount, shown, rows };
  })();
  const [period, periods, chargeback, linesPage, providers, products, trend, ownerTrend] = await Promise.all([
    getPeriodInfo(db, viewer, f.period, now),
    listPickerPeriods(db, viewer, now),
    getChargebackRows(db, viewer, level, consumers),
    linesPaged,
    getChargebackRows(db, viewer, "owner-team", { period: f.period }),
    getChargebackRows(db, viewer, "product", { period: f.period, owner: f.owner }),
    getTrend(db, viewer, { end: f.period, costCenter: f.costCenter, team: f.team, months: 12 }),
    f.owner ? getTrend(db, viewer, { end: f.period, owner: f.owner, months: 12 }) : Promise.resolve([]),
  ]);
  const totals = sumByCurrency(chargeback.flatMap((r) => r.totals));
  return {
    period,
    periods,
    crumbs,
    level,
    totals,
    chargeback,
    lines: linesPage.rows,
    linesTotal: linesPage.total,
    linesPage: linesPage.shown,
    linesPageCount: linesPage.pageCount,
    providers,
    products,
    trend,
    ownerTrend,
  };
}
