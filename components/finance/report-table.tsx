import Link from "next/link";
import { formatMoney } from "@/lib/billing/pricing";
import type { ChargeLineRow, ReportRow } from "@/lib/billing/queries";
import { Badge } from "@/components/ui";
import { AdjustChargeButton } from "./adjust-charge-button";
import { MoneyList } from "./money";

/**
 * A chargeback or showback table: one row per group with its totals per currency. With
 * `hrefFor`, the group's name links to the next drill-down level.
 */
export function ReportTable({
  caption,
  groupLabel,
  rows,
  hrefFor,
  detailLabel,
}: {
  caption: string;
  groupLabel: string;
  rows: ReportRow[];
  hrefFor?: (row: ReportRow) => string;
  detailLabel?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">
              {groupLabel}
            </th>
            {detailLabel && (
              <th scope="col" className="py-2 pr-4 font-medium">
                {detailLabel}
              </th>
            )}
            <th scope="col" className="py-2 pr-4 text-right font-medium">
              Charge lines
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Amount
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.key} data-testid="report-row">
              <th scope="row" className="py-2 pr-4 font-medium text-slate-900">
                {hrefFor ? (
                  <Link href={hrefFor(r)} className="text-brand-700 hover:underline">
                    {r.label}
                  </Link>
                ) : (
                  r.label
                )}
                {!detailLabel && r.detail && <span className="ml-2 font-normal text-slate-500">{r.detail}</span>}
              </th>
              {detailLabel && <td className="py-2 pr-4 text-slate-600">{r.detail ?? "—"}</td>}
              <td className="py-2 pr-4 text-right tabular-nums text-slate-600">{r.lines}</td>
              <td className="py-2 text-right font-medium text-slate-900">
                <MoneyList totals={r.totals} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const kindTone = { usage: "brand", flat: "neutral", adjustment: "amber" } as const;

/**
 * The charge lines of one team's subscriptions: what each is billed for and why. With `adjust`
 * (a closed period), each line gets an "Adjust" control that books a compensating line in
 * `adjust.bookInLabel`; open periods are corrected by recomputing, so they get none.
 */
export function ChargeLinesTable({ lines, caption, adjust }: { lines: ChargeLineRow[]; caption: string; adjust?: { bookInLabel: string } }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-4 font-medium">
              Subscription
            </th>
            <th scope="col" className="py-2 pr-4 font-medium">
              Kind
            </th>
            <th scope="col" className="py-2 pr-4 font-medium">
              Basis
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Amount
            </th>
            {adjust && (
              <th scope="col" className="py-2 pl-4 text-right font-medium">
                <span className="sr-only">Corrections</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {lines.map((l) => (
            <tr key={l.id} data-testid="charge-line" className="align-top">
              <th scope="row" className="py-2 pr-4 font-medium text-slate-900">
                <Link href={`/products/${l.productSlug}`} className="text-brand-700 hover:underline">
                  {l.productName}
                </Link>
                <span className="block text-xs font-normal text-slate-500">
                  {l.planName} plan · <span className="font-mono">{l.subscriptionId.slice(0, 8)}</span> · provided by {l.ownerTeamName}
                </span>
              </th>
              <td className="py-2 pr-4">
                <Badge tone={kindTone[l.kind]}>{l.kind}</Badge>
              </td>
              <td className="max-w-md py-2 pr-4 text-slate-600">{l.description}</td>
              <td className="py-2 text-right font-medium tabular-nums text-slate-900">{formatMoney(l.amountMinor, l.currency)}</td>
              {adjust && (
                <td className="py-2 pl-4 text-right">
                  <AdjustChargeButton
                    bookInLabel={adjust.bookInLabel}
                    charge={{ id: l.id, label: `${l.productName} · ${l.planName} plan (${l.kind})`, amountMinor: l.amountMinor, currency: l.currency }}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
