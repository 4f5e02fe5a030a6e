/**
 * Shapes shared by the masking engine. Everything here is plain data so policies can live in
 * jsonb (masking_tiers.rules) and travel to the browser for the publish wizard's preview.
 */

/**
 * One entry of contract_versions.fields. Only `path`, `type` and `pii` matter to masking; the
 * rest of the contract entry (required, description) is accepted and ignored.
 *
 * `pii`: "none", false, null or absent mean "not personal"; any other value (the seed uses
 * "direct" | "quasi" | "sensitive", true also works) means personal. Unknown strings count as
 * personal, so a typo fails closed.
 */
export type MaskingField = {
  path: string;
  type?: string;
  pii?: string | boolean | null;
};

export type MaskStrategy = "keep" | "drop" | "redact" | "hash" | "partial" | "generalize" | "tokenize";

export const MASK_STRATEGIES: readonly MaskStrategy[] = ["keep", "drop", "redact", "hash", "partial", "generalize", "tokenize"];

export type TruncateUnit = "minute" | "hour" | "day" | "month" | "year";

/** A parsed, validated rule. The jsonb form is the same object (see parseMaskRule). */
export type MaskRule =
  | { strategy: "keep" }
  | { strategy: "drop" }
  | { strategy: "redact"; replacement?: string }
  | { strategy: "hash" }
  | { strategy: "partial"; keepLast?: number; keepFirst?: number; maskChar?: string }
  | { strategy: "generalize"; decimals: number }
  | { strategy: "generalize"; bucket: number }
  | { strategy: "generalize"; significant: number }
  | { strategy: "generalize"; truncate: TruncateUnit; epochUnit?: "ms" | "s" }
  | { strategy: "generalize"; prefixBits: number }
  | { strategy: "tokenize"; format?: "opaque" | "preserve" };

/** One tier as stored in masking_tiers: rules keyed by field path (unvalidated jsonb). */
export type MaskingTier = {
  name: string;
  fullAccess: boolean;
  rules: Record<string, unknown>;
};

/**
 * A problem with a policy, attached to the field it concerns. `tier` is null for problems of the
 * field list itself (bad path syntax, duplicates), which make every tier invalid.
 */
export type MaskingPolicyIssue = {
  tier: string | null;
  path: string;
  message: string;
};

export type MaskResult = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

export type MaskFn = (record: unknown) => MaskResult;
