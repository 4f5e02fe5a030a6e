/**
 * Schema evolution: every change between two contract schemas, each marked breaking or not for a
 * compatibility mode.
 *
 * Modes follow schema-registry usage: backward = the new schema can read data written with the
 * old one (consumers upgrade first); forward = the old schema can read data written with the new
 * one (producers upgrade first); full = both; none = nothing is breaking.
 *
 * Every change records whether it breaks each direction; `breaking` is that for the chosen mode.
 *
 * JSON Schema. A schema is a set of accepted documents; a change that makes the new set smaller
 * breaks backward, one that makes it larger breaks forward. We read schemas the way data
 * contracts are used: producers write the properties the schema declares and no others. So an
 * added optional property is compatible both ways unless the old schema was closed
 * (additionalProperties: false); a removed property breaks forward only if it was required; a
 * property made required, or added as required, breaks backward unless it has a `default`; integer
 * widens to number. $ref (local), allOf/anyOf/oneOf (pairwise by position when the branch counts
 * match, otherwise as added/removed variants), enum/const, format, numeric/length/size bounds,
 * pattern and additionalProperties are compared; description/title/default changes are listed as
 * non-breaking.
 *
 * Avro. The spec's schema resolution rules with reader = new for backward and reader = old for
 * forward: fields match by name or alias; a reader field missing from the writer needs a default;
 * writer fields unknown to the reader are skipped; primitive promotion int -> long -> float ->
 * double and string <-> bytes; enum symbols unknown to the reader need a reader enum default;
 * union branches are matched by type (and by promotion); named types must match by name or alias;
 * fixed sizes must be equal. Logical type changes are treated as breaking both ways (same bytes,
 * different meaning).
 */
import { parseAvroSchema, describeAvroType, type AvroField, type AvroType } from "./avro";
import { resolveLocalRef } from "./fields";
import { joinPath } from "./paths";
import type { Bump } from "./semver";
import { isPlainObject, setOwn, type JsonObject, type SchemaFormat } from "./types";

export type CompatibilityMode = "backward" | "forward" | "full" | "none";

export type ChangeKind =
  | "schema_format_changed"
  | "field_added"
  | "field_removed"
  | "type_changed"
  | "type_widened"
  | "type_narrowed"
  | "nullable_added"
  | "nullable_removed"
  | "required_added"
  | "required_removed"
  | "enum_value_added"
  | "enum_value_removed"
  | "enum_added"
  | "enum_removed"
  | "constraint_tightened"
  | "constraint_relaxed"
  | "constraint_changed"
  | "additional_properties_tightened"
  | "additional_properties_relaxed"
  | "variant_added"
  | "variant_removed"
  | "name_changed"
  | "size_changed"
  | "logical_type_changed"
  | "default_changed"
  | "doc_changed";

export type SchemaChange = {
  /** Field path in contract syntax ("" is the record itself). */
  path: string;
  kind: ChangeKind;
  message: string;
  breaksBackward: boolean;
  breaksForward: boolean;
  /** Whether the change breaks the mode it was diffed for. */
  breaking: boolean;
};

export type SchemaSpec = { schemaFormat: SchemaFormat; schema: unknown };

type Draft = Omit<SchemaChange, "breaking">;

const DOC_KINDS = new Set<ChangeKind>(["doc_changed"]);

export function breaksMode(c: Pick<SchemaChange, "breaksBackward" | "breaksForward">, mode: CompatibilityMode): boolean {
  switch (mode) {
    case "backward":
      return c.breaksBackward;
    case "forward":
      return c.breaksForward;
    case "full":
      return c.breaksBackward || c.breaksForward;
    case "none":
      return false;
  }
}

/** Diff bounds: schemas are owner input, and recursive ones must terminate. */
const MAX_DEPTH = 64;
const MAX_CHANGES = 5000;

class Out {
  readonly list: Draft[] = [];
  add(path: string, kind: ChangeKind, message: string, breaksBackward: boolean, breaksForward: boolean) {
    if (this.list.length < MAX_CHANGES) this.list.push({ path, kind, message, breaksBackward, breaksForward });
  }
}

function where(path: string): string {
  return path === "" ? "the record" : `'${path}'`;
}

// ---- JSON Schema ---------------------------------------------------------------------------

const ALL_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

type Ctx = { oldRoot: unknown; newRoot: unknown; seen: Set<string>; out: Out };

function deref(root: unknown, s: unknown, seenRefs: string[] = []): { schema: unknown; ref?: string } {
  let cur = s;
  let ref: string | undefined;
  for (let i = 0; i < 16 && isPlainObject(cur) && typeof cur.$ref === "string"; i++) {
    if (seenRefs.includes(cur.$ref)) break;
    ref = cur.$ref;
    const target = resolveLocalRef(root, cur.$ref);
    if (target === undefined) break;
    // Sibling keywords next to $ref (2020-12 allows them) are kept on top of the target.
    const { $ref: _ignored, ...siblings } = cur;
    void _ignored;
    cur = isPlainObject(target) ? { ...target, ...siblings } : target;
  }
  return { schema: cur, ref };
}

function typesOf(s: JsonObject): Set<string> {
  const t = s.type;
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === "string"));
  const values = Array.isArray(s.enum) ? s.enum : "const" in s ? [s.const] : null;
  if (values) {
    return new Set(values.map((e) => (e === null ? "null" : Array.isArray(e) ? "array" : typeof e === "number" ? (Number.isInteger(e) ? "integer" : "number") : typeof e)));
  }
  if (isPlainObject(s.properties) || Array.isArray(s.required)) return new Set(["object"]);
  if (s.items !== undefined || Array.isArray(s.prefixItems)) return new Set(["array"]);
  return new Set(ALL_TYPES);
}

function accepts(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === "integer" && types.has("number"));
}

const canon = (v: unknown): string => JSON.stringify(sortDeep(v));
function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (!isPlainObject(v)) return v;
  const o: JsonObject = {};
  for (const k of Object.keys(v).sort()) setOwn(o, k, sortDeep(v[k]));
  return o;
}

function asObject(s: unknown): JsonObject | null {
  if (s === true || s === undefined) return {};
  if (s === false) return { not: {} };
  return isPlainObject(s) ? s : null;
}

function enumOf(s: JsonObject): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  if ("const" in s) return [s.const];
  return undefined;
}

const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"];
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"];

function diffJson(ctx: Ctx, oldS: unknown, newS: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const o0 = deref(ctx.oldRoot, oldS);
  const n0 = deref(ctx.newRoot, newS);
  if (o0.ref || n0.ref) {
    const key = `${o0.ref ?? canon(oldS)}|${n0.ref ?? canon(newS)}`;
    if (ctx.seen.has(key)) return;
    ctx.seen.add(key);
  }
  const o = asObject(o0.schema);
  const n = asObject(n0.schema);
  const out = ctx.out;
  if (!o || !n) {
    if (canon(o0.schema) !== canon(n0.schema)) out.add(path, "type_changed", `${where(path)} changed to a schema that cannot be compared`, true, true);
    return;
  }
  // Equal text is only equal meaning when no $ref inside points into definitions that may differ.
  const oc = canon(o);
  if (oc === canon(n) && !oc.includes('"$ref"')) return;

  if (o.description !== n.description || o.title !== n.title) out.add(path, "doc_changed", `description of ${where(path)} changed`, false, false);
  if (canon(o.default) !== canon(n.default) && !(o.default === undefined && n.default === undefined)) {
    out.add(path, "default_changed", `default of ${where(path)} changed from ${JSON.stringify(o.default) ?? "none"} to ${JSON.stringify(n.default) ?? "none"}`, false, false);
  }

  // Types, with null handled separately so "became nullable" reads as such.
  const ot = typesOf(o);
  const nt = typesOf(n);
  if (ot.has("null") && !nt.has("null")) out.add(path, "nullable_removed", `${where(path)} no longer accepts null`, true, false);
  if (!ot.has("null") && nt.has("null")) out.add(path, "nullable_added", `${where(path)} now accepts null`, false, true);
  const oldOnly = [...ot].filter((t) => t !== "null" && !accepts(nt, t));
  const newOnly = [...nt].filter((t) => t !== "null" && !accepts(ot, t));
  const typeLabel = (s: Set<string>) => ([...s].filter((t) => t !== "null").length === ALL_TYPES.length - 1 ? "any" : [...s].filter((t) => t !== "null").sort().join("|"));
  if (oldOnly.length && newOnly.length) {
    out.add(path, "type_changed", `type of ${where(path)} changed from ${typeLabel(ot)} to ${typeLabel(nt)}`, true, true);
  } else if (oldOnly.length) {
    out.add(path, "type_narrowed", `type of ${where(path)} narrowed from ${typeLabel(ot)} to ${typeLabel(nt)}`, true, false);
  } else if (newOnly.length) {
    out.add(path, "type_widened", `type of ${where(path)} widened from ${typeLabel(ot)} to ${typeLabel(nt)}`, false, true);
  }

  diffEnum(out, o, n, path);
  diffConstraints(out, o, n, path);

  if (accepts(ot, "object") && accepts(nt, "object")) diffObject(ctx, o, n, path, depth);
  if (ot.has("array") && nt.has("array")) {
    const oi = Array.isArray(o.items) ? undefined : o.items;
    const ni = Array.isArray(n.items) ? undefined : n.items;
    if (oi !== undefined || ni !== undefined) diffJson(ctx, oi ?? true, ni ?? true, `${path}[]`, depth + 1);
    if (canon(o.prefixItems) !== canon(n.prefixItems)) out.add(path, "constraint_changed", `tuple items of ${where(path)} changed`, true, true);
  }
  for (const key of ["anyOf", "oneOf", "allOf"] as const) diffComposition(ctx, o[key], n[key], key, path, depth);
}

function diffEnum(out: Out, o: JsonObject, n: JsonObject, path: string): void {
  const oe = enumOf(o);
  const ne = enumOf(n);
  if (!oe && !ne) return;
  if (!oe && ne) {
    out.add(path, "enum_added", `${where(path)} is now limited to ${ne.map((v) => JSON.stringify(v)).join(", ")}`, true, false);
    return;
  }
  if (oe && !ne) {
    out.add(path, "enum_removed", `${where(path)} is no longer limited to a list of values`, false, true);
    return;
  }
  const oset = new Set(oe!.map(canon));
  const nset = new Set(ne!.map(canon));
  for (const v of oe!) if (!nset.has(canon(v))) out.add(path, "enum_value_removed", `value ${JSON.stringify(v)} of ${where(path)} was removed`, true, false);
  for (const v of ne!) if (!oset.has(canon(v))) out.add(path, "enum_value_added", `value ${JSON.stringify(v)} of ${where(path)} was added`, false, true);
}

function diffConstraints(out: Out, o: JsonObject, n: JsonObject, path: string): void {
  const bound = (key: string, lower: boolean) => {
    const a = typeof o[key] === "number" ? (o[key] as number) : undefined;
    const b = typeof n[key] === "number" ? (n[key] as number) : undefined;
    if (a === b) return;
    const tighter = a === undefined ? true : b === undefined ? false : lower ? b > a : b < a;
    const text = `${key} of ${where(path)} changed from ${a ?? "none"} to ${b ?? "none"}`;
    if (tighter) out.add(path, "constraint_tightened", text, true, false);
    else out.add(path, "constraint_relaxed", text, false, true);
  };
  for (const k of LOWER_BOUNDS) bound(k, true);
  for (const k of UPPER_BOUNDS) bound(k, false);
  const presence = (key: string, label: string) => {
    const a = o[key];
    const b = n[key];
    if (canon(a) === canon(b)) return;
    if (a === undefined) out.add(path, "constraint_tightened", `${where(path)} now has ${label} ${JSON.stringify(b)}`, true, false);
    else if (b === undefined) out.add(path, "constraint_relaxed", `${where(path)} no longer has ${label} ${JSON.stringify(a)}`, false, true);
    else out.add(path, "constraint_changed", `${label} of ${where(path)} changed from ${JSON.stringify(a)} to ${JSON.stringify(b)}`, true, true);
  };
  presence("format", "format");
  presence("pattern", "pattern");
  presence("multipleOf", "multipleOf");
  if (o.uniqueItems !== true && n.uniqueItems === true) out.add(path, "constraint_tightened", `${where(path)} now requires unique items`, true, false);
  if (o.uniqueItems === true && n.uniqueItems !== true) out.add(path, "constraint_relaxed", `${where(path)} no longer requires unique items`, false, true);
}

type Openness = { kind: "open" } | { kind: "closed" } | { kind: "schema"; schema: unknown };

function openness(s: JsonObject): Openness {
  const ap = s.additionalProperties ?? (s.unevaluatedProperties === false ? false : undefined);
  if (ap === false) return { kind: "closed" };
  if (ap === undefined || ap === true || (isPlainObject(ap) && Object.keys(ap).length === 0)) return { kind: "open" };
  return { kind: "schema", schema: ap };
}

function propsOf(s: JsonObject): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (isPlainObject(s.properties)) for (const [k, v] of Object.entries(s.properties)) m.set(k, v);
  if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === "string" && !m.has(r)) m.set(r, true);
  return m;
}

function requiredOf(s: JsonObject): Set<string> {
  return new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === "string") : []);
}

function hasDefault(root: unknown, s: unknown): boolean {
  const d = deref(root, s).schema;
  return isPlainObject(d) && d.default !== undefined;
}

function diffObject(ctx: Ctx, o: JsonObject, n: JsonObject, path: string, depth: number): void {
  const out = ctx.out;
  const op = propsOf(o);
  const np = propsOf(n);
  const oreq = requiredOf(o);
  const nreq = requiredOf(n);
  const oopen = openness(o);
  const nopen = openness(n);
  for (const [name, os] of op) {
    const p = joinPath(path, name);
    if (np.has(name)) {
      const ns = np.get(name);
      diffJson(ctx, os, ns, p, depth + 1);
      if (!oreq.has(name) && nreq.has(name)) {
        const withDefault = hasDefault(ctx.newRoot, ns);
        out.add(p, "required_added", `'${p}' became required${withDefault ? " (with a default)" : " without a default"}`, !withDefault, false);
      }
      if (oreq.has(name) && !nreq.has(name)) out.add(p, "required_removed", `'${p}' is no longer required`, false, true);
    } else {
      // New data lacks it: breaks forward only if old readers required it. Old data still has it:
      // breaks backward only if the new schema is closed to unknown properties.
      out.add(p, "field_removed", `field '${p}' was removed`, nopen.kind === "closed", oreq.has(name));
    }
  }
  for (const [name, ns] of np) {
    if (op.has(name)) continue;
    const p = joinPath(path, name);
    const required = nreq.has(name);
    const withDefault = hasDefault(ctx.newRoot, ns);
    const bb = required && !withDefault;
    const bf = oopen.kind === "closed";
    const detail = required ? (withDefault ? " as required with a default" : " as required without a default") : " as optional";
    out.add(p, "field_added", `field '${p}' was added${detail}${bf ? " to a closed object" : ""}`, bb, bf);
  }
  if (oopen.kind !== nopen.kind) {
    const order = { open: 0, schema: 1, closed: 2 } as const;
    if (order[nopen.kind] > order[oopen.kind]) {
      out.add(path, "additional_properties_tightened", `${where(path)} now ${nopen.kind === "closed" ? "rejects" : "constrains"} properties it does not name`, true, false);
    } else {
      out.add(path, "additional_properties_relaxed", `${where(path)} now ${nopen.kind === "open" ? "accepts any" : "accepts more"} properties it does not name`, false, true);
    }
  } else if (oopen.kind === "schema" && nopen.kind === "schema") {
    diffJson(ctx, oopen.schema, nopen.schema, `${path}[]`, depth + 1);
  }
}

function diffComposition(ctx: Ctx, a: unknown, b: unknown, key: string, path: string, depth: number): void {
  const oa = Array.isArray(a) ? a : [];
  const na = Array.isArray(b) ? b : [];
  if (oa.length === 0 && na.length === 0) return;
  if (key === "allOf" || oa.length === na.length) {
    if (oa.length === na.length) {
      oa.forEach((x, i) => diffJson(ctx, x, na[i], path, depth + 1));
      return;
    }
    ctx.out.add(path, "constraint_changed", `${key} of ${where(path)} changed`, true, true);
    return;
  }
  const oc = oa.map((x) => canon(deref(ctx.oldRoot, x).schema));
  const nc = na.map((x) => canon(deref(ctx.newRoot, x).schema));
  oc.forEach((c, i) => {
    if (!nc.includes(c)) ctx.out.add(path, "variant_removed", `${where(path)} lost ${key} variant ${i + 1}`, true, false);
  });
  nc.forEach((c, i) => {
    if (!oc.includes(c)) ctx.out.add(path, "variant_added", `${where(path)} gained ${key} variant ${i + 1}`, false, true);
  });
}

function diffJsonSchemas(oldSchema: unknown, newSchema: unknown): Draft[] {
  const ctx: Ctx = { oldRoot: oldSchema, newRoot: newSchema, seen: new Set(), out: new Out() };
  diffJson(ctx, oldSchema, newSchema, "", 0);
  return ctx.out.list;
}

// ---- Avro ----------------------------------------------------------------------------------

const PROMOTIONS: Record<string, string[]> = {
  int: ["long", "float", "double"],
  long: ["float", "double"],
  float: ["double"],
  string: ["bytes"],
  bytes: ["string"],
};

/** Whether data written as `writer` can be read as `reader` (primitives only). */
function promotes(writer: string, reader: string): boolean {
  return writer === reader || (PROMOTIONS[writer] ?? []).includes(reader);
}

function branchKey(t: AvroType): string {
  return "name" in t ? t.name : t.kind;
}

/** The spec matches named types by unqualified name, or by a reader alias. */
function nameMatches(reader: { name: string; aliases: string[] }, writer: { name: string }): boolean {
  const w = shortName(writer.name);
  return shortName(reader.name) === w || reader.aliases.some((a) => a === writer.name || shortName(a) === w);
}

function shortName(n: string): string {
  return n.slice(n.lastIndexOf(".") + 1);
}

/** Whether a non-union writer type can be read by a non-union reader type, shallowly. */
function readable(writer: AvroType, reader: AvroType): boolean {
  if (writer.kind === "primitive" && reader.kind === "primitive") return promotes(writer.name, reader.name);
  if (writer.kind !== reader.kind) return false;
  if (writer.kind === "array" || writer.kind === "map") return true;
  return nameMatches(reader as { name: string; aliases: string[] }, writer as { name: string });
}

type AvroCtx = { seen: Set<string>; out: Out };

function diffAvro(ctx: AvroCtx, o: AvroType, n: AvroType, path: string, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (o.kind === "union" || n.kind === "union") {
    diffAvroUnion(ctx, o, n, path, depth);
    return;
  }
  const out = ctx.out;
  if (o.kind === "primitive" && n.kind === "primitive") {
    if (o.name !== n.name) {
      const bb = !promotes(o.name, n.name);
      const bf = !promotes(n.name, o.name);
      const kind: ChangeKind = bb && bf ? "type_changed" : bb ? "type_narrowed" : "type_widened";
      const verb = kind === "type_widened" ? "was promoted" : kind === "type_narrowed" ? "narrowed" : "changed";
      out.add(path, kind, `type of ${where(path)} ${verb} from ${o.name} to ${n.name}`, bb, bf);
    }
    if ((o.logicalType ?? "") !== (n.logicalType ?? "")) {
      out.add(path, "logical_type_changed", `logical type of ${where(path)} changed from ${o.logicalType ?? "none"} to ${n.logicalType ?? "none"}`, true, true);
    }
    return;
  }
  if (o.kind !== n.kind) {
    out.add(path, "type_changed", `type of ${where(path)} changed from ${describeAvroType(o)} to ${describeAvroType(n)}`, true, true);
    return;
  }
  switch (o.kind) {
    case "array":
      diffAvro(ctx, o.items, (n as typeof o).items, `${path}[]`, depth + 1);
      return;
    case "map":
      diffAvro(ctx, o.values, (n as typeof o).values, `${path}[]`, depth + 1);
      return;
    case "fixed": {
      const nf = n as typeof o;
      diffNames(out, o, nf, path);
      if (o.size !== nf.size) out.add(path, "size_changed", `size of fixed ${where(path)} changed from ${o.size} to ${nf.size}`, true, true);
      if ((o.logicalType ?? "") !== (nf.logicalType ?? "")) out.add(path, "logical_type_changed", `logical type of ${where(path)} changed`, true, true);
      return;
    }
    case "enum": {
      const ne = n as typeof o;
      diffNames(out, o, ne, path);
      if ((o.doc ?? "") !== (ne.doc ?? "")) out.add(path, "doc_changed", `doc of ${where(path)} changed`, false, false);
      for (const s of o.symbols) {
        if (!ne.symbols.includes(s)) {
          const fallback = ne.default !== undefined;
          out.add(path, "enum_value_removed", `symbol ${s} of ${where(path)} was removed${fallback ? ` (new readers fall back to ${ne.default})` : ""}`, !fallback, false);
        }
      }
      for (const s of ne.symbols) {
        if (!o.symbols.includes(s)) {
          const fallback = o.default !== undefined;
          out.add(path, "enum_value_added", `symbol ${s} of ${where(path)} was added${fallback ? ` (old readers fall back to ${o.default})` : ""}`, false, !fallback);
        }
      }
      if (o.default !== ne.default) out.add(path, "default_changed", `enum default of ${where(path)} changed from ${o.default ?? "none"} to ${ne.default ?? "none"}`, false, false);
      return;
    }
    case "record":
      diffAvroRecord(ctx, o, n as typeof o, path, depth);
      return;
  }
}

function diffNames(out: Out, o: { name: string; aliases: string[] }, n: { name: string; aliases: string[] }, path: string): void {
  if (o.name === n.name) return;
  const bb = !nameMatches(n, o);
  const bf = !nameMatches(o, n);
  out.add(path, "name_changed", `name of ${where(path)} changed from ${o.name} to ${n.name}${bb ? "" : " (old name kept as an alias)"}`, bb, bf);
}

function findField(fields: AvroField[], f: AvroField): AvroField | undefined {
  return fields.find((x) => x.name === f.name) ?? fields.find((x) => x.aliases.includes(f.name) || f.aliases.includes(x.name));
}

function diffAvroRecord(ctx: AvroCtx, o: Extract<AvroType, { kind: "record" }>, n: Extract<AvroType, { kind: "record" }>, path: string, depth: number): void {
  const key = `${o.name}|${n.name}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  const out = ctx.out;
  diffNames(out, o, n, path);
  if ((o.doc ?? "") !== (n.doc ?? "")) out.add(path, "doc_changed", `doc of ${where(path)} changed`, false, false);
  for (const of of o.fields) {
    const nf = findField(n.fields, of);
    const p = joinPath(path, (nf ?? of).name);
    if (!nf) {
      out.add(p, "field_removed", `field '${p}' was removed${of.hasDefault ? " (old readers use its default)" : " and old readers have no default for it"}`, false, !of.hasDefault);
      continue;
    }
    if (nf.name !== of.name) out.add(p, "name_changed", `field '${joinPath(path, of.name)}' was renamed to '${nf.name}' through an alias`, !nf.aliases.includes(of.name), !of.aliases.includes(nf.name));
    if ((of.doc ?? "") !== (nf.doc ?? "")) out.add(p, "doc_changed", `doc of '${p}' changed`, false, false);
    if (of.hasDefault !== nf.hasDefault || canon(of.default) !== canon(nf.default)) {
      out.add(p, "default_changed", `default of '${p}' changed from ${of.hasDefault ? JSON.stringify(of.default) : "none"} to ${nf.hasDefault ? JSON.stringify(nf.default) : "none"}`, false, false);
    }
    diffAvro(ctx, of.type, nf.type, p, depth + 1);
  }
  for (const nf of n.fields) {
    if (findField(o.fields, nf)) continue;
    const p = joinPath(path, nf.name);
    out.add(p, "field_added", `field '${p}' was added ${nf.hasDefault ? "with a default" : "without a default"}`, !nf.hasDefault, false);
  }
}

function isNull(t: AvroType): boolean {
  return t.kind === "primitive" && t.name === "null";
}

function diffAvroUnion(ctx: AvroCtx, o: AvroType, n: AvroType, path: string, depth: number): void {
  const ob = o.kind === "union" ? o.branches : [o];
  const nb = n.kind === "union" ? n.branches : [n];
  const matchedNew = new Set<AvroType>();
  const unmatchedOld: AvroType[] = [];
  for (const x of ob) {
    const same = nb.find((y) => !matchedNew.has(y) && branchKey(y) === branchKey(x));
    if (same) {
      matchedNew.add(same);
      diffAvro(ctx, x, same, path, depth + 1);
    } else {
      unmatchedOld.push(x);
    }
  }
  const unmatchedNew = nb.filter((y) => !matchedNew.has(y));
  // Pair what is left through promotion (int -> long, ...), then report the rest.
  for (const x of [...unmatchedOld]) {
    const y = unmatchedNew.find((c) => readable(x, c) || readable(c, x));
    if (!y) continue;
    unmatchedOld.splice(unmatchedOld.indexOf(x), 1);
    unmatchedNew.splice(unmatchedNew.indexOf(y), 1);
    diffAvro(ctx, x, y, path, depth + 1);
  }
  for (const x of unmatchedOld) {
    // Backward: new readers must read data written with this branch.
    const bb = !nb.some((y) => readable(x, y));
    if (isNull(x)) ctx.out.add(path, "nullable_removed", `${where(path)} no longer accepts null`, bb, false);
    else ctx.out.add(path, "variant_removed", `${where(path)} no longer accepts ${describeAvroType(x)}`, bb, false);
  }
  for (const y of unmatchedNew) {
    const bf = !ob.some((x) => readable(y, x));
    if (isNull(y)) ctx.out.add(path, "nullable_added", `${where(path)} now accepts null`, false, bf);
    else ctx.out.add(path, "variant_added", `${where(path)} now accepts ${describeAvroType(y)}`, false, bf);
  }
}

function diffAvroSchemas(oldSchema: unknown, newSchema: unknown): Draft[] {
  const ctx: AvroCtx = { seen: new Set(), out: new Out() };
  diffAvro(ctx, parseAvroSchema(oldSchema), parseAvroSchema(newSchema), "", 0);
  return ctx.out.list;
}

// ---- Public API ----------------------------------------------------------------------------

/**
 * Lists every change from `previous` to `next`, each marked breaking or not for `mode`. Throws
 * AvroSchemaError for an unparsable Avro schema (check schemas with checkSchema first).
 */
export function diffSchemas(previous: SchemaSpec, next: SchemaSpec, mode: CompatibilityMode = "backward"): SchemaChange[] {
  let drafts: Draft[];
  if (previous.schemaFormat !== next.schemaFormat) {
    drafts = [{ path: "", kind: "schema_format_changed", message: `schema format changed from ${previous.schemaFormat} to ${next.schemaFormat}`, breaksBackward: true, breaksForward: true }];
  } else if (previous.schemaFormat === "avro") {
    drafts = diffAvroSchemas(previous.schema, next.schema);
  } else {
    drafts = diffJsonSchemas(previous.schema, next.schema);
  }
  return drafts.map((d) => ({ ...d, breaking: breaksMode(d, mode) }));
}

/** The smallest version bump the changes allow: major if any breaks, minor if any is more than docs. */
export function requiredBump(changes: readonly Pick<SchemaChange, "breaking" | "kind">[]): Bump {
  if (changes.some((c) => c.breaking)) return "major";
  if (changes.some((c) => !DOC_KINDS.has(c.kind))) return "minor";
  return "patch";
}

export type CompatibilityReport = {
  mode: CompatibilityMode;
  compatible: boolean;
  changes: SchemaChange[];
  breaking: SchemaChange[];
  requiredBump: Bump;
};

export function checkCompatibility(previous: SchemaSpec, next: SchemaSpec, mode: CompatibilityMode): CompatibilityReport {
  const changes = diffSchemas(previous, next, mode);
  const breaking = changes.filter((c) => c.breaking);
  return { mode, compatible: breaking.length === 0, changes, breaking, requiredBump: requiredBump(changes) };
}
