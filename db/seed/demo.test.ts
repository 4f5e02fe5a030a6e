import { and, eq, sql } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
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
import { MarkdownText } from "@/components/catalog/markdown";
import { verifyPassword } from "@/lib/auth/password";
import { buildSchemaTree } from "@/lib/catalog/schema-tree";
import { compileContract, valuesAt } from "@/lib/contracts";
import { compileMaskingPolicy, deriveProductKey, validateTierRules } from "@/lib/masking";
import { createTestDatabase } from "@/lib/testing/db";
import { buildJsonSchema, field, tierRules, toContractFields } from "./contract";
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

describe("demo product descriptions", () => {
  const render = (markdown: string) => renderToStaticMarkup(createElement(MarkdownText, null, markdown));

  it("show the example record masked, never a personal value every catalog viewer could read", async () => {
    let checked = 0;
    for (const spec of DEMO_PRODUCTS) {
      const [row] = await t.db
        .select({ description: dataProducts.description, fields: contractVersions.fields })
        .from(dataProducts)
        .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id))
        .where(eq(dataProducts.slug, spec.slug));
      const personal = (row.fields as ContractField[])
        .filter((f) => f.pii === "direct" || f.pii === "sensitive")
        .flatMap((f) => valuesAt(spec.example, f.path))
        .filter((v): v is string | number => (typeof v === "string" && v.length >= 4) || typeof v === "number")
        .map(String);
      expect(row.description, spec.slug).toContain("## Example record");
      for (const value of personal) expect(row.description, `${spec.slug} leaks ${value}`).not.toContain(value);
      checked += personal.length;
    }
    // Most demo products carry direct identifiers; make sure the check above had values to look for.
    expect(checked).toBeGreaterThan(20);
  });

  it("render their markdown tables as HTML tables on the product page", async () => {
    const rows = await t.db.select({ slug: dataProducts.slug, description: dataProducts.description }).from(dataProducts);
    const withTables = rows.filter((r) => /^\|.*\|$/m.test(r.description));
    expect(withTables.map((r) => r.slug).sort()).toEqual(["cell-network-kpis", "fraud-alerts-sim-swap-irsf"]);
    for (const r of rows) {
      const html = render(r.description);
      // A table row left as text means GFM did not parse it (e.g. a missing delimiter row).
      expect(html, r.slug).not.toMatch(/<p>\|/);
      expect(html, r.slug).not.toContain("|---");
    }
    const kpis = render(withTables.find((r) => r.slug === "cell-network-kpis")!.description);
    expect(kpis).toContain("<table");
    expect(kpis).toMatch(/<th[^>]*>definition<\/th>/);
    expect(kpis).toMatch(/<td[^>]*><code[^>]*>metrics\.prb_utilisation<\/code><\/td>/);
    expect(kpis).toMatch(/<td[^>]*><code[^>]*>neighbours\[\]\.rsrp_dbm<\/code><\/td>/);
  });

  it("keep raw HTML out, inside tables too", () => {
    const html = render("| a | b |\n|---|:-:|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |\n\n<b>bold</b>");
    expect(html).toContain("<table");
    expect(html).toMatch(/<td style="text-align:center"/);
    expect(html).not.toMatch(/<script|<img|<b>|onerror/);
  });
});

describe("demo products with nested arrays", () => {
  it("document arrays in the contract, containers before their fields", async () => {
    const rows = await t.db
      .select({ slug: dataProducts.slug, fields: contractVersions.fields })
      .from(dataProducts)
      .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id));
    const withArrays = rows.filter((r) => (r.fields as ContractField[]).some((f) => f.path.includes("[]")));
    expect(withArrays.length).toBeGreaterThanOrEqual(5);
    const aml = rows.find((r) => r.slug === "aml-alerts")!.fields as ContractField[];
    const at = (path: string) => aml.findIndex((f) => f.path === path);
    expect(aml[at("related_accounts")]).toMatchObject({ type: "array", description: expect.stringContaining("Counterparty") });
    expect(at("related_accounts")).toBeLessThan(at("related_accounts[]"));
    expect(at("related_accounts[]")).toBeLessThan(at("related_accounts[].iban"));
    expect(aml[at("related_accounts[].iban")]).toMatchObject({ pii: "direct", required: true });
  });

  it("require fields per element without requiring the list, and show lists in the schema viewer", async () => {
    const [row] = await t.db
      .select({ schema: contractVersions.schema, fields: contractVersions.fields })
      .from(dataProducts)
      .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id))
      .where(eq(dataProducts.slug, "cell-network-kpis"));
    const schema = row.schema as { required: string[]; properties: { neighbours: { items: { required: string[] } } } };
    expect(schema.required).not.toContain("neighbours");
    expect(schema.properties.neighbours.items.required.sort()).toEqual(["cell_id", "rsrp_dbm"]);
    const validate = compileContract({ schemaFormat: "json-schema", schema: row.schema, qualityRules: [] });
    const example = DEMO_PRODUCTS.find((p) => p.slug === "cell-network-kpis")!.example;
    expect(validate({ ...example, neighbours: undefined })).toEqual({ ok: true });
    expect(validate({ ...example, neighbours: [{ rsrp_dbm: -90 }] }).ok).toBe(false);

    const tree = buildSchemaTree("json-schema", row.schema, row.fields);
    const neighbours = tree.find((n) => n.name === "neighbours")!;
    expect(neighbours).toMatchObject({ type: "array<object>", required: false, description: expect.stringContaining("neighbour cells") });
    expect(neighbours.children.map((c) => [c.path, c.required])).toEqual([
      ["neighbours[].cell_id", true],
      ["neighbours[].rsrp_dbm", true],
      ["neighbours[].handover_attempts", false],
      ["neighbours[].handover_success_rate", false],
    ]);
  });

  it("keep the list-of-lists curve readable", async () => {
    const [row] = await t.db
      .select({ fields: contractVersions.fields })
      .from(dataProducts)
      .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id))
      .where(eq(dataProducts.slug, "day-ahead-power-prices"));
    const prices = row.fields as ContractField[];
    expect(prices.map((f) => `${f.path}:${f.type}`)).toEqual(expect.arrayContaining(["supply_curve:array", "supply_curve[]:array", "supply_curve[][]:number"]));
    // The flattened path reads every number of every pair (lib/contracts parsePath).
    const example = DEMO_PRODUCTS.find((p) => p.slug === "day-ahead-power-prices")!.example;
    expect(valuesAt(example, "supply_curve[][]")).toHaveLength(10);
    expect(valuesAt(example, "supply_curve[][]")[0]).toBe(-500);
  });

  it("drop a personal container whole outside the full tier, and give plain containers no rule", () => {
    const specs = [
      field("id", "string", "none", "Id.", { required: true }),
      field("contacts", "array", "direct", "People to call."),
      field("contacts[].name", "string", "direct", "Name."),
      field("contacts[].role", "string", "none", "Role."),
      field("legs", "array", "none", "Legs."),
      field("legs[].km", "number", "none", "Distance."),
    ];
    const schema = buildJsonSchema({ id: "urn:test", title: "t", description: "t", fields: specs });
    const fields = toContractFields(specs, schema);
    const partner = tierRules(specs, "partner");
    expect(partner).toEqual({ id: { strategy: "keep" }, contacts: { strategy: "drop" }, "contacts[].name": { strategy: "drop" }, "contacts[].role": { strategy: "keep" }, "legs[].km": { strategy: "keep" } });
    expect(validateTierRules(fields as never, [{ name: "partner", fullAccess: false, rules: partner }] as never)).toEqual([]);
    const mask = compileMaskingPolicy({ fields: fields as never, rules: partner as never, fullAccess: false });
    const out = mask({ id: "a", contacts: [{ name: "Ada", role: "owner" }], legs: [{ km: 1.5 }] });
    expect(out).toEqual({ ok: true, value: { id: "a", legs: [{ km: 1.5 }] } });
  });

  it("mask every example record in every tier without leaking a direct identifier, inside arrays too", async () => {
    const outputs = new Map<string, unknown>();
    for (const spec of DEMO_PRODUCTS) {
      const [row] = await t.db
        .select({ id: dataProducts.id, fields: contractVersions.fields })
        .from(dataProducts)
        .innerJoin(contractVersions, eq(contractVersions.productId, dataProducts.id))
        .where(eq(dataProducts.slug, spec.slug));
      const fields = row.fields as ContractField[];
      const secrets = fields
        .filter((f) => f.pii === "direct" || f.pii === "sensitive")
        .flatMap((f) => valuesAt(spec.example, f.path))
        .filter((v): v is string => typeof v === "string" && v.length >= 6);
      const key = deriveProductKey("demo-test-master-secret-0123456789", row.id, 1);
      for (const tier of await t.db.select().from(maskingTiers).where(eq(maskingTiers.productId, row.id))) {
        const mask = compileMaskingPolicy({ fields: row.fields as never, rules: tier.rules as never, fullAccess: tier.fullAccess, key });
        const result = mask(spec.example);
        expect(result.ok, `${spec.slug}/${tier.name}: ${result.ok ? "" : result.reason}`).toBe(true);
        if (!result.ok) continue;
        outputs.set(`${spec.slug}/${tier.name}`, result.value);
        if (tier.fullAccess) {
          expect(result.value, spec.slug).toEqual(spec.example);
          continue;
        }
        const text = JSON.stringify(result.value);
        for (const secret of secrets) expect(text, `${spec.slug}/${tier.name}`).not.toContain(secret);
      }
    }
    const aml = outputs.get("aml-alerts/internal") as { related_accounts: Record<string, unknown>[] };
    expect(aml.related_accounts).toHaveLength(2);
    expect(aml.related_accounts[0]).toMatchObject({ iban: "******************4931", direction: "outbound", holder_name: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const iot = outputs.get("iot-device-telemetry/partner") as { track: { lat: number }[] };
    expect(iot.track.map((p) => p.lat)).toEqual([53.5, 53.5]);
    const fraud = outputs.get("fraud-alerts-sim-swap-irsf/partner") as { evidence: { signals: Record<string, unknown>[] } };
    expect(fraud.evidence.signals[0]).toEqual({ code: "password_reset_after_swap", weight: 0.52, observed_at: "2026-11-21T18:00:00.000Z", source_ip: "203.0.113.0" });
  });
});

describe("seedDemoWorld under concurrency", () => {
  it("seeds once when two callers race (launcher and npm run seed)", async () => {
    const results = await Promise.all([seedDemoWorld(racing.db), seedDemoWorld(racing.db)]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect(await racing.db.$count(organizations)).toBe(5);
  });
});
