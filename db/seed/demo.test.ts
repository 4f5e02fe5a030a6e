import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  clusters,
  contractVersions,
  dataProducts,
  maskingTiers,
  memberships,
  organizations,
  platformSettings,
  plans,
  teams,
  users,
} from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { compileContract } from "@/lib/contracts";
import { validateTierRules } from "@/lib/masking";
import { createTestDatabase } from "@/lib/testing/db";
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_PRODUCTS, seedDemoWorld } from "./demo";
import type { ContractField, MaskRule } from "./types";

const t = await createTestDatabase();
const racing = await createTestDatabase();

async function counts() {
  const n = (table: Parameters<(typeof t.db)["$count"]>[0]) => t.db.$count(table);
  return {
    orgs: await n(organizations),
    teams: await n(teams),
    users: await n(users),
    memberships: await n(memberships),
    products: await n(dataProducts),
    contracts: await n(contractVersions),
    tiers: await n(maskingTiers),
    plans: await n(plans),
    clusters: await n(clusters),
  };
}

describe("seedDemoWorld", () => {
  it("creates at least 12 published products, each with a published contract, tiers and plans", async () => {
    const result = await seedDemoWorld(t.db);
    expect(result.seeded).toBe(true);
    const published = await t.db.select().from(dataProducts).where(eq(dataProducts.status, "published"));
    expect(published.length).toBeGreaterThanOrEqual(12);
    for (const p of published) {
      const [contract] = await t.db
        .select()
        .from(contractVersions)
        .where(and(eq(contractVersions.productId, p.id), eq(contractVersions.status, "published")));
      expect(contract, p.slug).toBeDefined();
      const fields = contract.fields as ContractField[];
      expect(p.fieldNames).toEqual(fields.map((f) => f.path));
      expect(fields.some((f) => f.pii !== "none"), `${p.slug} has PII`).toBe(true);
      expect((contract.schema as { $schema: string }).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(p.description).toContain("```");
      // The product page renders CommonMark without the GFM table extension.
      expect(p.description, p.slug).not.toMatch(/^\|.*\|$/m);

      const tiers = await t.db.select().from(maskingTiers).where(eq(maskingTiers.productId, p.id));
      expect(tiers.filter((x) => x.fullAccess)).toHaveLength(1);
      expect(tiers.some((x) => !x.fullAccess), `${p.slug} has a masked tier`).toBe(true);
      for (const tier of tiers.filter((x) => !x.fullAccess)) {
        const rules = tier.rules as Record<string, MaskRule>;
        for (const f of fields.filter((x) => x.pii !== "none")) {
          expect(rules[f.path]?.strategy, `${p.slug}/${tier.name}/${f.path}`).toBeDefined();
          expect(rules[f.path].strategy, `${p.slug}/${tier.name}/${f.path}`).not.toBe("keep");
        }
      }

      const productPlans = await t.db.select().from(plans).where(eq(plans.productId, p.id));
      expect(productPlans.length, p.slug).toBeGreaterThan(0);
      const fullTier = tiers.find((x) => x.fullAccess)!;
      for (const plan of productPlans.filter((x) => x.tierId === fullTier.id)) expect(plan.approval).toBe("manual");
    }
    const statuses = await t.db.selectDistinct({ s: dataProducts.status }).from(dataProducts);
    expect(statuses.map((s) => s.s).sort()).toEqual(["deprecated", "draft", "published"]);
  });

  it("lets every demo login sign in with the documented password and roles", async () => {
    for (const email of Object.values(DEMO_LOGINS)) {
      const [u] = await t.db.select().from(users).where(eq(users.email, email));
      expect(u, email).toBeDefined();
      expect(await verifyPassword(DEMO_PASSWORD, u.passwordHash!)).toBe(true);
    }
    const [admin] = await t.db.select().from(users).where(eq(users.email, DEMO_LOGINS.admin));
    expect(admin.roles).toEqual(["admin"]);
    const [finance] = await t.db.select().from(users).where(eq(users.email, DEMO_LOGINS.finance));
    expect(finance.roles).toEqual(["finance"]);
    expect(await verifyPassword("wrong-password", admin.passwordHash!)).toBe(false);

    const teamsOf = async (email: string) =>
      t.db
        .select({ team: teams.name, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(eq(users.email, email))
        .orderBy(teams.name);
    expect(await teamsOf(DEMO_LOGINS.owner)).toEqual([
      { team: "Fraud & Security", role: "owner" },
      { team: "Network Analytics", role: "owner" },
    ]);
    expect(await teamsOf(DEMO_LOGINS.consumer)).toEqual([{ team: "Customer Care", role: "member" }]);
    const [partnerOrg] = await t.db
      .select({ name: organizations.name, kind: organizations.kind })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.email, DEMO_LOGINS.partner));
    expect(partnerOrg).toEqual({ name: "Nimbus Mobile", kind: "external" });
  });

  it("creates the embedded cluster and a closed public catalog", async () => {
    const [cluster] = await t.db.select().from(clusters);
    expect(cluster).toMatchObject({ name: "embedded", bootstrapServers: "localhost:9092", embedded: true });
    const [setting] = await t.db.select().from(platformSettings).where(eq(platformSettings.key, "public_catalog"));
    expect(setting.value).toBe(false);
  });

  it("does nothing when run again", async () => {
    const before = await counts();
    const again = await seedDemoWorld(t.db);
    expect(again.seeded).toBe(false);
    expect(await counts()).toEqual(before);
    expect(before.products).toBeGreaterThanOrEqual(15);
  });

  it("makes products findable through the search trigger", async () => {
    const rows = await t.db
      .select({ slug: dataProducts.slug })
      .from(dataProducts)
      .where(sql`${dataProducts.searchVector} @@ plainto_tsquery('english', 'sim swap fraud')`);
    expect(rows.map((r) => r.slug)).toContain("fraud-alerts-sim-swap-irsf");
  });
});

describe("demo product definitions", () => {
  it("pass the contract validator and the masking policy checks the app itself uses", async () => {
    // The example records are dated around this instant; max_age rules are checked against it.
    const now = Date.parse("2026-11-21T18:42:20Z");
    for (const spec of DEMO_PRODUCTS) {
      const [row] = await t.db
        .select({ id: dataProducts.id, schema: contractVersions.schema, fields: contractVersions.fields, rules: contractVersions.qualityRules })
        .from(dataProducts)
        .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id))
        .where(eq(dataProducts.slug, spec.slug));
      const validate = compileContract({ schemaFormat: "json-schema", schema: row.schema, qualityRules: row.rules });
      expect(validate(spec.example, now), spec.slug).toEqual({ ok: true });
      const tiers = await t.db.select().from(maskingTiers).where(eq(maskingTiers.productId, row.id));
      const issues = validateTierRules(row.fields as never, tiers.map((x) => ({ name: x.name, fullAccess: x.fullAccess, rules: x.rules })) as never);
      expect(issues, spec.slug).toEqual([]);
    }
  });
});

describe("seedDemoWorld under concurrency", () => {
  it("seeds once when two callers race (launcher and npm run seed)", async () => {
    const results = await Promise.all([seedDemoWorld(racing.db), seedDemoWorld(racing.db)]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect(await racing.db.$count(organizations)).toBe(5);
  });
});
