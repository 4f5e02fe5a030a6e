/**
 * JSON Schema (draft 2020-12) inference from sampled messages.
 *
 * Rules, in the order they apply to each position in the documents:
 * - type: every JSON type seen there; "integer" when every number was integral, "number" if any
 *   was not; several types give a type array (a value seen as null makes the position nullable).
 * - objects: the union of all properties seen; a property is required when it was present (even
 *   as null) in every sampled object at that position. Objects stay open (no additionalProperties)
 *   so producers can add fields without breaking the contract.
 * - arrays: item shapes of all arrays at that position are merged into one item schema.
 * - formats: uuid, date-time, date, email, ipv4, uri, when every non-null string matches it
 *   (checked with the same functions ajv-formats validates with).
 * - enums: a string position becomes an enum when it has no format, at least
 *   ENUM_MIN_OBSERVATIONS string values, at most ENUM_MAX_VALUES distinct values, each value seen
 *   at least ENUM_MIN_REPEAT times on average (distinct <= observations / ENUM_MIN_REPEAT) and no
 *   value longer than ENUM_MAX_VALUE_LENGTH. A nullable enum includes null.
 * - output keys are sorted (object keys, `required`, `enum`, type arrays), so equal samples in any
 *   order give byte-identical schemas.
 * Bounds against hostile topics: nesting deeper than INFER_MAX_DEPTH becomes an unconstrained
 * schema, and after INFER_MAX_PROPERTIES distinct property positions new properties are ignored
 * (the schema stays open, so samples still validate) with a warning.
 */
import { matchesFormat, INFERRED_FORMATS, type InferredFormat } from "./formats";
import { isPlainObject, ownValue, setOwn, type JsonObject } from "./types";

export const ENUM_MIN_OBSERVATIONS = 10;
export const ENUM_MAX_VALUES = 10;
export const ENUM_MIN_REPEAT = 3;
export const ENUM_MAX_VALUE_LENGTH = 40;
export const INFER_MAX_DEPTH = 32;
export const INFER_MAX_PROPERTIES = 2000;
/** Larger messages are skipped when sampling: inference needs shape, not bulk. */
export const INFER_MAX_MESSAGE_BYTES = 1_000_000;

export const JSON_SCHEMA_2020 = "https://json-schema.org/draft/2020-12/schema";

type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "object" | "array";

type Node = {
  types: Set<JsonType>;
  strings: number;
  /** Distinct string values with counts; null once there are too many for an enum. */
  distinct: Map<string, number> | null;
  longString: boolean;
  formats: Set<InferredFormat>;
  objects: number;
  props: Map<string, { node: Node; present: number }>;
  items: Node | null;
};

type Budget = { properties: number; truncated: boolean; tooDeep: boolean };

function newNode(): Node {
  return {
    types: new Set(),
    strings: 0,
    distinct: new Map(),
    longString: false,
    formats: new Set(INFERRED_FORMATS),
    objects: 0,
    props: new Map(),
    items: null,
  };
}

function observe(node: Node, v: unknown, depth: number, budget: Budget): void {
  if (v === null) {
    node.types.add("null");
    return;
  }
  switch (typeof v) {
    case "boolean":
      node.types.add("boolean");
      return;
    case "number":
      node.types.add(Number.isInteger(v) ? "integer" : "number");
      return;
    case "string":
      observeString(node, v);
      return;
    case "object":
      break;
    default:
      // undefined, functions, bigint: not JSON; parsed messages never contain them.
      return;
  }
  if (depth >= INFER_MAX_DEPTH) {
    node.types.add(Array.isArray(v) ? "array" : "object");
    budget.tooDeep = true;
    return;
  }
  if (Array.isArray(v)) {
    node.types.add("array");
    if (v.length > 0) node.items ??= newNode();
    for (const item of v) observe(node.items!, item, depth + 1, budget);
    return;
  }
  node.types.add("object");
  node.objects += 1;
  for (const key of Object.keys(v as JsonObject)) {
    let p = node.props.get(key);
    if (!p) {
      if (budget.properties >= INFER_MAX_PROPERTIES) {
        budget.truncated = true;
        continue;
      }
      budget.properties += 1;
      p = { node: newNode(), present: 0 };
      node.props.set(key, p);
    }
    p.present += 1;
    observe(p.node, ownValue(v as JsonObject, key), depth + 1, budget);
  }
}

function observeString(node: Node, s: string): void {
  node.types.add("string");
  node.strings += 1;
  if (s.length > ENUM_MAX_VALUE_LENGTH) node.longString = true;
  if (node.distinct) {
    node.distinct.set(s, (node.distinct.get(s) ?? 0) + 1);
    if (node.distinct.size > ENUM_MAX_VALUES) node.distinct = null;
  }
  for (const f of node.formats) if (!matchesFormat(f, s)) node.formats.delete(f);
}

function toSchema(node: Node): JsonObject {
  const types = [...node.types];
  if (types.length === 0) return {};
  const set = new Set(types);
  if (set.has("integer") && set.has("number")) set.delete("integer");
  const sorted = [...set].sort();
  const out: JsonObject = { type: sorted.length === 1 ? sorted[0] : sorted };
  if (set.has("string")) {
    const format = INFERRED_FORMATS.find((f) => node.formats.has(f));
    if (format && node.strings > 0) {
      out.format = format;
    } else if (isEnumCandidate(node) && set.size <= 2 && (set.size === 1 || set.has("null"))) {
      const values: (string | null)[] = [...node.distinct!.keys()].sort();
      if (set.has("null")) values.push(null);
      out.enum = values;
    }
  }
  if (set.has("object") && node.props.size > 0) {
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const key of [...node.props.keys()].sort()) {
      const p = node.props.get(key)!;
      setOwn(properties, key, toSchema(p.node));
      if (p.present === node.objects) required.push(key);
    }
    out.properties = properties;
    if (required.length) out.required = required;
  }
  if (set.has("array") && node.items && node.items.types.size > 0) out.items = toSchema(node.items);
  return out;
}

function isEnumCandidate(node: Node): boolean {
  const d = node.distinct;
  return (
    d !== null &&
    !node.longString &&
    node.strings >= ENUM_MIN_OBSERVATIONS &&
    d.size > 0 &&
    d.size <= ENUM_MAX_VALUES &&
    d.size * ENUM_MIN_REPEAT <= node.strings
  );
}

/** Recursively orders object keys so the serialized schema is deterministic. */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) setOwn(out, k, sortKeysDeep(v[k]));
  return out;
}

export type InferResult = { schema: JsonObject; sampleCount: number; warnings: string[] };

/** Infers a JSON Schema from parsed JSON values (see the module comment for the rules). */
export function inferSchema(samples: readonly unknown[], options: { title?: string } = {}): InferResult {
  const root = newNode();
  const budget: Budget = { properties: 0, truncated: false, tooDeep: false };
  for (const s of samples) observe(root, s, 0, budget);
  const warnings: string[] = [];
  if (samples.length === 0) warnings.push("No samples: the schema accepts anything until you edit it.");
  if (budget.truncated) warnings.push(`More than ${INFER_MAX_PROPERTIES} distinct fields: the rest were left out of the schema.`);
  if (budget.tooDeep) warnings.push(`Values nested deeper than ${INFER_MAX_DEPTH} levels were left unconstrained.`);
  const schema: JsonObject = { $schema: JSON_SCHEMA_2020, ...toSchema(root) };
  if (options.title) schema.title = options.title;
  return { schema: sortKeysDeep(schema) as JsonObject, sampleCount: samples.length, warnings };
}

export type RawMessage = string | Uint8Array | null | undefined;

export type ParsedSamples = { values: unknown[]; invalid: { index: number; reason: string }[] };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses raw message values (Kafka record values) as UTF-8 JSON, keeping track of the ones that are not. */
export function parseSamples(messages: readonly RawMessage[]): ParsedSamples {
  const values: unknown[] = [];
  const invalid: ParsedSamples["invalid"] = [];
  messages.forEach((m, index) => {
    if (m === null || m === undefined) {
      invalid.push({ index, reason: "empty value (tombstone)" });
      return;
    }
    const size = typeof m === "string" ? m.length : m.byteLength;
    if (size > INFER_MAX_MESSAGE_BYTES) {
      invalid.push({ index, reason: `larger than ${INFER_MAX_MESSAGE_BYTES} bytes` });
      return;
    }
    let text: string;
    try {
      text = typeof m === "string" ? m : utf8.decode(m);
    } catch {
      invalid.push({ index, reason: "not UTF-8 text" });
      return;
    }
    try {
      values.push(JSON.parse(text));
    } catch {
      invalid.push({ index, reason: "not JSON" });
    }
  });
  return { values, invalid };
}

export type InferFromMessagesResult = ({ ok: true } & InferResult) | { ok: false; message: string };

/**
 * Inference from raw topic samples. Fails with a message asking for an uploaded schema when no
 * sampled message is JSON (Avro binary, Protobuf, CSV...), and warns when only some are.
 */
export function inferSchemaFromMessages(messages: readonly RawMessage[], options: { title?: string } = {}): InferFromMessagesResult {
  if (messages.length === 0) return { ok: false, message: "The topic has no recent messages to infer a schema from. Upload a schema instead." };
  const { values, invalid } = parseSamples(messages);
  if (values.length === 0) {
    return {
      ok: false,
      message: `None of the ${messages.length} sampled messages is JSON (${invalid[0]?.reason ?? "unreadable"}). Upload a JSON Schema or Avro schema instead.`,
    };
  }
  const result = inferSchema(values, options);
  if (invalid.length > 0) {
    result.warnings.unshift(`${invalid.length} of ${messages.length} sampled messages are not JSON and were ignored (first: message ${invalid[0].index + 1}, ${invalid[0].reason}).`);
  }
  return { ok: true, ...result };
}
