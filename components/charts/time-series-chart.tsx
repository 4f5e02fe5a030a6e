import {
  SERIES_COLORS,
  formatCompact,
  formatTimeTick,
  formatTimestamp,
  formatWithUnit,
  linePath,
  linearScale,
  niceTicks,
  timeTicks,
  toMillis,
} from "./scale";

export type TimeSeries = {
  name: string;
  points: { t: string | Date; v: number }[];
  color?: string;
};

const WIDTH = 640;
const MARGIN = { top: 22, right: 16, bottom: 28, left: 48 };

/**
 * Multi-line time-series chart as plain SVG: server-rendered, no client JS. Each point carries a
 * <title> so hovering shows its value; screen readers get the aria label on the image and a
 * visually hidden table of every value (the SVG itself is one `role="img"`).
 */
export function TimeSeriesChart({
  series,
  unit,
  height = 200,
  ariaLabel,
  className,
}: {
  series: TimeSeries[];
  unit?: string;
  height?: number;
  ariaLabel: string;
  className?: string;
}) {
  const normalized = series.map((s, i) => ({
    name: s.name,
    color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length],
    points: s.points
      .map((p) => ({ t: toMillis(p.t), v: p.v }))
      .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v))
      .sort((a, b) => a.t - b.t),
  }));
  const all = normalized.flatMap((s) => s.points);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;

  if (all.length === 0) {
    return (
      <figure className={className}>
        <div
          role="img"
          aria-label={`${ariaLabel}: no data`}
          className="flex items-center justify-center rounded-md border border-dashed border-slate-200 text-sm text-slate-500"
          style={{ height }}
        >
          No data yet
        </div>
      </figure>
    );
  }

  const tMin = Math.min(...all.map((p) => p.t));
  const tMax = Math.max(...all.map((p) => p.t));
  const vMin = Math.min(0, ...all.map((p) => p.v));
  const vMax = Math.max(...all.map((p) => p.v));
  const { ticks: yTicks, domain: yDomain } = niceTicks(vMin, vMax, 4);
  const { ticks: xTicks, step } = timeTicks(tMin, tMax, 5);
  // A single timestamp has no width: linearScale puts it in the middle instead of at an edge.
  const x = linearScale([tMin, tMax], [MARGIN.left, MARGIN.left + plotW]);
  const y = linearScale(yDomain, [MARGIN.top + plotH, MARGIN.top]);
  const times = [...new Set(all.map((p) => p.t))].sort((a, b) => a - b);

  return (
    <figure className={className}>
      <svg
        role="img"
        aria-label={ariaLabel}
        viewBox={`0 0 ${WIDTH} ${height}`}
        className="h-auto w-full overflow-visible text-slate-500"
      >
        <g aria-hidden="true">
          {yTicks.map((v) => (
            <g key={`y${v}`}>
              <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={y(v)} y2={y(v)} stroke="#e2e8f0" strokeWidth={1} />
              <text x={MARGIN.left - 6} y={y(v)} dy="0.32em" textAnchor="end" fontSize={11} fill="currentColor">
                {formatCompact(v)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <g key={`x${t}`}>
              <line x1={x(t)} x2={x(t)} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH + 4} stroke="#94a3b8" />
              <text x={x(t)} y={MARGIN.top + plotH + 16} textAnchor="middle" fontSize={11} fill="currentColor">
                {formatTimeTick(t, step)}
              </text>
            </g>
          ))}
          <line x1={MARGIN.left} x2={MARGIN.left + plotW} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} stroke="#94a3b8" />
          {unit && (
            <text x={4} y={10} textAnchor="start" fontSize={10} fill="currentColor">
              {unit}
            </text>
          )}
        </g>
        {normalized.map((s) => (
          <g key={s.name}>
            <path
              d={linePath(s.points.map((p) => ({ x: x(p.t), y: y(p.v) })))}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeLinejoin="round"
              strokeLinecap="round"
            />
            {s.points.map((p) => (
              <circle key={p.t} cx={x(p.t)} cy={y(p.v)} r={s.points.length > 40 ? 3 : 3.5} fill={s.color} fillOpacity={s.points.length > 40 ? 0 : 1}>
                <title>{`${s.name} · ${formatTimestamp(p.t)}: ${formatWithUnit(p.v, unit)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      {normalized.length > 0 && (
        <figcaption aria-hidden="true" className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
          {normalized.map((s) => (
            <span key={s.name} className="inline-flex items-center gap-1.5">
              <span className="inline-block h-0.5 w-4 rounded" style={{ backgroundColor: s.color }} />
              {s.name}
            </span>
          ))}
        </figcaption>
      )}
      <table className="sr-only">
        <caption>{ariaLabel}{unit ? ` (${unit})` : ""}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {normalized.map((s) => (
              <th key={s.name} scope="col">{s.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {times.map((t) => (
            <tr key={t}>
              <th scope="row">{formatTimestamp(t)}</th>
              {normalized.map((s) => {
                const p = s.points.find((q) => q.t === t);
                return <td key={s.name}>{p ? formatWithUnit(p.v, unit) : "–"}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
