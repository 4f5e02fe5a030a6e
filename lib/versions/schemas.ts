import { z } from "zod";
import { PlanSchema, TierSchema } from "@/lib/publishing/schemas";

export const PII_CATEGORIES = ["none", "direct", "quasi", "sensitive"] as const;
export const COMPATIBILITY_MODES = ["backward", "forward", "full", "none"] as const;

/** The schema an owner proposes: pasted, uploaded (read into text in the browser) or edited. */
export const VersionDraftSchema = z.object({
  productId: z.uuid(),
  schemaFormat: z.enum(["json-schema", "avro"], { error: "Choose JSON Schema or Avro." }),
  schemaText: z.string({ error: "Paste or upload a schema." }).trim().min(1, "Paste or upload a schema.").max(2_000_000, "The schema is larger than 2 MB."),
});
export type VersionDraftInput = z.infer<typeof VersionDraftSchema>;

/** Description and PII tag of a field the new schema adds (unchanged fields keep theirs). */
export const FieldDocSchema = z.object({
  pii: z.enum(PII_CATEGORIES),
  description: z.string().trim().max(2000).optional(),
});

export const PublishVersionSchema = VersionDraftSchema.extend({
  version: z.string({ error: "Enter a version." }).trim().min(1, "Enter a version."),
  changelog: z.string().trim().max(5000, "Keep the changelog under 5,000 characters.").optional(),
  /** Sunset of the previous major when this version starts a new one; default 90 days. */
  previousSunsetAt: z.coerce.date({ error: "Enter a valid date." }).optional(),
  fieldDocs: z.record(z.string(), FieldDocSchema).optional(),
});
export type PublishVersionInput = z.infer<typeof PublishVersionSchema>;

export const LifecycleSchema = z.object({
  productId: z.uuid(),
  to: z.enum(["published", "deprecated", "retired"], { error: "Choose a status." }),
  sunsetAt: z.coerce.date({ error: "Enter a valid date." }).optional(),
  /** Retiring ends every subscription: the dialog must have been confirmed. */
  confirm: z.boolean().optional(),
  reason: z.string().trim().max(2000).optional(),
});
export type LifecycleInput = z.infer<typeof LifecycleSchema>;

export const CompatibilitySchema = z.object({
  productId: z.uuid(),
  mode: z.enum(COMPATIBILITY_MODES, { error: "Choose backward, forward, full or none." }),
});
export type CompatibilityInput = z.infer<typeof CompatibilitySchema>;

// ---- Tiers and plans of a published product (offer.ts) ---------------------------------------
// The same shapes as the publish wizard's steps, so both run the same checks on the same data.

const ProductRef = z.object({ productId: z.uuid() });

/** A tier's name and full-access flag are fixed once published: the name is in its delivery topic. */
export const TierUpdateSchema = ProductRef.extend({
  tierId: z.uuid(),
  description: TierSchema.shape.description,
  rules: TierSchema.shape.rules,
});
export type TierUpdateInput = z.output<typeof TierUpdateSchema>;

export const TierCreateSchema = ProductRef.extend(TierSchema.shape);
export type TierCreateInput = z.output<typeof TierCreateSchema>;

export const PlanCreateSchema = ProductRef.extend(PlanSchema.shape);
export type PlanCreateInput = z.output<typeof PlanCreateSchema>;

/** A plan keeps its tier (subscriptions read that tier's topic); a different tier is a new plan. */
export const PlanUpdateSchema = ProductRef.extend(PlanSchema.omit({ tier: true }).shape).extend({ planId: z.uuid() });
export type PlanUpdateInput = z.output<typeof PlanUpdateSchema>;

export const PlanDeactivateSchema = ProductRef.extend({
  planId: z.uuid(),
  confirm: z.literal(true, { error: "Confirm that the plan stops being offered." }),
});
export type PlanDeactivateInput = z.output<typeof PlanDeactivateSchema>;

/** The tier editor's live preview: any tier shape, masked on recent source records (nothing saved). */
export const TierPreviewSchema = ProductRef.extend({ tier: z.unknown() });
