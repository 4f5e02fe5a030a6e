import { createHash, randomUUID } from "node:crypto";
import { and, desc, eq, inArray, like } from "drizzle-orm";
import type { Database } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, memberships, plans, subscriptions, teams, usageLedger, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { closePeriod, refreshOpenPeriodCharges } from "@/lib/billing/charges";
import { addMonths, periodBounds, periodKeyOf } from "@/lib/billing/periods";
import { deliveryTopicName, groupPrefix } from "@/lib/kafka/names";
import { DEMO_LOGINS } from "./world";

/**
 * Demo usage history so /finance, the usage charts and the chargeback look real: a set of demo
 * subscriptions across the world's teams (the demo seed creates none), each with hourly ledger
 * rows from its activation to the last full hour, then the open periods' charges, and every
 * month before last closed by the finance user (so the demo shows both states).
 *
 * Deterministic: volumes come from a hash of (subscription index, hour), shaped by a daily and
 * weekly cycle and slow growth; the same call at the same instant writes the same numbers.
 * Idempotent: does nothing when the demo subscriptions exist (marked by their purpose suffix).
 * Subscriptions get no credentials row, so the provisioner leaves them alone; their delivery
 * topic and group prefix are the real names, for the pages that show them.
 */
type DemoSub = {
  team: string;
  product: string;
  plan: string;
  /** Mean messages per hour and bytes per message at the start of the history. */
  perHour: number;
  bytesPerMessage: number;
  /** Days after the start of the history the subscription was activated (default 0). */
  startDay?: number;
  /** Days after the start of the history it ended (revoked). */
  endDay?: number;
};

const DEMO_SUBSCRIPTIONS: DemoSub[] = [
  { team: "customer-care", product: "cdr-billing-events", plan: "Internal volume", perHour: 300_000, bytesPerMessage: 620 },
  { team: "fraud-security", product: "cdr-billing-events", plan: "Full access", perHour: 280_000, bytesPerMessage: 910 },
  { team: "billing-platform", product: "payment-events", plan: "Internal volume", perHour: 50_000, bytesPerMessage: 780 },
  { team: "financial-crime", product: "payment-events", plan: "Internal volume", perHour: 35_000, bytesPerMessage: 780, startDay: 20 },
  { team: "network-analytics", product: "iot-device-telemetry", plan: "Internal volume", perHour: 200_000, bytesPerMessage: 340 },
  { team: "iot-platform", product: "cell-network-kpis", plan: "Internal", perHour: 120_000, bytesPerMessage: 1_150 },
  { team: "data-platform", product: "customer-experience-scores", plan: "Internal", perHour: 8_000, bytesPerMessage: 450 },
  { team: "customer-care", product: "customer-experience-scores", plan: "Full access", perHour: 9_000, bytesPerMessage: 610, startDay: 70 },
  { team: "nimbus-partner-integrations", product: "cdr-billing-events", plan: "Partner", perHour: 220_000, bytesPerMessage: 760 },
  { team: "nimbus-partner-integrations", product: "iot-device-telemetry", plan: "Partner", perHour: 90_000, bytesPerMessage: 330, startDay: 12 },
  { team: "orbit-wholesale-analytics", product: "roaming-events", plan: "Wholesale flat", perHour: 45_000, bytesPerMessage: 540, startDay: 45 },
  { team: "energy-trading-desk", product: "intraday-power-trades", plan: "Internal volume", perHour: 20_000, bytesPerMessage: 420 },
  { team: "grid-analytics", product: "day-ahead-power-prices", plan: "Desk licence", perHour: 2_400, bytesPerMessage: 2_900 },
  { team: "financial-crime", product: "card-authorisations", plan: "High volume", perHour: 140_000, bytesPerMessage: 690 },
  { team: "payments-engineering", product: "card-authorisations", plan: "Full access", perHour: 60_000, bytesPerMessage: 980, endDay: 40 },
];

/** Purposes of the demo subscriptions end with this, which marks them as seeded history. */
const MARK = " (demo history)";
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const BATCH = 2_000;

function unit(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** Business-hours peak, quieter weekends, +15 % over the history, ±20 % hourly noise. */
function volumeAt(base: number, index: number, hour: Date, historyStart: number): number {
  const h = hour.getUTCHours();
  const daily = 0.55 + 0.45 * Math.sin(((h - 6) / 24) * 2 * Math.PI) ** 2 * (h >= 6 && h <= 20 ? 1.6 : 0.6);
  const weekday = hour.getUTCDay();
  const weekly = weekday === 0 || weekday === 6 ? 0.7 : 1;
  const growth = 1 + 0.15 * ((hour.getTime() - historyStart) / (90 * DAY_MS));
  const noise = 0.8 + 0.4 * unit(`${index}:${hour.toISOString()}`);
  return Math.max(0, Math.round(base * daily * weekly * growth * noise));
}

export type SeedUsageResult = { seeded: boolean; subscriptions: number; ledgerRows: number; closed: string[] };

export async function seedDemoUsage(db: Database, opts: { months?: number; now?: Date } = {}): Promise<SeedUsageResult> {
  const months = opts.months ?? 3;
  const now = opts.now ?? new Date();
  const marked = await db.select({ id: subscriptions.id }).from(subscriptions).where(like(subscriptions.purpose, `%${MARK}`)).limit(1);
  if (marked.length > 0) return { seeded: false, subscriptions: 0, ledgerRows: 0, closed: [] };

  const historyStart = periodBounds(addMonths(periodKeyOf(now), -(months - 1))).start.getTime();
  const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - HOUR_MS;

  const teamRows = await db.select({ id: teams.id, slug: teams.slug }).from(teams).where(inArray(teams.slug, [...new Set(DEMO_SUBSCRIPTIONS.map((s) => s.team))]));
  const teamId = new Map(teamRows.map((t) => [t.slug, t.id]));
  const [fallbackUser] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_LOGINS.admin));
  if (!fallbackUser || teamRows.length === 0) return { seeded: false, subscriptions: 0, ledgerRows: 0, closed: [] };

  let created = 0;
  let ledgerRows = 0;
  for (const [index, spec] of DEMO_SUBSCRIPTIONS.entries()) {
    const team = teamId.get(spec.team);
    const [row] = await db
      .select({ product: dataProducts, plan: plans, tierName: maskingTiers.name })
      .from(plans)
      .innerJoin(dataProducts, eq(dataProducts.id, plans.productId))
      .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
      .where(and(eq(dataProducts.slug, spec.product), eq(plans.name, spec.plan)));
    if (!team || !row) continue;
    const [contract] = await db
      .select({ major: contractVersions.major, purposes: contractVersions.purposes })
      .from(contractVersions)
      .where(and(eq(contractVersions.productId, row.product.id), eq(contractVersions.status, "published")))
      .orderBy(desc(contractVersions.major))
      .limit(1);
    const [member] = await db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.teamId, team)).limit(1);
    const major = contract?.major ?? 1;
    const purpose = (contract?.purposes as string[] | undefined)?.[0] ?? "analytics";
    const activatedAt = new Date(historyStart + (spec.startDay ?? 0) * DAY_MS + 9 * HOUR_MS);
    const endedAt = spec.endDay !== undefined ? new Date(historyStart + spec.endDay * DAY_MS + 17 * HOUR_MS) : null;
    if (activatedAt.getTime() > lastHour) continue;
    const id = randomUUID();
    await db.insert(subscriptions).values({
      id,
      productId: row.product.id,
      planId: row.plan.id,
      tierId: row.plan.tierId,
      contractMajor: major,
      teamId: team,
      createdBy: member?.userId ?? fallbackUser.id,
      state: endedAt ? "revoked" : "active",
      stateReason: endedAt ? "Cancelled by the team" : null,
      purpose: `${purpose}${MARK}`,
      deliveryTopic: deliveryTopicName(row.product.slug, major, row.tierName),
      groupPrefix: groupPrefix(id),
      activatedAt,
      endedAt,
      createdAt: new Date(activatedAt.getTime() - 5 * 60_000),
    });
    created++;

    const first = Math.ceil(activatedAt.getTime() / HOUR_MS) * HOUR_MS;
    const last = Math.min(lastHour, endedAt ? Math.floor(endedAt.getTime() / HOUR_MS) * HOUR_MS : lastHour);
    let batch: (typeof usageLedger.$inferInsert)[] = [];
    for (let t = first; t <= last; t += HOUR_MS) {
      const hour = new Date(t);
      const messages = volumeAt(spec.perHour, index, hour, historyStart);
      const bytes = messages * spec.bytesPerMessage;
      batch.push({ subscriptionId: id, hour, messages, bytes, lag: Math.round(messages * 0.002 * unit(`lag:${index}:${t}`)), updatedAt: new Date(t + HOUR_MS) });
      if (batch.length >= BATCH) {
        await db.insert(usageLedger).values(batch).onConflictDoNothing();
        ledgerRows += batch.length;
        batch = [];
      }
    }
    if (batch.length) {
      await db.insert(usageLedger).values(batch).onConflictDoNothing();
      ledgerRows += batch.length;
    }
  }

  await refreshOpenPeriodCharges(db, now);
  // Every month before last is closed by the finance user, in order; last month stays open.
  const closed: string[] = [];
  const [financeRow] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_LOGINS.finance));
  const finance = financeRow ? await loadSessionUser(db, financeRow.id) : null;
  if (finance) {
    const lastMonth = addMonths(periodKeyOf(now), -1);
    for (let k = periodKeyOf(new Date(historyStart)); k < lastMonth; k = addMonths(k, 1)) {
      const res = await closePeriod(db, finance, k, { now: new Date(periodBounds(k).end.getTime() + 2 * DAY_MS + 10 * HOUR_MS) });
      closed.push(res.period);
    }
  }
  return { seeded: true, subscriptions: created, ledgerRows, closed };
}
