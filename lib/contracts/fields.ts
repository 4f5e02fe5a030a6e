/**
 * Flattening a schema into contract_versions.fields (path syntax in ./paths.ts and ContractField).
 *
 * Recursive schemas ($ref cycles, self-referencing Avro records) and schemas with more than
 * FIELDS_MAX fields or deeper than FIELDS_MAX_DEPTH are rejected with a SchemaShapeError: a field
 * list must be finite and small enough for owners to document and masking to enumerate.
 */
import { parseAvroSchema, isAvroNullable, type AvroType } from "./avro";
import { isAddressableName, joinPath, valuesAt } from "./paths";
import { suggestPii } from "./pii";
import { isPlainObject, type ContractField, type SchemaFormat } from "./types";

export { suggestPii, type PiiSuggestion } from "./pii";

/** Real event schemas have hundreds of fields; ajv needs seconds to compile a few thousand. */
export const FIELDS_MAX = 2000;
export const FIELDS_MAX_DEPTH = 32;

export class SchemaShapeError extends Error {
  constructor(
    readonly detail: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = "SchemaShapeError";
  }
}

type Emit = (f: Omit<ContractField, "description" | "pii"> & { description?: string }) => void;

function collector(): { fields: ContractField[]; emit: Emit } {
  const fields: ContractField[] = [];
  const emit: Emit = (f) => {
    if (fields.length >= FIELDS_MAX) throw new SchemaShapeError(`the schema has more than ${FIELDS_MAX} fields`, f.path);
    const out: ContractField = { path: f.path, type: f.type, required: f.required, nullable: f.nullable, description: f.description ?? "", pii: "none" };
    if (f.format) out.format = f.format;
    fields.push(out);
  };
  return { fields, emit };
}

// ---- JSON Schema ---------------------------------------------------------------------------

/** Resolves a local "#/..." JSON pointer; anything else (remote refs) is unsupported. */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

type JsonView = {
  types: string[];
  nullable: boolean;
  format?: string;
  description?: string;
  properties: Map<string, unknown>;
  required: Set<string>;
  items?: unknown;
  mapValues?: unknown;
  /** $refs followed to build this view; children inherit them so a cycle through nesting is seen. */
  via: string[];
};

/**
 * Collapses one schema position into what the field list needs: follows $ref, merges allOf,
 * treats anyOf/oneOf as a union (nullable when one branch is {type: null}).
 */
function viewJson(root: unknown, s: unknown, path: string, refs: string[]): JsonView {
  const view: JsonView = { types: [], nullable: false, properties: new Map(), required: new Set(), via: [] };
  absorb(root, s, path, refs, view, 0);
  if (view.types.length === 0) {
    if (view.properties.size) view.types.push("object");
    else if (view.items !== undefined) view.types.push("array");
  }
  view.nullable ||= view.types.includes("null");
  view.types = view.types.filter((t) => t !== "null");
  return view;
}

function absorb(root: unknown, s: unknown, path: string, refs: string[], view: JsonView, depth: number): void {
  if (depth > FIELDS_MAX_DEPTH) throw new SchemaShapeError(`$ref/allOf chains deeper than ${FIELDS_MAX_DEPTH}`, path);
  if (s === true || s === undefined) return;
  if (s === false) return;
  if (!isPlainObject(s)) throw new SchemaShapeError("a schema must be an object or a boolean", path);
  if (typeof s.$ref === "string") {
    if (refs.includes(s.$ref)) {
      throw new SchemaShapeError(`recursive schema: ${s.$ref} refers back to itself, so its fields cannot be listed`, path);
    }
    const target = resolveLocalRef(root, s.$ref);
    if (target === undefined) throw new SchemaShapeError(`$ref ${s.$ref} does not resolve inside this schema`, path);
    view.via.push(s.$ref);
    absorb(root, target, path, [...refs, s.$ref], view, depth + 1);
  }
  if (typeof s.description === "string" && view.description === undefined) view.description = s.description;
  if (typeof s.format === "string" && view.format === undefined) view.format = s.format;
  const t = s.type;
  for (const x of Array.isArray(t) ? t : t === undefined ? [] : [t]) {
    if (typeof x === "string" && !view.types.includes(x)) view.types.push(x);
  }
  if (t === undefined && Array.isArray(s.enum)) {
    for (const e of s.enum) {
      const et = e === null ? "null" : Array.isArray(e) ? "array" : typeof e === "number" ? (Number.isInteger(e) ? "integer" : "number") : typeof e;
      if (!view.types.includes(et)) view.types.push(et);
    }
  }
  if (isPlainObject(s.properties)) {
    for (const [k, v] of Object.entries(s.properties)) {
      const existing = view.properties.get(k);
      view.properties.set(k, existing === undefined ? v : { allOf: [existing, v] });
    }
  }
  if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === "string") view.required.add(r);
  if (s.items !== undefined && typeof s.items !== "boolean" && !Array.isArray(s.items)) view.items = s.items;
  if (isPlainObject(s.additionalProperties)) view.mapValues = s.additionalProperties;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) absorb(root, sub, path, refs, view, depth + 1);
  const union = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : null;
  if (union) {
    // Branch-only properties are optional: a record of another branch need not carry them.
    for (const branch of union) {
      const sub: JsonView = { types: [], nullable: false, properties: new Map(), required: new Set(), via: [] };
      absorb(root, branch, path, refs, sub, depth + 1);
      if (sub.types.length === 0 && sub.properties.size) sub.types.push("object");
      for (const ty of sub.types) if (!view.types.includes(ty)) view.types.push(ty);
      for (const [k, v] of sub.properties) if (!view.properties.has(k)) view.properties.set(k, v);
      view.items ??= sub.items;
      view.mapValues ??= sub.mapValues;
      view.format ??= sub.format;
      view.via.push(...sub.via);
    }
  }
}

function jsonTypeName(view: JsonView): string {
  if (view.types.length === 0) return "any";
  const types = view.types.includes("integer") && view.types.includes("number") ? view.types.filter((t) => t !== "integer") : view.types;
  return [...types].sort().join("|");
}

function flattenJsonNode(root: unknown, view: JsonView, path: string, refs: string[], emit: Emit, depth: number): void {
  if (depth > FIELDS_MAX_DEPTH) throw new SchemaShapeError(`nested deeper than ${FIELDS_MAX_DEPTH} levels`, path);
  for (const [name, sub] of view.properties) {
    if (!isAddressableName(name)) throw new SchemaShapeError(`property name '${name}' cannot be used in a field path (contains '.' or '[]')`, path);
    const childPath = joinPath(path, name);
    const child = viewJson(root, sub, childPath, refs);
    emit({
      path: childPath,
      type: jsonTypeName(child),
      required: view.required.has(name) && !child.nullable,
      nullable: child.nullable,
      format: child.format,
      description: child.description,
    });
    flattenJsonChildren(root, child, childPath, [...refs, ...child.via], emit, depth + 1);
  }
}

function flattenJsonChildren(root: unknown, view: JsonView, path: string, refs: string[], emit: Emit, depth: number): void {
  flattenJsonNode(root, view, path, refs, emit, depth);
  for (const inner of [view.items, view.mapValues]) {
    if (inner === undefined) continue;
    const itemPath = `${path}[]`;
    const item = viewJson(root, inner, itemPath, refs);
    emit({ path: itemPath, type: jsonTypeName(item), required: !item.nullable, nullable: item.nullable, format: item.format, description: item.description });
    flattenJsonChildren(root, item, itemPath, [...refs, ...item.via], emit, depth + 1);
  }
}

export function flattenJsonSchema(schema: unknown): ContractField[] {
  const { fields, emit } = collector();
  const root = viewJson(schema, schema, "", []);
  const isObjectRoot = root.types.length === 0 || (root.types.length === 1 && root.types[0] === "object");
  if (!isObjectRoot) {
    emit({ path: "", type: jsonTypeName(root), required: !root.nullable, nullable: root.nullable, format: root.format, description: root.description });
  }
  flattenJsonChildren(schema, root, "", root.via, emit, 0);
  return fields;
}

// ---- Avro ----------------------------------------------------------------------------------

function avroTypeName(t: AvroType): { type: string; format?: string; inner: AvroType[] } {
  switch (t.kind) {
    case "primitive":
      return { type: t.name, format: t.logicalType, inner: [] };
    case "fixed":
      return { type: "fixed", format: t.logicalType, inner: [] };
    case "record":
      return { type: "record", inner: [t] };
    case "enum":
      return { type: "enum", inner: [] };
    case "array":
      return { type: "array", inner: [] };
    case "map":
      return { type: "map", inner: [] };
    case "union": {
      const branches = t.branches.filter((b) => !(b.kind === "primitive" && b.name === "null"));
      const parts = branches.map(avroTypeName);
      return {
        type: parts.map((p) => p.type).join("|") || "null",
        format: parts.length === 1 ? parts[0].format : undefined,
        inner: branches,
      };
    }
  }
}

function flattenAvroType(t: AvroType, path: string, seen: string[], emit: Emit, depth: number): void {
  if (depth > FIELDS_MAX_DEPTH) throw new SchemaShapeError(`nested deeper than ${FIELDS_MAX_DEPTH} levels`, path);
  const targets = t.kind === "union" ? t.branches : [t];
  for (const b of targets) {
    if (b.kind === "record") {
      if (seen.includes(b.name)) throw new SchemaShapeError(`recursive schema: record ${b.name} contains itself, so its fields cannot be listed`, path);
      for (const f of b.fields) {
        const childPath = joinPath(path, f.name);
        const info = avroTypeName(f.type);
        const nullable = isAvroNullable(f.type);
        emit({ path: childPath, type: info.type, required: !nullable && !f.hasDefault, nullable, format: info.format, description: f.doc });
        flattenAvroType(f.type, childPath, [...seen, b.name], emit, depth + 1);
      }
    } else if (b.kind === "array" || b.kind === "map") {
      const inner = b.kind === "array" ? b.items : b.values;
      const itemPath = `${path}[]`;
      const info = avroTypeName(inner);
      const nullable = isAvroNullable(inner);
      emit({ path: itemPath, type: info.type, required: !nullable, nullable, format: info.format });
      flattenAvroType(inner, itemPath, seen, emit, depth + 1);
    }
  }
}

export function flattenAvroSchema(schema: unknown): ContractField[] {
  const t = parseAvroSchema(schema);
  const { fields, emit } = collector();
  if (t.kind !== "record") {
    const info = avroTypeName(t);
    const nullable = isAvroNullable(t);
    emit({ path: "", type: info.type, required: !nullable, nullable, format: info.format });
  }
  flattenAvroType(t, "", [], emit, 0);
  return fields;
}

/** Flattens either format. Throws SchemaShapeError or AvroSchemaError with a message for the owner. */
export function flattenSchema(format: SchemaFormat, schema: unknown): ContractField[] {
  return format === "avro" ? flattenAvroSchema(schema) : flattenJsonSchema(schema);
}

/**
 * The field list the wizard starts from: flattened fields, descriptions and PII tags carried over
 * from a previous version where the path still exists, otherwise PII suggested from the path and
 * the sampled values. Suggestion reasons are returned by path for the UI.
 */
export function buildFieldList(
  format: SchemaFormat,
  schema: unknown,
  options: { samples?: readonly unknown[]; previous?: readonly ContractField[] } = {},
): { fields: ContractField[]; suggestions: Record<string, string> } {
  const fields = flattenSchema(format, schema);
  const previous = new Map((options.previous ?? []).map((f) => [f.path, f]));
  const suggestions: Record<string, string> = {};
  for (const f of fields) {
    const prev = previous.get(f.path);
    if (prev) {
      if (!f.description) f.description = prev.description;
      f.pii = prev.pii;
      continue;
    }
    const values = (options.samples ?? []).flatMap((s) => valuesAt(s, f.path)).filter((v) => v !== undefined && v !== null);
    const s = suggestPii(f.path, values);
    f.pii = s.category;
    suggestions[f.path] = s.reason;
  }
  return { fields, suggestions };
}

export function fieldsByPath(fields: readonly ContractField[]): Map<string, ContractField> {
  return new Map(fields.map((f) => [f.path, f]));
}
