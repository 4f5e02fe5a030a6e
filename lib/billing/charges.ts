import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { Database, Db } from "@/db/client";
import { billingPeriods, charges } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { isFinance, type SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { addMonths, periodBounds, periodKeyOf, periodKeyOfMonthDate, periodRange, type PeriodBounds } from "./periods";
import { decimalString, priceUsage, sumByCurrency, type PriceModel } from "./pricing";

/**
 * Charges: one usage or flat line per subscription per billing period (calendar month, UTC),
 * computed from usage_monthly × plans, with the team's cost center as it was when computed.
 * usage_monthly is the ledger's per-month rollup, kept by triggers in the same transaction as
 * every usage_ledger write (migration 0010), so it is exactly the ledger's sum and a month's
 * charges read one row per subscription.
 *
 * Lifecycle and invariants:
 * - While a period is open its non-adjustment lines are recomputed from scratch, idempotently:
 *   one transaction makes the stored lines equal the new set, writing only the lines that
 *   changed (recomputePeriodCharges). Readers see either the old set or the new one.
 * - Closing a period (closePeriod: finance/admin) recomputes one last time and freezes it. The
 *   service refuses to recompute a closed period and has no edit path at all; corrections are new
 *   'adjustment' lines in an open period pointing at the charge they compensate
 *   (createAdjustment). Periods close in order, and no period is opened before a closed one, so
 *   the closed periods are always a prefix of the months.
 * - Late usage: a ledger row for an hour inside a closed period that changes after the close
 *   (usage_ledger.updated_at > closed_at, seen as the rollup's updated_at) is billed in the next open period, i.e. the earliest
 *   open one. The amount is exact, not estimated: for each such subscription the late quantity
 *   is (ledger usage over all closed hours) − (usage the closed periods' lines counted, read back
 *   from their exact quantity). It is added to that period's usage line and noted in its
 *   description, under that period's cap. A late row found twice is not billed twice: once
 *   counted, the difference is zero. Only per-GB and per-million-messages plans carry late
 *   usage; free and flat plans do not depend on usage. A ledger that shrank after a close is not
 *   refunded automatically (finance issues an adjustment).
 * - Flat monthly plans bill from activation to the end (ended_at; revoked/expired/failed
 *   without it: the last state change), prorated by seconds; suspension does not stop the
 *   clock. A live subscription in the open current month is billed through the month's end
 *   (the month's committed cost), and recomputed down if it ends earlier.
 */

export type ChargeLine = {
  subscriptionId: string;
  planId: string;
  productId: string;
  teamId: string;
  costCenterId: string | null;
  kind: "usage" | "flat";
  quantity: string;
  amountMinor: number;
  currency: string;
  description: string;
};

/** Ledger rows touched less than this before a close are re-checked as possibly late (transaction-start timestamps). */
const LATE_MARGIN = "10 minutes";

function assertFinance(actor: SessionUser): void {
  if (!isFinance(actor)) throw new AppError("forbidden");
}

type Candidate = {
  id: string;
  plan_id: string;
  product_id: string;
  team_id: string;
  state: string;
  activated_at: Date | string | null;
  ended_at: Date | string | null;
  updated_at: Date | string;
  cost_center_id: string | null;
  price_model: PriceModel;
  price_minor: string;
  currency: string;
  monthly_cap_minor: string | null;
  messages: string;
  bytes: string;
};

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** Seconds the subscription is billable inside [start, end). */
function activeSecondsIn(c: Candidate, p: PeriodBounds): number {
  const activated = asDate(c.activated_at);
  if (!activated) return 0;
  let ended = asDate(c.ended_at);
  if (!ended && ["revoked", "expired", "failed"].includes(c.state)) ended = asDate(c.updated_at);
  const from = Math.max(activated.getTime(), p.start.getTime());
  const to = Math.min(ended ? ended.getTime() : p.end.getTime(), p.end.getTime());
  return to > from ? Math.floor((to - from) / 1000) : 0;
}

/** "1.5" with scale 9 -> 1500000000n; exact, for quantities this module wrote. */
function parseScaled(decimal: string, scale: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) return 0n;
  const frac = (m[2] ?? "").slice(0, scale).padEnd(scale, "0");
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac || "0");
}

type Late = { messages: bigint; bytes: bigint };

/**
 * Usage that reached the ledger for closed hours after their period closed, per subscription,
 * not yet counted by any closed line (see the module comment). Only for the earliest open period.
 */
async function lateUsage(db: Db, p: PeriodBounds): Promise<Map<string, Late>> {
  const out = new Map<string, Late>();
  // From the monthly rollup (kept with the ledger in one transaction): a closed month's row
  // touched after the close flags the subscription; its usage over all closed months is summed.
  const rows = await db.execute<{ subscription_id: string; price_model: PriceModel; messages: string; bytes: string }>(sql`
    with closed as (
      select month, closed_at from billing_periods where status = 'closed' and month < ${p.monthDate}::date
    ),
    late as (
      select distinct u.subscription_id
      from usage_monthly u join closed c on u.month = c.month
      where u.updated_at > c.closed_at - interval '${sql.raw(LATE_MARGIN)}'
    )
    select l.subscription_id, pl.price_model,
      coalesce(sum(u.messages), 0)::text as messages, coalesce(sum(u.bytes), 0)::text as bytes
    from late l
    join subscriptions s on s.id = l.subscription_id
    join plans pl on pl.id = s.plan_id
    join usage_monthly u on u.subscription_id = l.subscription_id
    join closed c on u.month = c.month
    where pl.price_model in ('per_gb', 'per_million_messages')
    group by l.subscription_id, pl.price_model
  `);
  if (rows.length === 0) return out;
  const ids = rows.map((r) => r.subscription_id);
  const counted = await db.execute<{ subscription_id: string; price_model: PriceModel; quantity: string }>(sql`
    select ch.subscription_id, pl.price_model, ch.quantity
    from charges ch
    join billing_periods bp on bp.id = ch.period_id and bp.status = 'closed'
    join plans pl on pl.id = ch.plan_id
    where ch.kind = 'usage' and ch.subscription_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
  `);
  const countedBy = new Map<string, Late>();
  for (const c of counted) {
    const acc = countedBy.get(c.subscription_id) ?? { messages: 0n, bytes: 0n };
    if (c.price_model === "per_gb") acc.bytes += parseScaled(c.quantity, 9);
    if (c.price_model === "per_million_messages") acc.messages += parseScaled(c.quantity, 6);
    countedBy.set(c.subscription_id, acc);
  }
  for (const r of rows) {
    const already = countedBy.get(r.subscription_id) ?? { messages: 0n, bytes: 0n };
    const late: Late = { messages: 0n, bytes: 0n };
    if (r.price_model === "per_gb") late.bytes = BigInt(r.bytes) - already.bytes;
    if (r.price_model === "per_million_messages") late.messages = BigInt(r.messages) - already.messages;
    if (late.bytes > 0n || late.messages > 0n) {
      out.set(r.subscription_id, { bytes: late.bytes > 0n ? late.bytes : 0n, messages: late.messages > 0n ? late.messages : 0n });
    }
  }
  return out;
}

async function isEarliestOpen(db: Db, p: PeriodBounds): Promise<boolean> {
  const [earlier] = await db
    .select({ id: billingPeriods.id })
    .from(billingPeriods)
    .where(and(eq(billingPeriods.status, "open"), lt(billingPeriods.month, p.monthDate)))
    .limit(1);
  return !earlier;
}

/** The lines a period would have now (no writes). */
export async function computeChargeLines(db: Db, key: string): Promise<ChargeLine[]> {
  const p = periodBounds(key);
  const late = (await isEarliestOpen(db, p)) ? await lateUsage(db, p) : new Map<string, Late>();
  const lateIds = [...late.keys()];
  const lateFilter = lateIds.length ? sql`or s.id in (${sql.join(lateIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``;
  // One rollup row per subscription and month (usage_monthly), not the month's ~720 ledger rows each.
  const rows = await db.execute<Candidate>(sql`
    with u as (
      select subscription_id, messages, bytes from usage_monthly where month = ${p.monthDate}::date
    )
    select s.id, s.plan_id, s.product_id, s.team_id, s.state, s.activated_at, s.ended_at, s.updated_at,
      t.cost_center_id, pl.price_model, pl.price_minor::text as price_minor, pl.currency,
      pl.monthly_cap_minor::text as monthly_cap_minor,
      coalesce(u.messages, 0)::text as messages, coalesce(u.bytes, 0)::text as bytes
    from subscriptions s
    join teams t on t.id = s.team_id
    join plans pl on pl.id = s.plan_id
    left join u on u.subscription_id = s.id
    where u.subscription_id is not null
      or (s.activated_at is not null and s.activated_at < ${p.end.toISOString()}::timestamptz
          and (s.ended_at is null or s.ended_at > ${p.start.toISOString()}::timestamptz))
      ${lateFilter}
    order by s.id
  `);
  const lines: ChargeLine[] = [];
  for (const c of rows) {
    const l = late.get(c.id);
    const messages = BigInt(c.messages) + (l?.messages ?? 0n);
    const bytes = BigInt(c.bytes) + (l?.bytes ?? 0n);
    const activeSeconds = activeSecondsIn(c, p);
    if (c.price_model === "flat_monthly" && activeSeconds === 0 && messages === 0n && bytes === 0n) continue;
    const priced = priceUsage(
      {
        priceModel: c.price_model,
        priceMinor: BigInt(c.price_minor),
        currency: c.currency,
        monthlyCapMinor: c.monthly_cap_minor === null ? null : BigInt(c.monthly_cap_minor),
      },
      { messages, bytes, activeSeconds, periodSeconds: p.seconds },
    );
    let description = priced.description;
    if (l) {
      const lateText = l.bytes > 0n ? `${decimalString(l.bytes, 9)} GB` : `${decimalString(l.messages, 6)} million messages`;
      description += `; includes ${lateText} of late usage for closed periods`;
    }
    lines.push({
      subscriptionId: c.id,
      planId: c.plan_id,
      productId: c.product_id,
      teamId: c.team_id,
      costCenterId: c.cost_center_id,
      kind: priced.kind,
      quantity: priced.quantity,
      amountMinor: priced.amountMinor,
      currency: priced.currency,
      description,
    });
  }
  return lines;
}

type PeriodRow = typeof billingPeriods.$inferSelect;

/** The period row, locked for the transaction; created open when missing (never before a closed one). */
async function lockPeriod(tx: Db, p: PeriodBounds): Promise<PeriodRow> {
  const select = () => tx.select().from(billingPeriods).where(eq(billingPeriods.month, p.monthDate)).for("update");
  let [row] = await select();
  if (!row) {
    const [later] = await tx
      .select({ month: billingPeriods.month })
      .from(billingPeriods)
      .where(and(eq(billingPeriods.status, "closed"), gt(billingPeriods.month, p.monthDate)))
      .limit(1);
    if (later) throw new AppError("conflict", `${p.key} is before the closed period ${periodKeyOfMonthDate(later.month)}; corrections go into an open period.`);
    await tx.insert(billingPeriods).values({ month: p.monthDate }).onConflictDoNothing();
    [row] = await select();
  }
  return row!;
}

/**
 * A PostgreSQL array literal with every element quoted (NULL for null), for unnest(): parsing one
 * array per column is much cheaper for 10,000 rows than json_to_recordset, and drizzle's sql``
 * would expand a JS array into a row of parameters.
 */
function pgArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(",")}}`;
}

/**
 * Makes the period's usage and flat lines equal `lines`, in the caller's transaction, writing
 * only what changed, in one statement: a line keeps its row (and id) while its subscription,
 * kind, plan, product, team and currency stay, and is updated in place when its amount,
 * quantity, description or cost center moved; lines that are gone are deleted, new ones
 * inserted. Rewriting all 10,000 lines of a month on every recompute spent most of its time in
 * the six foreign-key checks per inserted row; an update that keeps the keys needs none, and
 * stays on the row's page (fillfactor 50, migration 0015), so it writes no index entries. The
 * three parts of the statement see the same snapshot (the lines as they were).
 */
async function replaceLines(tx: Db, periodId: string, lines: ChargeLine[]): Promise<void> {
  const column = (f: (l: ChargeLine) => string | null) => pgArray(lines.map(f));
  /** The stored line `t` is the new line x's row: same subscription, kind and keys. */
  const same = (t: "c" | "o") =>
    sql.raw(
      ["subscription_id", "kind", "plan_id", "product_id", "team_id", "currency"].map((k) => `${t}.${k} = x.${k}`).join(" and "),
    );
  await tx.execute(sql`
    with x as (
      select * from unnest(
        ${column((l) => l.subscriptionId)}::uuid[], ${column((l) => l.planId)}::uuid[], ${column((l) => l.productId)}::uuid[],
        ${column((l) => l.teamId)}::uuid[], ${column((l) => l.costCenterId)}::uuid[], ${column((l) => l.kind)}::charge_kind[],
        ${column((l) => l.quantity)}::text[], ${column((l) => String(l.amountMinor))}::bigint[], ${column((l) => l.currency)}::text[],
        ${column((l) => l.description)}::text[]
      ) as x(subscription_id, plan_id, product_id, team_id, cost_center_id, kind, quantity, amount_minor, currency, description)
    ),
    old as (select * from charges where period_id = ${periodId}::uuid and kind <> 'adjustment'),
    gone as (
      delete from charges c using old o
      where c.id = o.id and not exists (select 1 from x where ${same("o")})
    ),
    changed as (
      update charges c set cost_center_id = x.cost_center_id, quantity = x.quantity, amount_minor = x.amount_minor, description = x.description
      from x
      where c.period_id = ${periodId}::uuid and ${same("c")}
        and (c.cost_center_id, c.quantity, c.amount_minor, c.description) is distinct from (x.cost_center_id, x.quantity, x.amount_minor, x.description)
    )
    insert into charges (period_id, subscription_id, plan_id, product_id, team_id, cost_center_id, kind, quantity, amount_minor, currency, description)
    select ${periodId}::uuid, x.subscription_id, x.plan_id, x.product_id, x.team_id, x.cost_center_id, x.kind, x.quantity, x.amount_minor, x.currency, x.description
    from x where not exists (select 1 from old c where ${same("c")})
  `);
}

export type RecomputeResult = { period: string; lines: number; totals: { currency: string; amountMinor: number }[] };

/**
 * Replace an open period's usage and flat lines with freshly computed ones, in one transaction.
 * Refuses a closed period (AppError conflict). With `createEmpty: false` a period that has no
 * row yet and no lines is not created (the worker's sweep over past months).
 */
export async function recomputePeriodCharges(db: Database, key: string, opts: { createEmpty?: boolean } = {}): Promise<RecomputeResult | null> {
  const p = periodBounds(key);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(billingPeriods).where(eq(billingPeriods.month, p.monthDate));
    if (existing?.status === "closed") throw new AppError("conflict", `The period ${key} is closed: its charges are frozen.`);
    const lines = await computeChargeLines(tx, key);
    if (!existing && lines.length === 0 && opts.createEmpty === false) return null;
    const period = await lockPeriod(tx, p);
    if (period.status === "closed") throw new AppError("conflict", `The period ${key} is closed: its charges are frozen.`);
    await replaceLines(tx, period.id, lines);
    return { period: key, lines: lines.length, totals: sumByCurrency(lines) };
  });
}

/** How far back the sweep looks for months with usage but no period yet. */
const SWEEP_MONTHS = 24;

/**
 * Recompute every open period up to `now`'s month (the billing worker calls this periodically):
 * existing open periods, the current month, and past months that have usage but no period yet
 * (bounded to 24 months, and never before the latest closed period). Closed periods are skipped.
 */
export async function refreshOpenPeriodCharges(db: Database, now: Date = new Date()): Promise<RecomputeResult[]> {
  const current = periodKeyOf(now);
  const periods = await db.select().from(billingPeriods).orderBy(asc(billingPeriods.month));
  const closed = periods.filter((r) => r.status === "closed").map((r) => periodKeyOfMonthDate(r.month));
  const latestClosed = closed.at(-1);
  const [first] = await db.execute<{ month: string | null }>(sql`select to_char(min(month), 'YYYY-MM') as month from usage_monthly`);
  const earliestUsage = first?.month ?? current;
  let from = [earliestUsage, addMonths(current, -SWEEP_MONTHS)].sort().at(-1)!;
  if (latestClosed && from <= latestClosed) from = addMonths(latestClosed, 1);
  const keys = new Set(periodRange(from, current));
  for (const r of periods) {
    const k = periodKeyOfMonthDate(r.month);
    if (r.status === "open" && k <= current) keys.add(k);
  }
  const out: RecomputeResult[] = [];
  for (const key of [...keys].sort()) {
    if (closed.includes(key)) continue;
    const res = await recomputePeriodCharges(db, key, { createEmpty: key === current });
    if (res) out.push(res);
  }
  return out;
}

export type ClosePeriodResult = { period: string; closedAt: Date; lines: number; totals: { currency: string; amountMinor: number }[] };

/**
 * Close a period (finance or admin): recompute it one last time, then freeze it. Refused for a
 * month that has not ended, an already closed one, or while an earlier period is still open.
 * Audited, including refusals for lack of a role.
 */
export async function closePeriod(db: Database, actor: SessionUser, key: string, opts: { now?: Date } = {}): Promise<ClosePeriodResult> {
  const actorRef = { type: "user" as const, id: actor.id, label: actor.email };
  if (!isFinance(actor)) {
    await recordAudit(db, { actor: actorRef, action: "billing_period.close", resource: { type: "billing_period", id: key }, result: "denied" });
    throw new AppError("forbidden");
  }
  const p = periodBounds(key);
  const now = opts.now ?? new Date();
  if (now < p.end) {
    throw new AppError("validation", `${key} has not ended yet; a period can be closed from its last day's midnight (UTC).`, {
      fieldErrors: { period: [`${key} is still running; it can be closed from ${p.end.toISOString().slice(0, 10)}.`] },
    });
  }
  return db.transaction(async (tx) => {
    const [earlierOpen] = await tx
      .select({ month: billingPeriods.month })
      .from(billingPeriods)
      .where(and(eq(billingPeriods.status, "open"), lt(billingPeriods.month, p.monthDate)))
      .orderBy(asc(billingPeriods.month))
      .limit(1);
    if (earlierOpen) throw new AppError("conflict", `Close ${periodKeyOfMonthDate(earlierOpen.month)} first: periods close in order.`);
    const period = await lockPeriod(tx, p);
    if (period.status === "closed") throw new AppError("conflict", `${key} is already closed.`);
    const lines = await computeChargeLines(tx, key);
    await replaceLines(tx, period.id, lines);
    await tx.update(billingPeriods).set({ status: "closed", closedAt: now, closedBy: actor.id }).where(eq(billingPeriods.id, period.id));
    const all = await tx.select({ amountMinor: charges.amountMinor, currency: charges.currency }).from(charges).where(eq(charges.periodId, period.id));
    const totals = sumByCurrency(all);
    await recordAudit(tx, {
      actor: actorRef,
      action: "billing_period.close",
      resource: { type: "billing_period", id: key },
      details: { period: key, lines: all.length, totals },
    });
    return { period: key, closedAt: now, lines: all.length, totals };
  });
}

export type AdjustmentInput = { chargeId: string; amountMinor: number; reason: string };

/**
 * A correction to a closed period's charge: a new 'adjustment' line (positive or negative) in
 * the earliest open period after it, pointing at the charge it compensates. The original line
 * is never edited. Charges of an open period are corrected by recomputing it, so they cannot
 * be adjusted (their ids are replaced on every recompute). Finance/admin only; audited.
 */
export async function createAdjustment(db: Database, actor: SessionUser, input: AdjustmentInput, opts: { now?: Date } = {}) {
  const actorRef = { type: "user" as const, id: actor.id, label: actor.email };
  if (!isFinance(actor)) {
    await recordAudit(db, { actor: actorRef, action: "charge.adjust", resource: { type: "charge", id: input.chargeId }, result: "denied" });
    throw new AppError("forbidden");
  }
  const fieldErrors: Record<string, string[]> = {};
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) fieldErrors.amountMinor = ["Enter a non-zero amount in minor units."];
  if (!input.reason.trim()) fieldErrors.reason = ["Say why the charge is corrected."];
  if (Object.keys(fieldErrors).length) throw new AppError("validation", undefined, { fieldErrors });
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const [target] = await tx
      .select({ charge: charges, period: billingPeriods })
      .from(charges)
      .innerJoin(billingPeriods, eq(billingPeriods.id, charges.periodId))
      .where(eq(charges.id, input.chargeId));
    if (!target) throw new AppError("not_found", "No such charge.");
    if (target.period.status !== "closed") {
      throw new AppError("conflict", "This charge's period is open: it is recomputed from usage, so there is nothing to compensate yet.");
    }
    const period = await lockPeriod(tx, periodBounds(await adjustmentBookingPeriod(tx, periodKeyOfMonthDate(target.period.month), now)));
    if (period.status === "closed") throw new AppError("conflict", "There is no open period to book the correction in.");
    const c = target.charge;
    const [row] = await tx
      .insert(charges)
      .values({
        periodId: period.id,
        subscriptionId: c.subscriptionId,
        planId: c.planId,
        productId: c.productId,
        teamId: c.teamId,
        costCenterId: c.costCenterId,
        kind: "adjustment",
        quantity: "0",
        amountMinor: input.amountMinor,
        currency: c.currency,
        description: `Adjustment to ${periodKeyOfMonthDate(target.period.month)}: ${input.reason.trim()}`,
        compensatesChargeId: c.id,
      })
      .returning();
    await recordAudit(tx, {
      actor: actorRef,
      action: "charge.adjust",
      resource: { type: "charge", id: c.id },
      details: {
        adjustmentId: row!.id,
        bookedIn: periodKeyOfMonthDate(period.month),
        amountMinor: input.amountMinor,
        currency: c.currency,
        reason: input.reason.trim(),
      },
    });
    return { ...row!, bookedIn: periodKeyOfMonthDate(period.month) };
  });
}

/**
 * Where a correction to a charge of closed period `key` is booked: the earliest open period
 * after it, or the month of `now` when no later period exists yet (it is then created open).
 */
export async function adjustmentBookingPeriod(db: Db, key: string, now: Date = new Date()): Promise<string> {
  const [nextOpen] = await db
    .select({ month: billingPeriods.month })
    .from(billingPeriods)
    .where(and(eq(billingPeriods.status, "open"), gt(billingPeriods.month, periodBounds(key).monthDate)))
    .orderBy(asc(billingPeriods.month))
    .limit(1);
  return nextOpen ? periodKeyOfMonthDate(nextOpen.month) : periodKeyOf(now);
}

/** Latest periods first (for the picker). */
export async function listBillingPeriods(db: Db) {
  return db.select().from(billingPeriods).orderBy(desc(billingPeriods.month));
}

export { assertFinance };
