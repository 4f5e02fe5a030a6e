import { FLAVOURS, type Flavour } from "./flavours";
import { createRng, pick, randomDigits, randomUuid, type Rng } from "./random";

/**
 * Demo traffic for products: one generic generator walks a contract's JSON Schema (types,
 * formats, enums, patterns, bounds, plus the ranges / enums / patterns of its quality rules) and
 * a small per-product "flavour" (flavours.ts) overwrites the handful of fields that make the data
 * believable (busy-hour curves, random walks, battery decay, lifecycles) and chooses the key.
 * A product without a flavour (published later through the wizard) still gets valid records.
 *
 * A share of the records is deliberately bad so the router's DLQ has work; they carry the
 * header `x-demo-bad: <kind>` so tests and people can tell them apart.
 */

export type { Rng } from "./random";
export { createRng } from "./random";

export const BAD_HEADER = "x-demo-bad";
export const BAD_KINDS = ["missing-required", "wrong-type", "out-of-range", "unparsable"] as const;
export type BadKind = (typeof BAD_KINDS)[number];

/** The part of a contract version the generator needs. */
export type DemoContract = { schema: unknown; qualityRules?: unknown };

export type DemoMessage = {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Set on the intentionally bad records. */
  bad?: BadKind;
};

export type GeneratorOptions = {
  slug: string;
  contract: DemoContract;
  seed?: number;
  /** Share of bad records, 0..1 (default 0.02). */
  badShare?: number;
};

export interface DemoGenerator {
  slug: string;
  /** Relative rate of this product (sparse alerts are slower than KPIs); 1 for most. */
  rateFactor: number;
  next(now: Date): DemoMessage;
}

type Node = Record<string, unknown>;
type Hint = { min?: number; max?: number; enum?: unknown[]; pattern?: string };

export const DEFAULT_BAD_SHARE = 0.02;

export function createDemoGenerator(opts: GeneratorOptions): DemoGenerator {
  const rng = createRng(opts.seed ?? hashSeed(opts.slug));
  const schema = isObject(opts.contract.schema) ? opts.contract.schema : {};
  const hints = ruleHints(opts.contract.qualityRules);
  const flavour: Flavour | undefined = FLAVOURS[opts.slug];
  const state: Record<string, unknown> = {};
  const badShare = Math.min(1, Math.max(0, opts.badShare ?? DEFAULT_BAD_SHARE));
  let counter = 0;

  return {
    slug: opts.slug,
    rateFactor: flavour?.rateFactor ?? 1,
    next(now) {
      counter++;
      const record = generateValue(schema, "", { rng, now, hints, counter }) as Record<string, unknown>;
      let key: string | undefined;
      if (flavour && isObject(record)) {
        const out = flavour.build({ rng, now, state });
        // Cloned: flavour values may be entity state that a bad record must not corrupt.
        for (const [path, value] of Object.entries(out.fields)) setPath(record, path, value === undefined ? undefined : structuredClone(value));
        pruneEmptyObjects(record);
        key = out.key;
      }
      key ??= defaultKey(schema, record, rng);
      if (rng() < badShare) {
        const kind = pick(rng, BAD_KINDS);
        const corrupted = corrupt(kind, schema, record, hints, rng);
        if (corrupted) return { key, value: corrupted.value, headers: { [BAD_HEADER]: corrupted.kind }, bad: corrupted.kind };
      }
      const headers: Record<string, string> = {};
      return { key, value: Buffer.from(JSON.stringify(record)), headers };
    },
  };
}

/** A stable seed per product so two runs produce the same stream shape. */
export function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ---- Generic schema walker ------------------------------------------------------------------

type GenContext = { rng: Rng; now: Date; hints: Map<string, Hint>; counter: number };

/** Optional fields appear in most records, not all, as in real feeds. */
const OPTIONAL_PRESENCE = 0.85;
const MAX_DEPTH = 16;

function generateValue(node: unknown, path: string, ctx: GenContext, depth = 0): unknown {
  if (!isObject(node) || depth > MAX_DEPTH) return null;
  const hint = ctx.hints.get(path) ?? {};
  const enumValues = hint.enum ?? (Array.isArray(node.enum) ? node.enum : undefined);
  if ("const" in node) return node.const;
  if (enumValues && enumValues.length > 0) return pick(ctx.rng, enumValues);
  const variants = (node.oneOf ?? node.anyOf) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) return generateValue(variants[0], path, ctx, depth + 1);
  switch (schemaType(node)) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
      const props = isObject(node.properties) ? node.properties : {};
      for (const [name, child] of Object.entries(props)) {
        const childPath = path ? `${path}.${name}` : name;
        if (!required.has(name) && ctx.rng() > OPTIONAL_PRESENCE) continue;
        out[name] = generateValue(child, childPath, ctx, depth + 1);
      }
      return out;
    }
    case "array": {
      const min = typeof node.minItems === "number" ? node.minItems : 1;
      const n = min + Math.floor(ctx.rng() * 3);
      return Array.from({ length: n }, () => generateValue(node.items, `${path}[]`, ctx, depth + 1));
    }
    case "integer":
    case "number":
      return generateNumber(node, path, hint, ctx);
    case "boolean":
      return ctx.rng() < 0.5;
    case "null":
      return null;
    default:
      return generateString(node, path, hint, ctx);
  }
}

function schemaType(node: Node): string {
  const t = node.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") as string | undefined) ?? "null";
  if (isObject(node.properties)) return "object";
  if (node.items) return "array";
  return "string";
}

function generateNumber(node: Node, path: string, hint: Hint, ctx: GenContext): number {
  const lo = maxDefined(num(node.minimum), num(node.exclusiveMinimum), hint.min);
  const hi = minDefined(num(node.maximum), num(node.exclusiveMaximum), hint.max);
  const leaf = lastSegment(path);
  let value: number;
  if (/lat(itude)?$/.test(leaf)) value = 47.5 + ctx.rng() * 7;
  else if (/lon(gitude)?$/.test(leaf)) value = 6 + ctx.rng() * 8.5;
  else if (lo !== undefined && hi !== undefined) value = lo + ctx.rng() * (hi - lo);
  else if (lo !== undefined) value = lo + ctx.rng() * 100;
  else if (hi !== undefined) value = hi - ctx.rng() * 100;
  else value = ctx.rng() * 1000;
  if (node.type === "integer" || (Array.isArray(node.type) && node.type.includes("integer"))) {
    value = Math.round(value);
    if (lo !== undefined && value < lo) value = Math.ceil(lo);
    if (hi !== undefined && value > hi) value = Math.floor(hi);
    if (num(node.exclusiveMinimum) !== undefined && value <= (node.exclusiveMinimum as number)) value++;
    if (num(node.exclusiveMaximum) !== undefined && value >= (node.exclusiveMaximum as number)) value--;
    return value;
  }
  return Math.round(value * 1000) / 1000;
}

const FIRST = ["Anna", "Jonas", "Lea", "Lukas", "Marie", "Felix", "Sofia", "Elias", "Mila", "Noah", "Clara", "Paul"];
const LAST = ["Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein"];
const COUNTRIES = ["DE", "FR", "NL", "AT", "BE", "PL", "ES", "IT", "DK", "CZ"];

function generateString(node: Node, path: string, hint: Hint, ctx: GenContext): string {
  const { rng, now } = ctx;
  const leaf = lastSegment(path);
  switch (node.format) {
    case "date-time":
      return new Date(now.getTime() - Math.floor(rng() * 5_000)).toISOString();
    case "date":
      return new Date(Date.UTC(1950 + Math.floor(rng() * 55), Math.floor(rng() * 12), 1 + Math.floor(rng() * 28))).toISOString().slice(0, 10);
    case "email":
      return `${pick(rng, FIRST).toLowerCase()}.${pick(rng, LAST).toLowerCase()}${Math.floor(rng() * 100)}@example.com`;
    case "uuid":
      return randomUuid(rng);
    case "ipv4":
      return `${10 + Math.floor(rng() * 180)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;
    case "uri":
      return `https://example.com/${leaf}/${ctx.counter}`;
  }
  const pattern = hint.pattern ?? (typeof node.pattern === "string" ? node.pattern : undefined);
  if (pattern) {
    const fromPattern = stringFromPattern(pattern, rng);
    if (fromPattern !== null) return fromPattern;
  }
  // Names say what a plain string holds often enough to make a new product's data look real.
  if (/msisdn|phone|number$/.test(leaf)) return `+49${pick(rng, ["151", "160", "170", "176"])}${randomDigits(rng, 8)}`;
  if (/imsi/.test(leaf)) return `26201${randomDigits(rng, 10)}`;
  if (/iccid/.test(leaf)) return `894901${randomDigits(rng, 13)}`;
  if (/email/.test(leaf)) return `${pick(rng, FIRST).toLowerCase()}@example.com`;
  if (/country|nationality/.test(leaf)) return pick(rng, COUNTRIES);
  if (/currency/.test(leaf)) return "EUR";
  if (/name$/.test(leaf)) return `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
  if (/(^|_)id$/.test(leaf) || leaf === "id") {
    const parent = path.split(".").slice(-2, -1)[0] ?? leaf;
    return `${parent.replace(/[^a-z]/gi, "").slice(0, 3).toUpperCase() || "ID"}-${randomDigits(rng, 8)}`;
  }
  return `${leaf.replace(/_/g, "-")}-${1 + Math.floor(rng() * 40)}`;
}

/**
 * A string matching a simple regex: literals, escapes (\d \w \. \+ ...), character classes with
 * ranges, and the quantifiers ? * + {n} {n,m}, anchored or not. Groups, alternation and
 * lookarounds return null (the caller falls back to a plain string). Enough for the id, code
 * and number formats contracts use.
 */
export function stringFromPattern(pattern: string, rng: Rng): string | null {
  let src = pattern;
  if (src.startsWith("^")) src = src.slice(1);
  if (src.endsWith("$") && !src.endsWith("\\$")) src = src.slice(0, -1);
  let out = "";
  let i = 0;
  while (i < src.length) {
    let chars: string[];
    const c = src[i];
    if (c === "(" || c === ")" || c === "|" || c === "^" || c === "$") return null;
    if (c === "[") {
      const end = src.indexOf("]", i + 1);
      if (end < 0) return null;
      const set = expandClass(src.slice(i + 1, end));
      if (!set) return null;
      chars = set;
      i = end + 1;
    } else if (c === "\\") {
      const e = src[i + 1];
      if (e === undefined) return null;
      chars = e === "d" ? DIGITS : e === "w" ? WORD : /[a-zA-Z]/.test(e) ? [] : [e];
      if (chars.length === 0) return null;
      i += 2;
    } else if (c === ".") {
      chars = WORD;
      i++;
    } else {
      chars = [c];
      i++;
    }
    let min = 1;
    let max = 1;
    const q = src[i];
    if (q === "?") [min, max, i] = [0, 1, i + 1];
    else if (q === "*") [min, max, i] = [0, 3, i + 1];
    else if (q === "+") [min, max, i] = [1, 3, i + 1];
    else if (q === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return null;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : min + 3) : min;
      i += m[0].length;
    }
    if (max > 200) return null;
    const n = min + Math.floor(rng() * (max - min + 1));
    for (let k = 0; k < n; k++) out += pick(rng, chars);
  }
  return out;
}

const DIGITS = [..."0123456789"];
const WORD = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];

function expandClass(body: string): string[] | null {
  if (body.startsWith("^")) return null;
  const out: string[] = [];
  for (let i = 0; i < body.length; i++) {
    let c = body[i];
    if (c === "\\") {
      const e = body[++i];
      if (e === "d") {
        out.push(...DIGITS);
        continue;
      }
      if (e === "w") {
        out.push(...WORD);
        continue;
      }
      c = e;
    }
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const from = c.charCodeAt(0);
      const to = body.charCodeAt(i + 2);
      if (to < from) return null;
      for (let k = from; k <= to; k++) out.push(String.fromCharCode(k));
      i += 2;
    } else out.push(c);
  }
  return out.length > 0 ? out : null;
}

function ruleHints(rules: unknown): Map<string, Hint> {
  const hints = new Map<string, Hint>();
  if (!Array.isArray(rules)) return hints;
  for (const r of rules) {
    if (!isObject(r) || typeof r.field !== "string" || !isObject(r.params)) continue;
    const h = hints.get(r.field) ?? {};
    if (r.kind === "range") {
      h.min = num(r.params.min) ?? h.min;
      h.max = num(r.params.max) ?? h.max;
    } else if (r.kind === "enum" && Array.isArray(r.params.values)) h.enum = r.params.values;
    else if (r.kind === "pattern" && typeof r.params.pattern === "string") h.pattern = r.params.pattern;
    hints.set(r.field, h);
  }
  return hints;
}

/** The first required id-like string at the top two levels, else a random key. */
function defaultKey(schema: Node, record: unknown, rng: Rng): string {
  for (const leaf of leaves(schema)) {
    if (!leaf.required || !/(^|[._])id$/.test(leaf.path)) continue;
    const v = getPath(record, leaf.path);
    if (typeof v === "string" || typeof v === "number") return String(v);
  }
  return randomUuid(rng);
}

// ---- Bad records ----------------------------------------------------------------------------

type Leaf = { path: string; node: Node; required: boolean };

/** Scalar leaves reachable through objects only (array items are skipped), with requiredness. */
function leaves(schema: Node, prefix = "", parentRequired = true, depth = 0): Leaf[] {
  const out: Leaf[] = [];
  if (depth > MAX_DEPTH || !isObject(schema.properties)) return out;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, child] of Object.entries(schema.properties)) {
    if (!isObject(child)) continue;
    const path = prefix ? `${prefix}.${name}` : name;
    const req = parentRequired && required.has(name);
    if (schemaType(child) === "object") out.push(...leaves(child, path, req, depth + 1));
    else if (schemaType(child) !== "array") out.push({ path, node: child, required: req });
  }
  return out;
}

function corrupt(kind: BadKind, schema: Node, record: Record<string, unknown>, hints: Map<string, Hint>, rng: Rng): { kind: BadKind; value: Buffer } | null {
  if (kind === "unparsable") {
    const json = JSON.stringify(record);
    // A record cut off mid-write, as a crashed producer leaves it.
    return { kind, value: Buffer.from(json.slice(0, Math.max(1, Math.floor(json.length * (0.3 + rng() * 0.5))))) };
  }
  const all = leaves(schema);
  const required = all.filter((l) => l.required && getPath(record, l.path) !== undefined);
  if (kind === "missing-required" && required.length > 0) {
    deletePath(record, pick(rng, required).path);
    return { kind, value: Buffer.from(JSON.stringify(record)) };
  }
  if (kind === "out-of-range") {
    const bounded = required.filter((l) => bounds(l, hints).lo !== undefined || bounds(l, hints).hi !== undefined);
    if (bounded.length > 0) {
      const l = pick(rng, bounded);
      const { lo, hi } = bounds(l, hints);
      const span = lo !== undefined && hi !== undefined ? Math.max(1, hi - lo) : 100;
      const v = hi !== undefined ? hi + span * (0.5 + rng()) : (lo as number) - span * (0.5 + rng());
      setPath(record, l.path, schemaType(l.node) === "integer" ? Math.round(v) : Math.round(v * 1000) / 1000);
      return { kind, value: Buffer.from(JSON.stringify(record)) };
    }
    const enumerated = required.filter((l) => Array.isArray(l.node.enum) || hints.get(l.path)?.enum);
    if (enumerated.length > 0) {
      setPath(record, pick(rng, enumerated).path, "unknown");
      return { kind, value: Buffer.from(JSON.stringify(record)) };
    }
  }
  // wrong-type, and the fallback when a contract has nothing to put out of range
  if (required.length === 0) return null;
  const l = pick(rng, required);
  const t = schemaType(l.node);
  setPath(record, l.path, t === "number" || t === "integer" ? String(getPath(record, l.path)) : t === "boolean" ? "yes" : 42);
  return { kind: "wrong-type", value: Buffer.from(JSON.stringify(record)) };
}

function bounds(l: Leaf, hints: Map<string, Hint>): { lo?: number; hi?: number } {
  const t = schemaType(l.node);
  if (t !== "number" && t !== "integer") return {};
  const h = hints.get(l.path) ?? {};
  return { lo: maxDefined(num(l.node.minimum), h.min), hi: minDefined(num(l.node.maximum), h.max) };
}

// ---- Small helpers --------------------------------------------------------------------------

function isObject(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function maxDefined(...xs: (number | undefined)[]): number | undefined {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length ? Math.max(...d) : undefined;
}

function minDefined(...xs: (number | undefined)[]): number | undefined {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length ? Math.min(...d) : undefined;
}

function lastSegment(path: string): string {
  return (path.split(".").pop() ?? "").replace(/\[\]$/, "").toLowerCase();
}

function getPath(record: unknown, path: string): unknown {
  let cur = record;
  for (const seg of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
  }
  return cur;
}

/** Sets a dotted path, creating objects on the way; `undefined` removes the field. */
export function setPath(record: Record<string, unknown>, path: string, value: unknown): void {
  if (value === undefined) return deletePath(record, path);
  const segs = path.split(".");
  let cur = record;
  for (const seg of segs.slice(0, -1)) {
    if (!isObject(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]] = value;
}

/** Drops objects left empty by removed fields (an IRSF alert has no `sim: {}`). */
function pruneEmptyObjects(node: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(node)) {
    if (!isObject(v)) continue;
    pruneEmptyObjects(v);
    if (Object.keys(v).length === 0) delete node[k];
  }
}

function deletePath(record: Record<string, unknown>, path: string): void {
  const segs = path.split(".");
  let cur: unknown = record;
  for (const seg of segs.slice(0, -1)) {
    if (!isObject(cur)) return;
    cur = cur[seg];
  }
  if (isObject(cur)) delete cur[segs[segs.length - 1]];
}
