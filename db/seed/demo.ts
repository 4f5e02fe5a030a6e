import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  clusters,
  contractVersions,
  costCenters,
  dataProducts,
  maskingTiers,
  memberships,
  organizations,
  platformSettings,
  plans,
  teams,
  users,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { hashPassword } from "@/lib/auth/password";
import type { ContractField } from "@/lib/contracts";
import { compileMaskingPolicy, deriveProductKey } from "@/lib/masking";
import { buildJsonSchema, parseSemver, TIER_DESCRIPTIONS, tierRules, toContractFields } from "./contract";
import { ENERGY_PRODUCTS } from "./products/energy";
import { PAYMENTS_PRODUCTS } from "./products/payments";
import { TELCO_PRODUCTS } from "./products/telco";
import type { ProductSpec, TierName } from "./types";
import { COST_CENTERS, DEMO_ORG_SLUG, DEMO_PASSWORD, ORGS, TEAMS, USERS } from "./world";

export { DEMO_LOGINS, DEMO_PASSWORD } from "./world";

export const DEMO_PRODUCTS: ProductSpec[] = [...TELCO_PRODUCTS, ...ENERGY_PRODUCTS, ...PAYMENTS_PRODUCTS];

export type SeedResult = { seeded: boolean; products: number; users: number };

const DAY_MS = 86_400_000;

/** Any transaction-scoped advisory lock key works; this one is "trib" in ASCII. */
const SEED_LOCK_KEY = 0x74726962;

/**
 * Creates the demo world in one transaction: orgs, cost centers, teams, the demo logins, the
 * embedded cluster, platform settings and the demo products with contracts, masking tiers and
 * plans. Idempotent: if the operator org exists it does nothing. Concurrent callers (launcher and
 * `npm run seed` at once) serialize on an advisory lock, so the second one sees the first's work.
 */
export async function seedDemoWorld(db: Db): Promise<SeedResult> {
  // scrypt is deliberately slow; one hash shared by all demo users keeps seeding fast. Computed
  // before the transaction so the lock is not held while hashing.
  const existing = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, DEMO_ORG_SLUG));
  if (existing.length > 0) return { seeded: false, products: 0, users: 0 };
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const again = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, DEMO_ORG_SLUG));
    if (again.length > 0) return { seeded: false, products: 0, users: 0 };

    const orgRows = await tx
      .insert(organizations)
      .values(ORGS.map((o) => ({ slug: o.slug, name: o.name, kind: o.kind, billingEmail: o.billingEmail ?? null })))
      .returning({ id: organizations.id, slug: organizations.slug });
    const orgId = new Map(orgRows.map((o) => [o.slug, o.id]));

    const ccRows = await tx
      .insert(costCenters)
      .values(COST_CENTERS.map((c) => ({ code: c.code, name: c.name, orgId: orgId.get(c.org)! })))
      .returning({ id: costCenters.id, code: costCenters.code });
    const ccId = new Map(ccRows.map((c) => [c.code, c.id]));

    const teamRows = await tx
      .insert(teams)
      .values(
        TEAMS.map((t) => ({
          slug: t.slug,
          name: t.name,
          orgId: orgId.get(t.org)!,
          costCenterId: t.costCenter ? ccId.get(t.costCenter)! : null,
          contactEmail: t.contactEmail,
        })),
      )
      .returning({ id: teams.id, slug: teams.slug });
    const teamId = new Map(teamRows.map((t) => [t.slug, t.id]));

    const userRows = await tx
      .insert(users)
      .values(USERS.map((u) => ({ email: u.email.toLowerCase(), name: u.name, passwordHash, orgId: orgId.get(u.org)!, roles: u.roles })))
      .returning({ id: users.id, email: users.email });
    const userId = new Map(userRows.map((u) => [u.email, u.id]));
    const membershipRows = USERS.flatMap((u) =>
      u.teams.map((m) => ({ userId: userId.get(u.email.toLowerCase())!, teamId: teamId.get(m.team)!, role: m.role })),
    );
    await tx.insert(memberships).values(membershipRows);

    const [cluster] = await tx
      .insert(clusters)
      .values({ name: "embedded", bootstrapServers: "localhost:9092", embedded: true, saslMechanism: "scram-sha-512", adminUsername: "admin" })
      .onConflictDoNothing({ target: clusters.name })
      .returning({ id: clusters.id });
    const clusterId = cluster?.id ?? (await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, "embedded")))[0].id;

    await tx
      .insert(platformSettings)
      .values({ key: "public_catalog", value: false })
      .onConflictDoNothing({ target: platformSettings.key });

    const now = Date.now();
    for (const [i, p] of DEMO_PRODUCTS.entries()) {
      const ownerTeam = teamId.get(p.team);
      if (!ownerTeam) throw new Error(`product ${p.slug}: unknown team ${p.team}`);
      await insertProduct(tx, p, { ownerTeam, clusterId, publishedAt: new Date(now - (90 - i * 5) * DAY_MS) });
    }

    await recordAudit(tx, {
      actor: { type: "system", label: "seed" },
      action: "demo.seed",
      resource: { type: "platform" },
      details: { orgs: ORGS.length, teams: TEAMS.length, users: USERS.length, products: DEMO_PRODUCTS.length },
    });
    return { seeded: true, products: DEMO_PRODUCTS.length, users: USERS.length };
  });
}

/** Most restricted first: the example in a description is what the least-privileged tier sees. */
const EXAMPLE_TIERS: Exclude<TierName, "full">[] = ["public", "partner", "internal"];

/**
 * The description shows an example record, masked as the product's most restricted tier delivers
 * it: a description is readable by every catalog viewer, so it must never carry values a
 * viewer's plan would not get (even synthetic ones). The hash key here is a fixed demo key, so
 * hashed values are illustrative only.
 */
function withExample(p: ProductSpec, fields: ContractField[]): string {
  const tier = EXAMPLE_TIERS.find((t) => p.tiers.includes(t));
  if (!tier) return p.description;
  const mask = compileMaskingPolicy({
    fields,
    rules: tierRules(p.contract.fields, tier),
    fullAccess: false,
    tier,
    key: deriveProductKey("tributary-demo-example-masking-key", p.slug, 1),
  });
  const masked = mask(p.example);
  if (!masked.ok) throw new Error(`product ${p.slug}: example record does not mask for tier ${tier}: ${masked.reason}`);
  return (
    `${p.description}\n\n## Example record\n\nAs the *${tier}* tier delivers it (personal fields masked):\n\n` +
    `\`\`\`json\n${JSON.stringify(masked.value, null, 2)}\n\`\`\`\n`
  );
}

async function insertProduct(
  tx: Db,
  p: ProductSpec,
  ctx: { ownerTeam: string; clusterId: string; publishedAt: Date },
): Promise<void> {
  const live = p.status !== "draft";
  const c = p.contract;
  const major = parseSemver(c.version).major;
  const schema = buildJsonSchema({ id: `urn:tributary:${p.slug}:${major}`, title: p.name, description: p.summary, fields: c.fields });
  const fields = toContractFields(c.fields, schema);
  const [product] = await tx
    .insert(dataProducts)
    .values({
      slug: p.slug,
      name: p.name,
      summary: p.summary,
      description: withExample(p, fields),
      domain: p.domain,
      tags: p.tags,
      ownerTeamId: ctx.ownerTeam,
      clusterId: ctx.clusterId,
      sourceTopic: p.sourceTopic,
      status: p.status,
      classification: p.classification,
      contactEmail: p.contactEmail,
      fieldNames: fields.map((f) => f.path),
      publishedAt: live ? ctx.publishedAt : null,
      sunsetAt: p.sunsetInDays ? new Date(Date.now() + p.sunsetInDays * DAY_MS) : null,
      createdAt: new Date(ctx.publishedAt.getTime() - 21 * DAY_MS),
    })
    .returning({ id: dataProducts.id });

  await tx.insert(contractVersions).values({
    productId: product.id,
    version: c.version,
    ...parseSemver(c.version),
    status: p.status === "draft" ? "draft" : p.status === "deprecated" ? "deprecated" : "published",
    schema,
    fields,
    freshnessSlaSeconds: c.freshnessSlaSeconds,
    availabilityTarget: c.availabilityTarget,
    retentionHours: c.retentionHours,
    purposes: c.purposes,
    prohibitedUses: c.prohibitedUses,
    qualityRules: c.qualityRules,
    supportContact: p.contactEmail,
    changelog: c.changelog ?? null,
    publishedAt: live ? ctx.publishedAt : null,
  });

  const tierNames: TierName[] = ["full", ...p.tiers];
  const tierRows = await tx
    .insert(maskingTiers)
    .values(
      tierNames.map((name) => ({
        productId: product.id,
        name,
        description: TIER_DESCRIPTIONS[name],
        fullAccess: name === "full",
        rules: tierRules(c.fields, name),
      })),
    )
    .returning({ id: maskingTiers.id, name: maskingTiers.name });
  const tierId = new Map(tierRows.map((t) => [t.name, t.id]));

  await tx.insert(plans).values(
    p.plans.map((plan) => {
      const tier = tierId.get(plan.tier);
      if (!tier) throw new Error(`product ${p.slug}: plan ${plan.name} uses tier ${plan.tier}, which the product does not define`);
      return {
        productId: product.id,
        tierId: tier,
        name: plan.name,
        description: plan.description,
        // Deprecated products keep serving existing subscribers but take no new ones.
        active: p.status !== "deprecated",
        approval: plan.tier === "full" ? ("manual" as const) : plan.approval,
        priceModel: plan.priceModel,
        priceMinor: plan.priceMinor,
        currency: plan.currency,
        monthlyCapMinor: plan.monthlyCapMinor ?? null,
        externalAllowed: plan.externalAllowed,
        quotaBytesPerSec: plan.quotaBytesPerSec ?? null,
      };
    }),
  );
}
