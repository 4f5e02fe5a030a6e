/**
 * Quality rules, compiled once per contract version and run on every record by the router.
 *
 * Semantics per kind (field paths as in ./paths.ts; a rule on "cells[].rsrp" applies to each cell):
 * - required: the value is present and not null.
 * - range: a present value is a number within params.min..params.max (inclusive).
 * - pattern: a present value is a string, at most REGEX_MAX_INPUT characters, matching
 *   params.pattern (checked for catastrophic backtracking when compiled).
 * - enum: a present value is one of params.values.
 * - max_age: a present value is a timestamp (ISO 8601 string, or a number of epoch milliseconds)
 *   no older than params.seconds relative to the `now` the validator is given.
 * - expression: params.expression (./expression.ts) evaluates to true for the record.
 * Absent values pass every kind but "required": presence is the required rule's job, so each
 * gap is reported once. Reasons name the rule and the field, never the value, so DLQ headers and
 * quality-incident reasons carry no record data.
 */
import { compileExpression, ExpressionError } from "./expression";
import { parsePath, valuesAt, type PathSegment } from "./paths";
import { compileSafePattern, REGEX_MAX_INPUT } from "./regex-safety";
import { qualityRuleSchema } from "./schemas";
import type { QualityRule } from "./types";

export type CompiledRule = { id: string; kind: QualityRule["kind"]; field: string; check: (record: unknown, now: number) => string | null };

export class RuleError extends Error {
  constructor(
    readonly ruleId: string,
    message: string,
  ) {
    super(`rule ${ruleId}: ${message}`);
    this.name = "RuleError";
  }
}

/** Parses an ISO 8601 string or epoch-milliseconds number to epoch milliseconds, or null. */
export function toEpochMillis(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string" || v.length > 64) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

function label(field: string): string {
  return field === "" ? "(record)" : field;
}

/** Compiles one rule. Throws RuleError when params are invalid or a pattern/expression is unsafe. */
export function compileRule(raw: unknown): CompiledRule {
  const parsed = qualityRuleSchema.safeParse(raw);
  const id = typeof (raw as { id?: unknown })?.id === "string" ? (raw as { id: string }).id : "?";
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleError(id, `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  const rule = parsed.data;
  const segments: PathSegment[] = parsePath(rule.field);
  const prefix = `rule ${rule.id} (${rule.kind}): ${label(rule.field)}`;
  const each = (record: unknown, test: (v: unknown) => string | null): string | null => {
    for (const v of valuesAt(record, segments)) {
      if (rule.kind !== "required" && (v === undefined || v === null)) continue;
      const problem = test(v);
      if (problem) return `${prefix} ${problem}`;
    }
    return null;
  };
  switch (rule.kind) {
    case "required":
      if (rule.field === "") throw new RuleError(rule.id, "required needs a field");
      return { ...rule, check: (r) => each(r, (v) => (v === undefined || v === null ? "is missing" : null)) };
    case "range": {
      const { min, max } = rule.params;
      return {
        ...rule,
        check: (r) =>
          each(r, (v) => {
            if (typeof v !== "number") return "is not a number";
            if (min !== undefined && v < min) return `is below the minimum ${min}`;
            if (max !== undefined && v > max) return `is above the maximum ${max}`;
            return null;
          }),
      };
    }
    case "pattern": {
      let re: RegExp;
      try {
        re = compileSafePattern(rule.params.pattern, rule.params.flags ?? "");
      } catch (e) {
        throw new RuleError(rule.id, (e as Error).message);
      }
      return {
        ...rule,
        check: (r) =>
          each(r, (v) => {
            if (typeof v !== "string") return "is not a string";
            if (v.length > REGEX_MAX_INPUT) return `is longer than ${REGEX_MAX_INPUT} characters`;
            re.lastIndex = 0;
            return re.test(v) ? null : "does not match the pattern";
          }),
      };
    }
    case "enum": {
      const allowed = new Set<unknown>(rule.params.values);
      const shown = rule.params.values.slice(0, 10).map((x) => JSON.stringify(x)).join(", ") + (rule.params.values.length > 10 ? ", ..." : "");
      return { ...rule, check: (r) => each(r, (v) => (allowed.has(v) ? null : `is not one of ${shown}`)) };
    }
    case "max_age": {
      const limitMs = rule.params.seconds * 1000;
      return {
        ...rule,
        check: (r, now) =>
          each(r, (v) => {
            const t = toEpochMillis(v);
            if (t === null) return "is not a timestamp";
            return now - t > limitMs ? `is older than ${rule.params.seconds} s` : null;
          }),
      };
    }
    case "expression": {
      let predicate: ReturnType<typeof compileExpression>;
      try {
        predicate = compileExpression(rule.params.expression);
      } catch (e) {
        if (e instanceof ExpressionError) throw new RuleError(rule.id, `expression does not parse: ${e.message}`);
        throw e;
      }
      const exprPrefix = `rule ${rule.id} (expression)`;
      return {
        ...rule,
        check: (r, now) => {
          const res = predicate(r, now);
          return res.ok ? null : `${exprPrefix}: ${res.reason}`;
        },
      };
    }
  }
}

/** Compiles a contract's rule list; duplicate ids are an error because reasons name rules by id. */
export function compileRules(rules: readonly unknown[]): CompiledRule[] {
  const seen = new Set<string>();
  return rules.map((r) => {
    const c = compileRule(r);
    if (seen.has(c.id)) throw new RuleError(c.id, "rule id is used twice");
    seen.add(c.id);
    return c;
  });
}
