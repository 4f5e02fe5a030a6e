import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, memberships, organizations, plans, teams, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { subscribe } from "./service";

/**
 * A small world for subscription tests, unique per call so tests in one database do not collide:
 * an internal org with an owning team and a consumer team, an external org, one published
 * product with a contract (purposes analytics, fraud-detection), two tiers and four plans.
 *
 * - owner: owner of the owning team.
 * - dualOwner: owner of the owning team AND member of the consumer team (the four-eyes case).
 * - consumer, colleague: members of the consumer team. outsider: member of another team.
 * - partner: member of a team in the external org.
 */
export async function createSubscriptionWorld(db: Db) {
  const tag = randomBytes(4).toString("hex");
  const [internal] = await db.insert(organizations).values({ slug: `telco-${tag}`, name: `Telco ${tag}`, kind: "internal" }).returning();
  const [external] = await db.insert(organizations).values({ slug: `mvno-${tag}`, name: `MVNO ${tag}`, kind: "external" }).returning();
  const mkTeam = async (slug: string, orgId: string) =>
    (await db.insert(teams).values({ slug: `${slug}-${tag}`, name: `${slug} ${tag}`, orgId }).returning())[0]!;
  const ownerTeam = await mkTeam("network", internal!.id);
  const consumerTeam = await mkTeam("care", internal!.id);
  const otherTeam = await mkTeam("other", internal!.id);
  const partnerTeam = await mkTeam("partner", external!.id);

  const mkUser = async (name: string, orgId: string, teamRoles: [string, "member" | "owner"][]): Promise<SessionUser> => {
    const [u] = await db.insert(users).values({ email: `${name}-${tag}@test.tributary`, name, orgId }).returning();
    for (const [teamId, role] of teamRoles) await db.insert(memberships).values({ userId: u!.id, teamId, role });
    return (await loadSessionUser(db, u!.id))!;
  };
  const owner = await mkUser("owner", internal!.id, [[ownerTeam.id, "owner"]]);
  const dualOwner = await mkUser("dual", internal!.id, [[ownerTeam.id, "owner"], [consumerTeam.id, "member"]]);
  const consumer = await mkUser("consumer", internal!.id, [[consumerTeam.id, "member"]]);
  const colleague = await mkUser("colleague", internal!.id, [[consumerTeam.id, "member"]]);
  const outsider = await mkUser("outsider", internal!.id, [[otherTeam.id, "member"]]);
  const partner = await mkUser("partner", external!.id, [[partnerTeam.id, "member"]]);

  const [product] = await db
    .insert(dataProducts)
    .values({
      slug: `cell-events-${tag}`,
      name: `Cell events ${tag}`,
      domain: "network",
      ownerTeamId: ownerTeam.id,
      sourceTopic: `src.cell-events-${tag}`,
      status: "published",
    })
    .returning();
  await db.insert(contractVersions).values({
    productId: product!.id,
    version: "1.2.0",
    major: 1,
    minor: 2,
    patch: 0,
    status: "published",
    schema: { type: "object" },
    purposes: ["analytics", "fraud-detection"],
  });
  const [masked] = await db.insert(maskingTiers).values({ productId: product!.id, name: "masked" }).returning();
  const [full] = await db.insert(maskingTiers).values({ productId: product!.id, name: "full", fullAccess: true }).returning();
  const [autoPlan] = await db.insert(plans).values({ productId: product!.id, tierId: masked!.id, name: "Internal free", approval: "auto" }).returning();
  const [reviewPlan] = await db
    .insert(plans)
    .values({ productId: product!.id, tierId: full!.id, name: "Full, reviewed", approval: "manual", externalAllowed: true })
    .returning();
  const [externalAutoPlan] = await db
    .insert(plans)
    .values({ productId: product!.id, tierId: masked!.id, name: "Partner masked", approval: "auto", externalAllowed: true })
    .returning();
  const [retiredPlan] = await db
    .insert(plans)
    .values({ productId: product!.id, tierId: masked!.id, name: "Old", approval: "auto", active: false })
    .returning();

  return {
    tag,
    teams: { ownerTeam, consumerTeam, otherTeam, partnerTeam },
    users: { owner, dualOwner, consumer, colleague, outsider, partner },
    product: product!,
    tiers: { masked: masked!, full: full! },
    plans: { autoPlan: autoPlan!, reviewPlan: reviewPlan!, externalAutoPlan: externalAutoPlan!, retiredPlan: retiredPlan! },
  };
}

export type SubscriptionWorld = Awaited<ReturnType<typeof createSubscriptionWorld>>;

/** The world's consumer subscribes its team to the auto-approved plan (purpose "analytics"). */
export async function subscribeToAutoPlan(db: Db, w: SubscriptionWorld) {
  const res = await subscribe(db, w.users.consumer, {
    productId: w.product.id,
    planId: w.plans.autoPlan.id,
    teamId: w.teams.consumerTeam.id,
    purpose: "analytics",
  });
  if (res.kind !== "subscription") throw new Error("expected a subscription");
  return res;
}
