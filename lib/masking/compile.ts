import { deriveStrategyKeys, MIN_PRODUCT_KEY_BYTES, type StrategyKeys } from "./keys";
import { analyzeFields, checkTier, type FieldEdge } from "./policy";
import { buildLeafTransform, MaskFailure, ruleNeedsKey, type LeafTransform } from "./strategies";
import type { MaskFn, MaskingField, MaskingPolicyIssue, MaskRule } from "./types";

/**
 * The compiled form of one tier of one contract version: a tree of the allowed paths only.
 *
 * Allow-list by construction: the walk reads the record only at keys the plan names and builds
 * a fresh output from what the leaf transforms return, so an unknown field (including one added
 * by a newer schema) has no way into the output. Its depth is bounded by the contract's deepest
 * path, so cyclic or absurdly deep input cannot make it loop or overflow the stack: whatever sits
 * below a leaf must be a scalar, or the record fails.
 */
type EntryPlan = {
  key: string;
  path: string;
  array: boolean;
  /** "__proto__" must be defined, not assigned, or it would set the output's prototype. */
  guarded: boolean;
  object: EntryPlan[] | null;
  leaf: LeafTransform | null;
};

export class MaskingPolicyError extends Error {
  constructor(readonly issues: MaskingPolicyIssue[]) {
    super(`The masking policy is not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`);
    this.name = "MaskingPolicyError";
  }
}

export type CompileMaskingPolicyInput = {
  /** contract_versions.fields of the version being served. */
  fields: readonly MaskingField[];
  /** masking_tiers.rules: { [path]: { strategy, ...settings } }. */
  rules: Record<string, unknown>;
  /** masking_tiers.full_access: personal fields may be kept in clear. */
  fullAccess: boolean;
  /** The product key from deriveProductKey; needed only when a rule hashes or tokenizes. */
  key?: Uint8Array | null;
  /** Tier name, for messages. */
  tier?: string;
};

const hasOwn = Object.prototype.hasOwnProperty;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function buildPlan(level: Map<string, FieldEdge>, rules: Map<string, MaskRule>, keys: StrategyKeys | null): EntryPlan[] {
  const plan: EntryPlan[] = [];
  for (const edge of level.values()) {
    const rule = rules.get(edge.path);
    if (rule?.strategy === "drop") continue;
    const base = { key: edge.key, path: edge.path, array: edge.array, guarded: edge.key === "__proto__" };
    if (edge.children.size > 0) {
      const object = buildPlan(edge.children, rules, keys);
      // A container whose fields are all dropped says nothing; leave it out entirely.
      if (object.length > 0) plan.push({ ...base, object, leaf: null });
      continue;
    }
    plan.push({ ...base, object: null, leaf: buildLeafTransform(rule ?? { strategy: "keep" }, edge.path, edge.field?.type, keys) });
  }
  return plan;
}

function maskObject(plan: EntryPlan[], input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < plan.length; i++) {
    const e = plan[i];
    if (!hasOwn.call(input, e.key)) continue;
    const v = input[e.key];
    if (v === undefined) continue;
    let r: unknown;
    if (e.array) {
      if (v === null) r = null;
      else if (!Array.isArray(v)) throw new MaskFailure(`${e.path}: expected a list`);
      else {
        const arr = new Array<unknown>(v.length);
        for (let j = 0; j < v.length; j++) arr[j] = e.object ? maskNested(e.object, v[j], e.path) : e.leaf!(v[j]);
        r = arr;
      }
    } else if (e.object) {
      r = maskNested(e.object, v, e.path);
    } else {
      r = e.leaf!(v);
    }
    if (e.guarded) Object.defineProperty(out, e.key, { value: r, enumerable: true, writable: true, configurable: true });
    else out[e.key] = r;
  }
  return out;
}

function maskNested(plan: EntryPlan[], v: unknown, path: string): Record<string, unknown> | null {
  if (v === null) return null;
  if (!isRecord(v)) throw new MaskFailure(`${path}: expected an object`);
  return maskObject(plan, v);
}

/**
 * Checks a tier's rules against the contract and returns the masking function for it. Throws
 * MaskingPolicyError (with per-field issues) for a policy that would not be safe to serve.
 * Compile once per (product, tier, contract version) and reuse: the returned function allocates
 * only the output, never closures.
 */
export function compileMaskingPolicy(input: CompileMaskingPolicyInput): MaskFn {
  const tierName = input.tier ?? (input.fullAccess ? "full" : "tier");
  const tree = analyzeFields(input.fields);
  const { rules, issues: tierIssues } = checkTier(tree, { name: tierName, fullAccess: input.fullAccess, rules: input.rules });
  const issues = [...tree.issues, ...tierIssues];
  const needsKey = [...rules.entries()].filter(([, r]) => ruleNeedsKey(r));
  let keys: StrategyKeys | null = null;
  if (needsKey.length > 0) {
    if (!input.key || input.key.length < MIN_PRODUCT_KEY_BYTES) {
      for (const [path, r] of needsKey) {
        issues.push({ tier: tierName, path, message: `${r.strategy} needs the product's masking key (at least ${MIN_PRODUCT_KEY_BYTES} bytes).` });
      }
    } else {
      keys = deriveStrategyKeys(input.key);
    }
  }
  if (issues.length > 0) throw new MaskingPolicyError(issues);
  const plan = buildPlan(tree.root, rules, keys);

  return (record) => {
    if (!isRecord(record)) return { ok: false, reason: "The record is not a JSON object." };
    try {
      return { ok: true, value: maskObject(plan, record) };
    } catch (err) {
      if (err instanceof MaskFailure) return { ok: false, reason: err.reason };
      // Only the error's kind: its message could quote the value being masked.
      return { ok: false, reason: `Masking failed (${err instanceof Error ? err.name : "unknown error"}).` };
    }
  };
}
