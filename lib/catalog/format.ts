import type { PriceModel } from "./schemas";

/** Formats integer minor units in the currency's own precision (JPY has none, EUR two). */
export function formatMoney(minor: number, currency: string, locale = "en-GB"): string {
  let fmt: Intl.NumberFormat;
  try {
    fmt = new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    // An unknown currency code in the data must not break the page.
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(minor / 10 ** digits);
}

const unit: Record<Exclude<PriceModel, "free">, string> = {
  per_gb: "per GB",
  per_million_messages: "per million messages",
  flat_monthly: "per month",
};

export function formatPlanPrice(plan: { priceModel: PriceModel; priceMinor: number; currency: string }): string {
  if (plan.priceModel === "free" || plan.priceMinor === 0) return "Free";
  return `${formatMoney(plan.priceMinor, plan.currency)} ${unit[plan.priceModel]}`;
}

/** "5 seconds", "2 minutes", "1 hour 30 minutes". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), "day"],
    [Math.floor((seconds % 86400) / 3600), "hour"],
    [Math.floor((seconds % 3600) / 60), "minute"],
    [Math.floor(seconds % 60), "second"],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  if (shown.length === 0) return "0 seconds";
  return shown.map(([n, u]) => `${n} ${u}${n === 1 ? "" : "s"}`).join(" ");
}

export function formatRetention(hours: number): string {
  if (hours % 24 === 0) {
    const days = hours / 24;
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

export function formatBytesPerSecond(n: number): string {
  const units = ["B/s", "KB/s", "MB/s", "GB/s"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/** Purpose slugs such as "network-optimisation" read better as words. */
export function humanize(slug: string): string {
  const s = slug.replace(/[-_]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

type Rule = { id?: unknown; kind?: unknown; field?: unknown; params?: unknown };

const fmtVal = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/** A contract quality rule in words, e.g. "signal.rsrp must be between -140 and -44". */
export function describeQualityRule(raw: unknown): string {
  if (typeof raw !== "object" || raw === null) return "Unrecognised rule";
  const r = raw as Rule;
  const field = typeof r.field === "string" && r.field ? r.field : "the record";
  const p = (typeof r.params === "object" && r.params !== null ? r.params : {}) as Record<string, unknown>;
  switch (r.kind) {
    case "required":
      return `${field} must always be present`;
    case "range": {
      const hasMin = p.min !== undefined && p.min !== null;
      const hasMax = p.max !== undefined && p.max !== null;
      if (hasMin && hasMax) return `${field} must be between ${fmtVal(p.min)} and ${fmtVal(p.max)}`;
      if (hasMin) return `${field} must be at least ${fmtVal(p.min)}`;
      if (hasMax) return `${field} must be at most ${fmtVal(p.max)}`;
      return `${field} must be within its allowed range`;
    }
    case "pattern":
      return typeof p.regex === "string" || typeof p.pattern === "string"
        ? `${field} must match the pattern ${String(p.regex ?? p.pattern)}`
        : `${field} must match its pattern`;
    case "enum": {
      const values = Array.isArray(p.values) ? p.values : Array.isArray(p.allowed) ? p.allowed : null;
      return values ? `${field} must be one of ${values.map(fmtVal).join(", ")}` : `${field} must be one of the allowed values`;
    }
    case "max_age": {
      const s = Number(p.seconds ?? p.maxAgeSeconds ?? p.max_age_seconds);
      return Number.isFinite(s) && s > 0
        ? `${field} must be no older than ${formatDuration(s)} when delivered`
        : `${field} must be recent when delivered`;
    }
    case "expression":
      return typeof p.expression === "string" || typeof p.expr === "string"
        ? `Records must satisfy: ${String(p.expression ?? p.expr)}`
        : `Records must satisfy a custom check`;
    default:
      return `${field}: ${typeof r.kind === "string" ? r.kind : "custom"} check`;
  }
}
