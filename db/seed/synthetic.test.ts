import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contractVersions, dataProducts, maskingTiers, plans } from "@/db/schema";
import { compileRules } from "@/lib/contracts";
import { validateTierRules } from "@/lib/masking";
import { createTestDatabase } from "@/lib/testing/db";
import { buildSyntheticProducts, generateSyntheticProducts, listSyntheticSlugs } from "./synthetic";
import type { ContractField, MaskRule } from "./types";

const first = await createTestDatabase();
const second = await createTestDatabase();

describe("generateSyntheticProducts", () => {
  it("builds the same products for the same seed and different ones for another seed", () => {
    const a = buildSyntheticProducts(300, 7, ["A", "B"]);
    const b = buildSyntheticProducts(300, 7, ["A", "B"]);
    const c = buildSyntheticProducts(300, 8, ["A", "B"]);
    expect(a).toEqual(b);
    expect(c.map((p) => p.name)).not.toEqual(a.map((p) => p.name));
    expect(new Set(a.map((p) => p.slug)).size).toBe(300);
    expect(new Set(a.map((p) => p.domain)).size).toBeGreaterThan(5);
  });

  it("inserts exactly count published products, deterministically across databases", async () => {
    await generateSyntheticProducts(first.db, { count: 2000, seed: 1 });
    await generateSyntheticProducts(second.db, { count: 2000, seed: 1, chunkSize: 700, concurrency: 1 });
    const [{ n }] = await first.db.select({ n: sql<number>`count(*)::int` }).from(dataProducts);
    expect(n).toBe(2000);
    const slugsA = await listSyntheticSlugs(first.db, 1);
    const slugsB = await listSyntheticSlugs(second.db, 1);
    expect(slugsA).toHaveLength(2000);
    expect(slugsB).toEqual(slugsA);
    const statuses = await first.db.selectDistinct({ s: dataProducts.status }).from(dataProducts);
    expect(statuses).toEqual([{ s: "published" }]);
  });

  it("gives every product a published contract, masking that covers PII, and 1-3 plans", async () => {
    const perProduct = await first.db.execute<{ contracts: number; plans: number; tiers: number }>(sql`
      select
        (select count(*)::int from ${contractVersions} c where c.product_id = p.id and c.status = 'published') as contracts,
        (select count(*)::int from ${plans} pl where pl.product_id = p.id) as plans,
        (select count(*)::int from ${maskingTiers} t where t.product_id = p.id) as tiers
      from ${dataProducts} p`);
    for (const row of perProduct) {
      expect(row.contracts).toBe(1);
      expect(row.plans).toBeGreaterThanOrEqual(1);
      expect(row.plans).toBeLessThanOrEqual(3);
      expect(row.tiers).toBeGreaterThanOrEqual(2);
    }
    const sampleRows = await first.db
      .select({ fields: contractVersions.fields, rules: maskingTiers.rules, full: maskingTiers.fullAccess, names: dataProducts.fieldNames })
      .from(contractVersions)
      .innerJoin(maskingTiers, sql`${maskingTiers.productId} = ${contractVersions.productId}`)
      .innerJoin(dataProducts, sql`${dataProducts.id} = ${contractVersions.productId}`)
      .limit(500);
    let checkedPii = 0;
    for (const r of sampleRows) {
      const fields = r.fields as ContractField[];
      expect(r.names).toEqual(fields.map((f) => f.path));
      if (r.full) continue;
      for (const f of fields.filter((x) => x.pii !== "none")) {
        expect((r.rules as Record<string, MaskRule>)[f.path]?.strategy).not.toBe("keep");
        checkedPii++;
      }
    }
    expect(checkedPii).toBeGreaterThan(0);

    // What the router will compile: quality rules and tier policies pass the engines' own checks.
    const products = await first.db.select({ id: dataProducts.id }).from(dataProducts).orderBy(dataProducts.slug).limit(100);
    for (const { id } of products) {
      const [contract] = await first.db.select().from(contractVersions).where(sql`${contractVersions.productId} = ${id}`);
      expect(() => compileRules(contract.qualityRules as unknown[])).not.toThrow();
      const tiers = await first.db.select().from(maskingTiers).where(sql`${maskingTiers.productId} = ${id}`);
      const issues = validateTierRules(contract.fields as never, tiers.map((x) => ({ name: x.name, fullAccess: x.fullAccess, rules: x.rules })) as never);
      expect(issues).toEqual([]);
    }
  });

  it("skips products that already exist when re-run with the same seed", async () => {
    await generateSyntheticProducts(first.db, { count: 2000, seed: 1 });
    const [{ n }] = await first.db.select({ n: sql<number>`count(*)::int` }).from(dataProducts);
    const [{ c }] = await first.db.select({ c: sql<number>`count(*)::int` }).from(contractVersions);
    expect(n).toBe(2000);
    expect(c).toBe(2000);
  });

  it("makes products findable by a field name through the search trigger", async () => {
    const hits = await first.db
      .select({ slug: dataProducts.slug })
      .from(dataProducts)
      .where(sql`${dataProducts.searchVector} @@ plainto_tsquery('simple', 'msisdn')`)
      .limit(5);
    expect(hits.length).toBeGreaterThan(0);
  });
});
