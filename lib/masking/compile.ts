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

/**
 * Turns a plan into specialised code, one function per object level, the way ajv compiles
 * validators: V8 then sees fixed property names and monomorphic object shapes, which made the
 * walk about three times faster than interpreting the plan. Only JSON-encoded property names and
 * array indices are written into the source; paths, transforms and helpers are passed in, so no
 * contract text is ever evaluated as code.
 */
function generate(plan: EntryPlan[]): (record: Record<string, unknown>) => Record<string, unknown> {
  const leaves: LeafTransform[] = [];
  const paths: string[] = [];
  const functions: string[] = [];

  const objectFn = (entries: EntryPlan[]): string => {
    const name = `o${functions.length}`;
    functions.push("");
    const body: string[] = [];
    for (const e of entries) {
      const k = JSON.stringify(e.key);
      const p = paths.push(e.path) - 1;
      const one = (input: string): string => {
        if (e.object) {
          const inner = objectFn(e.object);
          return `(${input} === null ? null : isObj(${input}) ? ${inner}(${input}) : fail(${p}, "expected an object"))`;
        }
        const l = leaves.push(e.leaf!) - 1;
        return `L[${l}](${input})`;
      };
      const compute = e.array
        ? `if (v === null) x = null; else if (!Array.isArray(v)) fail(${p}, "expected a list"); ` +
          `else { const n = v.length; x = new Array(n); for (let j = 0; j < n; j++) { const el = v[j]; x[j] = ${one("el")}; } }`
        : `x = ${one("v")};`;
      const store = e.guarded ? `def(out, ${k}, x);` : `out[${k}] = x;`;
      body.push(`if (hasOwn.call(r, ${k}) && (v = r[${k}]) !== undefined) { ${compute} ${store} }`);
    }
    functions[Number(name.slice(1))] = `function ${name}(r) {\n  const out = {}; let v, x;\n  ${body.join("\n  ")}\n  return out;\n}`;
    return name;
  };
  const root = objectFn(plan);
  const source = `"use strict";\n${functions.join("\n")}\nreturn ${root};`;
  const fail = (p: number, message: string): never => {
    throw new MaskFailure(`${paths[p]}: ${message}`);
  };
  const def = (o: object, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  // Generated code is the point here (see above); its only inputs are JSON-encoded names.
  const factory = new Function("L", "hasOwn", "isObj", "fail", "def", source);
  return factory(leaves, hasOwn, isRecord, fail, def);
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
  const walk = generate(buildPlan(tree.root, rules, keys));

  return (record) => {
    if (!isRecord(record)) return { ok: false, reason: "The record is not a JSON object." };
    try {
      return { ok: true, value: walk(record) };
    } catch (err) {
      if (err instanceof MaskFailure) return { ok: false, reason: err.reason };
      // Only the error's kind: its message could quote the value being masked.
      return { ok: false, reason: `Masking failed (${err instanceof Error ? err.name : "unknown error"}).` };
    }
  };
}
