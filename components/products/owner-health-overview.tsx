import Link from "next/link";
import { BarChart, Sparkline, TimeSeriesChart } from "@/components/charts";
import { Card, CardBody, EmptyState } from "@/components/ui";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/lib/auth/session";
import { formatLag, formatRate, formatShare, formatUtc } from "@/lib/products/format";
import { HEALTH_WINDOW_MINUTES, listProductHealth, RATE_WINDOW_MINUTES, TOP_REASONS_HOURS, TOP_REASONS_LIMIT, type ProductHealth } from "@/lib/products/health";
import { HealthBadge } from "./health-badge";

export type OverviewProduct = { id: string; slug: string; name: string };

/** Per minute, one rate summed over the products (their series cover the same minutes). */
function summed(health: ProductHealth[], key: "inPerSec" | "outPerSec" | "dlqPerSec") {
  const byMinute = new Map<number, number>();
  for (const h of health) for (const x of h.series) byMinute.set(x.minute.getTime(), (byMinute.get(x.minute.getTime()) ?? 0) + x[key]);
  return [...byMinute].map(([t, v]) => ({ t: new Date(t), v }));
}

/** The team's worst DLQ reasons over all its products, most records first. */
function topReasonsAcross(health: ProductHealth[], names: Map<string, string>) {
  return health
    .flatMap((h) => h.topReasons.map((r) => ({ label: `${names.get(h.productId) ?? "?"}: ${r.reason}`, value: r.count })))
    .sort((a, b) => b.value - a.value)
    .slice(0, TOP_REASONS_LIMIT);
}

/**
 * Health of several products for the owner dashboard: one row each with status, records/s in
 * (sparkline of the last hour), delivered, DLQ rate and share, freshness lag against the SLA
 * and the last record; then records in and DLQ per second of all of them over the last hour,
 * and the top DLQ reasons across them. Loads its own data for the signed-in user; products the
 * user may not see (not a member of the owning team, not an admin) are left out.
 */
export async function OwnerHealthOverview({ products, title = "Stream health" }: { products: OverviewProduct[]; title?: string }) {
  const user = await getSessionUser();
  const health = await listProductHealth(getDb(), user, products.map((p) => p.id));
  const byId = new Map(products.map((p) => [p.id, p]));
  const reasons = topReasonsAcross(health, new Map(products.map((p) => [p.id, p.name])));
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
            <th scope="col" className="px-3 py-2 font-medium">
              Records in <span className="normal-case">(last hour; rate over {RATE_WINDOW_MINUTES} min)</span>
            </th>
            <th scope="col" className="px-3 py-2 font-medium">Delivered</th>
            <th scope="col" className="px-3 py-2 font-medium">To the DLQ</th>
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
                <td className="px-3 py-3 tabular-nums text-slate-700">
                  {formatRate(h.dlqPerSec)}
                  <span className="block text-xs text-slate-500">{formatShare(h.dlqShare)} of records</span>
                </td>
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
      <CardBody className="grid gap-6 border-t border-slate-100 lg:grid-cols-2">
        <div>
          <h3 className="text-sm font-semibold text-slate-900">All these products, last {HEALTH_WINDOW_MINUTES} minutes</h3>
          <TimeSeriesChart
            className="mt-3"
            unit="rec/s"
            ariaLabel={`Records per second in, delivered and to the DLQ, summed over these products, over the last ${HEALTH_WINDOW_MINUTES} minutes`}
            series={[
              { name: "In", color: "#0f6fc7", points: summed(health, "inPerSec") },
              { name: "Delivered (all tiers)", color: "#059669", points: summed(health, "outPerSec") },
              { name: "DLQ", color: "#dc2626", points: summed(health, "dlqPerSec") },
            ]}
          />
        </div>
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Top DLQ reasons, last {TOP_REASONS_HOURS} hours</h3>
          {reasons.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">No record of these products broke its contract in the last {TOP_REASONS_HOURS} hours.</p>
          ) : (
            <BarChart className="mt-3" color="#dc2626" unit="records" ariaLabel={`Records sent to the DLQ by reason over the last ${TOP_REASONS_HOURS} hours`} data={reasons} />
          )}
        </div>
      </CardBody>
    </Card>
  );
}
