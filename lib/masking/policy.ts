import { parseFieldPath } from "./paths";
import { checkRuleForType, parseMaskRule } from "./rules";
import type { MaskingField, MaskingPolicyIssue, MaskingTier, MaskRule } from "./types";

/**
 * Static checks of a contract's field list and its tiers' rules. The compiler runs the same
 * checks, so a policy that passes here compiles, and one that fails here never reaches a topic.
 */

/** A contract with more fields than this is refused with a message, not slowly compiled. */
export const MAX_FIELDS = 5_000;

export type FieldEdge = {
  key: string;
  array: boolean;
  /** Canonical path of this node ("cells[].id"), the key rules use. */
  path: string;
  /** The contract entry for this path, if the contract lists it (containers may be implicit). */
  field: MaskingField | null;
  children: Map<string, FieldEdge>;
};

export type FieldTree = { root: Map<string, FieldEdge>; byPath: Map<string, FieldEdge>; issues: MaskingPolicyIssue[] };

/** The PII label of a field, or null when it is not personal. Unknown labels fail closed. */
export function piiLabel(pii: MaskingField["pii"]): string | null {
  if (pii === undefined || pii === null || pii === false || pii === "" || pii === "none") return null;
  return pii === true ? "personal" : String(pii);
}

export function analyzeFields(fields: readonly MaskingField[]): FieldTree {
  const root = new Map<string, FieldEdge>();
  const byPath = new Map<string, FieldEdge>();
  const issues: MaskingPolicyIssue[] = [];
  if (!Array.isArray(fields)) {
    issues.push({ tier: null, path: "", message: "The contract's field list must be a list." });
    return { root, byPath, issues };
  }
  if (fields.length > MAX_FIELDS) {
    issues.push({ tier: null, path: "", message: `The contract lists ${fields.length} fields; at most ${MAX_FIELDS} are supported.` });
    return { root, byPath, issues };
  }
  for (const field of fields) {
    const path = typeof field?.path === "string" ? field.path : "";
    const parsed = parseFieldPath(path);
    if (!parsed.ok) {
      issues.push({ tier: null, path, message: parsed.message });
      continue;
    }
    let level = root;
    let prefix = "";
    let edge: FieldEdge | undefined;
    let conflict = false;
    for (const seg of parsed.segments) {
      const segPath = (prefix ? prefix + "." : "") + seg.key + (seg.array ? "[]" : "");
      edge = level.get(seg.key);
      if (!edge) {
        edge = { key: seg.key, array: seg.array, path: segPath, field: null, children: new Map() };
        level.set(seg.key, edge);
        byPath.set(segPath, edge);
      } else if (edge.array !== seg.array) {
        issues.push({ tier: null, path, message: `${path} treats ${seg.key} as ${seg.array ? "a list" : "a single value"}, but ${edge.path} does not.` });
        conflict = true;
        break;
      }
      prefix = segPath;
      level = edge.children;
    }
    if (conflict || !edge) continue;
    if (edge.field) {
      issues.push({ tier: null, path, message: `${path} is listed more than once.` });
      continue;
    }
    edge.field = field;
  }
  return { root, byPath, issues };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parsed rules of one tier plus everything wrong with them. */
export function checkTier(tree: FieldTree, tier: MaskingTier): { rules: Map<string, MaskRule>; issues: MaskingPolicyIssue[] } {
  const rules = new Map<string, MaskRule>();
  const issues: MaskingPolicyIssue[] = [];
  const name = tier.name;
  if (!isPlainObject(tier.rules)) {
    issues.push({ tier: name, path: "", message: "The rules must be an object keyed by field path." });
    return { rules, issues };
  }
  for (const [path, raw] of Object.entries(tier.rules)) {
    const edge = tree.byPath.get(path);
    if (!edge) {
      issues.push({ tier: name, path, message: `The contract has no field ${path}.` });
      continue;
    }
    const parsed = parseMaskRule(raw);
    if (!parsed.ok) {
      issues.push({ tier: name, path, message: parsed.message });
      continue;
    }
    const rule = parsed.rule;
    if (edge.children.size > 0 && rule.strategy !== "keep" && rule.strategy !== "drop") {
      issues.push({ tier: name, path, message: `${path} contains other fields: set rules on those, or drop ${path} as a whole.` });
      continue;
    }
    if (edge.children.size === 0) {
      const problem = checkRuleForType(rule, edge.field?.type);
      if (problem) {
        issues.push({ tier: name, path, message: problem });
        continue;
      }
    }
    rules.set(path, rule);
  }
  const unruled = new Set(Object.keys(tier.rules));
  const walk = (level: Map<string, FieldEdge>, inheritedPii: string | null) => {
    for (const edge of level.values()) {
      const rule = rules.get(edge.path);
      // A rule that failed to parse was reported above; don't pile a second message on the field.
      if (rule && rule.strategy === "drop") continue;
      const pii = piiLabel(edge.field?.pii) ?? inheritedPii;
      if (edge.children.size > 0) {
        walk(edge.children, pii);
        continue;
      }
      if (!rule && unruled.has(edge.path)) continue;
      if (pii && !tier.fullAccess && (!rule || rule.strategy === "keep")) {
        issues.push({
          tier: name,
          path: edge.path,
          message: `${edge.path} is personal data (${pii}): tier ${name} must drop, redact, hash, partially mask, generalize or tokenize it.`,
        });
        continue;
      }
      if (!rule) {
        const problem = checkRuleForType({ strategy: "keep" }, edge.field?.type);
        if (problem) issues.push({ tier: name, path: edge.path, message: problem });
      }
    }
  };
  walk(tree.root, null);
  return { rules, issues };
}

/**
 * Every problem with a contract's field list and its tiers, per field: a rule for a field the
 * contract does not list, a rule that does not parse or does not fit the field's type, and a
 * personal field kept in clear by a tier that is not full-access. Empty means publishable (as far
 * as masking goes).
 */
export function validateTierRules(fields: readonly MaskingField[], tiers: readonly MaskingTier[]): MaskingPolicyIssue[] {
  const tree = analyzeFields(fields);
  const issues = [...tree.issues];
  const seen = new Set<string>();
  for (const tier of tiers) {
    if (seen.has(tier.name)) issues.push({ tier: tier.name, path: "", message: `There are two tiers named ${tier.name}.` });
    seen.add(tier.name);
    issues.push(...checkTier(tree, tier).issues);
  }
  return issues;
}

/** The issues as lib/errors FieldErrors, keyed "fields.<path>" or "tiers.<tier>.<path>". */
export function toFieldErrors(issues: readonly MaskingPolicyIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const key = i.tier === null ? `fields.${i.path}` : `tiers.${i.tier}.${i.path}`;
    (out[key] ??= []).push(i.message);
  }
  return out;
}
