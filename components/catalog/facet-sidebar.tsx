import Link from "next/link";
import { cn } from "@/components/ui";
import type { CatalogFacets, FacetKey } from "@/lib/catalog/queries";
import type { CatalogParams } from "@/lib/catalog/schemas";
import { toggleFacetHref } from "./catalog-url";

export const facetTitles: Record<FacetKey, string> = {
  domains: "Domain",
  tags: "Tags",
  teams: "Owner team",
  classifications: "Classification",
  priceModels: "Price model",
  approvals: "Approval",
};

const order: FacetKey[] = ["domains", "teams", "classifications", "priceModels", "approvals", "tags"];

/**
 * Facets as links: each value toggles itself in the URL, so filtering works without
 * JavaScript and every state can be shared. Counts come from catalogFacets.
 */
export function FacetSidebar({ params, facets }: { params: CatalogParams; facets: CatalogFacets }) {
  return (
    <nav aria-label="Filters" className="space-y-6">
      {order.map((key) => {
        const values = facets[key];
        if (values.length === 0) return null;
        const selected = params[key] as string[];
        return (
          <section key={key} aria-labelledby={`facet-${key}`}>
            <h2 id={`facet-${key}`} className="text-xs font-semibold uppercase tracking-wide text-slate-500">
              {facetTitles[key]}
            </h2>
            <ul className="mt-2 space-y-0.5">
              {values.map((v) => {
                const on = selected.includes(v.value);
                return (
                  <li key={v.value}>
                    <Link
                      href={toggleFacetHref(params, key, v.value)}
                      aria-current={on ? "true" : undefined}
                      rel="nofollow"
                      className={cn(
                        "flex items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-slate-100",
                        on ? "font-medium text-brand-900" : "text-slate-700",
                      )}
                    >
                      <span
                        aria-hidden="true"
                        className={cn(
                          "flex h-4 w-4 shrink-0 items-center justify-center rounded border text-[10px] leading-none",
                          on ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white",
                        )}
                      >
                        {on ? "✓" : ""}
                      </span>
                      <span className="min-w-0 flex-1 truncate">{v.label}</span>
                      {on && <span className="sr-only">(selected, select to remove)</span>}
                      <span className="text-xs tabular-nums text-slate-500">{v.count.toLocaleString("en")}</span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </nav>
  );
}
