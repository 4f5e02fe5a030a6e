import { formatWithUnit, linePath, linearScale, niceTicks } from "./scale";

/**
 * A small inline trend line, no axes. Server-rendered SVG with an aria label that states the
 * latest value, the minimum and the maximum, so it is not only a picture.
 */
export function Sparkline({
  values,
  ariaLabel,
  unit,
  width = 96,
  height = 24,
  color = "#0f6fc7",
  className,
}: {
  values: number[];
  ariaLabel: string;
  unit?: string;
  width?: number;
  height?: number;
  color?: string;
  className?: string;
}) {
  const finite = values.filter((v) => Number.isFinite(v));
  const summary = sparklineSummary(finite, unit);
  if (finite.length === 0) {
    return (
      <svg role="img" aria-label={`${ariaLabel}: ${summary}`} width={width} height={height} className={className}>
        <line x1={0} x2={width} y1={height - 1} y2={height - 1} stroke="#cbd5e1" strokeDasharray="2 3" />
      </svg>
    );
  }
  const { domain } = niceTicks(Math.min(0, ...finite), Math.max(...finite), 2);
  const x = linearScale([0, Math.max(1, finite.length - 1)], [1, width - 1]);
  const y = linearScale(domain, [height - 1, 1]);
  const pts = finite.map((v, i) => ({ x: finite.length === 1 ? width / 2 : x(i), y: y(v) }));
  const last = pts[pts.length - 1];
  return (
    <svg role="img" aria-label={`${ariaLabel}: ${summary}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className={className}>
      <title>{summary}</title>
      <path d={linePath(pts)} fill="none" stroke={color} strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={last.x} cy={last.y} r={2} fill={color} />
    </svg>
  );
}

export function sparklineSummary(values: number[], unit?: string): string {
  if (values.length === 0) return "no data";
  const last = values[values.length - 1];
  return `latest ${formatWithUnit(last, unit)}, min ${formatWithUnit(Math.min(...values), unit)}, max ${formatWithUnit(Math.max(...values), unit)}`;
}
