import type { PlanSpec } from "./types";

/**
 * Plan templates used by the demo products. Prices are minor units per the model's unit (per GB,
 * per million messages, per month). Full-access plans are always manual approval: clear-text
 * personal data needs an owner to check the stated purpose.
 */
export const freeInternal = (): PlanSpec => ({
  name: "Internal",
  description: "Free for internal teams. Pseudonymised view, approved instantly.",
  tier: "internal",
  approval: "auto",
  priceModel: "free",
  priceMinor: 0,
  currency: "EUR",
  externalAllowed: false,
});

export const internalPerMillion = (priceMinor: number, currency: PlanSpec["currency"] = "EUR"): PlanSpec => ({
  name: "Internal volume",
  description: "Internal chargeback to your cost center per million messages consumed.",
  tier: "internal",
  approval: "auto",
  priceModel: "per_million_messages",
  priceMinor,
  currency,
  externalAllowed: false,
});

export const partnerPerGb = (priceMinor: number, currency: PlanSpec["currency"] = "EUR", monthlyCapMinor?: number): PlanSpec => ({
  name: "Partner",
  description: "For external partners under a signed data-sharing agreement. Partner view, billed per GB delivered.",
  tier: "partner",
  approval: "manual",
  priceModel: "per_gb",
  priceMinor,
  currency,
  externalAllowed: true,
  monthlyCapMinor,
  quotaBytesPerSec: 1_048_576,
});

export const flatMonthly = (
  priceMinor: number,
  tier: PlanSpec["tier"] = "internal",
  opts: { externalAllowed?: boolean; currency?: PlanSpec["currency"]; name?: string } = {},
): PlanSpec => ({
  name: opts.name ?? "Flat monthly",
  description: "Unlimited consumption for a fixed monthly fee.",
  tier,
  approval: tier === "full" || opts.externalAllowed ? "manual" : "auto",
  priceModel: "flat_monthly",
  priceMinor,
  currency: opts.currency ?? "EUR",
  externalAllowed: opts.externalAllowed ?? false,
});

export const fullAccess = (priceMinor: number, currency: PlanSpec["currency"] = "EUR"): PlanSpec => ({
  name: "Full access",
  description: "All fields in clear, for an approved purpose only. Every request is reviewed by the owning team.",
  tier: "full",
  approval: "manual",
  priceModel: "flat_monthly",
  priceMinor,
  currency,
  externalAllowed: false,
});

export const publicFree = (): PlanSpec => ({
  name: "Open",
  description: "Free aggregate-safe view with every personal field removed.",
  tier: "public",
  approval: "auto",
  priceModel: "free",
  priceMinor: 0,
  currency: "EUR",
  externalAllowed: true,
});
