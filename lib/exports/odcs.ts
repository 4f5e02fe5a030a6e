/**
 * A contract version as an Open Data Contract Standard v3.0 document (apiVersion v3.0.2):
 * fundamentals, one schema object for the stream with nested properties, quality rules, SLA
 * properties (freshness, availability, retention, end of life), support, team and price. Extra
 * Tributary facts (PII category, masking per tier, plans, compatibility) go in customProperties,
 * the standard's extension point.
 */
import { describeQualityRule, humanize } from "@/lib/catalog/format";
import type { ContractField } from "@/lib/contracts";
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

function property(node: FieldNode, src: ExportSource): Obj {
  const f = node.field;
  const out: Obj = { name: node.name, logicalType: odcsLogicalType(f, node) };
  if (f) {
    out.physicalType = f.type;
    if (f.format) out.logicalTypeOptions = { format: f.format };
    out.required = f.required;
    if (f.nullable) out.nullable = true;
  }
  out.classification = src.product.classification;
  if (f?.description) out.description = f.description;
  const pii = f?.pii && f.pii !== "none" ? f.pii : null;
  if (pii) out.tags = ["pii", `pii:${pii}`];
  const custom: Obj[] = [];
  if (pii) custom.push({ property: "pii", value: pii });
  const masking = maskingOf(node.path, src);
  if (masking) custom.push({ property: "masking", value: masking });
  if (custom.length) out.customProperties = custom;
  if (node.props.size) out.properties = [...node.props.values()].map((c) => property(c, src));
  if (node.items) out.items = property(node.items, src);
  return out;
}

function priceUnit(model: ExportSource["plans"][number]["priceModel"]): string {
  return model === "per_gb" ? "gigabyte" : model === "per_million_messages" ? "million messages" : model === "flat_monthly" ? "month" : "free";
}

function qualityOf(v: ExportVersion): Obj[] {
  return v.qualityRules.map((raw) => {
    const r = (raw ?? {}) as { id?: unknown; kind?: unknown; field?: unknown; params?: unknown; description?: unknown };
    const out: Obj = {
      name: typeof r.id === "string" ? r.id : "rule",
      description: typeof r.description === "string" && r.description ? r.description : describeQualityRule(raw),
      type: "custom",
      engine: "tributary",
      implementation: JSON.stringify({ kind: r.kind, field: r.field, params: r.params ?? {} }),
    };
    if (typeof r.field === "string" && r.field) out.customProperties = [{ property: "field", value: r.field }];
    return out;
  });
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
  const cheapest = src.plans[0];
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
      },
    ],
    quality: qualityOf(v),
    slaProperties: sla,
    support: contact ? [{ channel: "email", url: contact.includes("@") && !contact.startsWith("mailto:") ? `mailto:${contact}` : contact }] : [],
    team: [{ username: src.team.slug, name: src.team.name, role: "owner" }],
    price: cheapest
      ? { priceAmount: cheapest.priceMinor / 100, priceCurrency: cheapest.currency, priceUnit: priceUnit(cheapest.priceModel) }
      : undefined,
    customProperties: [
      { property: "classification", value: p.classification },
      { property: "compatibility", value: p.compatibility },
      ...(v.changelog ? [{ property: "changelog", value: v.changelog }] : []),
      ...(src.plans.length
        ? [
            {
              property: "plans",
              value: src.plans.map((pl) => ({ name: pl.name, tier: pl.tier, priceModel: pl.priceModel, priceAmount: pl.priceMinor / 100, priceCurrency: pl.currency, approval: pl.approval })),
            },
          ]
        : []),
    ],
    contractCreatedTs: v.publishedAt ? v.publishedAt.toISOString() : undefined,
  };
  return doc;
}
