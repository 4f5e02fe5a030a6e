import { z } from "zod";
import { PERIOD_PATTERN } from "./periods";

export const PeriodSchema = z.string().regex(PERIOD_PATTERN, "Pick a month as YYYY-MM.");
/** A cost center id, or "none" for teams without one. */
export const CostCenterParamSchema = z.union([z.literal("none"), z.uuid("Not a cost center id.")]);

export const ChargebackLevels = ["cost-center", "team", "subscription", "product"] as const;
export type ChargebackLevel = (typeof ChargebackLevels)[number];

/** /finance?period=&costCenter=&team=&owner= (owner: the owning team the showback is drilled into) */
export const FinanceQuerySchema = z.object({
  period: PeriodSchema.optional(),
  costCenter: CostCenterParamSchema.optional(),
  team: z.uuid("Not a team id.").optional(),
  owner: z.uuid("Not a team id.").optional(),
  /** The page of charge lines when a team is drilled into; anything unusable shows the first. */
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).optional(),
});

/** The CSV also exports showback by owning team (provider revenue). */
export const ChargebackCsvLevels = [...ChargebackLevels, "owner-team"] as const;
export type ChargebackCsvLevel = (typeof ChargebackCsvLevels)[number];

/** GET /api/finance/chargeback.csv?period=&level=&costCenter=&team= */
export const ChargebackCsvQuerySchema = z.object({
  period: PeriodSchema,
  level: z.enum(ChargebackCsvLevels, "Level is one of cost-center, team, subscription, product, owner-team."),
  costCenter: CostCenterParamSchema.optional(),
  team: z.uuid("Not a team id.").optional(),
  /** Only products of this owning team (showback drill-down). */
  owner: z.uuid("Not a team id.").optional(),
});

export const ClosePeriodSchema = z.object({ period: PeriodSchema });

export const AdjustmentSchema = z.object({
  chargeId: z.uuid("Not a charge id."),
  /** Major units as typed ("-12.50"); converted with the charge's currency. */
  amount: z.string().trim().regex(/^-?\d+(\.\d{1,3})?$/, "Enter an amount like -12.50."),
  reason: z.string().trim().min(3, "Say why the charge is corrected.").max(500),
});
