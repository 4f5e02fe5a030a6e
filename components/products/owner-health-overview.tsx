import Link from "next/link";
import { Sparkline } from "@/components/charts";
import { Card, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/lib/auth/session";
import { formatLag, formatRate, formatShare, formatUtc } from "@/lib/products/format";
import { listProductHealth } from "@/lib/products/health";
import { HealthBadge } from "./health-badge";

export type OverviewProduct = { id: string; slug: string; name: string };

/**
 * Compact health of several products for the owner dashboard: one row each with status, a
 * records/s sparkline, DLQ share and freshness lag. Loads its own data for the signed-in user;
 * products the user may not see (not a member of the owning team, not an admin) are left out.
 */
export async function OwnerHealthOverview({ products, title = "Stream health" }: { products: OverviewProduct[]; title?: string }) {
  const user = await getSessionUser();
  const health = await listProductHealth(getDb(), user, products.map((p) => p.id));
  const byId = new Map(products.map((p) => [p.id, p]));
  if (health.length === 0) {
    return (
      <EmptyState title="No products to watch yet">
        Once your team publishes a product and the router routes its source topic, its records per second, DLQ share and freshness show here.
      </EmptyState>
    );
  }
  return (
    <Card className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="px-5 pt-4 text-left text-base font-semibold text-slate-900">{title}</caption>
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr className="border-b border-slate-100">
            <th scope="col" className="px-5 py-2 font-medium">Product</th>
            <th scope="col" className="px-3 py-2 font-medium">Status</th>
            <th scope="col" className="px-3 py-2 font-medium">Records in, last hour</th>
            <th scope="col" className="px-3 py-2 font-medium">Delivered</th>
            <th scope="col" className="px-3 py-2 font-medium">DLQ share</th>
            <th scope="col" className="px-3 py-2 font-medium">Freshness lag</th>
            <th scope="col" className="px-5 py-2 font-medium">Last record</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {health.map((h) => {
            const p = byId.get(h.productId)!;
            return (
              <tr key={h.productId}>
                <th scope="row" className="px-5 py-3 font-medium">
                  <Link href={`/products/${p.slug}#health`} className="text-brand-700 hover:underline">
                    {p.name}
                  </Link>
                </th>
                <td className="px-3 py-3">
                  <HealthBadge status={h.status} reason={h.statusReason} />
                </td>
                <td className="px-3 py-3">
                  <span className="inline-flex items-center gap-2">
                    <Sparkline values={h.series.map((s) => s.inPerSec)} unit="rec/s" ariaLabel={`${p.name} records in per second, last hour`} />
                    <span className="tabular-nums text-slate-700">{formatRate(h.inPerSec)}</span>
                  </span>
                </td>
                <td className="px-3 py-3 tabular-nums text-slate-700">{formatRate(h.outPerSec)}</td>
                <td className="px-3 py-3 tabular-nums text-slate-700">{formatShare(h.dlqShare)}</td>
                <td className="px-3 py-3 text-slate-700">
                  {formatLag(h.lagSeconds)}
                  {h.slaSeconds != null && <span className="block text-xs text-slate-500">SLA {formatLag(h.slaSeconds)}</span>}
                </td>
                <td className="px-5 py-3 text-xs text-slate-600">{formatUtc(h.lastRecordAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}
