import { formatGB, formatCount, UsagePanel } from "@/components/usage/usage-panel";
import { formatMoney } from "@/lib/billing/pricing";
import type { SubscriptionUsage } from "@/lib/metering/queries";

/**
 * The consumer's usage of one subscription, folded under its card: the summary line says
 * messages, data and cost to date; opening it shows the chart, forecast and lag. A native
 * <details> keeps it keyboard- and screen-reader-friendly with no client JS.
 */
export function UsageDetails({ usage, open = false }: { usage: SubscriptionUsage; open?: boolean }) {
  return (
    <details open={open} id={`usage-${usage.subscriptionId}-details`} className="group mt-3 rounded-md border border-slate-200" data-testid="subscription-usage">
      <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600">
        <span className="font-medium text-slate-900">
          <span aria-hidden="true" className="mr-1 inline-block transition-transform group-open:rotate-90">
            ▸
          </span>
          Usage and cost
        </span>
        <span className="tabular-nums text-slate-600">
          This month: {formatCount(usage.month.messages)} messages · {formatGB(usage.month.bytes)} ·{" "}
          {formatMoney(usage.cost.costToDateMinor, usage.cost.currency)} to date
        </span>
      </summary>
      <div className="border-t border-slate-100 px-3 py-3">
        <UsagePanel usage={usage} />
      </div>
    </details>
  );
}
