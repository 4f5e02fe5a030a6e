/**
 * Contract validators for the router and publish checks for the wizard.
 *
 * JSON Schema records are validated by ajv 8 (draft 2020-12 by default; a schema whose $schema
 * names draft-07/06 gets ajv's draft-07 class) with ajv-formats. Avro records are validated by
 * our own compiled walker in ./avro.ts (see there for the JSON reading of Avro types). Before
 * either, a record nested deeper than RECORD_MAX_DEPTH is refused without recursion, so a
 * 1,000-level document cannot exhaust the stack of a recursive schema's validator.
 */
import Ajv, { type ErrorObject, type Options, type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { AvroSchemaError, compileAvroValidator, MAX_REASONS, parseAvroSchema } from "./avro";
import { expressionFields, parseExpression } from "./expression";
import { flattenSchema, SchemaShapeError } from "./fields";
import { compileRule, compileRules, RuleError, type CompiledRule } from "./rules";
import { checkPatternSafety } from "./regex-safety";
import { isPlainObject, type ContractField, type QualityRule, type SchemaFormat, type ValidationResult } from "./types";

export const RECORD_MAX_DEPTH = 64;

export type ContractSpec = { schemaFormat: SchemaFormat; schema: unknown; qualityRules?: unknown };

export type ContractValidator = (record: unknown, now?: number) => ValidationResult;

export type Issue = { path: string; message: string };

export class ContractCompileError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "));
    this.name = "ContractCompileError";
  }
}

// ---- JSON Schema ---------------------------------------------------------------------------

const AJV_OPTIONS: Options = {
  allErrors: true,
  // Owners' schemas carry annotations ajv does not know (x-pii, examples in odd places); strict
  // mode would refuse them. Structural validity is still checked by validateSchema below.
  strict: false,
  allowUnionTypes: true,
  validateFormats: true,
};

function isDraft7(schema: unknown): boolean {
  return isPlainObject(schema) && typeof schema.$schema === "string" && /draft-0[67]\/schema/.test(schema.$schema);
}

/**
 * One ajv instance per draft for the whole process: creating one and compiling its meta-schema
 * costs ~50 ms, which a router compiling hundreds of contract versions cannot pay each time.
 * Contract schemas are compiled and immediately removed again (withCompiled), so an owner's $id
 * never collides with another product's and the instance holds no per-contract state.
 */
const shared: { d2020?: Ajv; d7?: Ajv } = {};

function ajvFor(schema: unknown): Ajv {
  if (isDraft7(schema)) return (shared.d7 ??= addFormats(new Ajv(AJV_OPTIONS)));
  return (shared.d2020 ??= addFormats(new Ajv2020(AJV_OPTIONS)));
}

function compileIsolated(schema: unknown): ValidateFunction {
  const ajv = ajvFor(schema);
  try {
    return ajv.compile(schema as object);
  } finally {
    ajv.removeSchema(schema as object);
    if (isPlainObject(schema) && typeof schema.$id === "string") ajv.removeSchema(schema.$id);
  }
}

/** Finds every `pattern` and `patternProperties` regex in a schema, with its location. */
function schemaPatterns(schema: unknown): { where: string; pattern: string }[] {
  const out: { where: string; pattern: string }[] = [];
  const stack: { node: unknown; where: string; depth: number }[] = [{ node: schema, where: "", depth: 0 }];
  while (stack.length && out.length < 1000) {
    const { node, where, depth } = stack.pop()!;
    if (depth > 64) continue;
    if (Array.isArray(node)) {
      node.forEach((n, i) => stack.push({ node: n, where: `${where}/${i}`, depth: depth + 1 }));
      continue;
    }
    if (!isPlainObject(node)) continue;
    for (const [k, v] of Object.entries(node)) {
      if (k === "pattern" && typeof v === "string") out.push({ where: `${where}/pattern`, pattern: v });
      if (k === "patternProperties" && isPlainObject(v)) for (const p of Object.keys(v)) out.push({ where: `${where}/patternProperties`, pattern: p });
      if (k !== "enum" && k !== "const" && k !== "examples" && k !== "default") stack.push({ node: v, where: `${where}/${k}`, depth: depth + 1 });
    }
  }
  return out;
}

function jsonSchemaIssues(schema: unknown, options: { compile: boolean } = { compile: true }): Issue[] {
  if (!isPlainObject(schema) && typeof schema !== "boolean") return [{ path: "", message: "a JSON Schema must be an object" }];
  const ajv = ajvFor(schema);
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema as object) as boolean;
  } catch {
    const declared = isPlainObject(schema) ? String(schema.$schema) : "";
    return [{ path: "/$schema", message: `unsupported $schema ${declared}: use draft 2020-12 or draft-07` }];
  }
  if (!valid) {
    return (ajv.errors ?? []).slice(0, MAX_REASONS).map((e) => ({ path: e.instancePath || "", message: `schema ${e.message ?? "is invalid"}` }));
  }
  const issues: Issue[] = [];
  for (const { where, pattern } of schemaPatterns(schema)) {
    const reason = checkPatternSafety(pattern, "u");
    if (reason) issues.push({ path: where, message: reason });
  }
  if (issues.length || !options.compile) return issues;
  try {
    compileIsolated(schema);
  } catch (e) {
    return [{ path: "", message: `schema does not compile: ${(e as Error).message}` }];
  }
  return [];
}

/** A local "#/..." JSON pointer into the root schema, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const seg = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

function deref(root: unknown, node: unknown): unknown {
  for (let i = 0; i < 16 && isPlainObject(node) && typeof node.$ref === "string"; i++) node = resolvePointer(root, node.$ref);
  return node;
}

/** The subschema of `node` that describes property `seg`, looking through allOf/anyOf/oneOf. */
function propertySchema(root: unknown, node: unknown, seg: string): unknown {
  const n = deref(root, node);
  if (!isPlainObject(n)) return undefined;
  if (isPlainObject(n.properties) && Object.prototype.hasOwnProperty.call(n.properties, seg)) return n.properties[seg];
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    const branches = n[k];
    if (!Array.isArray(branches)) continue;
    for (const b of branches) {
      const hit = propertySchema(root, b, seg);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

/**
 * "/cells/3/rsrp" -> "cells[].rsrp", named from the schema, never from the record: an array
 * index becomes "[]", and a key the schema does not name (a map's key, a property it does not
 * know) becomes "*". Reasons go to DLQ headers and quality incidents, which are read more widely
 * than the data and grouped by reason, so record content must not leak into them.
 */
function instancePathToField(root: unknown, instancePath: string): string {
  let out = "";
  let node: unknown = root;
  for (const raw of instancePath.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const named = node === undefined ? undefined : propertySchema(root, node, seg);
    if (named !== undefined) {
      out = out ? `${out}.${seg}` : seg;
      node = named;
      continue;
    }
    const n = deref(root, node);
    if (/^\d+$/.test(seg)) {
      out += "[]";
      node = isPlainObject(n) ? (Array.isArray(n.prefixItems) ? (n.prefixItems[Number(seg)] ?? n.items) : n.items) : undefined;
      if (typeof node === "boolean") node = undefined;
      continue;
    }
    out = out ? `${out}.*` : "*";
    node = isPlainObject(n) && isPlainObject(n.additionalProperties) ? n.additionalProperties : undefined;
  }
  return out;
}

function ajvReason(root: unknown, e: ErrorObject): string {
  const base = instancePathToField(root, e.instancePath);
  if (e.keyword === "required") {
    // missingProperty comes from the schema's own `required` list.
    const missing = String((e.params as { missingProperty?: string }).missingProperty ?? "");
    return `${base ? `${base}.` : ""}${missing.length > 40 ? `${missing.slice(0, 40)}...` : missing}: is required`;
  }
  if (e.keyword === "additionalProperties" || e.keyword === "unevaluatedProperties") {
    return `${base || "(root)"}: has a property the contract does not define`;
  }
  if (e.keyword === "propertyNames") return `${base || "(root)"}: has a property name the contract does not allow`;
  return `${base || "(root)"}: ${e.message ?? `fails ${e.keyword}`}`;
}

const NO_REASONS: readonly string[] = Object.freeze([]);

function compileJsonSchema(schema: unknown): (record: unknown) => readonly string[] {
  const issues = jsonSchemaIssues(schema);
  if (issues.length) throw new ContractCompileError(issues);
  const validate = compileIsolated(schema);
  return (record) => {
    if (validate(record)) return NO_REASONS;
    return (validate.errors ?? []).map((e) => ajvReason(schema, e));
  };
}

// ---- Schema checks (publish) ---------------------------------------------------------------

export type SchemaCheck = { ok: true; fields: ContractField[] } | { ok: false; issues: Issue[] };

/**
 * Publish check for a schema: it parses, is a valid JSON Schema / Avro schema, its regexes are
 * safe, it compiles, and it flattens to a finite field list (no recursion, at most FIELDS_MAX).
 */
export function checkSchema(format: SchemaFormat, schema: unknown): SchemaCheck {
  try {
    if (format === "avro") {
      parseAvroSchema(schema);
      return { ok: true, fields: flattenSchema(format, schema) };
    }
    // Shape (size, recursion) before compiling: ajv takes seconds on a 10,000-field schema.
    const structural = jsonSchemaIssues(schema, { compile: false });
    if (structural.length) return { ok: false, issues: structural };
    const fields = flattenSchema(format, schema);
    const compiled = jsonSchemaIssues(schema);
    if (compiled.length) return { ok: false, issues: compiled };
    return { ok: true, fields };
  } catch (e) {
    if (e instanceof AvroSchemaError || e instanceof SchemaShapeError) return { ok: false, issues: [{ path: e.path, message: e.detail }] };
    throw e;
  }
}

/** Parses an uploaded schema file's text; both formats are JSON documents (Avro .avsc). */
export function parseSchemaText(text: string): { ok: true; schema: unknown } | { ok: false; message: string } {
  if (text.length > 2_000_000) return { ok: false, message: "schema file is larger than 2 MB" };
  try {
    return { ok: true, schema: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `schema file is not valid JSON: ${(e as Error).message}` };
  }
}

// ---- Records -------------------------------------------------------------------------------

/** Kafka's default max.message.bytes; larger values are refused before parsing. */
export const RECORD_MAX_BYTES = 1_048_588;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Turns a Kafka record value into a JSON value for validation, or a DLQ reason: tombstone, too
 * large, not UTF-8, not JSON. Reasons are fixed strings so they group as quality incidents.
 */
export function decodeRecord(raw: Uint8Array | string | null | undefined, maxBytes = RECORD_MAX_BYTES): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (raw === null || raw === undefined) return { ok: false, reason: "record has no value" };
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) return { ok: false, reason: `record is larger than ${maxBytes} bytes` };
  let text: string;
  try {
    text = typeof raw === "string" ? raw : utf8.decode(raw);
  } catch {
    return { ok: false, reason: "record is not UTF-8 text" };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "record is not JSON" };
  }
}

/** Iterative depth check, so hostile nesting is refused before any recursive validator runs. */
export function exceedsDepth(value: unknown, max: number): boolean {
  // Iterative (no recursion for hostile input) and only containers are stacked: a flat record of
  // scalars costs one pass over its values and no allocation.
  if (typeof value !== "object" || value === null) return false;
  const stack: object[] = [value];
  const depths: number[] = [0];
  while (stack.length) {
    const v = stack.pop()!;
    const d = depths.pop()!;
    if (d >= max) return true;
    if (Array.isArray(v)) {
      for (const x of v)
        if (typeof x === "object" && x !== null) {
          stack.push(x);
          depths.push(d + 1);
        }
    } else {
      for (const k in v) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === "object" && x !== null) {
          stack.push(x);
          depths.push(d + 1);
        }
      }
    }
  }
  return false;
}

function compileSchema(format: SchemaFormat, schema: unknown): (record: unknown) => readonly string[] {
  if (format === "json-schema") return compileJsonSchema(schema);
  try {
    return compileAvroValidator(parseAvroSchema(schema));
  } catch (e) {
    if (e instanceof AvroSchemaError) throw new ContractCompileError([{ path: e.path, message: e.detail }]);
    throw e;
  }
}

/**
 * Compiles a contract version into one record validator. Throws ContractCompileError when the
 * schema or a rule cannot be compiled (publish checks reject those first). The validator never
 * throws: `now` (epoch ms, default Date.now()) anchors max_age rules and now() in expressions.
 * Reasons are deduplicated and capped at MAX_REASONS.
 */
const VALID: ValidationResult = Object.freeze({ ok: true as const });

export function compileContract(contract: ContractSpec): ContractValidator {
  const schemaCheck = compileSchema(contract.schemaFormat, contract.schema);
  let rules: CompiledRule[];
  try {
    rules = compileRules(Array.isArray(contract.qualityRules) ? contract.qualityRules : []);
  } catch (e) {
    if (e instanceof RuleError) throw new ContractCompileError([{ path: `rules.${e.ruleId}`, message: e.message }]);
    throw e;
  }
  return (record, now = Date.now()) => {
    if (exceedsDepth(record, RECORD_MAX_DEPTH)) return { ok: false, reasons: [`record is nested deeper than ${RECORD_MAX_DEPTH} levels`] };
    const schemaReasons = schemaCheck(record);
    let reasons: Set<string> | null = schemaReasons.length ? new Set(schemaReasons) : null;
    for (const rule of rules) {
      if (reasons && reasons.size >= MAX_REASONS) break;
      const r = rule.check(record, now);
      if (r) (reasons ??= new Set()).add(r);
    }
    // The valid path (nearly every record) allocates nothing.
    return reasons ? { ok: false, reasons: [...reasons].slice(0, MAX_REASONS) } : VALID;
  };
}

// ---- Rule checks (publish) -----------------------------------------------------------------

export type RuleIssue = { ruleId: string; field: string; message: string };
export type RuleSampleResult = { ruleId: string; evaluated: number; failed: number; firstReason?: string };
export type RulesCheck = {
  ok: boolean;
  errors: RuleIssue[];
  /** Not blocking: max_age failures on samples (a sample may be older than the live stream). */
  warnings: RuleIssue[];
  results: RuleSampleResult[];
  /** errors keyed "rules.<id>" for AppError fieldErrors. */
  fieldErrors: Record<string, string[]>;
};

const NUMERIC = new Set(["integer", "number", "int", "long", "float", "double"]);
const STRINGY = new Set(["string", "enum", "bytes", "fixed"]);

function typeParts(type: string): string[] {
  return type.split("|");
}

function fieldTypeProblem(rule: QualityRule, field: ContractField): string | null {
  const parts = typeParts(field.type);
  if (parts.includes("any")) return null;
  const some = (set: Set<string>) => parts.some((p) => set.has(p));
  if (rule.kind === "range" && !some(NUMERIC)) return `range needs a numeric field, '${field.path}' is ${field.type}`;
  if (rule.kind === "pattern" && !some(STRINGY)) return `pattern needs a string field, '${field.path}' is ${field.type}`;
  if (rule.kind === "max_age" && !some(NUMERIC) && !parts.includes("string")) return `max_age needs a timestamp field (string or epoch millis), '${field.path}' is ${field.type}`;
  return null;
}

function missingFieldMessage(path: string, known: Map<string, ContractField>): string {
  const loose = path.replace(/\[\]/g, "");
  const guess = [...known.keys()].find((k) => k.replace(/\[\]/g, "") === loose);
  return `field '${path}' does not exist${guess ? ` (did you mean '${guess}'?)` : ""}`;
}

/**
 * Publish checks for quality rules against the schema's fields and the sampled records: each rule
 * parses, names fields that exist with a fitting type, compiles (safe pattern, parsable
 * expression), and passes on every sample. Messages read "rule r3: field 'cell.rsrp' does not
 * exist", "rule r2: pattern does not compile: ...", "rule r5 fails on 3 of 20 samples (...)".
 */
export function checkRules(
  rules: readonly unknown[],
  schemaFields: readonly ContractField[],
  samples: readonly unknown[] = [],
  options: { now?: number } = {},
): RulesCheck {
  const now = options.now ?? Date.now();
  const known = new Map(schemaFields.map((f) => [f.path, f]));
  const errors: RuleIssue[] = [];
  const warnings: RuleIssue[] = [];
  const results: RuleSampleResult[] = [];
  const ids = new Set<string>();
  rules.forEach((raw, index) => {
    const rawId = isPlainObject(raw) && typeof raw.id === "string" && raw.id ? raw.id : `#${index + 1}`;
    const rawField = isPlainObject(raw) && typeof raw.field === "string" ? raw.field : "";
    const fail = (message: string) => errors.push({ ruleId: rawId, field: rawField, message: `rule ${rawId}: ${message}` });
    if (ids.has(rawId)) fail("rule id is used twice");
    ids.add(rawId);
    let compiled: CompiledRule;
    try {
      compiled = compileRule(raw);
    } catch (e) {
      if (e instanceof RuleError) {
        errors.push({ ruleId: rawId, field: rawField, message: e.message });
        return;
      }
      throw e;
    }
    const rule = raw as QualityRule;
    const referenced = rule.kind === "expression" ? expressionFields(parseExpression(String(rule.params.expression))) : [];
    if (rule.kind !== "expression" || rule.field !== "") referenced.unshift(rule.field);
    let fieldsOk = true;
    for (const path of referenced) {
      const field = known.get(path);
      if (!field) {
        // An expression may index into an array ("cells[0].pci" -> "cells[].pci"); the field itself may be the root.
        if (path === "" && rule.kind !== "required") continue;
        fail(missingFieldMessage(path, known));
        fieldsOk = false;
        continue;
      }
      if (path === rule.field) {
        const problem = fieldTypeProblem(rule, field);
        if (problem) {
          fail(problem);
          fieldsOk = false;
        }
      }
    }
    if (!fieldsOk || samples.length === 0) return;
    let failed = 0;
    let firstReason: string | undefined;
    for (const s of samples) {
      const reason = compiled.check(s, now);
      if (reason) {
        failed += 1;
        firstReason ??= reason;
      }
    }
    results.push({ ruleId: compiled.id, evaluated: samples.length, failed, firstReason });
    if (failed > 0) {
      const issue = { ruleId: compiled.id, field: compiled.field, message: `rule ${compiled.id} fails on ${failed} of ${samples.length} samples (${firstReason})` };
      (compiled.kind === "max_age" ? warnings : errors).push(issue);
    }
  });
  const fieldErrors: Record<string, string[]> = {};
  for (const e of errors) (fieldErrors[`rules.${e.ruleId}`] ??= []).push(e.message);
  return { ok: errors.length === 0, errors, warnings, results, fieldErrors };
}
