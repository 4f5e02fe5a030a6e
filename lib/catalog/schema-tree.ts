/**
 * Turns a contract's schema (JSON Schema or Avro) plus its field docs into a tree the schema
 * viewer renders. The schema says the shape and types; `fields` (the contract's flattened list)
 * adds descriptions and PII tags by path. Input comes from owners, so every access is defensive
 * and recursion is bounded: a malformed schema yields a partial tree, never an exception.
 */

export type PiiTag = "direct" | "quasi" | "sensitive" | "none";

export type ContractField = { path: string; type?: string; required?: boolean; description?: string; pii?: string };

export type SchemaNode = {
  name: string;
  /** Dotted path; array items add "[]" (e.g. "cells[].rsrp"). */
  path: string;
  type: string;
  required: boolean;
  description?: string;
  pii: PiiTag;
  children: SchemaNode[];
};

const MAX_DEPTH = 12;
const MAX_NODES = 2000;

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: Json): string | undefined => (typeof v === "string" ? v : undefined);

export function normalizePii(v: unknown): PiiTag {
  if (v === "direct" || v === "quasi" || v === "sensitive") return v;
  // Tolerate the long spellings people write by hand.
  if (v === "direct_identifier" || v === "direct-identifier") return "direct";
  if (v === "quasi_identifier" || v === "quasi-identifier") return "quasi";
  return "none";
}

export function parseContractFields(raw: unknown): ContractField[] {
  if (!Array.isArray(raw)) return [];
  const out: ContractField[] = [];
  for (const f of raw) {
    if (!isObj(f) || typeof f.path !== "string") continue;
    out.push({
      path: f.path,
      type: str(f.type),
      required: typeof f.required === "boolean" ? f.required : undefined,
      description: str(f.description),
      pii: str(f.pii),
    });
  }
  return out;
}

/** Field docs by path; "a[].b" is also reachable as "a.b" because owners write either. */
function docsIndex(fields: ContractField[]): Map<string, ContractField> {
  const m = new Map<string, ContractField>();
  for (const f of fields) {
    m.set(f.path, f);
    m.set(f.path.replace(/\[\]/g, ""), f);
  }
  return m;
}

class Budget {
  n = 0;
  take(): boolean {
    this.n += 1;
    return this.n <= MAX_NODES;
  }
}

function attachDocs(node: Omit<SchemaNode, "pii"> & { pii?: PiiTag }, docs: Map<string, ContractField>): SchemaNode {
  const d = docs.get(node.path) ?? docs.get(node.path.replace(/\[\]/g, ""));
  return {
    ...node,
    description: node.description ?? d?.description,
    pii: normalizePii(d?.pii ?? node.pii),
  };
}

// ---- JSON Schema ---------------------------------------------------------------------------

function resolveRef(root: Record<string, Json>, s: Json, depth: number): Json {
  let cur = s;
  for (let i = 0; i < 5 && isObj(cur) && typeof cur.$ref === "string"; i++) {
    const ref = cur.$ref;
    if (!ref.startsWith("#/")) return cur;
    let target: Json = root;
    for (const part of ref.slice(2).split("/")) {
      target = isObj(target) ? target[decodeURIComponent(part.replace(/~1/g, "/").replace(/~0/g, "~"))] : undefined;
    }
    if (target === undefined) return cur;
    cur = target;
  }
  void depth;
  return cur;
}

function jsonTypeLabel(s: Record<string, Json>): { label: string; nullable: boolean } {
  const t = s.type;
  let types: string[] = Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : typeof t === "string" ? [t] : [];
  if (types.length === 0) {
    if (Array.isArray(s.enum)) types = ["enum"];
    else if ("const" in s) types = ["const"];
    else if (isObj(s.properties)) types = ["object"];
    else if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
      const variants = (s.oneOf ?? s.anyOf) as Json[];
      types = variants.map((v) => (isObj(v) && typeof v.type === "string" ? v.type : "any"));
    } else types = ["any"];
  }
  const nullable = types.includes("null");
  const main = types.filter((x) => x !== "null");
  let label = main.join(" | ") || "null";
  const fmt = str(s.format);
  if (fmt) label += ` (${fmt})`;
  if (Array.isArray(s.enum) && s.enum.length <= 8) label += `: ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  if (nullable) label += " | null";
  return { label, nullable };
}

function jsonChildren(
  root: Record<string, Json>,
  schema: Json,
  basePath: string,
  docs: Map<string, ContractField>,
  depth: number,
  budget: Budget,
): SchemaNode[] {
  const s = resolveRef(root, schema, depth);
  if (!isObj(s) || depth > MAX_DEPTH) return [];
  const props = isObj(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === "string") : []);
  const out: SchemaNode[] = [];
  for (const [name, raw] of Object.entries(props)) {
    if (!budget.take()) break;
    const ps = resolveRef(root, raw, depth);
    const path = basePath ? `${basePath}.${name}` : name;
    if (!isObj(ps)) {
      out.push(attachDocs({ name, path, type: "any", required: required.has(name), children: [] }, docs));
      continue;
    }
    const { label, nullable } = jsonTypeLabel(ps);
    let type = label;
    let children: SchemaNode[] = [];
    if (label.startsWith("array")) {
      const items = resolveRef(root, ps.items, depth);
      if (isObj(items)) {
        const it = jsonTypeLabel(items);
        type = `array<${it.label}>`;
        children = jsonChildren(root, items, `${path}[]`, docs, depth + 1, budget);
      }
    } else {
      children = jsonChildren(root, ps, path, docs, depth + 1, budget);
    }
    out.push(
      attachDocs(
        { name, path, type, required: required.has(name) && !nullable, description: str(ps.description), children },
        docs,
      ),
    );
  }
  return out;
}

// ---- Avro ----------------------------------------------------------------------------------

function avroType(t: Json, named: Map<string, Json>, depth: number): { label: string; nullable: boolean; record?: Record<string, Json> } {
  if (depth > MAX_DEPTH) return { label: "…", nullable: false };
  if (typeof t === "string") {
    const n = named.get(t);
    if (n && isObj(n)) return avroType(n, named, depth + 1);
    return { label: t, nullable: t === "null" };
  }
  if (Array.isArray(t)) {
    const parts = t.map((x) => avroType(x, named, depth + 1));
    const nonNull = parts.filter((p) => p.label !== "null");
    const nullable = nonNull.length < parts.length;
    return {
      label: nonNull.map((p) => p.label).join(" | ") + (nullable ? " | null" : ""),
      nullable,
      record: nonNull.length === 1 ? nonNull[0].record : undefined,
    };
  }
  if (isObj(t)) {
    if (typeof t.name === "string") named.set(t.name, t);
    const logical = str(t.logicalType);
    switch (t.type) {
      case "record":
        return { label: `record ${str(t.name) ?? ""}`.trim(), nullable: false, record: t };
      case "array": {
        const it = avroType(t.items, named, depth + 1);
        return { label: `array<${it.label}>`, nullable: false, record: it.record };
      }
      case "map": {
        const v = avroType(t.values, named, depth + 1);
        return { label: `map<string, ${v.label}>`, nullable: false, record: v.record };
      }
      case "enum":
        return { label: `enum${Array.isArray(t.symbols) && t.symbols.length <= 8 ? `: ${t.symbols.join(", ")}` : ""}`, nullable: false };
      default: {
        const base = avroType(t.type, named, depth + 1);
        return { ...base, label: logical ? `${base.label} (${logical})` : base.label };
      }
    }
  }
  return { label: "any", nullable: false };
}

function avroChildren(
  record: Record<string, Json>,
  basePath: string,
  docs: Map<string, ContractField>,
  named: Map<string, Json>,
  depth: number,
  budget: Budget,
): SchemaNode[] {
  if (depth > MAX_DEPTH || !Array.isArray(record.fields)) return [];
  const out: SchemaNode[] = [];
  for (const f of record.fields) {
    if (!isObj(f) || typeof f.name !== "string" || !budget.take()) continue;
    const path = basePath ? `${basePath}.${f.name}` : f.name;
    const t = avroType(f.type, named, depth);
    const isArray = t.label.startsWith("array<") || t.label.startsWith("map<");
    const children = t.record ? avroChildren(t.record, isArray ? `${path}[]` : path, docs, named, depth + 1, budget) : [];
    out.push(
      attachDocs({ name: f.name, path, type: t.label, required: !t.nullable && !("default" in f), description: str(f.doc), children }, docs),
    );
  }
  return out;
}

// ---- Fallback from the flat field list -----------------------------------------------------

function fromFields(fields: ContractField[]): SchemaNode[] {
  const roots: SchemaNode[] = [];
  const byPath = new Map<string, SchemaNode>();
  for (const f of fields.slice(0, MAX_NODES)) {
    const parts = f.path.split(".");
    let siblings = roots;
    let prefix = "";
    parts.forEach((part, i) => {
      prefix = prefix ? `${prefix}.${part}` : part;
      let node = byPath.get(prefix);
      if (!node) {
        const last = i === parts.length - 1;
        node = {
          name: part.replace(/\[\]$/, ""),
          path: prefix,
          type: last ? (f.type ?? "any") : "object",
          required: last ? (f.required ?? false) : false,
          description: last ? f.description : undefined,
          pii: last ? normalizePii(f.pii) : "none",
          children: [],
        };
        byPath.set(prefix, node);
        siblings.push(node);
      }
      siblings = node.children;
    });
  }
  return roots;
}

export function buildSchemaTree(format: string, schema: unknown, rawFields: unknown): SchemaNode[] {
  const fields = parseContractFields(rawFields);
  const docs = docsIndex(fields);
  const budget = new Budget();
  let tree: SchemaNode[] = [];
  if (format === "avro") {
    const named = new Map<string, Json>();
    const t = avroType(schema, named, 0);
    if (t.record) tree = avroChildren(t.record, "", docs, named, 0, budget);
  } else if (isObj(schema)) {
    tree = jsonChildren(schema, schema, "", docs, 0, budget);
  }
  return tree.length ? tree : fromFields(fields);
}

/** Counts of PII-tagged nodes in a tree, for the summary above the viewer. */
export function countPii(nodes: SchemaNode[]): Record<Exclude<PiiTag, "none">, number> {
  const c = { direct: 0, quasi: 0, sensitive: 0 };
  const walk = (ns: SchemaNode[]) => {
    for (const n of ns) {
      if (n.pii !== "none") c[n.pii] += 1;
      walk(n.children);
    }
  };
  walk(nodes);
  return c;
}
