import Link from "next/link";
import { Badge, ClassificationBadge } from "@/components/ui";
import { formatPlanPrice } from "@/lib/catalog/format";
import type { CatalogItem } from "@/lib/catalog/queries";

export function ProductCard({ item }: { item: CatalogItem }) {
  // A deprecated product keeps serving its subscribers but sells no new plans.
  const noPlans = item.status === "deprecated" ? "Closed to new subscriptions" : "No plans yet";
  const price = item.cheapestPlan ? formatPlanPrice(item.cheapestPlan) : noPlans;
  const instant = item.approvals.includes("auto");
  return (
    <article className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm transition-shadow hover:shadow-md">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="text-base font-semibold text-slate-900">
            <Link href={`/products/${item.slug}`} className="hover:text-brand-700 hover:underline">
              {item.name}
            </Link>
          </h3>
          <p className="mt-0.5 text-sm text-slate-500">
            by <span className="font-medium text-slate-700">{item.team.name}</span> · {item.domain}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          {item.status === "deprecated" && (
            <Badge tone="orange" title="Still delivered, but being phased out: prefer a newer product">
              Deprecated
            </Badge>
          )}
          <ClassificationBadge value={item.classification} />
        </div>
      </div>
      {item.summary && <p className="mt-3 line-clamp-2 text-sm text-slate-700">{item.summary}</p>}
      <div className="mt-4 flex flex-wrap items-center justify-between gap-3">
        <ul className="flex flex-wrap gap-1.5" aria-label="Tags">
          {item.tags.slice(0, 6).map((t) => (
            <li key={t}>
              <Badge>{t}</Badge>
            </li>
          ))}
        </ul>
        <p className="text-sm text-slate-600">
          <span className="font-semibold text-slate-900">
            {item.cheapestPlan && item.cheapestPlan.priceModel !== "free" ? `from ${price}` : price}
          </span>
          {item.cheapestPlan && (
            <>
              <span aria-hidden="true"> · </span>
              <span>{instant ? "Instant access available" : "Owner approval"}</span>
            </>
          )}
        </p>
      </div>
    </article>
  );
}
