import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, memberships, plans, subscriptions, teams } from "@/db/schema";
import { LIVE_STATES } from "@/lib/subscriptions/queries";

export type ProductRow = typeof dataProducts.$inferSelect;
export type ContractVersionRow = typeof contractVersions.$inferSelect;
export type MaskingTierRow = typeof maskingTiers.$inferSelect;

export async function findProductBySlug(db: Db, slug: string) {
  const [row] = await db
    .select({ product: dataProducts, team: { id: teams.id, slug: teams.slug, name: teams.name } })
    .from(dataProducts)
    .innerJoin(teams, eq(teams.id, dataProducts.ownerTeamId))
    .where(eq(dataProducts.slug, slug))
    .limit(1);
  return row;
}

/** The product row, locked for the rest of the transaction (version and lifecycle changes serialize on it). */
export async function lockProduct(db: Db, productId: string): Promise<ProductRow | undefined> {
  const [row] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId)).for("update");
  return row;
}

/** Every contract version of a product, newest first. */
export async function listContractVersions(db: Db, productId: string): Promise<ContractVersionRow[]> {
  return db
    .select()
    .from(contractVersions)
    .where(eq(contractVersions.productId, productId))
    .orderBy(desc(contractVersions.major), desc(contractVersions.minor), desc(contractVersions.patch));
}

export async function listTiers(db: Db, productId: string): Promise<MaskingTierRow[]> {
  return db.select().from(maskingTiers).where(eq(maskingTiers.productId, productId)).orderBy(asc(maskingTiers.name));
}

/**
 * People to tell about a product change: every member of a team holding a live subscription
 * (requested, provisioning, active, suspended, failed) to it, optionally only on some majors.
 */
export async function listSubscriberUserIds(db: Db, productId: string, majors?: number[]): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: memberships.userId })
    .from(subscriptions)
    .innerJoin(memberships, eq(memberships.teamId, subscriptions.teamId))
    .where(
      and(
        eq(subscriptions.productId, productId),
        inArray(subscriptions.state, [...LIVE_STATES]),
        majors ? inArray(subscriptions.contractMajor, majors.length ? majors : [-1]) : undefined,
      ),
    );
  return rows.map((r) => r.userId);
}

/** Live subscriptions per contract major, for the manage page. */
export async function countLiveSubscriptionsByMajor(db: Db, productId: string): Promise<Map<number, number>> {
  const rows = await db
    .select({ major: subscriptions.contractMajor, n: sql<number>`count(*)::int` })
    .from(subscriptions)
    .where(and(eq(subscriptions.productId, productId), inArray(subscriptions.state, [...LIVE_STATES])))
    .groupBy(subscriptions.contractMajor);
  return new Map(rows.map((r) => [r.major, r.n]));
}

export async function countActivePlans(db: Db, productId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(plans)
    .where(and(eq(plans.productId, productId), eq(plans.active, true)));
  return row?.n ?? 0;
}

/**
 * What the router delivers for a product at `now`: every contract version whose status is
 * published or deprecated and whose sunset has not passed, of a product that is itself published
 * or deprecated and not past its own sunset. With the supersede rule (README) this is at most one
 * version per major: the latest of each major still serving. Newest first.
 */
export async function listServingVersions(db: Db, productId: string, now: Date = new Date()): Promise<ContractVersionRow[]> {
  return db
    .select({ v: contractVersions })
    .from(contractVersions)
    .innerJoin(dataProducts, eq(dataProducts.id, contractVersions.productId))
    .where(
      and(
        eq(contractVersions.productId, productId),
        inArray(dataProducts.status, ["published", "deprecated"]),
        or(isNull(dataProducts.sunsetAt), gt(dataProducts.sunsetAt, now)),
        inArray(contractVersions.status, ["published", "deprecated"]),
        or(isNull(contractVersions.sunsetAt), gt(contractVersions.sunsetAt, now)),
      ),
    )
    .orderBy(desc(contractVersions.major), desc(contractVersions.minor), desc(contractVersions.patch))
    .then((rows) => {
      // Defensive: should two versions of one major ever both qualify, the newest serves.
      const seen = new Set<number>();
      return rows.map((r) => r.v).filter((v) => (seen.has(v.major) ? false : (seen.add(v.major), true)));
    });
}
