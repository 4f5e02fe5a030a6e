import { z } from "zod";
import { getChargebackRows } from "@/lib/billing/queries";
import { ChargebackLevels, CostCenterParamSchema, PeriodSchema } from "@/lib/billing/schemas";
import { defineEndpoint } from "../endpoint";

const Money = z.object({ currency: z.string(), amountMinor: z.number() });

export const chargebackEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/chargeback",
    operationId: "getChargeback",
    summary: "Read a chargeback report",
    description:
      "One month's charges grouped by cost center, team, subscription or product (showback), in integer minor units per currency, with the same drill-down filters as the finance page. Personal tokens of finance and admin users only.",
    tag: "Finance",
    scope: "finance:read",
    query: z.object({
      period: PeriodSchema,
      level: z.enum(ChargebackLevels).default("cost-center"),
      costCenter: CostCenterParamSchema.optional(),
      team: z.uuid("Not a team id.").optional(),
    }),
    response: z.object({
      period: z.string(),
      level: z.string(),
      rows: z.array(z.object({ key: z.string(), label: z.string(), detail: z.string().nullable(), lines: z.number(), totals: z.array(Money) })),
    }),
  },
  async ({ db, user, query }) => {
    const rows = await getChargebackRows(db, user, query.level, { period: query.period, costCenter: query.costCenter, team: query.team });
    return { period: query.period, level: query.level, rows };
  },
);
