import { BYTES_PER_GB, decimalString, MESSAGES_PER_MILLION, type PriceModel } from "@/lib/billing/pricing";

export type { PriceModel };

/**
 * How a plan's price model maps to Stripe. Pure functions, no I/O.
 *
 * Usage is reported in the ledger's own integer units (bytes, messages) and the Stripe price
 * carries the per-unit amount as an exact decimal: per GB is priceMinor / 10^9 per byte
 * (GB = 10^9 bytes, as lib/billing counts), per million messages is priceMinor / 10^6 per
 * message. Stripe then multiplies the period's summed units by that decimal and rounds once, which
 * is the same arithmetic as pricing the period's total in lib/billing, and meter event values stay
 * whole numbers (a quiet hour is a fraction of a GB).
 */
export type UsageModel = "per_gb" | "per_million_messages";

export const USAGE_MODELS: readonly UsageModel[] = ["per_gb", "per_million_messages"];

export function isUsageModel(model: PriceModel): model is UsageModel {
  return model === "per_gb" || model === "per_million_messages";
}

/** Ledger units per billed unit, as a power of ten: lib/billing's own constants. */
const exponent: Record<UsageModel, number> = {
  per_gb: BYTES_PER_GB.toString().length - 1,
  per_million_messages: MESSAGES_PER_MILLION.toString().length - 1,
};

export function ledgerUnit(model: UsageModel): "bytes" | "messages" {
  return model === "per_gb" ? "bytes" : "messages";
}

/**
 * One meter per plan, not per unit: Stripe aggregates a meter's events per customer, and every
 * price on that meter in the customer's subscriptions bills the whole aggregate. An organization
 * with two usage plans on one shared "bytes" meter would pay each plan's price for the sum of both.
 * Max 100 characters; a uuid without dashes keeps it short and stable.
 */
export function meterEventName(planId: string): string {
  return `tributary_plan_${planId.replace(/-/g, "")}`;
}

/** `minor / 10^exp` as an exact decimal string (no floating point): 500, 9 -> "0.0000005". */
export function decimalShift(minor: number, exp: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new Error(`price must be a non-negative integer, got ${minor}`);
  return decimalString(BigInt(minor), exp);
}

/** Stripe's unit_amount_decimal for one ledger unit (byte or message) of a usage plan. */
export function unitAmountDecimal(model: UsageModel, priceMinor: number): string {
  return decimalShift(priceMinor, exponent[model]);
}

/**
 * Ledger units after which a monthly cap is reached: ceil(cap * 10^exp / price). Usage reports
 * of a subscription stop at this many units per month (lib/stripe/service.ts,
 * enqueueUsageReports). Exact when the cap is a whole multiple of the per-unit price; otherwise
 * the last unit before the cap may overshoot it by less than one unit's price (a fraction of a
 * minor unit, which Stripe's final rounding absorbs).
 */
export function capUnits(model: UsageModel, priceMinor: number, capMinor: number): bigint {
  if (priceMinor <= 0) return 0n;
  const numerator = BigInt(capMinor) * 10n ** BigInt(exponent[model]);
  const price = BigInt(priceMinor);
  return (numerator + price - 1n) / price;
}

/** The whole-number meter event value for one ledger row. */
export function usageValue(model: UsageModel, row: { bytes: number; messages: number }): number {
  return model === "per_gb" ? row.bytes : row.messages;
}
