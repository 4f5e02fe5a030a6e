/**
 * Pricing: what a subscription owes for one billing period, as a pure function of its plan and
 * its usage. No I/O, no floats in the money path.
 *
 * Rules (the contract the charges service, the meter and the finance pages rely on):
 * - Amounts are integer minor units of the plan's currency (cents for EUR/USD, yen for JPY).
 * - Units: per GB is **decimal** (1 GB = 10^9 bytes, not GiB); per million messages is 10^6
 *   messages; flat monthly is one period.
 * - Arithmetic is exact (bigint): amount = quantity × price, divided once and rounded **half-up**
 *   once per charge line (0.5 minor units and above round up). Usage is never rounded per hour.
 * - Flat monthly is prorated by seconds active in the period when a subscription starts or ends
 *   mid-period: price × activeSeconds / periodSeconds, rounded half-up.
 * - The optional monthly cap (plans.monthly_cap_minor) bounds the line's total for the period.
 *   The cap is not prorated: it is a ceiling, and a partial month stays under it anyway.
 * - Currency is per plan and travels with the amount; never add amounts in different currencies
 *   (see sumByCurrency).
 */

export type PriceModel = "free" | "per_gb" | "per_million_messages" | "flat_monthly";

export type PricedPlan = {
  priceModel: PriceModel;
  /** Minor units per unit of the model (per GB, per million messages, per month). */
  priceMinor: number | bigint;
  currency: string;
  monthlyCapMinor?: number | bigint | null;
};

export type UsageInput = {
  messages: number | bigint;
  bytes: number | bigint;
  /** Seconds the subscription was billable inside the period (for flat-monthly proration). */
  activeSeconds: number | bigint;
  /** Length of the period in seconds (a calendar month in UTC for the charges service). */
  periodSeconds: number | bigint;
};

export type PricedUsage = {
  amountMinor: number;
  currency: string;
  /** Exact decimal quantity in the unit of `unit` (e.g. "1.5" GB); display/export only. */
  quantity: string;
  unit: "GB" | "million messages" | "month" | "messages";
  /** The charge kind the line is stored as. */
  kind: "usage" | "flat";
  /** The amount before the cap; equal to amountMinor when no cap applied. */
  uncappedMinor: number;
  capped: boolean;
  description: string;
};

export const BYTES_PER_GB = 1_000_000_000n;
export const MESSAGES_PER_MILLION = 1_000_000n;
/** Flat-monthly quantities are shown with this many decimals (the amount uses exact seconds). */
const MONTH_QUANTITY_DECIMALS = 6;

function toBig(name: string, v: number | bigint): bigint {
  if (typeof v === "bigint") {
    if (v < 0n) throw new RangeError(`${name} must not be negative`);
    return v;
  }
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return BigInt(v);
}

/** floor((2n + d) / 2d) for n, d ≥ 0: n/d rounded half-up. */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  if (numerator < 0n) throw new RangeError("numerator must not be negative");
  return (2n * numerator + denominator) / (2n * denominator);
}

/** n / 10^scale as an exact decimal string without trailing zeros ("1.5", "0.000001", "3"). */
export function decimalString(n: bigint, scale: number): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const s = abs.toString().padStart(scale + 1, "0");
  const intPart = scale === 0 ? s : s.slice(0, s.length - scale);
  const frac = scale === 0 ? "" : s.slice(s.length - scale).replace(/0+$/, "");
  return (negative ? "-" : "") + intPart + (frac ? `.${frac}` : "");
}

function toSafeNumber(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${v} is outside the safe integer range`);
  return n;
}

export function normalizeCurrency(currency: string): string {
  const c = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw new RangeError(`not an ISO 4217 currency code: ${currency}`);
  return c;
}

// Creating an Intl.NumberFormat costs tens of microseconds; pricing 10,000 lines would spend
// most of its time there, so each currency's formatter and digits are made once.
const currencyFormats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(currency: string): Intl.NumberFormat | null {
  const c = normalizeCurrency(currency);
  let f = currencyFormats.get(c);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat("en", { style: "currency", currency: c });
    } catch {
      f = null;
    }
    currencyFormats.set(c, f);
  }
  return f;
}

const currencyDigits = new Map<string, number>();

/** Digits after the decimal point of a currency's minor unit (EUR 2, JPY 0, BHD 3). */
export function minorUnitDigits(currency: string): number {
  let d = currencyDigits.get(currency);
  if (d === undefined) {
    d = currencyFormat(currency)?.resolvedOptions().maximumFractionDigits ?? 2;
    currencyDigits.set(currency, d);
  }
  return d;
}

/** An amount in minor units as an exact decimal string of major units ("12.34", "-0.05", "100"). */
export function formatMajor(amountMinor: number | bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  const n = typeof amountMinor === "bigint" ? amountMinor : BigInt(amountMinor);
  const negative = n < 0n;
  const abs = (negative ? -n : n).toString().padStart(digits + 1, "0");
  const whole = digits === 0 ? abs : abs.slice(0, abs.length - digits);
  const frac = digits === 0 ? "" : `.${abs.slice(abs.length - digits)}`;
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/**
 * "-12.50" typed in major units of `currency` to exact integer minor units (-1250), the inverse
 * of formatMajor. Throws RangeError with a message for people when the text is not a plain
 * decimal or has more decimals than the currency's minor unit (JPY has none).
 */
export function parseMajor(amount: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const m = /^\s*([+-]?)(\d+)(?:\.(\d*))?\s*$/.exec(amount);
  if (!m) throw new RangeError("Enter an amount like -12.50.");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > digits) {
    throw new RangeError(digits === 0 ? `${normalizeCurrency(currency)} has no decimals.` : `${normalizeCurrency(currency)} has ${digits} decimals.`);
  }
  const minor = BigInt(m[2]!) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, "0") || "0");
  return toSafeNumber(m[1] === "-" ? -minor : minor, "amount");
}

/** For people: "€12.34", "¥100". */
export function formatMoney(amountMinor: number, currency: string): string {
  // Display only: the exact decimal string goes through a float here, fine for showing cents.
  const f = currencyFormat(currency);
  if (!f) throw new RangeError(`not a currency Intl knows: ${currency}`);
  return f.format(Number(formatMajor(amountMinor, currency)));
}

/**
 * What `plan` charges for `usage` in one period. Throws RangeError on negative or non-integer
 * input, a non-positive period or an invalid currency, so a bad ledger row fails loudly.
 */
export function priceUsage(plan: PricedPlan, usage: UsageInput): PricedUsage {
  const currency = normalizeCurrency(plan.currency);
  const price = toBig("priceMinor", plan.priceMinor);
  const messages = toBig("messages", usage.messages);
  const bytes = toBig("bytes", usage.bytes);
  const periodSeconds = toBig("periodSeconds", usage.periodSeconds);
  if (periodSeconds === 0n) throw new RangeError("periodSeconds must be positive");
  let activeSeconds = toBig("activeSeconds", usage.activeSeconds);
  if (activeSeconds > periodSeconds) activeSeconds = periodSeconds;

  let amount: bigint;
  let quantity: string;
  let unit: PricedUsage["unit"];
  let kind: PricedUsage["kind"] = "usage";
  let what: string;
  switch (plan.priceModel) {
    case "free":
      amount = 0n;
      quantity = messages.toString();
      unit = "messages";
      what = `Free plan: ${messages} messages, ${decimalString(bytes, 9)} GB`;
      break;
    case "per_gb":
      amount = divRoundHalfUp(bytes * price, BYTES_PER_GB);
      quantity = decimalString(bytes, 9);
      unit = "GB";
      what = `${quantity} GB (decimal, 10^9 bytes) × ${formatMajor(price, currency)} ${currency}/GB`;
      break;
    case "per_million_messages":
      amount = divRoundHalfUp(messages * price, MESSAGES_PER_MILLION);
      quantity = decimalString(messages, 6);
      unit = "million messages";
      what = `${quantity} million messages × ${formatMajor(price, currency)} ${currency}/million`;
      break;
    case "flat_monthly": {
      kind = "flat";
      amount = divRoundHalfUp(price * activeSeconds, periodSeconds);
      const scale = 10n ** BigInt(MONTH_QUANTITY_DECIMALS);
      quantity = decimalString(divRoundHalfUp(activeSeconds * scale, periodSeconds), MONTH_QUANTITY_DECIMALS);
      unit = "month";
      what =
        activeSeconds === periodSeconds
          ? `Flat monthly ${formatMajor(price, currency)} ${currency}`
          : `Flat monthly ${formatMajor(price, currency)} ${currency}, prorated ${activeSeconds}/${periodSeconds} s`;
      break;
    }
    default: {
      const never: never = plan.priceModel;
      throw new RangeError(`unknown price model ${String(never)}`);
    }
  }

  const uncapped = amount;
  let capped = false;
  if (plan.monthlyCapMinor !== null && plan.monthlyCapMinor !== undefined) {
    const cap = toBig("monthlyCapMinor", plan.monthlyCapMinor);
    if (amount > cap) {
      amount = cap;
      capped = true;
    }
  }
  const description = capped ? `${what}; capped at ${formatMajor(amount, currency)} ${currency}` : what;
  return {
    amountMinor: toSafeNumber(amount, "amount"),
    currency,
    quantity,
    unit,
    kind,
    uncappedMinor: toSafeNumber(uncapped, "amount"),
    capped,
    description,
  };
}

/** Totals grouped by currency (never summed across currencies), sorted by currency code. */
export function sumByCurrency(lines: Iterable<{ amountMinor: number; currency: string }>): { currency: string; amountMinor: number }[] {
  const totals = new Map<string, bigint>();
  for (const l of lines) {
    const c = normalizeCurrency(l.currency);
    totals.set(c, (totals.get(c) ?? 0n) + BigInt(l.amountMinor));
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, v]) => ({ currency, amountMinor: toSafeNumber(v, "total") }));
}
