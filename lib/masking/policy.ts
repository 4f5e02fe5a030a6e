import { parseFieldPath, typeIncludes } from "./paths";
import { checkRuleForType, parseMaskRule } from "./rules";
import type { MaskingField, MaskingPolicyIssue, MaskingTier, MaskRule } from "./types";

/**
 * Static checks of a contract's field list and its tiers' rules. The compiler runs the same
 * checks, so a policy that passes here compiles, and one that fails here never reaches a topic.
 */

/** A contract with more fields than this is refused with a message, not slowly compiled. */
export const MAX_FIELDS = 5_000;

/**
 * One value position in a record: the record itself (path ""), a property, or the elements of an
 * array / values of a map ("x[]"). Containers may be implicit (a contract listing only
 * "signals[]" still has a "signals" node).
 */
export type FieldNode = {
  path: string;
  /** The contract entry for this position, if the contract lists it. */
  field: MaskingField | null;
  props: Map<string, FieldNode>;
  each: FieldNode | null;
};

export type FieldTree = { root: FieldNode; byPath: Map<string, FieldNode>; issues: MaskingPolicyIssue[] };

/** The PII label of a field, or null when it is not personal. Unknown labels fail closed. */
export function piiLabel(pii: MaskingField["pii"]): string | null {
  if (pii === undefined || pii === null || pii === false || pii === "" || pii === "none") return null;
  return pii === true ? "personal" : String(pii);
}

function newNode(path: string): FieldNode {
  return { path, field: null, props: new Map(), each: null };
}

export function isContainer(node: FieldNode): boolean {
  return node.props.size > 0 || node.each !== null;
}

/**
 * How an "x[]" position is reached: through array elements, map values, or both. A map's keys
 * pass to the output, so they count as data of the map field itself (see checkTier). Without a
 * declared object/map type, only arrays are accepted: fail closed.
 */
export function eachKinds(node: FieldNode): { arrays: boolean; maps: boolean } {
  const type = node.field?.type;
  const maps = typeIncludes(type, ["object", "map", "record"]);
  const arrays = !maps || typeIncludes(type, ["array"]);
  return { arrays, maps };
}

export function analyzeFields(fields: readonly MaskingField[]): FieldTree {
  const root = newNode("");
  const byPath = new Map<string, FieldNode>([["", root]]);
  const issues: MaskingPolicyIssue[] = [];
  if (!Array.isArray(fields)) {
    issues.push({ tier: null, path: "", message: "The contract's field list must be a list." });
    return { root, byPath, issues };
  }
  if (fields.length > MAX_FIELDS) {
    issues.push({ tier: null, path: "", message: `The contract lists ${fields.length} fields; at most ${MAX_FIELDS} are supported.` });
    return { root, byPath, issues };
  }
  const child = (parent: FieldNode, path: string, get: () => FieldNode | null | undefined, set: (n: FieldNode) => void) => {
    let n = get();
    if (!n) {
      n = newNode(path);
      set(n);
      byPath.set(path, n);
    }
    return n;
  };
  for (const field of fields) {
    const path = typeof field?.path === "string" ? field.path : "";
    const parsed = parseFieldPath(path);
    if (!parsed.ok) {
      issues.push({ tier: null, path, message: parsed.message });
      continue;
    }
    const steps = parsed.steps;
    if (steps.length === 0 || "each" in steps[0]) {
      // The root entry of an object schema is harmless; anything else is not a JSON object record.
      if (steps.length === 0 && (field.type === undefined || typeIncludes(field.type, ["object", "record"]))) continue;
      issues.push({ tier: null, path, message: "Masking needs records that are JSON objects; this contract describes another kind of record." });
      continue;
    }
    let node = root;
    for (const step of steps) {
      const parent = node;
      node =
        "key" in step
          ? child(parent, parent.path ? `${parent.path}.${step.key}` : step.key, () => parent.props.get(step.key), (n) => parent.props.set(step.key, n))
          : child(parent, `${parent.path}[]`, () => parent.each, (n) => (parent.each = n));
    }
    // "matrix[].[]" and "matrix[][]" are one position; rules may use either spelling.
    byPath.set(path, node);
    if (node.field) {
      issues.push({ tier: null, path, message: `${path} is listed more than once.` });
      continue;
    }
    node.field = field;
  }
  return { root, byPath, issues };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const MASKS = "drop, redact, hash, partially mask, generalize or tokenize";

/** Parsed rules of one tier plus everything wrong with them. */
export function checkTier(tree: FieldTree, tier: MaskingTier): { rules: Map<string, MaskRule>; issues: MaskingPolicyIssue[] } {
  const rules = new Map<string, MaskRule>();
  const issues: MaskingPolicyIssue[] = [];
  const name = tier.name;
  if (!isPlainObject(tier.rules)) {
    issues.push({ tier: name, path: "", message: "The rules must be an object keyed by field path." });
    return { rules, issues };
  }
  const parsedPaths = new Set<string>();
  for (const [path, raw] of Object.entries(tier.rules)) {
    const node = path === "" ? undefined : tree.byPath.get(path);
    if (!node) {
      issues.push({ tier: name, path, message: `The contract has no field ${path}.` });
      continue;
    }
    if (parsedPaths.has(node.path)) {
      issues.push({ tier: name, path, message: `${path} has two rules (it is also written ${node.path}).` });
      continue;
    }
    parsedPaths.add(node.path);
    const parsed = parseMaskRule(raw);
    if (!parsed.ok) {
      issues.push({ tier: name, path, message: parsed.message });
      continue;
    }
    const rule = parsed.rule;
    if (isContainer(node) && rule.strategy !== "keep" && rule.strategy !== "drop") {
      issues.push({ tier: name, path, message: `${path} contains other fields: set rules on those, or drop ${path} as a whole.` });
      continue;
    }
    if (!isContainer(node)) {
      const problem = checkRuleForType(rule, node.field?.type);
      if (problem) {
        issues.push({ tier: name, path, message: problem });
        continue;
      }
    }
    rules.set(node.path, rule);
  }
  const unparsed = new Set([...parsedPaths].filter((p) => !rules.has(p)));
  const walk = (node: FieldNode, inheritedPii: string | null) => {
    const rule = rules.get(node.path);
    if (rule?.strategy === "drop") return;
    const pii = piiLabel(node.field?.pii) ?? inheritedPii;
    if (isContainer(node)) {
      const kinds = node.each ? eachKinds(node) : null;
      if (node.props.size > 0 && node.each) {
        issues.push({ tier: name, path: node.path, message: `${node.path} has both named fields and ${node.each.path} entries; masking supports one shape per field, so drop ${node.path}.` });
        return;
      }
      if (kinds?.maps && pii && !tier.fullAccess) {
        issues.push({ tier: name, path: node.path, message: `${node.path} is a map whose keys are personal data (${pii}): tier ${name} must drop it.` });
        return;
      }
      for (const c of node.props.values()) walk(c, pii);
      if (node.each) walk(node.each, pii);
      return;
    }
    // A rule that failed to parse was reported above; don't pile a second message on the field.
    if (!rule && unparsed.has(node.path)) return;
    if (pii && !tier.fullAccess && (!rule || rule.strategy === "keep")) {
      issues.push({ tier: name, path: node.path, message: `${node.path} is personal data (${pii}): tier ${name} must ${MASKS} it.` });
      return;
    }
    if (!rule) {
      const problem = checkRuleForType({ strategy: "keep" }, node.field?.type);
      if (problem) issues.push({ tier: name, path: node.path, message: problem });
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
