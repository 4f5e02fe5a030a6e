import { and, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { maskingTiers, organizations, plans, subscriptions, teams, users } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { LIVE_STATES } from "@/lib/subscriptions/queries";
import { findProductOwnerTeam, productOpsAccess } from "./access";

export type ProductConsumer = {
  subscriptionId: string;
  team: { id: string; name: string };
  org: { name: string; kind: "internal" | "external" };
  requester: { name: string; email: string };
  plan: string;
  tier: { name: string; fullAccess: boolean };
  state: (typeof subscriptions.$inferSelect)["state"];
  stateReason: string | null;
  purpose: string;
  /** When access began (activation), or the request time while not active yet. */
  since: Date;
  expiresAt: Date | null;
  endedAt: Date | null;
  /** Still holds (or is about to hold) access. */
  live: boolean;
  /** revokeSubscription can end it: every live state, suspended included. */
  revocable: boolean;
};

/** Ended subscriptions stay on the list this long, so an owner sees what just stopped. */
export const ENDED_VISIBLE_DAYS = 30;

/**
 * Who consumes a product, for the Consumers tab: every live subscription and those ended in the
 * last ENDED_VISIBLE_DAYS, live first. Null unless `user` is a member of the owning team or an
 * admin; `canRevoke` says whether they may also revoke (owners of that team).
 */
export async function listProductConsumers(
  db: Db,
  user: SessionUser | null,
  productId: string,
  now: Date = new Date(),
): Promise<{ consumers: ProductConsumer[]; canRevoke: boolean } | null> {
  const ownerTeamId = await findProductOwnerTeam(db, productId);
  if (!ownerTeamId) return null;
  const access = productOpsAccess(user, ownerTeamId);
  if (!access.canViewOps) return null;
  const endedSince = new Date(now.getTime() - ENDED_VISIBLE_DAYS * 86_400_000);
  const rows = await db
    .select({
      sub: subscriptions,
      teamName: teams.name,
      orgName: organizations.name,
      orgKind: organizations.kind,
      requesterName: users.name,
      requesterEmail: users.email,
      planName: plans.name,
      tierName: maskingTiers.name,
      tierFull: maskingTiers.fullAccess,
    })
    .from(subscriptions)
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .innerJoin(users, eq(users.id, subscriptions.createdBy))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(maskingTiers, eq(maskingTiers.id, subscriptions.tierId))
    .where(
      and(
        eq(subscriptions.productId, productId),
        or(inArray(subscriptions.state, [...LIVE_STATES]), isNull(subscriptions.endedAt), gte(subscriptions.endedAt, endedSince)),
      ),
    )
    .orderBy(sql`(${subscriptions.state} in ('requested','provisioning','active','suspended','failed')) desc`, desc(subscriptions.createdAt))
    .limit(500);
  return {
    canRevoke: access.canRevoke,
    consumers: rows.map((r) => ({
      subscriptionId: r.sub.id,
      team: { id: r.sub.teamId, name: r.teamName },
      org: { name: r.orgName, kind: r.orgKind },
      requester: { name: r.requesterName, email: r.requesterEmail },
      plan: r.planName,
      tier: { name: r.tierName, fullAccess: r.tierFull },
      state: r.sub.state,
      stateReason: r.sub.stateReason,
      purpose: r.sub.purpose,
      since: r.sub.activatedAt ?? r.sub.createdAt,
      expiresAt: r.sub.expiresAt,
      endedAt: r.sub.endedAt,
      live: (LIVE_STATES as readonly string[]).includes(r.sub.state),
      revocable: (LIVE_STATES as readonly string[]).includes(r.sub.state),
    })),
  };
}
