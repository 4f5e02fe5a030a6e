import Link from "next/link";
import { barPercent, formatWithUnit } from "./scale";

export type BarDatum = { label: string; value: number; href?: string };

/**
 * Horizontal bars with their values, as HTML rows (label, bar, value) so long labels wrap and
 * links stay keyboard-reachable. Server-rendered; the list carries the aria label and every row
 * reads as "label: value unit".
 */
export function BarChart({
  data,
  unit,
  ariaLabel,
  color = "#0f6fc7",
  className,
}: {
  data: BarDatum[];
  unit?: string;
  ariaLabel: string;
  color?: string;
  className?: string;
}) {
  if (data.length === 0) {
    return (
      <p role="img" aria-label={`${ariaLabel}: no data`} className="rounded-md border border-dashed border-slate-200 px-4 py-6 text-center text-sm text-slate-500">
        No data yet
      </p>
    );
  }
  const max = Math.max(0, ...data.map((d) => (Number.isFinite(d.value) ? d.value : 0)));
  return (
    <ul aria-label={ariaLabel} className={className ? `space-y-2 ${className}` : "space-y-2"}>
      {data.map((d, i) => {
        const pct = barPercent(d.value, max);
        const valueText = formatWithUnit(d.value, unit);
        const label = d.href ? (
          <Link href={d.href} className="text-brand-700 hover:underline">
            {d.label}
          </Link>
        ) : (
          d.label
        );
        return (
          <li key={`${d.label}-${i}`} className="grid grid-cols-[minmax(6rem,18rem)_1fr_auto] items-center gap-3 text-sm">
            <span className="truncate text-slate-700" title={d.label}>{label}</span>
            <span aria-hidden="true" className="h-3 rounded-sm bg-slate-100">
              <span className="block h-3 rounded-sm" style={{ width: `${pct}%`, backgroundColor: color }} title={`${d.label}: ${valueText}`} />
            </span>
            <span className="tabular-nums text-slate-900">
              <span className="sr-only">{d.label}: </span>
              {valueText}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

