import type { ReactNode } from "react";
import { BarChart, TimeSeriesChart } from "@/components/charts";
import { Card, CardBody, EmptyState } from "@/components/ui";
import { formatLag, formatRate, formatShare, formatUtc } from "@/lib/products/format";
import { DLQ_WINDOW_MINUTES, HEALTH_WINDOW_MINUTES, RATE_WINDOW_MINUTES, TOP_REASONS_HOURS, type ProductHealth } from "@/lib/products/health";
import { HealthBadge } from "./health-badge";

function Stat({ label, value, hint, tone }: { label: string; value: ReactNode; hint?: ReactNode; tone?: "bad" | "warn" }) {
  return (
    <div className="rounded-md border border-slate-200 bg-white px-4 py-3">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`mt-1 text-lg font-semibold tabular-nums ${tone === "bad" ? "text-red-700" : tone === "warn" ? "text-amber-700" : "text-slate-900"}`}>{value}</dd>
      {hint && <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

/**
 * The product's stream health for its owners and admins: records/s in and out, DLQ rate with its
 * top reasons, freshness lag against the SLA, last record time. Server-rendered from
 * lib/products/health.ts; the caller has already checked who may see it.
 */
export function HealthPanel({ health }: { health: ProductHealth }) {
  const h = health;
  if (h.status === "no_data") {
    return (
      <div className="space-y-3">
        <HealthBadge status={h.status} reason={h.statusReason} />
        <EmptyState title="No traffic reported yet">
          The router reports records in, out and to the DLQ every minute once it routes this product&apos;s source topic. If the
          product was just published, give it a minute; if the source topic is silent, nothing will show here.
        </EmptyState>
      </div>
    );
  }
  const lagTone = h.lagSeconds != null && h.slaSeconds != null && h.lagSeconds > h.slaSeconds ? "bad" : undefined;
  const dlqTone = h.status === "degraded" && (h.dlqShare ?? 0) > 0 ? "warn" : undefined;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <HealthBadge status={h.status} reason={h.statusReason} />
        <p className="text-sm text-slate-600">{h.statusReason}</p>
      </div>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-5">
        <Stat label="Records in" value={formatRate(h.inPerSec)} hint={`last ${RATE_WINDOW_MINUTES} min`} />
        <Stat label="Delivered" value={formatRate(h.outPerSec)} hint="all tiers together" />
        <Stat label="To DLQ" value={formatRate(h.dlqPerSec)} hint={`${formatShare(h.dlqShare)} of the last ${DLQ_WINDOW_MINUTES} min`} tone={dlqTone} />
        <Stat
          label="Freshness lag"
          value={formatLag(h.lagSeconds)}
          hint={h.slaSeconds != null ? `SLA ${formatLag(h.slaSeconds)}` : "no SLA in the contract"}
          tone={lagTone}
        />
        <Stat label="Last record" value={<span className="text-sm">{formatUtc(h.lastRecordAt)}</span>} hint={h.maxDelayMs != null ? `worst delay ${h.maxDelayMs} ms (1 h)` : undefined} />
      </dl>
      <Card>
        <CardBody>
          <h3 className="text-sm font-semibold text-slate-900">Throughput, last {HEALTH_WINDOW_MINUTES} minutes (UTC)</h3>
          <TimeSeriesChart
            className="mt-3"
            unit="rec/s"
            ariaLabel={`Records per second in, delivered and to the DLQ over the last ${HEALTH_WINDOW_MINUTES} minutes`}
            series={[
              { name: "In", color: "#0f6fc7", points: h.series.map((p) => ({ t: p.minute, v: p.inPerSec })) },
              { name: "Delivered (all tiers)", color: "#059669", points: h.series.map((p) => ({ t: p.minute, v: p.outPerSec })) },
              { name: "DLQ", color: "#dc2626", points: h.series.map((p) => ({ t: p.minute, v: p.dlqPerSec })) },
            ]}
          />
        </CardBody>
      </Card>
      <Card>
        <CardBody>
          <h3 className="text-sm font-semibold text-slate-900">Top DLQ reasons, last {TOP_REASONS_HOURS} hours</h3>
          {h.topReasons.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">No record broke the contract in the last {TOP_REASONS_HOURS} hours.</p>
          ) : (
            <>
              <BarChart
                className="mt-3"
                color="#dc2626"
                unit="records"
                ariaLabel={`Records sent to the DLQ by reason over the last ${TOP_REASONS_HOURS} hours`}
                data={h.topReasons.map((r) => ({ label: r.reason, value: r.count }))}
              />
              <details className="mt-3 text-sm">
                <summary className="cursor-pointer font-medium text-brand-700">Sample rejected records</summary>
                <ul className="mt-2 space-y-2">
                  {h.topReasons.map((r) => (
                    <li key={r.reason}>
                      <p className="text-xs font-medium text-slate-700">
                        {r.reason} <span className="font-normal text-slate-500">· {r.count} records, latest in the hour from {formatUtc(r.lastSeenHour).slice(0, 16)} UTC</span>
                      </p>
                      {r.sample ? (
                        <pre className="mt-1 max-h-32 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100">{r.sample.slice(0, 2000)}</pre>
                      ) : (
                        <p className="text-xs text-slate-500">No sample kept.</p>
                      )}
                    </li>
                  ))}
                </ul>
              </details>
            </>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
