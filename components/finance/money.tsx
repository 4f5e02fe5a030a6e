import { formatMoney } from "@/lib/billing/pricing";
import type { Money } from "@/lib/billing/queries";

/** Amounts per currency, one per line; never added across currencies. */
export function MoneyList({ totals, empty = "—", className }: { totals: Money[]; empty?: string; className?: string }) {
  if (totals.length === 0) return <span className={className}>{empty}</span>;
  return (
    <span className={className ? `inline-flex flex-col items-end ${className}` : "inline-flex flex-col items-end"}>
      {totals.map((t) => (
        <span key={t.currency} className="tabular-nums" data-currency={t.currency}>
          {formatMoney(t.amountMinor, t.currency)}
        </span>
      ))}
    </span>
  );
}
