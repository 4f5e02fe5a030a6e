import Link from "next/link";
import { Alert, EmptyState, Pagination } from "@/components/ui";
import { FACET_SAMPLE, SUGGESTION_COUNT_CAP } from "@/lib/catalog/queries";
import { catalogParamsToSearch } from "@/lib/catalog/schemas";
import type { CatalogView } from "@/lib/catalog/service";
import { ActiveFilters } from "./active-filters";
import { CATALOG_PATH, catalogHref } from "./catalog-url";
import { FacetSidebar } from "./facet-sidebar";
import { ProductCard } from "./product-card";
import { SearchForm } from "./search-form";

/** The whole /catalog page body for a loaded view (the route only loads and passes it here). */
export function CatalogScreen({ view, signedIn }: { view: CatalogView; signedIn: boolean }) {
  const { params, results, facets, notes, suggestion } = view;
  const filtered =
    params.domains.length + params.tags.length + params.teams.length + params.classifications.length + params.priceModels.length + params.approvals.length > 0;
  return (
    <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Data product catalog</h1>
          <p className="mt-1 text-sm text-slate-600">Governed real-time streams published by teams across the company and its partners.</p>
        </div>
        {!signedIn && (
          <p className="text-sm text-slate-600">
            You are browsing the public catalog. <Link href="/sign-in?callbackUrl=%2Fcatalog" className="font-medium text-brand-700 hover:underline">Sign in</Link> to subscribe.
          </p>
        )}
      </div>

      <div className="mt-6">
        <SearchForm params={params} />
      </div>
      {notes.length > 0 && (
        <div className="mt-3 space-y-2">
          {notes.map((n) => (
            <Alert key={n.kind} tone="warning">
              {n.message}
            </Alert>
          ))}
        </div>
      )}

      {view.catalogEmpty ? (
        <EmptyState className="mt-8" title="No data products yet">
          When a team publishes its first data product, it shows up here with its schema, contract and plans.
        </EmptyState>
      ) : (
        <div className="mt-6 grid gap-8 lg:grid-cols-[15rem_1fr]">
          <aside>
            <FacetSidebar params={params} facets={facets} />
            {facets.sampled && (
              <p className="mt-4 text-xs text-slate-500">
                This search matches many products, so the counts above come from a sample of {FACET_SAMPLE.toLocaleString("en")} of them
                {params.q ? " (name matches first)" : ""}.
              </p>
            )}
          </aside>
          <section aria-labelledby="results-heading" className="min-w-0">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <h2 id="results-heading" className="text-sm text-slate-600" aria-live="polite">
                {results.total === 0 ? (
                  "No matching products"
                ) : (
                  <>
                    {results.totalIsEstimate && "About "}
                    <span className="font-semibold text-slate-900">{results.total.toLocaleString("en")}</span>{" "}
                    {results.total === 1 ? "product" : "products"}
                    {results.pageCount > 1 && ` · page ${results.page} of ${results.pageCount.toLocaleString("en")}`}
                  </>
                )}
              </h2>
            </div>
            <div className="mt-3">
              <ActiveFilters params={params} facets={facets} />
            </div>

            {results.total === 0 ? (
              <EmptyState
                className="mt-4"
                title={params.q ? `Nothing matches “${params.q}”${filtered ? " with these filters" : ""}` : "No products match these filters"}
                action={
                  <div className="flex flex-wrap justify-center gap-4 text-sm font-medium">
                    {filtered && (
                      <Link href={catalogHref(params, { domains: [], tags: [], teams: [], classifications: [], priceModels: [], approvals: [] })} className="text-brand-700 hover:underline">
                        Remove all filters
                      </Link>
                    )}
                    <Link href={CATALOG_PATH} className="text-brand-700 hover:underline">
                      Browse everything
                    </Link>
                  </div>
                }
              >
                {suggestion ? (
                  <p className="text-base">
                    Did you mean{" "}
                    <Link href={catalogHref(params, { q: suggestion.q })} className="font-semibold text-brand-700 underline underline-offset-2">
                      {suggestion.q}
                    </Link>
                    ? ({suggestion.total >= SUGGESTION_COUNT_CAP ? `${SUGGESTION_COUNT_CAP}+` : suggestion.total} {suggestion.total === 1 ? "product" : "products"})
                  </p>
                ) : (
                  <p>Try fewer or different words: product names, tags, domains or field names such as “msisdn” all work.</p>
                )}
              </EmptyState>
            ) : (
              <>
                <ul className="mt-4 space-y-3">
                  {results.items.map((item) => (
                    <li key={item.id}>
                      <ProductCard item={item} />
                    </li>
                  ))}
                </ul>
                <div className="mt-8">
                  <Pagination pathname={CATALOG_PATH} searchParams={catalogParamsToSearch(params)} page={results.page} pageCount={results.pageCount} />
                </div>
              </>
            )}
          </section>
        </div>
      )}
    </main>
  );
}
