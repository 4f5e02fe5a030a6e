import { and, desc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters, contractVersions, dataProducts } from "@/db/schema";

export type DemoProduct = {
  id: string;
  slug: string;
  sourceTopic: string;
  contractVersion: string;
  schemaFormat: string;
  schema: unknown;
  qualityRules: unknown;
};

/**
 * Live products that demo producers feed: published, and deprecated ones too (they stream until
 * their sunset date). Products named in `preferredSlugs` (the ones with a hand-made flavour) come
 * first, then the most recently published, up to `limit`: a database with 100,000 synthetic
 * products must not get 100,000 producers. Each comes with its newest live contract version.
 */
export async function listDemoProducts(db: Db, opts: { limit: number; preferredSlugs: string[] }): Promise<DemoProduct[]> {
  // An empty IN list is not valid SQL; a constant is not a valid ORDER BY term: compare instead.
  const preferred = opts.preferredSlugs.length ? inArray(dataProducts.slug, opts.preferredSlugs) : sql`(${dataProducts.id} is null)`;
  const products = await db
    .select({ id: dataProducts.id, slug: dataProducts.slug, sourceTopic: dataProducts.sourceTopic })
    .from(dataProducts)
    .leftJoin(clusters, eq(clusters.id, dataProducts.clusterId))
    .where(
      and(
        inArray(dataProducts.status, ["published", "deprecated"]),
        isNotNull(dataProducts.sourceTopic),
        // Only the cluster whose address comes from the environment (the one we produce to);
        // demo records never go to an owner's real cluster.
        or(isNull(dataProducts.clusterId), eq(clusters.embedded, true)),
      ),
    )
    .orderBy(desc(preferred), desc(dataProducts.publishedAt), dataProducts.slug)
    .limit(opts.limit);
  if (products.length === 0) return [];
  const versions = await db
    .select({
      productId: contractVersions.productId,
      version: contractVersions.version,
      schemaFormat: contractVersions.schemaFormat,
      schema: contractVersions.schema,
      qualityRules: contractVersions.qualityRules,
    })
    .from(contractVersions)
    .where(
      and(
        inArray(
          contractVersions.productId,
          products.map((p) => p.id),
        ),
        inArray(contractVersions.status, ["published", "deprecated"]),
      ),
    )
    .orderBy(desc(eq(contractVersions.status, "published")), desc(contractVersions.major), desc(contractVersions.minor), desc(contractVersions.patch));
  const newest = new Map<string, (typeof versions)[number]>();
  for (const v of versions) if (!newest.has(v.productId)) newest.set(v.productId, v);
  const out: DemoProduct[] = [];
  for (const p of products) {
    const v = newest.get(p.id);
    if (!v || !p.sourceTopic) continue;
    out.push({ id: p.id, slug: p.slug, sourceTopic: p.sourceTopic, contractVersion: v.version, schemaFormat: v.schemaFormat, schema: v.schema, qualityRules: v.qualityRules });
  }
  return out;
}
