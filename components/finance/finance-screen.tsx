import Link from "next/link";
import { BarChart, TimeSeriesChart } from "@/components/charts";
import { Badge, ButtonLink, Card, CardBody, CardHeader, CardTitle, EmptyState, Pagination } from "@/components/ui";
import { formatPeriod, periodBounds } from "@/lib/billing/periods";
import { formatMajor } from "@/lib/billing/pricing";
import { CHARGE_LINES_PAGE_SIZE, type FinancePageData, type ReportFilter, type ReportRow } from "@/lib/billing/queries";
import { ClosePeriodButton } from "./close-period-button";
import { MoneyList } from "./money";
import { PeriodPicker } from "./period-picker";
import { ChargeLinesTable, ReportTable } from "./report-table";

export function financeHref(f: Partial<ReportFilter>): string {
  const qs = new URLSearchParams();
  if (f.period) qs.set("period", f.period);
  if (f.costCenter) qs.set("costCenter", f.costCenter);
  if (f.team) qs.set("team", f.team);
  if (f.owner) qs.set("owner", f.owner);
  return `/finance?${qs.toString()}`;
}

function csvHref(level: string, f: ReportFilter): string {
  const qs = new URLSearchParams({ period: f.period, level });
  if (f.costCenter) qs.set("costCenter", f.costCenter);
  if (f.team) qs.set("team", f.team);
  if (f.owner) qs.set("owner", f.owner);
  return `/api/finance/chargeback.csv?${qs.toString()}`;
}

/**
 * The whole /finance body for loaded data: chargeback (cost center → team → subscription) and
 * showback (owning team, product) for one month, with trends, CSV export, the period close and
 * corrections. The route only checks the role, loads and renders this (bench:chargeback renders
 * it the same way).
 */
export function FinanceScreen({ data, filter, now }: { data: FinancePageData; filter: ReportFilter; now: Date }) {
  const label = formatPeriod(filter.period);
  const { period, crumbs } = data;
  const hasCharges = data.chargeback.length > 0;
  const bounds = periodBounds(filter.period);

  const levelTitle = { "cost-center": "By cost center", team: "By team", subscription: "By subscription" }[data.level];
  const nextHref = (r: ReportRow) =>
    data.level === "cost-center" ? financeHref({ period: filter.period, costCenter: r.key, owner: filter.owner }) : financeHref({ ...filter, team: r.key });
  // The showback drill-down keeps the chargeback's, and the other way round.
  const ownerHref = (owner?: string) => financeHref({ period: filter.period, costCenter: filter.costCenter, team: filter.team, owner });

  return (
    <main>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Finance</h1>
          <p className="mt-1 text-sm text-slate-600">
            Chargeback and showback for {label} (UTC). Amounts per currency; never converted.
          </p>
        </div>
        <PeriodPicker
          value={filter.period}
          periods={data.periods.map((p) => ({ ...p, label: formatPeriod(p.key) }))}
          keep={{ costCenter: filter.costCenter, team: filter.team, owner: filter.owner }}
        />
      </div>

      <Card className="mt-6">
        <CardBody className="flex flex-wrap items-center justify-between gap-4">
          <div className="space-y-1">
            <p className="flex items-center gap-2 text-sm text-slate-700">
              <span className="font-medium text-slate-900">{label}</span>
              {period.status === "closed" ? (
                <Badge tone="neutral" data-testid="period-status">
                  Closed
                </Badge>
              ) : (
                <Badge tone="green" data-testid="period-status">
                  Open
                </Badge>
              )}
            </p>
            <p className="text-xs text-slate-500">
              {period.status === "closed"
                ? `Closed ${period.closedAt?.toISOString().slice(0, 16).replace("T", " ")} UTC${period.closedByName ? ` by ${period.closedByName}` : ""}. Charges are frozen; later usage lands in the next open period.`
                : now < bounds.end
                  ? "Month to date: charges are recomputed from metered usage as it arrives. Flat plans show the full month."
                  : "The month has ended; charges still follow late usage until the period is closed."}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {period.status === "open" &&
              (period.closeBlockedReason ? (
                <p className="max-w-xs text-xs text-slate-500">{period.closeBlockedReason}</p>
              ) : (
                <ClosePeriodButton period={filter.period} label={label} />
              ))}
          </div>
        </CardBody>
      </Card>

      <section aria-labelledby="totals-heading" className="mt-6">
        <h2 id="totals-heading" className="sr-only">
          Totals
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Totals per currency">
          {data.totals.length === 0 ? (
            <li className="rounded-lg border border-slate-200 bg-white px-5 py-4 text-sm text-slate-600">No charges yet</li>
          ) : (
            data.totals.map((t) => (
              <li key={t.currency} className="rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
                <p className="text-xs font-medium uppercase tracking-wide text-slate-500">
                  Total {t.currency}
                  {crumbs.team ? ` · ${crumbs.team.label}` : crumbs.costCenter ? ` · ${crumbs.costCenter.label}` : ""}
                </p>
                <p className="mt-1 text-2xl font-semibold text-slate-900" data-testid={`total-${t.currency}`}>
                  <MoneyList totals={[t]} />
                </p>
              </li>
            ))
          )}
        </ul>
      </section>

      <div className="mt-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
        <Card>
          <CardHeader>
            <CardTitle>Trend, last 12 months</CardTitle>
          </CardHeader>
          <CardBody>
            <TimeSeriesChart
              ariaLabel={`Charges per month up to ${label}${crumbs.team ? ` for ${crumbs.team.label}` : crumbs.costCenter ? ` for ${crumbs.costCenter.label}` : ""}`}
              unit={data.trend.length === 1 ? data.trend[0]!.currency : undefined}
              series={data.trend.map((s) => ({
                name: s.currency,
                points: s.points.map((p) => ({ t: periodBounds(p.period).start, v: Number(formatMajor(p.amountMinor, s.currency)) })),
              }))}
            />
          </CardBody>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Export CSV</CardTitle>
          </CardHeader>
          <CardBody>
            <p className="text-sm text-slate-600">
              Opens in Excel and other spreadsheets: the period as its first and last day, codes kept as text, amounts in major units with a
              currency column.
            </p>
            <ul className="mt-3 space-y-2 text-sm" aria-label="CSV exports">
              <li>
                <a href={csvHref("cost-center", { period: filter.period })} className="font-medium text-brand-700 hover:underline" download>
                  By cost center
                </a>
              </li>
              <li>
                <a href={csvHref("team", filter)} className="font-medium text-brand-700 hover:underline" download>
                  By team{crumbs.costCenter ? ` in ${crumbs.costCenter.label}` : ""}
                </a>
              </li>
              <li>
                <a href={csvHref("subscription", filter)} className="font-medium text-brand-700 hover:underline" download>
                  Charge lines by subscription{crumbs.team ? ` of ${crumbs.team.label}` : crumbs.costCenter ? ` in ${crumbs.costCenter.label}` : ""}
                </a>
              </li>
              <li>
                <a href={csvHref("product", { period: filter.period, owner: filter.owner })} className="font-medium text-brand-700 hover:underline" download>
                  By product (showback){crumbs.owner ? ` of ${crumbs.owner.label}` : ""}
                </a>
              </li>
              <li>
                <a href={csvHref("owner-team", { period: filter.period })} className="font-medium text-brand-700 hover:underline" download>
                  By owning team (showback)
                </a>
              </li>
            </ul>
          </CardBody>
        </Card>
      </div>

      <section aria-labelledby="chargeback-heading" className="mt-8">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <div>
            <h2 id="chargeback-heading" className="text-lg font-semibold text-slate-900">
              Chargeback · {levelTitle}
            </h2>
            <nav aria-label="Drill-down" className="mt-1 text-sm">
              <ol className="flex flex-wrap items-center gap-1 text-slate-600">
                <li>
                  {crumbs.costCenter ? (
                    <Link href={financeHref({ period: filter.period })} className="text-brand-700 hover:underline">
                      All cost centers
                    </Link>
                  ) : (
                    <span aria-current="page">All cost centers</span>
                  )}
                </li>
                {crumbs.costCenter && (
                  <li className="before:mx-1 before:content-['›']">
                    {crumbs.team ? (
                      <Link href={financeHref({ period: filter.period, costCenter: filter.costCenter })} className="text-brand-700 hover:underline">
                        {crumbs.costCenter.label}
                      </Link>
                    ) : (
                      <span aria-current="page">{crumbs.costCenter.label}</span>
                    )}
                  </li>
                )}
                {crumbs.team && (
                  <li className="before:mx-1 before:content-['›']">
                    <span aria-current="page">{crumbs.team.label}</span>
                  </li>
                )}
              </ol>
            </nav>
          </div>
        </div>
        {!hasCharges ? (
          <EmptyState
            className="mt-4"
            title={`No charges for ${label}${crumbs.team ? ` in ${crumbs.team.label}` : crumbs.costCenter ? ` in ${crumbs.costCenter.label}` : ""}`}
            action={
              crumbs.costCenter ? (
                <ButtonLink href={financeHref({ period: filter.period })} variant="secondary">
                  Back to all cost centers
                </ButtonLink>
              ) : undefined
            }
          >
            Charges appear once subscriptions are active and the meter has recorded usage; the billing worker recomputes open
            periods every few minutes.
          </EmptyState>
        ) : (
          <Card className="mt-4">
            <CardBody>
              {data.level === "subscription" ? (
                <>
                  {data.linesPageCount > 1 && (
                    <p className="mb-3 text-sm text-slate-600" data-testid="charge-lines-range">
                      {`Lines ${(data.linesPage - 1) * CHARGE_LINES_PAGE_SIZE + 1}–${Math.min(data.linesTotal, data.linesPage * CHARGE_LINES_PAGE_SIZE)} of ${data.linesTotal.toLocaleString("en")} (the CSV has all of them)`}
                    </p>
                  )}
                  <ChargeLinesTable
                    lines={data.lines}
                    caption={`Charge lines of ${crumbs.team?.label ?? "the team"} in ${label}${data.linesPageCount > 1 ? `, page ${data.linesPage} of ${data.linesPageCount}` : ""}`}
                    adjust={period.adjustmentsBookIn ? { bookInLabel: formatPeriod(period.adjustmentsBookIn) } : undefined}
                  />
                  <div className="mt-4">
                    <Pagination
                      pathname="/finance"
                      searchParams={{ period: filter.period, costCenter: filter.costCenter, team: filter.team, owner: filter.owner }}
                      page={data.linesPage}
                      pageCount={data.linesPageCount}
                    />
                  </div>
                  {period.status === "open" && (
                    <p className="mt-3 text-xs text-slate-500">
                      Open-period lines follow metered usage and are recomputed; once the period is closed, each line can be adjusted
                      with a compensating line.
                    </p>
                  )}
                </>
              ) : (
                <ReportTable
                  caption={`Chargeback ${levelTitle.toLowerCase()} for ${label}`}
                  groupLabel={data.level === "cost-center" ? "Cost center" : "Team"}
                  rows={data.chargeback}
                  hrefFor={nextHref}
                />
              )}
            </CardBody>
          </Card>
        )}
      </section>

      <section aria-labelledby="showback-heading" className="mt-8">
        <h2 id="showback-heading" className="text-lg font-semibold text-slate-900">
          Showback · provider revenue
        </h2>
        <nav aria-label="Showback path" className="mt-1 text-sm">
          <ol className="flex flex-wrap items-center gap-1 text-slate-600">
            <li>
              {crumbs.owner ? (
                <Link href={ownerHref()} className="text-brand-700 hover:underline">
                  All owning teams
                </Link>
              ) : (
                <span aria-current="page">All owning teams</span>
              )}
            </li>
            {crumbs.owner && (
              <li className="before:mx-1 before:content-['›']">
                <span aria-current="page">{crumbs.owner.label}</span>
              </li>
            )}
          </ol>
        </nav>
        <p className="mt-1 text-sm text-slate-600">
          {crumbs.owner
            ? `What ${crumbs.owner.label}'s products earned in ${label}, across all consumers.`
            : `What each owning team's products earned in ${label}, across all consumers.`}
        </p>
        {data.providers.length === 0 ? (
          <EmptyState className="mt-4" title="No provider revenue yet">
            Revenue shows here once consumers of a product are charged.
          </EmptyState>
        ) : crumbs.owner ? (
          <div className="mt-4 grid gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>Revenue of {crumbs.owner.label}, last 12 months</CardTitle>
              </CardHeader>
              <CardBody>
                <TimeSeriesChart
                  ariaLabel={`Revenue of ${crumbs.owner.label}'s products per month up to ${label}`}
                  unit={data.ownerTrend.length === 1 ? data.ownerTrend[0]!.currency : undefined}
                  series={data.ownerTrend.map((t) => ({
                    name: t.currency,
                    points: t.points.map((p) => ({ t: periodBounds(p.period).start, v: Number(formatMajor(p.amountMinor, t.currency)) })),
                  }))}
                />
              </CardBody>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>Products of {crumbs.owner.label}</CardTitle>
              </CardHeader>
              <CardBody>
                {data.products.length === 0 ? (
                  <p className="text-sm text-slate-600">None of this team&apos;s products earned anything in {label}.</p>
                ) : (
                  <ReportTable caption={`Showback of ${crumbs.owner.label}'s products for ${label}`} groupLabel="Product" rows={data.products} />
                )}
              </CardBody>
            </Card>
          </div>
        ) : (
          <div className="mt-4 grid gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader>
                <CardTitle>By owning team</CardTitle>
              </CardHeader>
              <CardBody className="space-y-6">
                {[...new Set(data.providers.flatMap((r) => r.totals.map((t) => t.currency)))].sort().map((currency) => (
                  <BarChart
                    key={currency}
                    unit={currency}
                    ariaLabel={`Provider revenue by owning team in ${currency}`}
                    data={data.providers
                      .filter((r) => r.totals.some((t) => t.currency === currency))
                      .map((r) => ({ label: r.label, value: Number(formatMajor(r.totals.find((t) => t.currency === currency)!.amountMinor, currency)) }))}
                  />
                ))}
                <ReportTable caption={`Showback by owning team for ${label}`} groupLabel="Owning team" rows={data.providers} hrefFor={(r) => ownerHref(r.key)} />
              </CardBody>
            </Card>
            <Card>
              <CardHeader>
                <CardTitle>By product</CardTitle>
              </CardHeader>
              <CardBody>
                <ReportTable caption={`Showback by product for ${label}`} groupLabel="Product" rows={data.products} />
              </CardBody>
            </Card>
          </div>
        )}
      </section>
    </main>
  );
}
