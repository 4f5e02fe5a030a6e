import { and, count, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import {
  accessRequests,
  contractVersions,
  credentials,
  dataProducts,
  maskingTiers,
  memberships,
  notifications,
  organizations,
  plans,
  subscriptions,
  teams,
  users,
} from "@/db/schema";
import { principalName, subscriptionUsername } from "@/lib/kafka/names";

/** States in which a subscription holds (or is about to hold) access on the cluster. */
export const LIVE_STATES = ["requested", "provisioning", "active", "suspended", "failed"] as const;

/** The newest published contract of a product: its purposes bind subscriptions, its major names the topic. */
export async function findCurrentContract(db: Db, productId: string) {
  const [row] = await db
    .select()
    .from(contractVersions)
    .where(and(eq(contractVersions.productId, productId), eq(contractVersions.status, "published")))
    .orderBy(desc(contractVersions.major), desc(contractVersions.minor), desc(contractVersions.patch))
    .limit(1);
  return row;
}

export async function findPlanWithTier(db: Db, planId: string) {
  const [row] = await db
    .select({ plan: plans, tier: maskingTiers })
    .from(plans)
    .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
    .where(eq(plans.id, planId));
  return row;
}

export async function findProduct(db: Db, productId: string) {
  const [row] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
  return row;
}

export async function listTeamOwnerIds(db: Db, teamId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner"), eq(users.disabled, false)));
  return rows.map((r) => r.userId);
}

export async function findSubscription(db: Db, subscriptionId: string) {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  return row;
}

/** Credentials still valid on the cluster (not revoked), oldest generation first. */
export async function listLiveCredentials(db: Db, subscriptionId: string) {
  return db
    .select()
    .from(credentials)
    .where(and(eq(credentials.subscriptionId, subscriptionId), isNull(credentials.revokedAt)))
    .orderBy(credentials.createdAt);
}

/**
 * Adds the subscription's next credential generation (`sub-<id>-r<n>`) and makes it the current
 * principal. Call with the subscription row locked: the generation number is a count of rows.
 * A new generation rather than a reused name means no secret from before works again.
 */
export async function insertNextCredential(tx: Db, subscriptionId: string) {
  const [{ generations }] = (await tx.select({ generations: count() }).from(credentials).where(eq(credentials.subscriptionId, subscriptionId))) as [
    { generations: number },
  ];
  const username = subscriptionUsername(subscriptionId, generations);
  const [cred] = await tx.insert(credentials).values({ subscriptionId, username, mechanism: "scram-sha-512" }).returning();
  await tx.update(subscriptions).set({ principal: principalName(username) }).where(eq(subscriptions.id, subscriptionId));
  return { ...cred!, generation: generations };
}

/** Enabled members of a team: whom a subscription's notices go to. */
export async function listTeamMemberIds(db: Db, teamId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.teamId, teamId), eq(users.disabled, false)));
  return rows.map((r) => r.userId);
}

/** Subscriptions that still hold (or are getting) access and expire in (from, until]. */
export async function listSubscriptionsExpiringBetween(db: Db, from: Date, until: Date) {
  return db
    .select({ id: subscriptions.id, teamId: subscriptions.teamId, expiresAt: subscriptions.expiresAt, productName: dataProducts.name })
    .from(subscriptions)
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .where(and(inArray(subscriptions.state, ["provisioning", "active"]), gt(subscriptions.expiresAt, from), lte(subscriptions.expiresAt, until)));
}

/**
 * Rotations whose grace period ends in (from, until] while the previous credential is still live:
 * the new generation's row records when the previous ones stop working.
 */
export async function listRotationGracesEndingBetween(db: Db, from: Date, until: Date) {
  const previous = db
    .select({ id: credentials.id })
    .from(credentials)
    .where(
      and(
        eq(credentials.subscriptionId, subscriptions.id),
        isNull(credentials.revokedAt),
        lt(credentials.createdAt, sql`rotated.created_at`),
      ),
    );
  const rotated = alias(credentials, "rotated");
  return db
    .select({
      subscriptionId: subscriptions.id,
      teamId: subscriptions.teamId,
      productName: dataProducts.name,
      rotatedAt: rotated.rotatedAt,
      retiresAt: rotated.previousRetiresAt,
    })
    .from(rotated)
    .innerJoin(subscriptions, eq(subscriptions.id, rotated.subscriptionId))
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .where(
      and(
        eq(subscriptions.state, "active"),
        isNull(rotated.revokedAt),
        gt(rotated.previousRetiresAt, from),
        lte(rotated.previousRetiresAt, until),
        sql`exists (${previous})`,
      ),
    );
}

/** Which of these users already got a notice of this kind and link at or after `since` (uses the per-user index). */
export async function listUsersNotifiedSince(db: Db, userIds: readonly string[], kind: string, link: string, since: Date): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ userId: notifications.userId })
    .from(notifications)
    .where(and(inArray(notifications.userId, [...userIds]), eq(notifications.kind, kind), eq(notifications.link, link), gte(notifications.createdAt, since)));
  return new Set(rows.map((r) => r.userId));
}

export type ReviewQueueItem = {
  requestId: string;
  createdAt: Date;
  productId: string;
  productName: string;
  productSlug: string;
  planId: string;
  planName: string;
  tierName: string;
  requester: { id: string; name: string; email: string };
  team: { id: string; name: string };
  org: { name: string; kind: "internal" | "external" };
  purpose: string;
  justification: string;
  requestedExpiry: Date | null;
};

/** Pending requests on products owned by any of `ownerTeamIds`, oldest first. */
export async function listPendingRequestsForOwnerTeams(db: Db, ownerTeamIds: string[]): Promise<ReviewQueueItem[]> {
  if (ownerTeamIds.length === 0) return [];
  const rows = await db
    .select({
      requestId: accessRequests.id,
      createdAt: accessRequests.createdAt,
      productId: dataProducts.id,
      productName: dataProducts.name,
      productSlug: dataProducts.slug,
      planId: plans.id,
      planName: plans.name,
      tierName: maskingTiers.name,
      requesterId: users.id,
      requesterName: users.name,
      requesterEmail: users.email,
      teamId: teams.id,
      teamName: teams.name,
      orgName: organizations.name,
      orgKind: organizations.kind,
      purpose: accessRequests.purpose,
      justification: accessRequests.justification,
      requestedExpiry: accessRequests.requestedExpiry,
    })
    .from(accessRequests)
    .innerJoin(dataProducts, eq(dataProducts.id, accessRequests.productId))
    .innerJoin(plans, eq(plans.id, accessRequests.planId))
    .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
    .innerJoin(users, eq(users.id, accessRequests.requesterId))
    .innerJoin(teams, eq(teams.id, accessRequests.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(and(eq(accessRequests.status, "pending"), inArray(dataProducts.ownerTeamId, ownerTeamIds)))
    .orderBy(accessRequests.createdAt);
  return rows.map((r) => ({
    requestId: r.requestId,
    createdAt: r.createdAt,
    productId: r.productId,
    productName: r.productName,
    productSlug: r.productSlug,
    planId: r.planId,
    planName: r.planName,
    tierName: r.tierName,
    requester: { id: r.requesterId, name: r.requesterName, email: r.requesterEmail },
    team: { id: r.teamId, name: r.teamName },
    org: { name: r.orgName, kind: r.orgKind },
    purpose: r.purpose,
    justification: r.justification,
    requestedExpiry: r.requestedExpiry,
  }));
}

/** States after access ended (or, for suspended, paused): their principals must be gone from the cluster. */
export const ENDED_STATES = ["revoked", "expired", "suspended"] as const;

/**
 * An ended subscription whose principal may still work: its deprovisioning has not finished
 * (typically the cluster is unreachable and the job is retrying with backoff). Show it as
 * "ending", never as ended, until this is null.
 */
export type AccessRemoval = {
  /** Credentials not yet removed from the cluster. */
  liveCredentials: number;
  /** Attempts of the newest deprovision job so far (0: not started yet). */
  attempts: number;
  maxAttempts: number | null;
  /** Why the last attempt failed, first line (null before any failure). */
  lastError: string | null;
  /** When the job runs next (null while running or once it gave up). */
  nextAttemptAt: Date | null;
  /** The job ran out of attempts; the reconciler finishes removal when the cluster answers. */
  gaveUp: boolean;
};

/** Pending access removals of these subscriptions, by id; subscriptions without one are absent. */
export async function listAccessRemovals(db: Db, subscriptionIds: readonly string[]): Promise<Map<string, AccessRemoval>> {
  const out = new Map<string, AccessRemoval>();
  if (subscriptionIds.length === 0) return out;
  const ids = sql.join(
    subscriptionIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const ended = sql.join(
    ENDED_STATES.map((state) => sql`${state}::subscription_state`),
    sql`, `,
  );
  const rows = await db.execute<{
    id: string;
    live: number;
    attempts: number | null;
    max_attempts: number | null;
    last_error: string | null;
    status: string | null;
    run_at: Date | string | null;
  }>(sql`
    select s.id, live.n as live, j.attempts, j.max_attempts, j.last_error, j.status, j.run_at
    from subscriptions s
    cross join lateral (select count(*)::int as n from credentials c where c.subscription_id = s.id and c.revoked_at is null) live
    left join lateral (
      select attempts, max_attempts, last_error, status, run_at from jobs
      where kind = 'subscription.deprovision' and payload->>'subscriptionId' = s.id::text
      order by id desc limit 1
    ) j on true
    where s.id in (${ids}) and s.state in (${ended}) and live.n > 0`);
  for (const r of rows) {
    out.set(r.id, {
      liveCredentials: r.live,
      attempts: r.attempts ?? 0,
      maxAttempts: r.max_attempts,
      lastError: r.last_error ? r.last_error.split("\n")[0]! : null,
      nextAttemptAt: r.status === "queued" && r.run_at ? new Date(r.run_at) : null,
      gaveUp: r.status === "failed",
    });
  }
  return out;
}

/** A team's subscriptions for "My subscriptions", each with its pending access removal (null when none). */
export async function listTeamSubscriptions(db: Db, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  const rows = await db
    .select({
      subscription: subscriptions,
      productName: dataProducts.name,
      productSlug: dataProducts.slug,
      planName: plans.name,
      tierName: maskingTiers.name,
    })
    .from(subscriptions)
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(maskingTiers, eq(maskingTiers.id, subscriptions.tierId))
    .where(inArray(subscriptions.teamId, teamIds))
    .orderBy(desc(subscriptions.createdAt));
  const endedIds = rows.filter((r) => (ENDED_STATES as readonly string[]).includes(r.subscription.state)).map((r) => r.subscription.id);
  const removals = await listAccessRemovals(db, endedIds);
  return rows.map((r) => ({ ...r, removal: removals.get(r.subscription.id) ?? null }));
}

/** Active plans of these products, for an owner granting a different plan than requested. */
export async function listActivePlansOfProducts(db: Db, productIds: string[]) {
  if (productIds.length === 0) return [];
  return db
    .select({ id: plans.id, name: plans.name, productId: plans.productId })
    .from(plans)
    .where(and(inArray(plans.productId, productIds), eq(plans.active, true)))
    .orderBy(plans.name);
}

/**
 * Access requests filed by these teams that the requester still needs to see: pending ones and
 * decisions (denials with their reason) of the last `recentDays`. Approved ones show up as subscriptions.
 */
export async function listTeamAccessRequests(db: Db, teamIds: string[], { recentDays = 30, now = new Date() } = {}) {
  if (teamIds.length === 0) return [];
  const since = new Date(now.getTime() - recentDays * 86_400_000);
  return db
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      teamId: accessRequests.teamId,
      purpose: accessRequests.purpose,
      decisionReason: accessRequests.decisionReason,
      decidedAt: accessRequests.decidedAt,
      createdAt: accessRequests.createdAt,
      productName: dataProducts.name,
      productSlug: dataProducts.slug,
      planName: plans.name,
    })
    .from(accessRequests)
    .innerJoin(dataProducts, eq(dataProducts.id, accessRequests.productId))
    .innerJoin(plans, eq(plans.id, accessRequests.planId))
    .where(
      and(
        inArray(accessRequests.teamId, teamIds),
        or(eq(accessRequests.status, "pending"), and(inArray(accessRequests.status, ["denied", "cancelled"]), gte(accessRequests.decidedAt, since))),
      ),
    )
    .orderBy(desc(accessRequests.createdAt));
}
