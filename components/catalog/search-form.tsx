import { Button } from "@/components/ui";
import { catalogParamsToSearch, type CatalogParams } from "@/lib/catalog/schemas";
import { SortSelect } from "./sort-select";

/**
 * A plain GET form: searching keeps the active filters (hidden inputs) and starts at page 1.
 * Works without JavaScript; the sort select submits on change when it can.
 */
export function SearchForm({ params }: { params: CatalogParams }) {
  const keep = catalogParamsToSearch({ ...params, q: "", sort: undefined, page: 1 });
  const hidden = Object.entries(keep).flatMap(([k, v]) => (Array.isArray(v) ? v : v ? [v] : []).map((val) => [k, val] as const));
  return (
    <form action="/catalog" method="get" role="search" className="flex flex-col gap-3 sm:flex-row sm:items-end">
      {hidden.map(([k, v], i) => (
        <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
      ))}
      <div className="flex-1">
        <label htmlFor="q" className="sr-only">
          Search data products
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={params.q}
          placeholder="Search products, fields, tags… e.g. msisdn, fraud, day-ahead prices"
          autoComplete="off"
          className="block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        />
      </div>
      <div className="flex items-end gap-2">
        <div>
          <label htmlFor="sort" className="block text-xs font-medium text-slate-600">
            Sort by
          </label>
          {/* "Best match" sends no sort: relevance for a search, name when browsing. */}
          <SortSelect defaultValue={params.sort === "newest" || (params.sort === "name" && params.q) ? params.sort : ""}>
            <option value="">Best match</option>
            <option value="name">Name (A–Z)</option>
            <option value="newest">Newest</option>
          </SortSelect>
        </div>
        <Button type="submit">Search</Button>
      </div>
    </form>
  );
}
