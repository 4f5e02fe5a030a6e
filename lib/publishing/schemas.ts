import { z } from "zod";
import { MASK_STRATEGIES } from "@/lib/masking/types";

/**
 * What each wizard step submits and what product_drafts.data holds under the step's key. The
 * shape checks live here (zod, field-level errors); the checks that need the whole draft (PII
 * rules per tier, full access only on reviewed plans, rules on the sample) are in checks.ts.
 */

export const STEPS = ["basics", "source", "schema", "fields", "contract", "tiers", "plans", "review"] as const;
export type Step = (typeof STEPS)[number];
export type DataStep = Exclude<Step, "review">;
/** Steps saved from a form; the source is saved by sampling its topic (samples are read server-side). */
export type FormStep = Exclude<DataStep, "source">;
export const FORM_STEPS = STEPS.filter((s): s is FormStep => s !== "review" && s !== "source");

export const STEP_LABELS: Record<Step, string> = {
  basics: "Basics",
  source: "Source",
  schema: "Schema",
  fields: "Fields",
  contract: "Contract",
  tiers: "Masking tiers",
  plans: "Plans",
  review: "Review & publish",
};

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SlugSchema = z
  .string({ error: "A slug is required" })
  .trim()
  .min(2, "At least 2 characters")
  .max(64, "At most 64 characters")
  .regex(SLUG_PATTERN, "Lower-case letters, digits and dashes; start and end with a letter or digit");

const text = (max: number) => z.string().trim().max(max, `At most ${max} characters`);

export const CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;

export const BasicsSchema = z.object({
  teamId: z.uuid("Choose the owning team"),
  name: z.string({ error: "A name is required" }).trim().min(3, "At least 3 characters").max(120, "At most 120 characters"),
  slug: SlugSchema,
  summary: z.string({ error: "A summary is required" }).trim().min(10, "Say in a sentence what the stream carries (at least 10 characters)").max(280, "At most 280 characters"),
  description: text(20_000).default(""),
  domain: z
    .string({ error: "A domain is required" })
    .trim()
    .toLowerCase()
    .min(2, "A domain is required")
    .max(40, "At most 40 characters")
    .regex(/^[a-z0-9][a-z0-9 -]*$/, "Letters, digits, spaces and dashes"),
  tags: z
    .array(z.string().trim().toLowerCase().min(1).max(32, "Tags have at most 32 characters"))
    .max(20, "At most 20 tags")
    .default([])
    .transform((t) => [...new Set(t)]),
  classification: z.enum(CLASSIFICATIONS, "Choose a classification"),
});
export type BasicsData = z.output<typeof BasicsSchema>;

/** Raw sampled message values as text (non-UTF-8 values are kept as a note, not bytes). */
export const SampleMessageSchema = z.object({
  partition: z.number().int().min(0),
  offset: z.string().max(24),
  key: z.string().max(1000).nullable(),
  value: z.string().max(1_000_000).nullable(),
  timestamp: z.string().max(40),
  /** Why the router's decoder refuses the full record (not JSON, not UTF-8, too large), null when it decodes; absent in drafts sampled before it was recorded. */
  reject: z.string().max(200).nullable().optional(),
  /** The value was cut to SAMPLE_VALUE_MAX for display and inference. */
  truncated: z.boolean().optional(),
});
export type SampleMessage = z.output<typeof SampleMessageSchema>;

export const MAX_SAMPLES = 50;

export const SourceSchema = z.object({
  clusterId: z.uuid("Choose a cluster"),
  topic: z
    .string({ error: "Choose a topic" })
    .trim()
    .min(1, "Choose a topic")
    .max(249)
    .regex(/^[a-zA-Z0-9._-]+$/, "Not a Kafka topic name"),
  partitions: z.number().int().min(0).optional(),
  samples: z.array(SampleMessageSchema).max(MAX_SAMPLES).default([]),
});
export type SourceData = z.output<typeof SourceSchema>;

export const SchemaStepSchema = z.object({
  format: z.enum(["json-schema", "avro"], "Choose JSON Schema or Avro"),
  origin: z.enum(["inferred", "uploaded"]).default("uploaded"),
  text: z.string({ error: "Paste, upload or infer a schema" }).min(1, "Paste, upload or infer a schema").max(2_000_000, "The schema is larger than 2 MB"),
});
export type SchemaData = z.output<typeof SchemaStepSchema>;

export const PII_CATEGORIES = ["direct", "quasi", "sensitive", "none"] as const;

export const FieldDocSchema = z.object({
  path: z.string().max(2000),
  description: text(2000).default(""),
  pii: z.enum(PII_CATEGORIES, "Choose a PII category"),
});
export const FieldsSchema = z.object({ fields: z.array(FieldDocSchema).max(5000) });
export type FieldsData = z.output<typeof FieldsSchema>;

/** Rules are kept as submitted; checkRules (lib/contracts) gives per-rule messages at save and publish. */
export const ContractSchema = z.object({
  freshnessSlaSeconds: z.coerce.number({ error: "A number of seconds" }).int("Whole seconds").positive("More than 0 seconds").max(30 * 86400, "At most 30 days"),
  availabilityTarget: z
    .string({ error: "An availability target such as 99.9%" })
    .trim()
    .regex(/^\d{1,3}(\.\d{1,4})?%$/, "A percentage such as 99.9%")
    .refine((v) => Number.parseFloat(v) > 0 && Number.parseFloat(v) <= 100, "Between 0% and 100%"),
  retentionHours: z.coerce.number({ error: "A number of hours" }).int("Whole hours").positive("More than 0 hours").max(24 * 3650, "At most 10 years"),
  purposes: z
    .array(z.string().trim().toLowerCase().min(1).max(60).regex(/^[a-z0-9][a-z0-9-]*$/, "Purposes are lower-case words joined by dashes"))
    .min(1, "Name at least one allowed purpose")
    .max(30),
  prohibitedUses: z.array(z.string().trim().min(1).max(200)).max(30).default([]),
  supportContact: z.email("An email address for support").max(200),
  qualityRules: z.array(z.unknown()).max(200, "At most 200 quality rules").default([]),
});
export type ContractData = z.output<typeof ContractSchema>;

export const TierSchema = z.object({
  name: z
    .string({ error: "A tier name is required" })
    .trim()
    .toLowerCase()
    .min(1, "A tier name is required")
    .max(32, "At most 32 characters")
    .regex(/^[a-z0-9][a-z0-9_-]*$/, "Lower-case letters, digits, _ and -"),
  description: text(500).default(""),
  fullAccess: z.boolean().default(false),
  /** { [path]: { strategy, ...settings } }, parsed strictly by lib/masking. */
  rules: z.record(z.string(), z.looseObject({ strategy: z.enum(MASK_STRATEGIES as [string, ...string[]]) })).default({}),
});
export const TiersSchema = z.object({ tiers: z.array(TierSchema).min(1, "Add at least one tier").max(10, "At most 10 tiers") });
export type TierData = z.output<typeof TierSchema>;
export type TiersData = z.output<typeof TiersSchema>;

export const PRICE_MODELS = ["free", "per_gb", "per_million_messages", "flat_monthly"] as const;

/** Money is integer minor units; the publish checks add ISO currency and model consistency. */
export const PlanSchema = z.object({
  name: z.string({ error: "A plan name is required" }).trim().min(2, "At least 2 characters").max(60, "At most 60 characters"),
  description: text(500).default(""),
  tier: z.string({ error: "Choose a tier" }).trim().min(1, "Choose a tier"),
  approval: z.enum(["auto", "manual"], "Choose automatic or owner review"),
  priceModel: z.enum(PRICE_MODELS, "Choose a price model"),
  priceMinor: z.number({ error: "A price in minor units" }),
  currency: z.string({ error: "A currency" }).trim().toUpperCase(),
  externalAllowed: z.boolean().default(false),
  quotaBytesPerSec: z.number().nullable().default(null),
  monthlyCapMinor: z.number().nullable().default(null),
});
export const PlansSchema = z.object({ plans: z.array(PlanSchema).min(1, "Add at least one plan").max(10, "At most 10 plans") });
export type PlanData = z.output<typeof PlanSchema>;
export type PlansData = z.output<typeof PlansSchema>;

/** product_drafts.data: each key is written by its step's save. */
export type DraftData = {
  basics?: BasicsData;
  source?: SourceData;
  schema?: SchemaData;
  fields?: FieldsData;
  contract?: ContractData;
  tiers?: TiersData;
  plans?: PlansData;
};

export const StepSchemas = {
  basics: BasicsSchema,
  source: SourceSchema,
  schema: SchemaStepSchema,
  fields: FieldsSchema,
  contract: ContractSchema,
  tiers: TiersSchema,
  plans: PlansSchema,
} as const;

export function isStep(v: string): v is Step {
  return (STEPS as readonly string[]).includes(v);
}
