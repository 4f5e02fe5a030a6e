import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileExpression, evaluateExpression, EXPR_MAX_DEPTH, EXPR_MAX_LENGTH, ExpressionError, expressionFields, parseExpression } from "./expression";
import { checkPatternSafety, REGEX_MAX_LENGTH } from "./regex-safety";

const rec = { cell: { rsrp: -95.5, rat: "NR" }, status: "ok", count: 3, cells: [{ pci: 7 }], flag: true, nothing: null, "event-time": "now", meta: { "x.y": 1 }, true: 2 };
const NOW = Date.UTC(2026, 10, 22);
const run = (src: string, r: unknown = rec) => evaluateExpression(parseExpression(src), r, NOW);

describe("expression language", () => {
  it.each([
    ["cell.rsrp >= -140 && cell.rsrp <= -44", true],
    ["cell.rat == 'NR' || cell.rat == \"LTE\"", true],
    ["!(status != 'ok')", true],
    ["count * 2 + 1 == 7", true],
    ["count % 2 == 1 && -count < 0", true],
    ["cells[0].pci == 7", true],
    ["cells[5].pci == null", true],
    ["cell.rat in ['NR', 'LTE']", true],
    ["status in ['bad']", false],
    ["has(cell.rsrp) && !has(cell.missing) && !has(nothing)", true],
    ["len(status) == 2 && len(cells) == 1", true],
    ["lower(cell.rat) == 'nr' && upper(status) == 'OK'", true],
    ["abs(cell.rsrp) > 90", true],
    ["now() == 1795305600000", true],
    ["missing == null", true],
    ["'b' > 'a'", true],
    ["flag", true],
    ["`event-time` == 'now' && meta.`x.y` == 1 && `true` == 2", true],
  ])("%s -> %s", (src, expected) => {
    expect(run(src)).toBe(expected);
  });

  it("follows precedence: && binds tighter than ||, comparison tighter than &&", () => {
    expect(run("true || false && false")).toBe(true);
    expect(run("(true || false) && false")).toBe(false);
    expect(run("1 + 2 * 3 == 7")).toBe(true);
  });

  it("reports type errors instead of coercing", () => {
    const p = compileExpression("cell.rsrp > 'x'");
    expect(p(rec, NOW)).toEqual({ ok: false, reason: "cannot order number and string with >" });
    expect(compileExpression("missing.field > 3")(rec, NOW)).toEqual({ ok: false, reason: "missing.field is missing" });
    expect(compileExpression("count && true")(rec, NOW)).toMatchObject({ ok: false, reason: expect.stringMatching(/needs true\/false/) });
    expect(compileExpression("count / 0 == 1")(rec, NOW)).toEqual({ ok: false, reason: "division by zero" });
    expect(compileExpression("count + 1")(rec, NOW)).toMatchObject({ ok: false, reason: expect.stringMatching(/not true\/false/) });
    expect(compileExpression("cell == 1")(rec, NOW)).toMatchObject({ ok: false });
  });

  it("rejects syntax errors with a position", () => {
    for (const bad of ["a ==", "a = 1", "(a", "a b", "1 +* 2", "'open", "foo(1)", "has(1)", "len()", "a.", "a[x]", "a in", "`x", "``", "a; b", "a => b"]) {
      expect(() => parseExpression(bad), bad).toThrow(ExpressionError);
    }
    expect(() => parseExpression("a ==")).toThrow(/position 5/);
  });

  it("lists the fields it reads in contract path syntax", () => {
    expect(expressionFields(parseExpression("cells[0].pci > 1 && has(cell.rsrp) || status in ['a']"))).toEqual(["cell.rsrp", "cells[].pci", "status"]);
  });
});

describe("expression language against hostile input", () => {
  it("never reaches prototypes: constructor, __proto__, prototype are plain missing fields", () => {
    const r = {};
    expect(run("constructor == null", r)).toBe(true);
    expect(run("__proto__ == null", r)).toBe(true);
    expect(run("has(constructor.prototype)", r)).toBe(false);
    expect(run("has(toString)", r)).toBe(false);
    expect(() => parseExpression("constructor.constructor('return process')()")).toThrow(ExpressionError);
    expect(() => parseExpression("this.process.exit(1)")).toThrow(ExpressionError);
    // A record may carry such keys as data; they are read as data, not executed.
    const evil = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "x"}');
    expect(run("constructor == 'x'", evil)).toBe(true);
    expect(run("__proto__.polluted == 1", evil)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("bounds nesting, length and token count", () => {
    expect(() => parseExpression("(".repeat(EXPR_MAX_DEPTH + 5) + "1" + ")".repeat(EXPR_MAX_DEPTH + 5))).toThrow(/nested deeper/);
    expect(() => parseExpression("!".repeat(200) + "true")).toThrow(/nested deeper/);
    expect(() => parseExpression("[".repeat(10_000))).toThrow(ExpressionError);
    expect(() => parseExpression("a".repeat(EXPR_MAX_LENGTH + 1))).toThrow(/longer than/);
    expect(() => parseExpression(Array.from({ length: 500 }, () => "1").join("+"))).toThrow(/tokens/);
    expect(() => parseExpression("'" + "x".repeat(600) + "'")).toThrow(/string longer/);
  });

  it("never throws anything but ExpressionError for random input (property)", () => {
    const alphabet = fc.constantFrom(..."abc_.[]()!&|=<>+-*/%'\"0123456789 ,inhasnowlenconstructor__proto__".split(""));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }).map((a) => a.join("")), (src) => {
        try {
          const ast = parseExpression(src);
          try {
            evaluateExpression(ast, rec, NOW);
          } catch (e) {
            expect((e as Error).name).toBe("EvaluationError");
          }
        } catch (e) {
          expect(e).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("regex safety", () => {
  it.each([
    "^\\+[1-9]\\d{7,14}$",
    "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",
    "^(\\d{1,3}\\.){3}\\d{1,3}$",
    "^(foo|bar)+$",
    "^(\\+|00|x)+;$",
    "^[A-Z]{2}\\d{2}[A-Z0-9]{11,30}$",
    "^(?:\\d+)?x$",
    "^cell-[0-9]+$",
  ])("accepts %s", (p) => {
    expect(checkPatternSafety(p)).toBeNull();
  });

  it.each([
    ["(a+)+$", /nested quantifiers/],
    ["^(a*)*b", /nested quantifiers/],
    ["^(\\w+\\s?)*$", /nested quantifiers/],
    ["(.*a){20}", /nested quantifiers/],
    ["^((ab)+)+$", /nested quantifiers/],
    ["^(a|a)*$", /overlap/],
    ["^(a|ab)*c", /overlap/],
    ["^(\\w|\\d)+$", /overlap/],
    ["^(a|[a-z])+$", /overlap/],
    ["^((a)|(b))+$", /overlap/],
    ["^.*.*=", /adjacent/],
    ["\\d+\\d*x", /adjacent/],
    ["(a)\\1", /backreferences/],
    ["(?<x>a)\\k<x>", /backreferences/],
    ["(", /does not compile/],
  ])("rejects %s", (p, why) => {
    expect(checkPatternSafety(p)).toMatch(why);
  });

  it("rejects long patterns and unknown flags", () => {
    expect(checkPatternSafety("a".repeat(REGEX_MAX_LENGTH + 1))).toMatch(/longer/);
    expect(checkPatternSafety("a", "g")).toMatch(/flags/);
  });
});
