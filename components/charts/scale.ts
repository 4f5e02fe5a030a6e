/**
 * Pure scaling, tick and formatting helpers for the SVG charts. No React, no DOM: unit-tested in
 * lib/products/chart-scale.test.ts (vitest only collects lib/**).
 */

export type Domain = readonly [number, number];
export type Range = readonly [number, number];

/** Maps a value from `domain` linearly onto `range`. A zero-width domain maps to the range's middle. */
export function linearScale(domain: Domain, range: Range): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (span === 0 || !Number.isFinite(span)) {
    const mid = (r0 + r1) / 2;
    return () => mid;
  }
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** The "nice" step (1, 2, 2.5, 5 × 10^n) closest above `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const exp = Math.floor(Math.log10(rough));
  const base = 10 ** exp;
  const f = rough / base;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * base;
}

/**
 * A value axis: ticks at a nice step that cover [min, max], about `count` of them. The returned
 * domain is the first and last tick, so the plot lines up with its gridlines. A flat series
 * (min === max) still gets a visible axis: [0, max] or [0, 1] for all zeros.
 */
export function niceTicks(min: number, max: number, count = 4): { ticks: number[]; domain: [number, number] } {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    if (lo === 0) hi = 1;
    else if (lo > 0) lo = 0;
    else hi = 0;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  // Round to the step's precision so 0.1 + 0.2 style drift does not show up in labels.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(decimals)));
  return { ticks, domain: [ticks[0], ticks[ticks.length - 1]] };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
];

/**
 * Time ticks (epoch ms) at a round interval (1 min, 5 min, 1 h, 1 day, ...) aligned to UTC, about
 * `count` of them inside [start, end]. Returns the step so labels can pick a format.
 */
export function timeTicks(start: number, end: number, count = 5): { ticks: number[]; step: number } {
  const lo = Math.min(start, end);
  const hi = Math.max(start, end);
  const span = hi - lo;
  if (span <= 0 || !Number.isFinite(span)) return { ticks: Number.isFinite(lo) ? [lo] : [], step: 0 };
  const rough = span / Math.max(1, count);
  const step = TIME_STEPS.find((s) => s >= rough) ?? Math.ceil(rough / (30 * DAY)) * 30 * DAY;
  const first = Math.ceil(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= hi; t += step) ticks.push(t);
  return { ticks, step };
}

const pad = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Tick label in UTC: HH:MM:SS below a minute step, HH:MM below a day, "Mar 4" from a day up. */
export function formatTimeTick(t: number, step: number): string {
  const d = new Date(t);
  if (step >= DAY) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (step < MINUTE) return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A full UTC timestamp for hover titles and screen-reader tables: "2026-03-04 13:05 UTC". */
export function formatTimestamp(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** Short number for axes and bars: 950, 1.2k, 3.4M, 0.25; never more than 3 significant digits. */
export function formatCompact(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const abs = Math.abs(v);
  const units: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  for (const [size, suffix] of units) {
    if (abs >= size) return `${trim(v / size)}${suffix}`;
  }
  return trim(v);
}

function trim(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return "0";
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

/** "12.5 rec/s", "3" — a value with an optional unit, for titles and tables. */
export function formatWithUnit(v: number, unit?: string): string {
  return unit ? `${formatCompact(v)} ${unit}` : formatCompact(v);
}

export function toMillis(t: string | Date): number {
  return typeof t === "string" ? Date.parse(t) : t.getTime();
}

/** Builds an SVG path "M x y L x y ..." from points, skipping non-finite coordinates (a gap). */
export function linePath(points: { x: number; y: number }[]): string {
  let d = "";
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${round(p.x)} ${round(p.y)} `;
    pen = true;
  }
  return d.trim();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Default palette for series without a color: distinguishable, and readable on white. */
export const SERIES_COLORS = ["#0f6fc7", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2"];

/** Width of a bar in percent of the largest; a non-zero value always shows at least a sliver. */
export function barPercent(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.max(1, Math.min(100, (value / max) * 100));
}
