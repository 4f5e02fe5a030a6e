/**
 * zod schemas for what owners submit: quality rules (params per kind) and schema formats.
 * The publish wizard's actions parse with these; checkRules adds the checks that need the schema.
 */
import { z } from "zod";

export const schemaFormatSchema = z.enum(["json-schema", "avro"]);

const ruleBase = {
  id: z.string().trim().min(1, "rule id is required").max(200).regex(/^[A-Za-z0-9_.:[\]-]+$/, "rule id may use letters, digits and _ . : - [ ]"),
  field: z.string().trim().max(500),
  description: z.string().max(1000).optional(),
};

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const qualityRuleSchema = z.discriminatedUnion("kind", [
  z.object({ ...ruleBase, kind: z.literal("required"), params: z.object({}).default({}) }),
  z.object({
    ...ruleBase,
    kind: z.literal("range"),
    params: z
      .object({ min: finite.optional(), max: finite.optional() })
      .refine((p) => p.min !== undefined || p.max !== undefined, "range needs min, max or both")
      .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, "min must not exceed max"),
  }),
  z.object({
    ...ruleBase,
    kind: z.literal("pattern"),
    params: z.object({ pattern: z.string().min(1, "pattern is required"), flags: z.string().max(4).optional() }),
  }),
  z.object({
    ...ruleBase,
    kind: z.literal("enum"),
    params: z.object({ values: z.array(z.union([z.string(), finite, z.boolean()])).min(1, "enum needs at least one value").max(1000) }),
  }),
  z.object({
    ...ruleBase,
    kind: z.literal("max_age"),
    params: z.object({ seconds: z.number().int().positive("seconds must be positive").max(10 * 365 * 86400) }),
  }),
  z.object({
    ...ruleBase,
    kind: z.literal("expression"),
    params: z.object({ expression: z.string().min(1, "expression is required") }),
  }),
]);

export type QualityRuleInput = z.input<typeof qualityRuleSchema>;
export type ParsedQualityRule = z.output<typeof qualityRuleSchema>;

export const qualityRulesSchema = z.array(qualityRuleSchema).max(200, "at most 200 quality rules");
