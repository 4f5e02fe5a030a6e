import { TimeSeriesChart } from "@/components/charts";
import { Alert, Badge, Card, CardBody, CardHeader, CardTitle, Skeleton, type BadgeTone } from "@/components/ui";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/lib/auth/session";
import { formatMoney } from "@/lib/billing/pricing";
import { AppError } from "@/lib/errors";
import { getProductUsage, getSubscriptionUsage, type DailyPoint, type SubscriptionUsage, type UsageTotals } from "@/lib/metering/queries";

/**
 * Usage and cost panels (server components). `UsagePanel` renders one subscription's figures;
 * `SubscriptionUsagePanel` and `ProductUsagePanel` load their data and check who is asking
 * (lib/metering/queries.ts): someone who may not see the usage gets nothing rendered at all.
 */

const GB = 1_000_000_000;

export function formatGB(bytes: number): string {
  const gb = bytes / GB;
  if (bytes === 0) return "0 GB";
  if (gb < 0.001) return `${(bytes / 1_000_000).toLocaleString("en", { maximumFractionDigits: 3 })} MB`;
  return `${gb.toLocaleString("en", { maximumFractionDigits: 3 })} GB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en");
}

const monthName = (d: Date) => d.toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" });

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </dd>
      {hint && <dd className="text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

function hasUsage(daily: DailyPoint[], month: UsageTotals): boolean {
  return month.messages > 0 || daily.some((d) => d.messages > 0);
}

function UsageChart({ daily, label }: { daily: DailyPoint[]; label: string }) {
  return (
    <TimeSeriesChart
      className="max-w-3xl"
      ariaLabel={label}
      unit="messages"
      height={180}
      series={[{ name: "Messages per day", points: daily.map((d) => ({ t: d.day, v: d.messages })) }]}
    />
  );
}

const FORECAST_NOTE = "Forecast: month to date plus the last 7 days' daily average for each remaining day (a straight line).";

/** One subscription's figures, chart and forecast. */
export function UsagePanel({ usage, heading = "Usage and cost" }: { usage: SubscriptionUsage; heading?: string }) {
  const { month, cost, lag, daily } = usage;
  const headingId = `usage-${usage.subscriptionId}`;
  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          {heading} · {monthName(usage.monthStart)}
        </h3>
        <p className="text-xs text-slate-500">Counted from the offsets your consumer groups commit, about every 15 seconds.</p>
      </div>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        <Figure label="Messages" value={formatCount(month.messages)} testId="usage-messages" />
        <Figure label="Data" value={formatGB(month.bytes)} hint="1 GB = 10⁹ bytes" testId="usage-bytes" />
        <Figure label="Cost to date" value={formatMoney(cost.costToDateMinor, cost.currency)} hint={`${usage.planName} plan`} testId="usage-cost" />
        <Figure label="Forecast, month end" value={formatMoney(cost.forecastMinor, cost.currency)} hint="linear, see below" testId="usage-forecast" />
        <Figure
          label="Consumer lag"
          value={lag ? `${formatCount(lag.records)} records` : "—"}
          hint={lag ? `as of ${lag.at.toISOString().slice(11, 16)} UTC` : "no commits yet"}
          testId="usage-lag"
        />
      </dl>
      {hasUsage(daily, month) ? (
        <UsageChart daily={daily} label="Messages consumed per day, last 30 days" />
      ) : (
        <p className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600">
          No usage yet. Usage appears once a consumer group with this subscription&apos;s prefix commits offsets.
        </p>
      )}
      <p className="text-xs text-slate-500">{FORECAST_NOTE}</p>
    </section>
  );
}

/** Loads and shows one subscription's usage; renders nothing for someone who may not see it. */
export async function SubscriptionUsagePanel({ subscriptionId }: { subscriptionId: string }) {
  const user = await getSessionUser();
  if (!user) return null;
  let usage: SubscriptionUsage;
  try {
    usage = await getSubscriptionUsage(getDb(), user, subscriptionId);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return null;
    console.error("usage panel failed", err);
    return <Alert tone="error">Usage is unavailable right now. Please try again shortly.</Alert>;
  }
  return <UsagePanel usage={usage} />;
}

/** Placeholder while a usage panel loads (use as a Suspense fallback). */
export function UsagePanelSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading usage" className="space-y-3">
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} className="h-16" />
        ))}
      </div>
      <Skeleton className="h-44" />
    </div>
  );
}

const stateTone: Record<string, BadgeTone> = {
  active: "green",
  suspended: "orange",
  provisioning: "brand",
  requested: "amber",
  failed: "red",
};

/**
 * A product's usage across its subscriptions, for the members of its owning team, finance and
 * admins; renders nothing for anyone else (so it can sit on the public product page).
 */
export async function ProductUsagePanel({ productId }: { productId: string }) {
  const user = await getSessionUser();
  if (!user) return null;
  let usage;
  try {
    usage = await getProductUsage(getDb(), user, productId);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return null;
    console.error("product usage panel failed", err);
    return <Alert tone="error">Usage is unavailable right now. Please try again shortly.</Alert>;
  }
  return (
    <Card role="region" aria-labelledby="product-usage-heading">
      <CardHeader>
        <CardTitle id="product-usage-heading">Usage and revenue · {monthName(usage.monthStart)}</CardTitle>
        <p className="mt-0.5 text-xs text-slate-500">Visible to the owning team, finance and admins. {FORECAST_NOTE}</p>
      </CardHeader>
      <CardBody className="space-y-4">
        {usage.subscriptions.length === 0 ? (
          <p className="text-sm text-slate-600">No subscriptions yet, so no usage.</p>
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
              <Figure label="Messages" value={formatCount(usage.month.messages)} />
              <Figure label="Data" value={formatGB(usage.month.bytes)} hint="1 GB = 10⁹ bytes" />
              <Figure
                label="Revenue to date"
                value={usage.costByCurrency.map((c) => formatMoney(c.costToDateMinor, c.currency)).join(" + ") || "—"}
              />
              <Figure
                label="Forecast, month end"
                value={usage.costByCurrency.map((c) => formatMoney(c.forecastMinor, c.currency)).join(" + ") || "—"}
              />
            </dl>
            {hasUsage(usage.daily, usage.month) ? (
              <UsageChart daily={usage.daily} label="Messages consumed per day across subscriptions, last 30 days" />
            ) : (
              <p className="rounded-md border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-600">
                No usage yet this period.
              </p>
            )}
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm">
                <caption className="sr-only">Usage per subscription this month</caption>
                <thead>
                  <tr className="border-b border-slate-200 text-left text-xs text-slate-600">
                    <th scope="col" className="py-2 pr-3 font-medium">Team</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Plan</th>
                    <th scope="col" className="py-2 pr-3 font-medium">State</th>
                    <th scope="col" className="py-2 pr-3 text-right font-medium">Messages</th>
                    <th scope="col" className="py-2 pr-3 text-right font-medium">Data</th>
                    <th scope="col" className="py-2 pr-3 text-right font-medium">To date</th>
                    <th scope="col" className="py-2 pr-3 text-right font-medium">Forecast</th>
                    <th scope="col" className="py-2 text-right font-medium">Lag</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {usage.subscriptions.map((s) => (
                    <tr key={s.subscriptionId}>
                      <td className="py-2 pr-3 text-slate-900">{s.teamName}</td>
                      <td className="py-2 pr-3 text-slate-700">{s.planName}</td>
                      <td className="py-2 pr-3">
                        <Badge tone={stateTone[s.state] ?? "neutral"}>{s.state}</Badge>
                      </td>
                      <td className="py-2 pr-3 text-right tabular-nums">{formatCount(s.month.messages)}</td>
                      <td className="py-2 pr-3 text-right tabular-nums">{formatGB(s.month.bytes)}</td>
                      <td className="py-2 pr-3 text-right tabular-nums">{formatMoney(s.cost.costToDateMinor, s.cost.currency)}</td>
                      <td className="py-2 pr-3 text-right tabular-nums">{formatMoney(s.cost.forecastMinor, s.cost.currency)}</td>
                      <td className="py-2 text-right tabular-nums">{s.lag ? formatCount(s.lag.records) : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}
