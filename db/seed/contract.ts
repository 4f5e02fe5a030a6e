import { flattenJsonSchema, type ContractField } from "@/lib/contracts";
import type { FieldSpec, MaskRule, TierName } from "./types";

/** Draft 2020-12 JSON Schema node, loosely typed: the seed only builds, never validates. */
type SchemaNode = Record<string, unknown>;

export const TIER_DESCRIPTIONS: Record<TierName, string> = {
  full: "Every field in clear. Only for approved, purpose-bound use by the owning business.",
  internal: "Direct identifiers hashed (stable per product, so joins still work), quasi-identifiers coarsened, sensitive fields dropped.",
  partner: "For external partners: direct identifiers and sensitive fields dropped, quasi-identifiers generalized or redacted.",
  public: "Aggregate-safe view: every personal field dropped.",
};

export function parseSemver(version: string): { major: number; minor: number; patch: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`not a semver version: ${version}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/**
 * The contract's field list exactly as publishing computes it (lib/contracts flattens the schema,
 * so container objects and arrays appear too), with the authored docs and PII classes laid over.
 */
export function toContractFields(fields: FieldSpec[], schema: unknown): ContractField[] {
  const authored = new Map(fields.map((f) => [f.path, f]));
  return flattenJsonSchema(schema).map((flat) => {
    const spec = authored.get(flat.path);
    return spec ? { ...flat, description: spec.description, pii: spec.pii } : flat;
  });
}

function leafSchema(f: FieldSpec): SchemaNode {
  const node: SchemaNode = { type: f.type, description: f.description };
  if (f.format) node.format = f.format;
  if (f.enum) node.enum = f.enum;
  if (f.minimum !== undefined) node.minimum = f.minimum;
  if (f.maximum !== undefined) node.maximum = f.maximum;
  if (f.pattern) node.pattern = f.pattern;
  return node;
}

function objectNode(): SchemaNode {
  // Unknown properties are allowed by the schema: masking is allow-list, so a field the contract
  // does not name never reaches a consumer anyway, and producers can add fields before the
  // contract's next minor version documents them.
  return { type: "object", properties: {}, required: [] };
}

/** "signals[]" -> signals, 1; "curve[][]" -> curve, 2 (a list of lists). */
function splitSegment(raw: string): { name: string; arrayDepth: number } {
  let name = raw;
  let arrayDepth = 0;
  while (name.endsWith("[]")) {
    name = name.slice(0, -2);
    arrayDepth += 1;
  }
  return { name, arrayDepth };
}

function isContainer(f: FieldSpec): boolean {
  return f.type === "object" || f.type === "array";
}

/**
 * Builds the nested JSON Schema from the flat field list. An object is required in its parent
 * when any field below it is required; an array only when a field spec of type "array" says so,
 * because `required` on "legs[].amount" is about each leg, not about there being legs. A field of
 * type "object" or "array" documents a container ("neighbours": array of objects); its fields
 * are listed separately.
 */
export function buildJsonSchema(opts: { id: string; title: string; description: string; fields: FieldSpec[] }): SchemaNode {
  const root: SchemaNode = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: opts.id,
    title: opts.title,
    description: opts.description,
    ...objectNode(),
  };
  for (const f of opts.fields) {
    const segments = f.path.split(".").map(splitSegment);
    // Index of the last segment that is an array of objects: requiredness stops there.
    let innerArray = -1;
    segments.forEach((seg, i) => {
      if (seg.arrayDepth > 0 && i < segments.length - 1) innerArray = i;
    });
    let parent = root;
    segments.forEach(({ name, arrayDepth }, i) => {
      const props = parent.properties as Record<string, SchemaNode>;
      const required = parent.required as string[];
      if (f.required && i > innerArray && !required.includes(name)) required.push(name);
      const last = i === segments.length - 1;
      if (last && isContainer(f)) {
        if (arrayDepth > 0) throw new Error(`container ${f.path}: name the array without "[]"`);
        props[name] ??= f.type === "array" ? { type: "array", items: objectNode() } : objectNode();
        props[name].description = f.description;
        return;
      }
      if (last) {
        let node = leafSchema(f);
        for (let d = 0; d < arrayDepth; d++) node = { type: "array", items: node, description: f.description };
        props[name] = node;
        return;
      }
      if (arrayDepth > 1) throw new Error(`field ${f.path}: lists of lists of objects are not supported by the seed`);
      props[name] ??= arrayDepth ? { type: "array", items: objectNode() } : objectNode();
      parent = arrayDepth ? ((props[name] as SchemaNode).items as SchemaNode) : props[name];
    });
  }
  pruneEmptyRequired(root);
  return root;
}

function pruneEmptyRequired(node: SchemaNode): void {
  if (Array.isArray(node.required) && node.required.length === 0) delete node.required;
  if (node.properties) for (const child of Object.values(node.properties as Record<string, SchemaNode>)) pruneEmptyRequired(child);
  if (node.items && typeof node.items === "object") pruneEmptyRequired(node.items as SchemaNode);
}

/** Coarsening that keeps a quasi-identifier useful for analysis but not for singling someone out. */
function generalizeRule(f: FieldSpec): MaskRule {
  if (f.format === "date-time") return { strategy: "generalize", truncate: "hour" };
  if (f.format === "date") return { strategy: "generalize", truncate: "month" };
  if (f.type === "number") return { strategy: "generalize", decimals: 1 };
  if (f.type === "integer") return { strategy: "generalize", bucket: 10 };
  if (f.format === "ipv4") return { strategy: "generalize", prefixBits: 24 };
  return { strategy: "partial", keepLast: 2 };
}

/**
 * The default rule for a field in a tier: keep what is not personal; otherwise hash direct
 * identifiers for internal use (joins survive), drop them for partners and the public; coarsen
 * quasi-identifiers; drop sensitive data outside the full tier.
 */
export function defaultMaskRule(f: FieldSpec, tier: TierName): MaskRule {
  const override = f.mask?.[tier];
  if (override) return override;
  if (tier === "full" || f.pii === "none") return { strategy: "keep" };
  // Containers take only keep or drop; a personal container is dropped whole.
  if (isContainer(f)) return { strategy: "drop" };
  if (f.pii === "sensitive") return { strategy: "drop" };
  if (f.pii === "direct") return tier === "internal" ? { strategy: "hash" } : { strategy: "drop" };
  // quasi
  if (tier === "public") return { strategy: "drop" };
  const g = generalizeRule(f);
  if (tier === "partner" && g.strategy === "partial") return { strategy: "redact", replacement: "***" };
  return g;
}

/**
 * Rules for every field of the contract (allow-list: unnamed fields never reach a tier). A
 * non-personal container needs no rule: its fields carry their own.
 */
export function tierRules(fields: FieldSpec[], tier: TierName): Record<string, MaskRule> {
  const out: Record<string, MaskRule> = {};
  for (const f of fields) {
    if (isContainer(f) && f.pii === "none" && !f.mask?.[tier]) continue;
    const rule = defaultMaskRule(f, tier);
    if (tier !== "full" && f.pii !== "none" && rule.strategy === "keep") {
      throw new Error(`PII field ${f.path} would be kept in tier ${tier}`);
    }
    out[f.path] = rule;
  }
  return out;
}

/** Shorthand for authoring field lists in the product data files. */
export function field(
  path: string,
  type: FieldSpec["type"],
  pii: FieldSpec["pii"],
  description: string,
  extra: Partial<Omit<FieldSpec, "path" | "type" | "pii" | "description">> = {},
): FieldSpec {
  return { path, type, pii, description, required: false, ...extra };
}
