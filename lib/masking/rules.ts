import { scalarFamily, typeIncludes } from "./paths";
import { MASK_STRATEGIES, type MaskRule, type MaskStrategy, type TruncateUnit } from "./types";

/**
 * Parsing of one rule as stored in masking_tiers.rules. Strict on purpose: an unknown setting is
 * an error rather than ignored, because a misspelt "keeplast" silently falling back to a default
 * is how masking policies end up revealing more than their author meant.
 */

export const DEFAULT_REDACTION = "[REDACTED]";
export const DEFAULT_KEEP_LAST = 4;
const MAX_KEEP = 64;
const MAX_REPLACEMENT = 64;
const TRUNCATE_UNITS: readonly TruncateUnit[] = ["minute", "hour", "day", "month", "year"];
const GENERALIZE_KINDS = ["decimals", "bucket", "significant", "truncate", "prefixBits"] as const;

type Parsed = { ok: true; rule: MaskRule } | { ok: false; message: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

export function parseMaskRule(raw: unknown): Parsed {
  if (!isPlainObject(raw)) return { ok: false, message: "A rule must be an object such as { strategy: \"hash\" }." };
  const strategy = raw.strategy;
  if (typeof strategy !== "string" || !MASK_STRATEGIES.includes(strategy as MaskStrategy)) {
    return { ok: false, message: `Unknown strategy ${JSON.stringify(strategy)}; use one of ${MASK_STRATEGIES.join(", ")}.` };
  }
  const settings = Object.keys(raw).filter((k) => k !== "strategy");
  const only = (allowed: readonly string[]): string | null => {
    const extra = settings.find((k) => !allowed.includes(k));
    return extra === undefined ? null : `Unknown setting "${extra}" for ${strategy}${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}.`;
  };
  const fail = (message: string): Parsed => ({ ok: false, message });

  switch (strategy as MaskStrategy) {
    case "keep":
    case "drop":
    case "hash": {
      const bad = only([]);
      return bad ? fail(bad) : { ok: true, rule: { strategy } as MaskRule };
    }
    case "redact": {
      const bad = only(["replacement"]);
      if (bad) return fail(bad);
      if (raw.replacement === undefined) return { ok: true, rule: { strategy: "redact" } };
      if (typeof raw.replacement !== "string" || raw.replacement.length > MAX_REPLACEMENT) {
        return fail(`The replacement must be text of at most ${MAX_REPLACEMENT} characters.`);
      }
      return { ok: true, rule: { strategy: "redact", replacement: raw.replacement } };
    }
    case "partial": {
      const bad = only(["keepLast", "keepFirst", "maskChar"]);
      if (bad) return fail(bad);
      for (const k of ["keepLast", "keepFirst"] as const) {
        if (raw[k] !== undefined && !isIntIn(raw[k], 0, MAX_KEEP)) return fail(`${k} must be a whole number from 0 to ${MAX_KEEP}.`);
      }
      if (raw.maskChar !== undefined && (typeof raw.maskChar !== "string" || [...raw.maskChar].length !== 1)) {
        return fail("maskChar must be exactly one character.");
      }
      const keepFirst = (raw.keepFirst as number | undefined) ?? 0;
      const keepLast = (raw.keepLast as number | undefined) ?? (raw.keepFirst === undefined ? DEFAULT_KEEP_LAST : 0);
      const rule: MaskRule = { strategy: "partial", keepFirst, keepLast };
      if (raw.maskChar !== undefined) rule.maskChar = raw.maskChar as string;
      return { ok: true, rule };
    }
    case "generalize": {
      const kinds = GENERALIZE_KINDS.filter((k) => raw[k] !== undefined);
      if (kinds.length !== 1) {
        return fail(`generalize needs exactly one of ${GENERALIZE_KINDS.join(", ")}${kinds.length ? ` (got ${kinds.join(" and ")})` : ""}.`);
      }
      const kind = kinds[0];
      const bad = only(kind === "truncate" ? ["truncate", "epochUnit"] : [kind]);
      if (bad) return fail(bad);
      switch (kind) {
        case "decimals":
          if (!isIntIn(raw.decimals, 0, 10)) return fail("decimals must be a whole number from 0 to 10.");
          return { ok: true, rule: { strategy: "generalize", decimals: raw.decimals } };
        case "bucket":
          if (typeof raw.bucket !== "number" || !Number.isFinite(raw.bucket) || raw.bucket <= 0) {
            return fail("bucket must be a number greater than 0.");
          }
          return { ok: true, rule: { strategy: "generalize", bucket: raw.bucket } };
        case "significant":
          if (!isIntIn(raw.significant, 1, 15)) return fail("significant must be a whole number from 1 to 15.");
          return { ok: true, rule: { strategy: "generalize", significant: raw.significant } };
        case "truncate": {
          if (!TRUNCATE_UNITS.includes(raw.truncate as TruncateUnit)) {
            return fail(`truncate must be one of ${TRUNCATE_UNITS.join(", ")}.`);
          }
          if (raw.epochUnit !== undefined && raw.epochUnit !== "ms" && raw.epochUnit !== "s") {
            return fail('epochUnit must be "ms" or "s".');
          }
          const rule: MaskRule = { strategy: "generalize", truncate: raw.truncate as TruncateUnit };
          if (raw.epochUnit !== undefined) rule.epochUnit = raw.epochUnit as "ms" | "s";
          return { ok: true, rule };
        }
        case "prefixBits":
          if (!isIntIn(raw.prefixBits, 0, 32)) return fail("prefixBits must be a whole number from 0 to 32.");
          return { ok: true, rule: { strategy: "generalize", prefixBits: raw.prefixBits } };
      }
      return fail("generalize settings are not valid.");
    }
    case "tokenize": {
      const bad = only(["format"]);
      if (bad) return fail(bad);
      if (raw.format !== undefined && raw.format !== "opaque" && raw.format !== "preserve") {
        return fail('format must be "opaque" or "preserve".');
      }
      return { ok: true, rule: raw.format === undefined ? { strategy: "tokenize" } : { strategy: "tokenize", format: raw.format } };
    }
  }
}

/**
 * Whether a rule can work on a leaf of the declared contract type (JSON Schema or Avro names).
 * Mixed or unknown types ("integer|string", "any", absent) are checked per record instead.
 * Returns the problem, or null when the pair is sensible.
 */
export function checkRuleForType(rule: MaskRule, type: string | undefined): string | null {
  if (typeIncludes(type, ["object", "array", "map", "record"]) && rule.strategy !== "drop" && rule.strategy !== "redact") {
    return `This field (${type}) has no fields of its own listed; list the fields inside it, or drop or redact it.`;
  }
  const t = scalarFamily(type);
  if (t === null) return null;
  const numeric = t === "number" || t === "integer";
  switch (rule.strategy) {
    case "keep":
    case "drop":
    case "redact":
      return null;
    case "hash":
    case "tokenize":
      if (t === "boolean") return `${rule.strategy} of a true/false value still reveals it (two possible outputs); drop or redact it.`;
      return null;
    case "partial":
      return t === "string" ? null : "partial applies to text; use generalize for numbers.";
    case "generalize":
      if ("truncate" in rule) return t === "string" || numeric ? null : "truncate applies to timestamps (ISO 8601 text or epoch numbers).";
      if ("prefixBits" in rule) return t === "string" ? null : "prefixBits applies to IPv4 addresses written as text.";
      if (!numeric) return "Rounding applies to numbers.";
      if ("decimals" in rule && t === "integer") return "decimals does not change whole numbers; use bucket or significant.";
      return null;
  }
}
