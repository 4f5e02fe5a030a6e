/**
 * Shared shapes of the contracts library. Everything here is plain data so it can be stored in
 * contract_versions (jsonb) and sent to the browser unchanged.
 */

export type SchemaFormat = "json-schema" | "avro";

/** PII category of a field: direct identifier, quasi-identifier, sensitive attribute, or none. */
export type PiiCategory = "direct" | "quasi" | "sensitive" | "none";

/**
 * One entry of contract_versions.fields.
 *
 * Path syntax: property names joined by ".", and "[]" appended to a segment for "every element"
 * of an array or every value of a map (Avro map, JSON Schema additionalProperties schema), e.g.
 * "cells[].rsrp", "tags[]", "attributes[].unit". The root of a non-object schema is "" (empty).
 * `required` means a record always carries a non-null value there (JSON Schema: listed in
 * `required` and not nullable; Avro: not nullable and no default); `nullable` says null is allowed.
 * Containers (objects, arrays, maps) are listed too, before their children, so owners can
 * document them; a leaf is a field whose type is not object/array/map/record.
 */
export type ContractField = {
  path: string;
  type: string;
  required: boolean;
  nullable: boolean;
  /** JSON Schema `format` or Avro `logicalType`, when the schema states one. */
  format?: string;
  description: string;
  pii: PiiCategory;
};

export type QualityRuleKind = "required" | "range" | "pattern" | "enum" | "max_age" | "expression";

/**
 * A contract quality rule as stored in contract_versions.quality_rules. `field` uses the path
 * syntax of {@link ContractField}; an expression rule may leave it empty (its expression names
 * the fields). Params per kind are in ./schemas.ts.
 */
export type QualityRule = {
  id: string;
  kind: QualityRuleKind;
  field: string;
  params: Record<string, unknown>;
  description?: string;
};

export type ValidationResult = { ok: true } | { ok: false; reasons: string[] };

export type JsonObject = { [key: string]: unknown };

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Own-property lookup: record keys such as "__proto__" or "constructor" are data, never prototype members. */
export function ownValue(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Sets an own enumerable property even for the key "__proto__", which plain assignment would
 * turn into a prototype change (samples and schemas are owner data and may carry that key).
 */
export function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
