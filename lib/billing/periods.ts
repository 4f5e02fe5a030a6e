/**
 * Billing periods are calendar months in UTC, written "YYYY-MM" in URLs, CSV and code, and
 * stored as the month's first day in billing_periods.month (a date).
 */
export const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export type PeriodBounds = {
  key: string;
  /** billing_periods.month: "YYYY-MM-01". */
  monthDate: string;
  start: Date;
  end: Date;
  seconds: number;
};

export function isPeriodKey(value: string): boolean {
  return PERIOD_PATTERN.test(value);
}

export function periodBounds(key: string): PeriodBounds {
  const m = PERIOD_PATTERN.exec(key);
  if (!m) throw new RangeError(`not a period (YYYY-MM): ${key}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + 1, 1));
  return { key, monthDate: `${key}-01`, start, end, seconds: (end.getTime() - start.getTime()) / 1000 };
}

export function periodKeyOf(d: Date): string {
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** "2026-11-01" (billing_periods.month) to "2026-11". */
export function periodKeyOfMonthDate(monthDate: string): string {
  return monthDate.slice(0, 7);
}

export function addMonths(key: string, n: number): string {
  const { start } = periodBounds(key);
  return periodKeyOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1)));
}

/** Inclusive list of periods from `from` to `to`, oldest first. */
export function periodRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let k = from; k <= to; k = addMonths(k, 1)) out.push(k);
  return out;
}

export function formatPeriod(key: string): string {
  const { start } = periodBounds(key);
  return start.toLocaleDateString("en", { month: "long", year: "numeric", timeZone: "UTC" });
}
