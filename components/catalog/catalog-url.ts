import { hrefWith } from "@/components/ui/href";
import { catalogParamKeys, catalogParamsToSearch, type CatalogParams } from "@/lib/catalog/schemas";
import type { FacetKey } from "@/lib/catalog/queries";

export const CATALOG_PATH = "/catalog";

/** The canonical URL of a catalog state; any change of filters or query goes back to page 1. */
export function catalogHref(p: CatalogParams, changes: Partial<CatalogParams>): string {
  const next = { ...p, page: 1, ...changes };
  return hrefWith(CATALOG_PATH, catalogParamsToSearch(next));
}

export function toggleFacetHref(p: CatalogParams, key: FacetKey, value: string): string {
  const current = p[key] as string[];
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return catalogHref(p, { [key]: next } as Partial<CatalogParams>);
}

export const facetUrlKey = (key: FacetKey) => catalogParamKeys[key];
