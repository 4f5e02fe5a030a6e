/**
 * Avro schemas: parsing (with the spec's naming, namespace and default-value rules) into a small
 * resolved tree, and a record validator.
 *
 * Validation is our own compiled validator, not a conversion to JSON Schema: Avro's union and
 * named-type rules do not map cleanly onto ajv, and a direct walk gives better reasons. Records on
 * the wire are JSON documents (the marketplace does not carry binary Avro), so:
 * - int is a 32-bit integer, long a safe integer, float/double any number, bytes/fixed a string
 *   (fixed: exactly `size` characters), enum a string among the symbols;
 * - a union value is written plainly (`"x"`, `null`), not in Avro's JSON-encoding wrapper
 *   (`{"string": "x"}`): it is valid when it matches any branch;
 * - a record field may be missing only when it has a default (a reader fills it in); fields the
 *   schema does not name are ignored, as an Avro reader ignores writer fields it does not know;
 * - logical types: timestamp-millis/-micros, time-micros, local-timestamp-* annotate long and take
 *   an integer; date and time-millis annotate int; uuid annotates string and must be a UUID;
 *   decimal (bytes/fixed) is accepted as its base type.
 */
import { isPlainObject, ownValue, type JsonObject } from "./types";

export type AvroPrimitive = "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string";

export type AvroField = {
  name: string;
  type: AvroType;
  doc?: string;
  aliases: string[];
  hasDefault: boolean;
  default?: unknown;
};

export type AvroType =
  | { kind: "primitive"; name: AvroPrimitive; logicalType?: string }
  | { kind: "record"; name: string; aliases: string[]; doc?: string; fields: AvroField[] }
  | { kind: "enum"; name: string; aliases: string[]; doc?: string; symbols: string[]; default?: string }
  | { kind: "fixed"; name: string; aliases: string[]; size: number; logicalType?: string }
  | { kind: "array"; items: AvroType }
  | { kind: "map"; values: AvroType }
  | { kind: "union"; branches: AvroType[] };

export class AvroSchemaError extends Error {
  constructor(
    readonly detail: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = "AvroSchemaError";
  }
}

const PRIMITIVES = new Set<string>(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FULLNAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** Bounds for hostile uploads: a schema this large or deep is a mistake or an attack. */
export const AVRO_MAX_DEPTH = 64;
export const AVRO_MAX_NODES = 10_000;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ParseState = { named: Map<string, AvroType>; nodes: number };

/** Parses an Avro schema (already JSON-parsed, or a JSON string). Throws AvroSchemaError. */
export function parseAvroSchema(input: unknown): AvroType {
  let schema = input;
  if (typeof input === "string" && !PRIMITIVES.has(input)) {
    try {
      schema = JSON.parse(input);
    } catch {
      throw new AvroSchemaError("not valid JSON", "");
    }
  }
  const state: ParseState = { named: new Map(), nodes: 0 };
  return parseType(schema, "", state, "", 0);
}

function fullName(name: string, namespace: string): string {
  return name.includes(".") || !namespace ? name : `${namespace}.${name}`;
}

function namespaceOf(full: string): string {
  const i = full.lastIndexOf(".");
  return i < 0 ? "" : full.slice(0, i);
}

function parseType(s: unknown, namespace: string, st: ParseState, path: string, depth: number): AvroType {
  if (depth > AVRO_MAX_DEPTH) throw new AvroSchemaError(`nested deeper than ${AVRO_MAX_DEPTH} levels`, path);
  if (++st.nodes > AVRO_MAX_NODES) throw new AvroSchemaError(`more than ${AVRO_MAX_NODES} types and fields`, path);
  if (typeof s === "string") {
    if (PRIMITIVES.has(s)) return { kind: "primitive", name: s as AvroPrimitive };
    const ref = st.named.get(fullName(s, namespace)) ?? st.named.get(s);
    if (!ref) throw new AvroSchemaError(`unknown type '${s}' (named types must be defined before use)`, path);
    return ref;
  }
  if (Array.isArray(s)) return parseUnion(s, namespace, st, path, depth);
  if (!isPlainObject(s)) throw new AvroSchemaError("a type must be a name, an object or a union array", path);
  const type = s.type;
  const logicalType = typeof s.logicalType === "string" ? s.logicalType : undefined;
  if (typeof type === "string" && PRIMITIVES.has(type)) {
    return logicalType ? { kind: "primitive", name: type as AvroPrimitive, logicalType } : { kind: "primitive", name: type as AvroPrimitive };
  }
  switch (type) {
    case "record":
    case "error":
      return parseRecord(s, namespace, st, path, depth);
    case "enum": {
      const name = declareName(s, namespace, st, path);
      if (!Array.isArray(s.symbols) || s.symbols.length === 0) throw new AvroSchemaError("enum needs a non-empty symbols array", path);
      const symbols: string[] = [];
      for (const sym of s.symbols) {
        if (typeof sym !== "string" || !NAME.test(sym)) throw new AvroSchemaError(`enum symbol ${JSON.stringify(sym)} is not a valid name`, path);
        if (symbols.includes(sym)) throw new AvroSchemaError(`enum symbol '${sym}' is repeated`, path);
        symbols.push(sym);
      }
      if (s.default !== undefined && (typeof s.default !== "string" || !symbols.includes(s.default))) {
        throw new AvroSchemaError("enum default must be one of its symbols", path);
      }
      const t: AvroType = { kind: "enum", name, aliases: aliasesOf(s, namespaceOf(name)), symbols };
      if (typeof s.doc === "string") t.doc = s.doc;
      if (typeof s.default === "string") t.default = s.default;
      st.named.set(name, t);
      return t;
    }
    case "fixed": {
      const name = declareName(s, namespace, st, path);
      if (typeof s.size !== "number" || !Number.isInteger(s.size) || s.size < 0) throw new AvroSchemaError("fixed needs a non-negative integer size", path);
      const t: AvroType = { kind: "fixed", name, aliases: aliasesOf(s, namespaceOf(name)), size: s.size };
      if (logicalType) t.logicalType = logicalType;
      st.named.set(name, t);
      return t;
    }
    case "array":
      if (s.items === undefined) throw new AvroSchemaError("array needs items", path);
      return { kind: "array", items: parseType(s.items, namespace, st, `${path}[]`, depth + 1) };
    case "map":
      if (s.values === undefined) throw new AvroSchemaError("map needs values", path);
      return { kind: "map", values: parseType(s.values, namespace, st, `${path}[]`, depth + 1) };
    default:
      // {"type": "com.x.Name"} or {"type": {...}} wrap another type.
      if (typeof type === "string" || isPlainObject(type) || Array.isArray(type)) return parseType(type, namespace, st, path, depth + 1);
      throw new AvroSchemaError(`unknown type ${JSON.stringify(type)}`, path);
  }
}

function declareName(s: JsonObject, namespace: string, st: ParseState, path: string): string {
  if (typeof s.name !== "string" || !FULLNAME.test(s.name)) throw new AvroSchemaError("named type needs a valid name", path);
  const ns = typeof s.namespace === "string" && !s.name.includes(".") ? s.namespace : namespace;
  const name = fullName(s.name, ns);
  if (PRIMITIVES.has(name)) throw new AvroSchemaError(`'${name}' is a primitive type name`, path);
  if (st.named.has(name)) throw new AvroSchemaError(`type '${name}' is defined twice`, path);
  return name;
}

function aliasesOf(s: JsonObject, namespace: string): string[] {
  return Array.isArray(s.aliases) ? s.aliases.filter((a): a is string => typeof a === "string").map((a) => fullName(a, namespace)) : [];
}

function parseRecord(s: JsonObject, namespace: string, st: ParseState, path: string, depth: number): AvroType {
  const name = declareName(s, namespace, st, path);
  if (!Array.isArray(s.fields)) throw new AvroSchemaError(`record '${name}' needs a fields array`, path);
  const record: Extract<AvroType, { kind: "record" }> = { kind: "record", name, aliases: aliasesOf(s, namespaceOf(name)), fields: [] };
  if (typeof s.doc === "string") record.doc = s.doc;
  // Registered before the fields so a record can refer to itself (linked lists, trees).
  st.named.set(name, record);
  const seen = new Set<string>();
  for (const f of s.fields) {
    if (!isPlainObject(f) || typeof f.name !== "string" || !NAME.test(f.name)) {
      throw new AvroSchemaError(`record '${name}' has a field without a valid name`, path);
    }
    const fpath = path ? `${path}.${f.name}` : f.name;
    if (seen.has(f.name)) throw new AvroSchemaError(`field '${f.name}' is repeated`, fpath);
    seen.add(f.name);
    if (f.type === undefined) throw new AvroSchemaError("field needs a type", fpath);
    const type = parseType(f.type, namespaceOf(name), st, fpath, depth + 1);
    const field: AvroField = { name: f.name, type, aliases: Array.isArray(f.aliases) ? f.aliases.filter((a): a is string => typeof a === "string") : [], hasDefault: false };
    if (typeof f.doc === "string") field.doc = f.doc;
    if (Object.prototype.hasOwnProperty.call(f, "default")) {
      // The spec: a union field's default matches the union's first branch.
      const target = type.kind === "union" ? type.branches[0] : type;
      const errs: string[] = [];
      if (!validateAvroValue(target, f.default, "", errs, 0)) {
        throw new AvroSchemaError(`default ${JSON.stringify(f.default)} does not match ${describeAvroType(target)}`, fpath);
      }
      field.hasDefault = true;
      field.default = f.default;
    }
    record.fields.push(field);
  }
  return record;
}

function parseUnion(s: unknown[], namespace: string, st: ParseState, path: string, depth: number): AvroType {
  if (s.length === 0) throw new AvroSchemaError("a union needs at least one branch", path);
  const branches: AvroType[] = [];
  const keys = new Set<string>();
  for (const b of s) {
    const t = parseType(b, namespace, st, path, depth + 1);
    if (t.kind === "union") throw new AvroSchemaError("a union may not directly contain another union", path);
    const key = "name" in t ? t.name : t.kind;
    if (keys.has(key)) throw new AvroSchemaError(`union has two branches of type '${key}'`, path);
    keys.add(key);
    branches.push(t);
  }
  return { kind: "union", branches };
}

/** Short human name of a type, for messages. */
export function describeAvroType(t: AvroType): string {
  switch (t.kind) {
    case "primitive":
      return t.logicalType ? `${t.name} (${t.logicalType})` : t.name;
    case "record":
    case "enum":
    case "fixed":
      return `${t.kind} ${t.name}`;
    case "array":
      return `array<${describeAvroType(t.items)}>`;
    case "map":
      return `map<${describeAvroType(t.values)}>`;
    case "union":
      return t.branches.map(describeAvroType).join(" | ");
  }
}

/**
 * Caps collected reasons: one bad record should not produce a megabyte of DLQ headers. Reasons
 * name schema paths ("cells[].rsrp"), never values or array indices, so they stay free of record
 * data and group well as quality-incident reasons.
 */
export const MAX_REASONS = 10;

function push(errors: string[], msg: string) {
  if (errors.length < MAX_REASONS) errors.push(msg);
}

function at(path: string): string {
  return path || "(root)";
}

function got(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Checks a JSON value against an Avro type; appends readable reasons to `errors` (bounded). */
export function validateAvroValue(t: AvroType, v: unknown, path: string, errors: string[], depth: number): boolean {
  if (depth > AVRO_MAX_DEPTH) {
    push(errors, `${at(path)}: nested deeper than ${AVRO_MAX_DEPTH} levels`);
    return false;
  }
  switch (t.kind) {
    case "primitive":
      return validatePrimitive(t.name, t.logicalType, v, path, errors);
    case "enum":
      if (typeof v === "string" && t.symbols.includes(v)) return true;
      push(errors, `${at(path)}: must be one of ${t.symbols.slice(0, 20).join(", ")}${t.symbols.length > 20 ? ", ..." : ""}`);
      return false;
    case "fixed":
      if (typeof v === "string" && v.length === t.size) return true;
      push(errors, `${at(path)}: must be a string of exactly ${t.size} bytes`);
      return false;
    case "array": {
      if (!Array.isArray(v)) {
        push(errors, `${at(path)}: must be an array, got ${got(v)}`);
        return false;
      }
      let ok = true;
      for (let i = 0; i < v.length; i++) {
        if (!validateAvroValue(t.items, v[i], `${path}[]`, errors, depth + 1)) {
          ok = false;
          if (errors.length >= MAX_REASONS) break;
        }
      }
      return ok;
    }
    case "map": {
      if (!isPlainObject(v)) {
        push(errors, `${at(path)}: must be an object (map), got ${got(v)}`);
        return false;
      }
      let ok = true;
      for (const k of Object.keys(v)) {
        if (!validateAvroValue(t.values, v[k], `${path}[]`, errors, depth + 1)) {
          ok = false;
          if (errors.length >= MAX_REASONS) break;
        }
      }
      return ok;
    }
    case "record": {
      if (!isPlainObject(v)) {
        push(errors, `${at(path)}: must be an object (record ${t.name}), got ${got(v)}`);
        return false;
      }
      let ok = true;
      for (const f of t.fields) {
        const fpath = path ? `${path}.${f.name}` : f.name;
        const fv = ownValue(v, f.name);
        if (fv === undefined) {
          if (f.hasDefault) continue;
          push(errors, `${fpath}: is required`);
          ok = false;
          continue;
        }
        if (!validateAvroValue(f.type, fv, fpath, errors, depth + 1)) ok = false;
      }
      return ok;
    }
    case "union": {
      for (const b of t.branches) {
        if (validateAvroValue(b, v, path, [], depth + 1)) return true;
      }
      // One non-null branch: its own reason reads better than "expected one of".
      const nonNull = t.branches.filter((b) => !(b.kind === "primitive" && b.name === "null"));
      if (nonNull.length === 1 && v !== null) return validateAvroValue(nonNull[0], v, path, errors, depth + 1);
      push(errors, `${at(path)}: must be ${describeAvroType(t)}, got ${got(v)}`);
      return false;
    }
  }
}

function validatePrimitive(name: AvroPrimitive, logical: string | undefined, v: unknown, path: string, errors: string[]): boolean {
  let ok: boolean;
  switch (name) {
    case "null":
      ok = v === null;
      break;
    case "boolean":
      ok = typeof v === "boolean";
      break;
    case "int":
      ok = typeof v === "number" && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;
      break;
    case "long":
      ok = typeof v === "number" && Number.isSafeInteger(v);
      break;
    case "float":
    case "double":
      ok = typeof v === "number" && Number.isFinite(v);
      break;
    case "bytes":
    case "string":
      ok = typeof v === "string";
      break;
  }
  if (!ok) {
    push(errors, `${at(path)}: must be ${name}${logical ? ` (${logical})` : ""}, got ${got(v)}`);
    return false;
  }
  if (logical === "uuid" && name === "string" && !UUID.test(v as string)) {
    push(errors, `${at(path)}: must be a UUID`);
    return false;
  }
  return true;
}

/** Compiles a validator for one parsed schema; the returned function collects up to MAX_REASONS reasons. */
export function compileAvroValidator(t: AvroType): (value: unknown) => string[] {
  return (value) => {
    const errors: string[] = [];
    validateAvroValue(t, value, "", errors, 0);
    return errors;
  };
}

/** Whether a type accepts null (null itself or a union with a null branch). */
export function isAvroNullable(t: AvroType): boolean {
  if (t.kind === "primitive") return t.name === "null";
  return t.kind === "union" && t.branches.some((b) => b.kind === "primitive" && b.name === "null");
}
