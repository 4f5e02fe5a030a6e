import { and, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { credentials, dataProducts, maskingTiers, plans, subscriptions, teams } from "@/db/schema";
import { isAdmin, isFinance, isMemberOfTeam, type SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { kafkaConnectionFromEnv } from "@/lib/kafka/client";
import { buildConnectionSnippets, type ConnectionSnippets } from "@/lib/provisioning/snippets";

/**
 * One subscription as its page shows it (`/subscriptions/<id>`, the target of notification
 * links). Who may look follows the usage rule (lib/metering `maySeeSubscriptionUsage`): members
 * of the subscribing team, members of the product's owning team, finance and admins. Only the
 * subscribing team may act on it (reveal, rotate, cancel: the services check that again); the
 * others read. Anyone else gets not_found, never forbidden, so ids of other teams'
 * subscriptions do not reveal that they exist.
 */

/** Stands in for the password in the always-visible snippets: it exists only once, at reveal. */
export const PASSWORD_PLACEHOLDER = "<password shown once at reveal>";

export type SubscriptionViewer = "team" | "owner_team" | "admin" | "finance";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ownerTeams = alias(teams, "owner_teams");

export type SubscriptionDetail = Awaited<ReturnType<typeof getSubscriptionDetail>>;

export async function getSubscriptionDetail(db: Db, user: SessionUser, subscriptionId: string) {
  // A malformed id is just an unknown one (and must not reach PostgreSQL's uuid cast as a 500).
  if (!UUID.test(subscriptionId)) throw new AppError("not_found", "This subscription does not exist.");
  const [row] = await db
    .select({
      subscription: subscriptions,
      product: { id: dataProducts.id, name: dataProducts.name, slug: dataProducts.slug, ownerTeamId: dataProducts.ownerTeamId, status: dataProducts.status },
      ownerTeamName: ownerTeams.name,
      plan: { id: plans.id, name: plans.name, approval: plans.approval, priceModel: plans.priceModel },
      tierName: maskingTiers.name,
      teamName: teams.name,
    })
    .from(subscriptions)
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .innerJoin(ownerTeams, eq(ownerTeams.id, dataProducts.ownerTeamId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .innerJoin(maskingTiers, eq(maskingTiers.id, subscriptions.tierId))
    .innerJoin(teams, eq(teams.id, subscriptions.teamId))
    .where(eq(subscriptions.id, subscriptionId));
  const viewer = row ? viewerOf(user, { teamId: row.subscription.teamId, ownerTeamId: row.product.ownerTeamId }) : null;
  if (!row || !viewer) throw new AppError("not_found", "This subscription does not exist.");

  const creds = await db
    .select({
      id: credentials.id,
      username: credentials.username,
      mechanism: credentials.mechanism,
      createdAt: credentials.createdAt,
      revealedAt: credentials.revealedAt,
      rotatedAt: credentials.rotatedAt,
      previousRetiresAt: credentials.previousRetiresAt,
      revokedAt: credentials.revokedAt,
    })
    .from(credentials)
    .where(eq(credentials.subscriptionId, row.subscription.id))
    .orderBy(credentials.createdAt);
  // The newest live generation is the current one (the one `subscriptions.principal` names);
  // older live ones are in their rotation grace period, which the next generation's row records.
  const live = creds.filter((c) => !c.revokedAt);
  const current = live.at(-1) ?? null;
  const retiring = live.slice(0, -1).map((c) => ({ ...c, retiresAt: creds[creds.indexOf(c) + 1]?.previousRetiresAt ?? null }));

  return { ...row, viewer, current, retiring };
}

/** Who is looking, or null for someone who may not see the subscription at all. */
export function viewerOf(user: SessionUser, sub: { teamId: string; ownerTeamId: string }): SubscriptionViewer | null {
  if (isMemberOfTeam(user, sub.teamId)) return "team";
  if (isMemberOfTeam(user, sub.ownerTeamId)) return "owner_team";
  if (isAdmin(user)) return "admin";
  if (isFinance(user)) return "finance";
  return null;
}

export type ConnectionDetails = {
  bootstrap: string[];
  securityProtocol: "SASL_SSL" | "SASL_PLAINTEXT";
  mechanism: "SCRAM-SHA-512";
  topic: string;
  groupPrefix: string;
  username: string;
  snippets: ConnectionSnippets;
};

/**
 * What a consumer needs to connect, with the password left as a placeholder. The bootstrap is
 * the one reveal and rotation put in their snippets (lib/provisioning/credential-deps.ts), so the
 * two never disagree.
 */
export function connectionDetails(sub: { deliveryTopic: string | null; groupPrefix: string | null }, username: string): ConnectionDetails | null {
  if (!sub.deliveryTopic || !sub.groupPrefix) return null;
  const connection = kafkaConnectionFromEnv();
  const ssl = connection.ssl ?? false;
  const input = {
    bootstrap: connection.brokers,
    username,
    password: PASSWORD_PLACEHOLDER,
    topic: sub.deliveryTopic,
    groupPrefix: sub.groupPrefix,
    mechanism: "SCRAM-SHA-512" as const,
    ssl,
  };
  return {
    bootstrap: input.bootstrap,
    securityProtocol: ssl ? "SASL_SSL" : "SASL_PLAINTEXT",
    mechanism: input.mechanism,
    topic: input.topic,
    groupPrefix: input.groupPrefix,
    username,
    snippets: buildConnectionSnippets(input),
  };
}

export type GrantablePlan = { id: string; name: string; productId: string; tierName: string; approval: "auto" | "manual"; externalAllowed: boolean };

/**
 * Active plans of these products with the tier each grants, for the approve dialog: an owner
 * changes the tier of a request by granting another plan, so the tier must be visible there.
 */
export async function listGrantablePlans(db: Db, productIds: string[]): Promise<GrantablePlan[]> {
  if (productIds.length === 0) return [];
  return db
    .select({
      id: plans.id,
      name: plans.name,
      productId: plans.productId,
      tierName: maskingTiers.name,
      approval: plans.approval,
      externalAllowed: plans.externalAllowed,
    })
    .from(plans)
    .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
    .where(and(inArray(plans.productId, productIds), eq(plans.active, true)))
    .orderBy(plans.name);
}
