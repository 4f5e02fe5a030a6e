import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { contractVersions } from "@/db/schema";
import { catalogViewerFor } from "@/lib/catalog/service";
import { getCatalogProduct, searchCatalog } from "@/lib/catalog/queries";
import { parseCatalogSearchParams } from "@/lib/catalog/schemas";
import { AppError } from "@/lib/errors";
import { defineEndpoint } from "../endpoint";

const Slug = z.object({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "Not a product slug") });

const PlanOut = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.string(),
  approval: z.enum(["auto", "manual"]),
  priceModel: z.string(),
  priceMinor: z.number(),
  currency: z.string(),
  externalAllowed: z.boolean(),
});

const ContractOut = z.object({
  version: z.string(),
  status: z.string(),
  schemaFormat: z.enum(["json-schema", "avro"]),
  schema: z.unknown(),
  fields: z.unknown(),
  freshnessSlaSeconds: z.number().nullable(),
  availabilityTarget: z.string().nullable(),
  retentionHours: z.number().nullable(),
  purposes: z.array(z.string()),
  prohibitedUses: z.array(z.string()),
  qualityRules: z.unknown(),
  supportContact: z.string().nullable(),
});

const ProductSummaryOut = z.object({
  slug: z.string(),
  name: z.string(),
  summary: z.string(),
  domain: z.string(),
  tags: z.array(z.string()),
  classification: z.string(),
  status: z.string(),
  team: z.string(),
  url: z.string(),
});

export const searchCatalogEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/catalog",
    operationId: "searchCatalog",
    summary: "Search the catalog",
    description: "Ranked full-text search over names, summaries, descriptions, tags and field names, with the same filters as the catalog page.",
    tag: "Catalog",
    scope: "catalog:read",
    query: z.object({
      q: z.string().max(500).optional(),
      domain: z.union([z.string(), z.array(z.string())]).optional(),
      tag: z.union([z.string(), z.array(z.string())]).optional(),
      sort: z.enum(["relevance", "name", "newest"]).optional(),
      page: z.coerce.number().int().min(1).max(500).optional(),
    }),
    response: z.object({ items: z.array(ProductSummaryOut), total: z.number(), totalIsEstimate: z.boolean(), page: z.number(), pageCount: z.number() }),
  },
  async ({ db, user, query }) => {
    const { params } = parseCatalogSearchParams({ ...query, page: query.page ? String(query.page) : undefined });
    const page = await searchCatalog(db, params, catalogViewerFor(user));
    return {
      items: page.items.map((p) => ({
        slug: p.slug,
        name: p.name,
        summary: p.summary,
        domain: p.domain,
        tags: p.tags,
        classification: p.classification,
        status: p.status,
        team: p.team.name,
        url: `/products/${p.slug}`,
      })),
      total: page.total,
      totalIsEstimate: page.totalIsEstimate,
      page: page.page,
      pageCount: page.pageCount,
    };
  },
);

export const getProductEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/products/{slug}",
    operationId: "getProduct",
    summary: "Read a product",
    description: "The product, its current contract and the plans open to the caller's organization.",
    tag: "Catalog",
    scope: "catalog:read",
    params: Slug,
    response: ProductSummaryOut.extend({ id: z.string(), description: z.string(), contract: ContractOut.nullable(), plans: z.array(PlanOut) }),
  },
  async ({ db, user, params }) => {
    const p = await getCatalogProduct(db, params.slug, catalogViewerFor(user));
    if (!p) throw new AppError("not_found", `No product "${params.slug}" is listed for you.`);
    return {
      id: p.id,
      slug: p.slug,
      name: p.name,
      summary: p.summary,
      description: p.description,
      domain: p.domain,
      tags: p.tags,
      classification: p.classification,
      status: p.status,
      team: p.team.name,
      url: `/products/${p.slug}`,
      contract: p.contract && pickContract(p.contract),
      plans: p.plans.map((pl) => ({
        id: pl.id,
        name: pl.name,
        tier: pl.tier.name,
        approval: pl.approval,
        priceModel: pl.priceModel,
        priceMinor: pl.priceMinor,
        currency: pl.currency,
        externalAllowed: pl.externalAllowed,
      })),
    };
  },
);

function pickContract(c: z.input<typeof ContractOut>) {
  return {
    version: c.version,
    status: c.status,
    schemaFormat: c.schemaFormat,
    schema: c.schema,
    fields: c.fields,
    freshnessSlaSeconds: c.freshnessSlaSeconds,
    availabilityTarget: c.availabilityTarget,
    retentionHours: c.retentionHours,
    purposes: c.purposes,
    prohibitedUses: c.prohibitedUses,
    qualityRules: c.qualityRules,
    supportContact: c.supportContact,
  };
}

export const getContractEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/products/{slug}/contract",
    operationId: "getContract",
    summary: "Read a product's contract",
    description: "The current contract, or the version given by ?version=x.y.z (published or deprecated versions only).",
    tag: "Catalog",
    scope: "catalog:read",
    params: Slug,
    query: z.object({ version: z.string().regex(/^\d+\.\d+\.\d+$/, "Use a semantic version such as 1.2.0").optional() }),
    response: ContractOut,
  },
  async ({ db, user, params, query }) => {
    const p = await getCatalogProduct(db, params.slug, catalogViewerFor(user));
    if (!p) throw new AppError("not_found", `No product "${params.slug}" is listed for you.`);
    if (!query.version) {
      if (!p.contract) throw new AppError("not_found", "This product has no published contract.");
      return pickContract(p.contract);
    }
    const [row] = await db
      .select()
      .from(contractVersions)
      .where(and(eq(contractVersions.productId, p.id), eq(contractVersions.version, query.version), inArray(contractVersions.status, ["published", "deprecated"])))
      .limit(1);
    if (!row) throw new AppError("not_found", `Version ${query.version} of "${params.slug}" does not exist or is not published.`);
    return pickContract({ ...row, purposes: row.purposes, prohibitedUses: row.prohibitedUses });
  },
);
