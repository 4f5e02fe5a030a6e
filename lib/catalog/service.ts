import type { Db } from "@/db/client";
import {
  catalogFacets,
  estimateCatalogMatches,
  getCatalogProduct,
  pageCountFor,
  searchCatalog,
  suggestCatalogQuery,
  type CatalogFacets,
  type CatalogPage,
  type CatalogProduct,
  type CatalogViewer,
} from "./queries";
import { buildSchemaTree, countPii, type SchemaNode } from "./schema-tree";
import { parseCatalogSearchParams, type CatalogNote, type CatalogParams } from "./schemas";

export type CatalogView = {
  params: CatalogParams;
  notes: CatalogNote[];
  results: CatalogPage;
  facets: CatalogFacets;
  /** Set when nothing matched and a corrected spelling would. */
  suggestion: { q: string; total: number } | null;
  /** True when the catalog has no listed products at all (first-run empty state). */
  catalogEmpty: boolean;
};

/** Who is asking, reduced to what changes the catalog; signed-out visitors of a public catalog see what internal users see. */
export function catalogViewerFor(user: { orgKind: "internal" | "external" } | null): CatalogViewer {
  return { external: user?.orgKind === "external" };
}

const hasFilters = (p: CatalogParams) =>
  p.q !== "" || [p.domains, p.tags, p.teams, p.classifications, p.priceModels, p.approvals].some((l) => l.length > 0);

/**
 * Everything /catalog renders, from raw searchParams. Bad params become defaults (never an
 * error). Results and facets are fetched concurrently; the suggestion query runs only when a
 * search found nothing.
 */
export async function loadCatalogView(
  db: Db,
  searchParams: Record<string, string | string[] | undefined>,
  viewer: CatalogViewer,
): Promise<CatalogView> {
  const { params, notes } = parseCatalogSearchParams(searchParams);
  // One planner estimate decides the strategy for both (see LARGE_RESULT in queries.ts).
  const estimate = await estimateCatalogMatches(db, params, viewer);
  const [firstResults, facets] = await Promise.all([
    searchCatalog(db, params, viewer, estimate),
    catalogFacets(db, params, viewer, estimate),
  ]);
  let results = firstResults;
  // A page past the end (stale link after products were removed) shows the last page instead.
  if (firstResults.items.length === 0 && firstResults.total > 0 && params.page > firstResults.pageCount) {
    params.page = firstResults.pageCount;
    results = await searchCatalog(db, params, viewer, estimate);
  }
  // Unfiltered, the (cached, exact) facet counts give the exact total: every product has exactly one classification.
  if (!hasFilters(params) && results.totalIsEstimate) {
    const total = facets.classifications.reduce((sum, f) => sum + f.count, 0);
    results = { ...results, total, totalIsEstimate: false, pageCount: pageCountFor(total) };
  }
  let suggestion: CatalogView["suggestion"] = null;
  let catalogEmpty = false;
  if (results.total === 0) {
    if (params.q) suggestion = await suggestCatalogQuery(db, params, viewer);
    if (hasFilters(params)) {
      const anything = await searchCatalog(db, { ...params, q: "", domains: [], tags: [], teams: [], classifications: [], priceModels: [], approvals: [], page: 1 }, viewer);
      catalogEmpty = anything.total === 0;
    } else {
      catalogEmpty = true;
    }
  }
  return { params, notes, results, facets, suggestion, catalogEmpty };
}

export type ProductView = CatalogProduct & {
  schemaTree: SchemaNode[];
  piiCounts: ReturnType<typeof countPii>;
};

/** The product page's data, or null for an unknown/unlisted slug (the page turns that into a 404). */
export async function loadProductView(db: Db, slug: string, viewer: CatalogViewer): Promise<ProductView | null> {
  const product = await getCatalogProduct(db, slug, viewer);
  if (!product) return null;
  const schemaTree = product.contract
    ? buildSchemaTree(product.contract.schemaFormat, product.contract.schema, product.contract.fields)
    : [];
  return { ...product, schemaTree, piiCounts: countPii(schemaTree) };
}
