import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, memberships, organizations, plans, subscriptions, teams, users } from "@/db/schema";

/**
 * A billing world, unique per call: an external org with two teams (and a member each), an
 * internal org with a consumer team and the owning team, one product with paid and free plans.
 * Subscriptions are inserted directly in the state a test needs (provisioning is not under test).
 */
export async function createBillingWorld(db: Db) {
  const tag = randomBytes(4).toString("hex");
  const [external] = await db
    .insert(organizations)
    .values({ slug: `mvno-${tag}`, name: `MVNO ${tag}`, kind: "external", billingEmail: `billing-${tag}@mvno.test` })
    .returning();
  const [internal] = await db.insert(organizations).values({ slug: `telco-${tag}`, name: `Telco ${tag}`, kind: "internal" }).returning();
  const mkTeam = async (slug: string, orgId: string) => (await db.insert(teams).values({ slug: `${slug}-${tag}`, name: `${slug} ${tag}`, orgId }).returning())[0]!;
  const ownerTeam = await mkTeam("network", internal!.id);
  const internalTeam = await mkTeam("care", internal!.id);
  const partnerTeamA = await mkTeam("partner-a", external!.id);
  const partnerTeamB = await mkTeam("partner-b", external!.id);
  const mkUser = async (name: string, orgId: string, teamId: string) => {
    const [u] = await db.insert(users).values({ email: `${name}-${tag}@test.tributary`, name, orgId }).returning();
    await db.insert(memberships).values({ userId: u!.id, teamId, role: "member" });
    return u!;
  };
  const partnerA = await mkUser("partner-a", external!.id, partnerTeamA.id);
  const partnerB = await mkUser("partner-b", external!.id, partnerTeamB.id);
  const internalUser = await mkUser("internal", internal!.id, internalTeam.id);

  const [product] = await db
    .insert(dataProducts)
    .values({ slug: `cdr-${tag}`, name: `CDR ${tag}`, domain: "network", ownerTeamId: ownerTeam.id, sourceTopic: `src.cdr-${tag}`, status: "published" })
    .returning();
  await db.insert(contractVersions).values({ productId: product!.id, version: "1.0.0", major: 1, minor: 0, patch: 0, status: "published", schema: { type: "object" }, purposes: ["analytics"] });
  const [tier] = await db.insert(maskingTiers).values({ productId: product!.id, name: "masked" }).returning();
  const mkPlan = async (name: string, values: Partial<typeof plans.$inferInsert>) =>
    (await db.insert(plans).values({ productId: product!.id, tierId: tier!.id, name, externalAllowed: true, ...values }).returning())[0]!;
  const gbPlan = await mkPlan("Per GB", { priceModel: "per_gb", priceMinor: 500, currency: "EUR" });
  const msgPlan = await mkPlan("Per million, capped", { priceModel: "per_million_messages", priceMinor: 200, currency: "EUR", monthlyCapMinor: 1_000 });
  const flatPlan = await mkPlan("Flat", { priceModel: "flat_monthly", priceMinor: 9_900, currency: "USD" });
  const freePlan = await mkPlan("Free", { priceModel: "free" });

  async function addSubscription(input: { teamId: string; planId: string; createdBy: string; state?: typeof subscriptions.$inferInsert.state }) {
    const [sub] = await db
      .insert(subscriptions)
      .values({
        productId: product!.id,
        planId: input.planId,
        tierId: tier!.id,
        contractMajor: 1,
        teamId: input.teamId,
        createdBy: input.createdBy,
        state: input.state ?? "active",
        purpose: "analytics",
        activatedAt: new Date(),
      })
      .returning();
    return sub!;
  }

  return {
    tag,
    orgs: { external: external!, internal: internal! },
    teams: { ownerTeam, internalTeam, partnerTeamA, partnerTeamB },
    users: { partnerA, partnerB, internalUser },
    product: product!,
    plans: { gbPlan, msgPlan, flatPlan, freePlan },
    addSubscription,
  };
}
