import { and, asc, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers } from "@/db/schema";

export type RoutableVersion = {
  id: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  status: "published" | "deprecated";
  schemaFormat: "json-schema" | "avro";
  schema: unknown;
  fields: unknown;
  qualityRules: unknown;
  sunsetAt: Date | null;
};

export type RoutableTier = { id: string; name: string; fullAccess: boolean; rules: unknown };

export type RoutableProduct = {
  id: string;
  slug: string;
  sourceTopic: string;
  status: "published" | "deprecated";
  maskingKeyVersion: number;
  sunsetAt: Date | null;
  versions: RoutableVersion[];
  tiers: RoutableTier[];
};

/**
 * What the router serves, read in three queries: products published or deprecated with a
 * cluster and a source topic (a deprecated product streams until its sunset), their published
 * and deprecated contract versions, and their tiers. Sunsets are applied by the caller, against
 * its own clock, so a sunset passing between two refreshes takes effect at the next one.
 */
export async function loadRoutableProducts(db: Db): Promise<RoutableProduct[]> {
  const products = await db
    .select({
      id: dataProducts.id,
      slug: dataProducts.slug,
      sourceTopic: dataProducts.sourceTopic,
      status: dataProducts.status,
      maskingKeyVersion: dataProducts.maskingKeyVersion,
      sunsetAt: dataProducts.sunsetAt,
    })
    .from(dataProducts)
    .where(and(inArray(dataProducts.status, ["published", "deprecated"]), isNotNull(dataProducts.clusterId), isNotNull(dataProducts.sourceTopic)))
    .orderBy(asc(dataProducts.slug));
  if (products.length === 0) return [];
  const ids = products.map((p) => p.id);
  const [versions, tiers] = await Promise.all([
    db
      .select({
        productId: contractVersions.productId,
        id: contractVersions.id,
        version: contractVersions.version,
        major: contractVersions.major,
        minor: contractVersions.minor,
        patch: contractVersions.patch,
        status: contractVersions.status,
        schemaFormat: contractVersions.schemaFormat,
        schema: contractVersions.schema,
        fields: contractVersions.fields,
        qualityRules: contractVersions.qualityRules,
        sunsetAt: contractVersions.sunsetAt,
      })
      .from(contractVersions)
      .where(and(inArray(contractVersions.productId, ids), inArray(contractVersions.status, ["published", "deprecated"]))),
    db
      .select({ productId: maskingTiers.productId, id: maskingTiers.id, name: maskingTiers.name, fullAccess: maskingTiers.fullAccess, rules: maskingTiers.rules })
      .from(maskingTiers)
      .where(inArray(maskingTiers.productId, ids))
      .orderBy(asc(maskingTiers.name)),
  ]);
  const byProduct = new Map<string, RoutableProduct>();
  const out: RoutableProduct[] = [];
  for (const p of products) {
    if (!p.sourceTopic || (p.status !== "published" && p.status !== "deprecated")) continue;
    const product: RoutableProduct = { id: p.id, slug: p.slug, sourceTopic: p.sourceTopic, status: p.status, maskingKeyVersion: p.maskingKeyVersion, sunsetAt: p.sunsetAt, versions: [], tiers: [] };
    byProduct.set(p.id, product);
    out.push(product);
  }
  for (const { productId, ...v } of versions) {
    if (v.status !== "published" && v.status !== "deprecated") continue;
    byProduct.get(productId)?.versions.push({ ...v, status: v.status });
  }
  for (const { productId, ...t } of tiers) byProduct.get(productId)?.tiers.push(t);
  return out;
}
