import Link from "next/link";
import { cn } from "./cn";
import { hrefWith, type SearchParamsRecord } from "./href";

/** Page numbers to show: first, last, and a window around the current page, with gaps as null. */
export function pageWindow(page: number, pageCount: number, radius = 1): (number | null)[] {
  const out: (number | null)[] = [];
  for (let p = 1; p <= pageCount; p++) {
    if (p === 1 || p === pageCount || Math.abs(p - page) <= radius) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/**
 * Links (not buttons) so every page has a URL; the other params (query, filters, sort) are kept.
 * Page 1 drops the `page` param so the canonical URL of the first page has none.
 */
export function Pagination({
  pathname,
  searchParams,
  page,
  pageCount,
  param = "page",
}: {
  pathname: string;
  searchParams: SearchParamsRecord;
  page: number;
  pageCount: number;
  param?: string;
}) {
  if (pageCount <= 1) return null;
  const href = (p: number) => hrefWith(pathname, searchParams, { [param]: p <= 1 ? null : p });
  const item = "inline-flex h-9 min-w-9 items-center justify-center rounded-md px-3 text-sm";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-center gap-1">
      {page > 1 ? (
        <Link href={href(page - 1)} rel="prev" className={cn(item, "text-slate-700 hover:bg-slate-100")}>
          ← Previous
        </Link>
      ) : (
        <span className={cn(item, "text-slate-400")} aria-disabled="true">
          ← Previous
        </span>
      )}
      <ul className="flex items-center gap-1">
        {pageWindow(page, pageCount).map((p, i) =>
          p === null ? (
            <li key={`gap-${i}`} className="px-1 text-slate-400" aria-hidden="true">
              …
            </li>
          ) : (
            <li key={p}>
              <Link
                href={href(p)}
                aria-current={p === page ? "page" : undefined}
                aria-label={`Page ${p}`}
                className={cn(item, p === page ? "bg-brand-600 font-semibold text-white" : "text-slate-700 hover:bg-slate-100")}
              >
                {p}
              </Link>
            </li>
          ),
        )}
      </ul>
      {page < pageCount ? (
        <Link href={href(page + 1)} rel="next" className={cn(item, "text-slate-700 hover:bg-slate-100")}>
          Next →
        </Link>
      ) : (
        <span className={cn(item, "text-slate-400")} aria-disabled="true">
          Next →
        </span>
      )}
    </nav>
  );
}
