import { scalarFamily } from "./paths";
import { DEFAULT_REDACTION } from "./rules";
import { encodeBase32, type StrategyKeys } from "./keys";
import type { MaskRule, TruncateUnit } from "./types";

/**
 * Leaf transforms. Each is built once per compiled policy and then called per value, so all
 * per-rule decisions (settings, keys, declared type) are made here, outside the hot path.
 *
 * Semantics, per strategy (null in always gives null out: it carries no value to hide):
 * - keep: the value itself; it must be a JSON scalar matching the declared type.
 * - redact: text becomes the replacement (default "[REDACTED]"); anything else becomes null,
 *   because an invented number or boolean would be mistaken for data. Never fails.
 * - hash: lower-case hex HMAC-SHA-256 of the value's text with the product's hash key (64 chars).
 *   Text and numbers only: the hash of a boolean has two possible values and reveals it.
 * - tokenize: "tok_" + 32 base32 chars (160 bits of HMAC with a separate key); with
 *   format "preserve", every digit is replaced by a digit and every letter by a letter of the same
 *   case, punctuation and spaces kept, so "+44 7700 900123" looks like a phone number. Tokens are
 *   one-way: there is no vault, and re-identification means reading the full-access tier.
 *   Preserved-format tokens of short values can collide; use the opaque format for join keys.
 * - partial: text only; keeps keepFirst leading and keepLast trailing characters and replaces the
 *   rest one for one with maskChar (default "*"). When that would reveal more than half of the
 *   value, everything is masked: a 4-character value under keepLast 4 must not pass whole.
 * - generalize: decimals (round to n decimals), bucket (floor to a multiple), significant (round
 *   to n significant digits), truncate (ISO 8601 date or date-time text, or epoch ms/s numbers, in
 *   UTC; date-times without a zone are read as UTC and come back as ...Z), prefixBits (IPv4 text,
 *   host bits zeroed).
 */

/** Thrown inside a policy walk and turned into `{ ok: false, reason }` at the top. */
export class MaskFailure {
  constructor(readonly reason: string) {}
}

export type LeafTransform = (value: unknown) => unknown;

type TypeCheck = (v: unknown) => boolean;

const isScalar: TypeCheck = (v) => typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

function typeCheckFor(type: string | undefined): { check: TypeCheck; label: string } {
  switch (scalarFamily(type)) {
    case "string":
      return { check: (v) => typeof v === "string", label: "text" };
    case "number":
      return { check: (v) => typeof v === "number" && Number.isFinite(v), label: "a number" };
    case "integer":
      return { check: (v) => typeof v === "number" && Number.isInteger(v), label: "a whole number" };
    case "boolean":
      return { check: (v) => typeof v === "boolean", label: "true or false" };
    default:
      return { check: isScalar, label: "a single value (text, number or true/false)" };
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;
const OTHER_ALNUM = /[\p{L}\p{N}]/u;

function codePoints(s: string): string[] | null {
  return SURROGATE.test(s) ? Array.from(s) : null;
}

function textOf(v: unknown, path: string, strategy: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") throw new MaskFailure(`${path}: ${strategy} of a true/false value would reveal it`);
  throw new MaskFailure(`${path}: ${strategy} needs text or a number`);
}

function buildTokenizePreserve(key: StrategyKeys["token"], path: string): LeafTransform {
  return (v) => {
    const s = textOf(v, path, "tokenize");
    const chars = codePoints(s) ?? s;
    let stream: Buffer = Buffer.alloc(0);
    let block = 0;
    let out = "";
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (i >= stream.length) {
        // Counter mode over HMAC: one 32-byte block per 32 characters of the value.
        const next = key.bytes(`${block++}\u0000${s}`);
        stream = block === 1 ? next : Buffer.concat([stream, next]);
      }
      const b = stream[i];
      if (c >= "0" && c <= "9") out += String.fromCharCode(48 + (b % 10));
      else if (c >= "a" && c <= "z") out += String.fromCharCode(97 + (b % 26));
      else if (c >= "A" && c <= "Z") out += String.fromCharCode(65 + (b % 26));
      // Letters and digits of other scripts would otherwise pass unchanged.
      else if (OTHER_ALNUM.test(c)) out += String.fromCharCode(97 + (b % 26));
      else out += c;
    }
    return out;
  };
}

function buildPartial(keepFirst: number, keepLast: number, maskChar: string, path: string): LeafTransform {
  const visible = keepFirst + keepLast;
  return (v) => {
    if (typeof v !== "string") throw new MaskFailure(`${path}: partial needs text`);
    const cps = codePoints(v);
    const len = cps ? cps.length : v.length;
    if (visible * 2 > len) return maskChar.repeat(len);
    const head = cps ? cps.slice(0, keepFirst).join("") : v.slice(0, keepFirst);
    const tail = keepLast === 0 ? "" : cps ? cps.slice(len - keepLast).join("") : v.slice(len - keepLast);
    return head + maskChar.repeat(len - visible) + tail;
  };
}

function decimalsOf(x: number): number {
  const s = String(x);
  const e = s.indexOf("e-");
  if (e >= 0) return Number(s.slice(e + 2)) + Math.max(0, s.indexOf(".") >= 0 ? e - s.indexOf(".") - 1 : 0);
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

function requireNumber(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new MaskFailure(`${path}: generalize needs a number`);
  return v;
}

function buildBucket(bucket: number, path: string): LeafTransform {
  const places = Math.min(20, decimalsOf(bucket));
  return (v) => {
    const q = requireNumber(v, path) / bucket;
    // 0.3 / 0.1 is 2.9999999999999996 in binary floating point; it belongs in bucket 3.
    const nearest = Math.round(q);
    const k = Math.abs(q - nearest) < 1e-9 * Math.max(1, Math.abs(q)) ? nearest : Math.floor(q);
    const r = k * bucket;
    return places > 0 ? Number(r.toFixed(places)) : r;
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function truncateEpochMs(t: number, unit: TruncateUnit): number {
  if (unit === "month" || unit === "year") {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), unit === "year" ? 0 : d.getUTCMonth(), 1);
  }
  return Math.floor(t / MS[unit]) * MS[unit];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function truncateIso(s: string, unit: TruncateUnit, path: string): string {
  const m = ISO.exec(s);
  if (!m) throw new MaskFailure(`${path}: truncate needs an ISO 8601 date or date-time`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Date.UTC reads years below 100 as 19xx; no real event stream needs years before 1000.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new MaskFailure(`${path}: truncate needs a real calendar date`);
  }
  const [, y, mo, d, h, mi] = m;
  if (h === undefined) {
    // A date alone has nothing below a day to cut.
    if (unit === "year") return `${y}-01-01`;
    if (unit === "month") return `${y}-${mo}-01`;
    return `${y}-${mo}-${d}`;
  }
  const hour = Number(h);
  const minute = Number(mi);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 60) throw new MaskFailure(`${path}: truncate needs a valid time of day`);
  const zone = m[8];
  const utc = zone === undefined || zone === "Z" || zone === "z";
  if (utc) {
    // The common case needs no date arithmetic: the result is a prefix of the input, zero-filled.
    switch (unit) {
      case "minute":
        return `${y}-${mo}-${d}T${h}:${mi}:00.000Z`;
      case "hour":
        return `${y}-${mo}-${d}T${h}:00:00.000Z`;
      case "day":
        return `${y}-${mo}-${d}T00:00:00.000Z`;
      case "month":
        return `${y}-${mo}-01T00:00:00.000Z`;
      case "year":
        return `${y}-01-01T00:00:00.000Z`;
    }
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  let offsetMin = 0;
  if (!utc) {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  return new Date(truncateEpochMs(t, unit)).toISOString();
}

function buildTruncate(unit: TruncateUnit, epochUnit: "ms" | "s", path: string): LeafTransform {
  const scale = epochUnit === "s" ? 1000 : 1;
  return (v) => {
    if (typeof v === "string") return truncateIso(v, unit, path);
    if (typeof v === "number" && Number.isFinite(v) && Math.abs(v * scale) <= 8.64e15) {
      return truncateEpochMs(v * scale, unit) / scale;
    }
    throw new MaskFailure(`${path}: truncate needs a timestamp`);
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function buildPrefix(bits: number, path: string): LeafTransform {
  // `>>> 0` keeps the mask an unsigned 32-bit number (1 << 32 would wrap to 1).
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (v) => {
    const m = typeof v === "string" ? IPV4.exec(v) : null;
    if (!m) throw new MaskFailure(`${path}: prefixBits needs an IPv4 address`);
    let n = 0;
    for (let i = 1; i <= 4; i++) {
      const octet = Number(m[i]);
      if (octet > 255) throw new MaskFailure(`${path}: prefixBits needs an IPv4 address`);
      n = n * 256 + octet;
    }
    const r = (n & mask) >>> 0;
    return `${r >>> 24}.${(r >>> 16) & 255}.${(r >>> 8) & 255}.${r & 255}`;
  };
}

/**
 * Builds the transform for one leaf field. `keys` may be null only when the rule needs none
 * (the compiler checks this before calling).
 */
export function buildLeafTransform(rule: MaskRule, path: string, type: string | undefined, keys: StrategyKeys | null): LeafTransform {
  const { check, label } = typeCheckFor(type);
  const typed = (inner: LeafTransform): LeafTransform => (v) => {
    if (v === null) return null;
    if (!check(v)) throw new MaskFailure(`${path}: expected ${label}`);
    return inner(v);
  };
  switch (rule.strategy) {
    case "keep":
      return typed((v) => v);
    case "drop":
      throw new Error("drop is resolved by the compiler, not by a transform");
    case "redact": {
      const replacement = rule.replacement ?? DEFAULT_REDACTION;
      return (v) => (typeof v === "string" ? replacement : null);
    }
    case "hash": {
      const key = keys!.hash;
      return typed((v) => key.hex(textOf(v, path, "hash")));
    }
    case "tokenize": {
      if (rule.format === "preserve") return typed(buildTokenizePreserve(keys!.token, path));
      const key = keys!.token;
      return typed((v) => "tok_" + encodeBase32(key.bytes(textOf(v, path, "tokenize")), 20));
    }
    case "partial":
      return typed(buildPartial(rule.keepFirst ?? 0, rule.keepLast ?? 0, rule.maskChar ?? "*", path));
    case "generalize": {
      if ("decimals" in rule) {
        const f = 10 ** rule.decimals;
        return typed((v) => {
          const n = requireNumber(v, path);
          // Beyond 2^52 a double has no fractional digits left to round away.
          return Math.abs(n) >= 2 ** 52 ? n : Math.round(n * f) / f;
        });
      }
      if ("bucket" in rule) return typed(buildBucket(rule.bucket, path));
      if ("significant" in rule) {
        const digits = rule.significant;
        return typed((v) => Number(requireNumber(v, path).toPrecision(digits)));
      }
      if ("truncate" in rule) return typed(buildTruncate(rule.truncate, rule.epochUnit ?? "ms", path));
      return typed(buildPrefix(rule.prefixBits, path));
    }
  }
}

export function ruleNeedsKey(rule: MaskRule): boolean {
  return rule.strategy === "hash" || rule.strategy === "tokenize";
}
