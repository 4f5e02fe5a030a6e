/**
 * Shapes of the seed's product definitions. A product is authored as a flat field list (path,
 * type, docs, PII class); the JSON Schema, the contract's `fields` column and the masking rules
 * are all derived from it (see contract.ts), so the three can never disagree.
 */
export type PiiClass = "direct" | "quasi" | "sensitive" | "none";
export type FieldType = "string" | "integer" | "number" | "boolean" | "object" | "array";
export type MaskStrategy = "keep" | "drop" | "redact" | "hash" | "partial" | "generalize" | "tokenize";
export type MaskRule = { strategy: MaskStrategy } & Record<string, unknown>;
export type TierName = "full" | "internal" | "partner" | "public";

/**
 * One leaf field. Dotted paths nest objects ("subscriber.msisdn"); a segment ending in "[]" is an
 * array ("signals[]" is an array of scalars, "legs[].amount" an array of objects, "curve[][]" a
 * list of lists of scalars), as lib/contracts writes paths. Type "object" or "array" documents a
 * container instead (path without "[]": "legs" with type "array" is the list of legs).
 */
export type FieldSpec = {
  path: string;
  type: FieldType;
  required: boolean;
  description: string;
  pii: PiiClass;
  format?: "date-time" | "date" | "email" | "uuid" | "ipv4";
  enum?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** Overrides the derived masking rule for a tier (the derived one fits most fields). */
  mask?: Partial<Record<TierName, MaskRule>>;
};

/** What the contract_versions.fields column stores (lib/contracts owns the shape). */
export type { ContractField } from "@/lib/contracts";

export type QualityRule = {
  id: string;
  kind: "required" | "range" | "pattern" | "enum" | "max_age" | "expression";
  field: string;
  params: Record<string, unknown>;
};

export type PlanSpec = {
  name: string;
  description: string;
  tier: TierName;
  approval: "auto" | "manual";
  priceModel: "free" | "per_gb" | "per_million_messages" | "flat_monthly";
  priceMinor: number;
  currency: "EUR" | "USD";
  externalAllowed: boolean;
  monthlyCapMinor?: number;
  quotaBytesPerSec?: number;
};

export type ContractSpec = {
  version: string;
  freshnessSlaSeconds: number;
  availabilityTarget: string;
  retentionHours: number;
  purposes: string[];
  prohibitedUses: string[];
  fields: FieldSpec[];
  qualityRules: QualityRule[];
  changelog?: string;
};

export type ProductSpec = {
  slug: string;
  name: string;
  summary: string;
  /** Markdown. */
  description: string;
  domain: string;
  tags: string[];
  classification: "public" | "internal" | "confidential" | "restricted";
  /** Slug of the owning team (see world.ts). */
  team: string;
  sourceTopic: string;
  contactEmail: string;
  status: "draft" | "published" | "deprecated";
  /** For deprecated products: when consumers must have moved off. */
  sunsetInDays?: number;
  contract: ContractSpec;
  /** A realistic record; shown in the description and usable by demo producers. */
  example: Record<string, unknown>;
  /** Masking tiers to create besides "full" (which every product has). */
  tiers: Exclude<TierName, "full">[];
  plans: PlanSpec[];
};
