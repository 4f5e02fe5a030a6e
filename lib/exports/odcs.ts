/**
 * A contract version as an Open Data Contract Standard v3.0 document (apiVersion v3.0.2):
 * fundamentals, one schema object for the stream with nested properties and the quality rules,
 * SLA properties (freshness, availability, retention, end of life), support, team and price.
 * Only the standard's documented fields are emitted (exports.test.ts checks every key against
 * the v3.0.2 JSON Schema's field lists, which are closed for the contract and its elements). Extra
 * Tributary facts (PII category, masking per tier, plans, compatibility) go in customProperties,
 * the standard's extension point.
 */
import { describeQualityRule, humanize } from "@/lib/catalog/format";
import type { ContractField } from "@/lib/contracts";
import { formatMajor } from "@/lib/billing/pricing";
import { deliveryTopicName } from "@/lib/kafka/names";
import { buildFieldTree, type FieldNode } from "./fields-tree";
import type { ExportSource, ExportVersion } from "./source";
import type { YamlValue } from "./yaml";

export const ODCS_API_VERSION = "v3.0.2";

type Obj = { [key: string]: YamlValue };

/** ODCS status words: active, deprecated, retired, draft. */
export function odcsStatus(productStatus: string, versionStatus: string): string {
  if (productStatus === "retired" || versionStatus === "retired") return "retired";
  if (productStatus === "deprecated" || versionStatus === "deprecated") return "deprecated";
  if (productStatus === "draft" || versionStatus === "draft") return "draft";
  return "active";
}

const TEMPORAL = new Set(["date", "date-time", "timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros"]);

/** ODCS logical types: string, date, number, integer, object, array, boolean. */
export function odcsLogicalType(field: ContractField | undefined, node: FieldNode): string {
  if (!field) return node.items && node.props.size === 0 ? "array" : "object";
  if (field.format && TEMPORAL.has(field.format)) return "date";
  const t = field.type.split("|").find((p) => p !== "null") ?? field.type;
  switch (t) {
    case "integer":
    case "int":
    case "long":
      return "integer";
    case "number":
    case "float":
    case "double":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
    case "record":
    case "map":
      return "object";
    case "array":
      return "array";
    default:
      return "string";
  }
}

function maskingOf(path: string, src: ExportSource): Obj | undefined {
  const out: Obj = {};
  for (const t of src.tiers) {
    if (t.fullAccess) continue;
    const rule = t.rules[path] as { strategy?: unknown } | undefined;
    if (rule && typeof rule.strategy === "string" && rule.strategy !== "keep") out[t.name] = rule.strategy;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * logicalTypeOptions as ODCS v3.0.2 allows them per logical type (each list is closed): strings
 * take a free `format` (email, uuid, …); integers and numbers only Rust-style widths; dates a
 * JDK DateTimeFormatter pattern, which a JSON Schema format is not. What does not fit is kept as
 * a `format` custom property instead, so nothing is lost and nothing invalid is emitted.
 */
const INT_FORMATS: Record<string, string> = { int8: "i8", int16: "i16", int32: "i32", int64: "i64", int: "i32", long: "i64" };
const NUMBER_FORMATS: Record<string, string> = { float: "f32", double: "f64" };

function typeOptions(logicalType: string, format: string | undefined): { options?: Obj; custom?: string } {
  if (!format) return {};
  if (logicalType === "string") return { options: { format } };
  if (logicalType === "integer" && INT_FORMATS[format]) return { options: { format: INT_FORMATS[format]! } };
  if (logicalType === "number" && NUMBER_FORMATS[format]) return { options: { format: NUMBER_FORMATS[format]! } };
  return { custom: format };
}

function property(node: FieldNode, src: ExportSource): Obj {
  const f = node.field;
  const logicalType = odcsLogicalType(f, node);
  const out: Obj = { name: node.name, logicalType };
  const custom: Obj[] = [];
  if (f) {
    out.physicalType = f.type;
    const { options, custom: format } = typeOptions(logicalType, f.format ?? undefined);
    if (options) out.logicalTypeOptions = options;
    if (format) custom.push({ property: "format", value: format });
    // ODCS `required` means "never null": a present-but-nullable field is not required there.
    out.required = f.required && !f.nullable;
  }
  out.classification = src.product.classification;
  if (f?.description) out.description = f.description;
  const pii = f?.pii && f.pii !== "none" ? f.pii : null;
  if (pii) out.tags = ["pii", `pii:${pii}`];
  if (pii) custom.push({ property: "pii", value: pii });
  const masking = maskingOf(node.path, src);
  if (masking) custom.push({ property: "masking", value: masking });
  if (node.props.size) out.properties = [...node.props.values()].map((c) => property(c, src));
  if (node.items) {
    // `items` exists for arrays only; a map (an object with free keys) describes its values here.
    if (logicalType === "array") out.items = property(node.items, src);
    else custom.push({ property: "mapValues", value: property(node.items, src) });
  }
  if (custom.length) out.customProperties = custom;
  return out;
}

function priceUnit(model: ExportSource["plans"][number]["priceModel"]): string {
  return model === "per_gb" ? "gigabyte" : model === "per_million_messages" ? "million messages" : model === "flat_monthly" ? "month" : "free";
}

const DIMENSIONS: Record<string, string> = { required: "completeness", range: "conformity", pattern: "conformity", enum: "conformity", max_age: "timeliness" };

/** Contract rules as ODCS `custom` checks on the schema object (ODCS has no top-level quality). */
function qualityOf(v: ExportVersion): Obj[] {
  return v.qualityRules.map((raw) => {
    const r = (raw ?? {}) as { id?: unknown; kind?: unknown; field?: unknown; params?: unknown; description?: unknown };
    const out: Obj = {
      name: typeof r.id === "string" ? r.id : "rule",
      description: typeof r.description === "string" && r.description ? r.description : describeQualityRule(raw),
      type: "custom",
      engine: "tributary",
      implementation: JSON.stringify({ kind: r.kind, field: r.field, params: r.params ?? {} }),
      severity: "error",
    };
    if (typeof r.kind === "string" && DIMENSIONS[r.kind]) out.dimension = DIMENSIONS[r.kind]!;
    if (typeof r.field === "string" && r.field) out.customProperties = [{ property: "field", value: r.field }];
    return out;
  });
}

/** An amount in minor units as a number of major units, with the currency's own exponent (JPY 0, EUR 2, BHD 3). */
function majorAmount(minor: number, currency: string): number {
  return Number(formatMajor(minor, currency));
}

/**
 * The contract's one `price`: the cheapest plan, but only among plans that are comparable — a
 * free plan beats any other; otherwise every visible plan must share price model and currency.
 * Plans that cannot be ranked leave `price` out; all of them are listed in customProperties.
 */
function contractPrice(plans: ExportSource["plans"]): Obj | undefined {
  const free = plans.find((pl) => pl.priceModel === "free");
  if (free) return { priceAmount: 0, priceCurrency: free.currency, priceUnit: priceUnit("free") };
  if (plans.length === 0) return undefined;
  const [first] = plans;
  if (!plans.every((pl) => pl.priceModel === first!.priceModel && pl.currency === first!.currency)) return undefined;
  const cheapest = plans.reduce((a, b) => (b.priceMinor < a.priceMinor ? b : a));
  return { priceAmount: majorAmount(cheapest.priceMinor, cheapest.currency), priceCurrency: cheapest.currency, priceUnit: priceUnit(cheapest.priceModel) };
}

export function buildOdcsDocument(src: ExportSource): Obj {
  const v = src.version;
  const p = src.product;
  const tree = buildFieldTree(v.fields);
  const sla: Obj[] = [];
  if (v.freshnessSlaSeconds != null) sla.push({ property: "freshness", value: v.freshnessSlaSeconds, unit: "s" });
  if (v.availabilityTarget) sla.push({ property: "availability", value: v.availabilityTarget });
  if (v.retentionHours != null) sla.push({ property: "retention", value: v.retentionHours, unit: "h" });
  const endOfLife = v.sunsetAt ?? p.sunsetAt;
  if (endOfLife) sla.push({ property: "endOfLife", value: endOfLife.toISOString().slice(0, 10) });
  const contact = v.supportContact ?? p.contactEmail ?? src.team.contactEmail;
  const deliveryTopics = src.tiers.map((t) => deliveryTopicName(p.slug, v.major, t.name));
  const limitations = [
    v.prohibitedUses.length ? `Prohibited uses: ${v.prohibitedUses.map(humanize).join(", ")}.` : "",
    "Personal data is masked per tier; only full-access tiers (owner review) carry it in clear.",
  ]
    .filter(Boolean)
    .join(" ");
  const doc: Obj = {
    apiVersion: ODCS_API_VERSION,
    kind: "DataContract",
    id: p.id,
    name: p.name,
    version: v.version,
    status: odcsStatus(p.status, v.status),
    domain: p.domain,
    dataProduct: p.name,
    tenant: src.org.name,
    tags: p.tags,
    description: {
      purpose: p.summary || p.name,
      usage: v.purposes.length ? `Allowed purposes: ${v.purposes.map(humanize).join(", ")}. Subscribe in Tributary to get a credential for one delivery topic.` : "Subscribe in Tributary to get a credential for one delivery topic.",
      limitations,
    },
    schema: [
      {
        name: p.slug,
        physicalName: p.sourceTopic ?? deliveryTopics[0] ?? p.slug,
        logicalType: "object",
        physicalType: "topic",
        description: p.summary || undefined,
        properties: tree.field && tree.props.size === 0 ? [property({ ...tree, name: "value" }, src)] : [...tree.props.values()].map((n) => property(n, src)),
        customProperties: [
          { property: "schemaFormat", value: v.schemaFormat },
          { property: "deliveryTopics", value: deliveryTopics },
        ],
        quality: qualityOf(v),
      },
    ],
    slaProperties: sla,
    support: contact ? [{ channel: "email", tool: "email", url: contact.includes("@") && !contact.startsWith("mailto:") ? `mailto:${contact}` : contact }] : [],
    team: [{ username: src.team.slug, role: "owner" }],
    price: contractPrice(src.plans),
    customProperties: [
      { property: "ownerTeam", value: src.team.name },
      { property: "classification", value: p.classification },
      { property: "compatibility", value: p.compatibility },
      ...(v.changelog ? [{ property: "changelog", value: v.changelog }] : []),
      ...(src.plans.length
        ? [
            {
              property: "plans",
              value: src.plans.map((pl) => ({ name: pl.name, tier: pl.tier, priceModel: pl.priceModel, priceAmount: majorAmount(pl.priceMinor, pl.currency), priceCurrency: pl.currency, approval: pl.approval })),
            },
          ]
        : []),
    ],
    contractCreatedTs: v.publishedAt ? v.publishedAt.toISOString() : undefined,
  };
  return doc;
}
