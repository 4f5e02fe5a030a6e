import Link from "next/link";
import type { CatalogFacets, FacetKey } from "@/lib/catalog/queries";
import type { CatalogParams } from "@/lib/catalog/schemas";
import { catalogHref, toggleFacetHref } from "./catalog-url";
import { facetTitles } from "./facet-sidebar";

const keys: FacetKey[] = ["domains", "tags", "teams", "classifications", "priceModels", "approvals"];

/** The active query and filters as removable chips, plus "clear all". */
export function ActiveFilters({ params, facets }: { params: CatalogParams; facets: CatalogFacets }) {
  const chips: { key: string; label: string; href: string }[] = [];
  if (params.q) chips.push({ key: "q", label: `“${params.q}”`, href: catalogHref(params, { q: "" }) });
  for (const k of keys) {
    for (const v of params[k] as string[]) {
      const label = facets[k].find((f) => f.value === v)?.label ?? v;
      chips.push({ key: `${k}:${v}`, label: `${facetTitles[k]}: ${label}`, href: toggleFacetHref(params, k, v) });
    }
  }
  if (chips.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-2" aria-label="Active filters" role="group">
      {chips.map((c) => (
        <Link
          key={c.key}
          href={c.href}
          className="inline-flex items-center gap-1.5 rounded-full border border-brand-100 bg-brand-50 py-1 pl-3 pr-2 text-sm text-brand-900 hover:bg-brand-100"
        >
          <span>{c.label}</span>
          <span aria-hidden="true" className="text-brand-700">
            ×
          </span>
          <span className="sr-only">(remove)</span>
        </Link>
      ))}
      {chips.length > 1 && (
        <Link href="/catalog" className="text-sm font-medium text-slate-600 underline-offset-2 hover:underline">
          Clear all
        </Link>
      )}
    </div>
  );
}
