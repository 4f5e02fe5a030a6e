/**
 * The quality-rule expression language: a small, total language parsed to an AST and evaluated
 * by a switch. No eval, no Function, no property access beyond the record's own JSON data.
 *
 *   expr     := or
 *   or       := and ("||" and)*
 *   and      := equality ("&&" equality)*
 *   equality := compare (("==" | "!=") compare)*
 *   compare  := in (("<" | "<=" | ">" | ">=") in)*
 *   in       := sum ("in" list)?
 *   sum      := product (("+" | "-") product)*
 *   product  := unary (("*" | "/" | "%") unary)*
 *   unary    := ("!" | "-") unary | primary
 *   primary  := number | string | true | false | null | list | call | field | "(" expr ")"
 *   list     := "[" (expr ("," expr)*)? "]"
 *   call     := has(field) | len(expr) | lower(expr) | upper(expr) | abs(expr) | now()
 *   field    := name ("." name | "[" integer "]")*        e.g. cell.rsrp, cells[0].pci
 *   name     := identifier | `any text but a backtick`   e.g. `event-time`
 *
 * Semantics are strict so a rule never passes by accident: && || ! take booleans; arithmetic and
 * ordering take numbers (ordering also two strings); == compares JSON primitives exactly (a
 * missing field equals null). Anything else is an evaluation error, which fails the rule with
 * that message. now() is the epoch milliseconds passed to the validator.
 *
 * Bounds: EXPR_MAX_LENGTH characters, EXPR_MAX_TOKENS tokens, EXPR_MAX_DEPTH nesting; evaluation
 * has no loops, so its cost is linear in the AST (plus `in` lists and string lengths).
 */
import { isPlainObject, ownValue } from "./types";

export const EXPR_MAX_LENGTH = 2000;
export const EXPR_MAX_TOKENS = 400;
export const EXPR_MAX_DEPTH = 32;
const MAX_STRING_LITERAL = 500;

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%";
export type FuncName = "has" | "len" | "lower" | "upper" | "abs" | "now";

export type Expr =
  | { type: "literal"; value: string | number | boolean | null }
  | { type: "field"; path: (string | number)[] }
  | { type: "list"; items: Expr[] }
  | { type: "unary"; op: "!" | "-"; arg: Expr }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { type: "in"; value: Expr; list: Expr }
  | { type: "call"; name: FuncName; args: Expr[] };

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} at position ${position + 1}`);
    this.name = "ExpressionError";
  }
}

type Token =
  | { kind: "num"; value: number; pos: number }
  | { kind: "str"; value: string; pos: number }
  | { kind: "name"; value: string; pos: number; quoted?: boolean }
  | { kind: "op"; value: string; pos: number }
  | { kind: "end"; pos: number };

const OPERATORS = ["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",", "."];
const FUNCS = new Set<FuncName>(["has", "len", "lower", "upper", "abs", "now"]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    if (tokens.length > EXPR_MAX_TOKENS) throw new ExpressionError(`expression has more than ${EXPR_MAX_TOKENS} tokens`);
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const num = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (num) {
      tokens.push({ kind: "num", value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\") {
          const e = src[j + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", "\\": "\\", '"': '"', "'": "'" };
          if (e === undefined || !(e in map)) throw new ExpressionError("unknown escape in string", j);
          value += map[e];
          j += 2;
        } else {
          value += src[j];
          j++;
        }
        if (value.length > MAX_STRING_LITERAL) throw new ExpressionError(`string longer than ${MAX_STRING_LITERAL} characters`, i);
      }
      if (j >= src.length) throw new ExpressionError("unterminated string", i);
      tokens.push({ kind: "str", value, pos: i });
      i = j + 1;
      continue;
    }
    if (c === "`") {
      // Backticks name a field that is not an identifier: `event-time`, `5g`.
      const end = src.indexOf("`", i + 1);
      if (end < 0) throw new ExpressionError("unterminated `field name`", i);
      const value = src.slice(i + 1, end);
      if (value === "" || value.length > 200) throw new ExpressionError("a `field name` must have 1 to 200 characters", i);
      tokens.push({ kind: "name", value, pos: i, quoted: true });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
    if (name) {
      tokens.push({ kind: "name", value: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected character '${c}'`, i);
    tokens.push({ kind: "op", value: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: "end", pos: src.length });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const e = this.expr();
    const t = this.peek();
    if (t.kind !== "end") throw new ExpressionError(`unexpected '${"value" in t ? t.value : ""}'`, t.pos);
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.value === v;
  }

  private expectOp(v: string): void {
    const t = this.peek();
    if (!(t.kind === "op" && t.value === v)) throw new ExpressionError(`expected '${v}'`, t.pos);
    this.i++;
  }

  private enter(): void {
    if (++this.depth > EXPR_MAX_DEPTH) throw new ExpressionError(`expression nested deeper than ${EXPR_MAX_DEPTH} levels`, this.peek().pos);
  }

  private expr(): Expr {
    this.enter();
    const e = this.binary(0);
    this.depth--;
    return e;
  }

  private static readonly LEVELS: BinaryOp[][] = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="]];

  private binary(level: number): Expr {
    if (level === Parser.LEVELS.length) return this.inExpr();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op" || !(Parser.LEVELS[level] as string[]).includes(t.value)) return left;
      this.i++;
      const right = this.binary(level + 1);
      left = { type: "binary", op: t.value as BinaryOp, left, right };
    }
  }

  private inExpr(): Expr {
    const value = this.sum();
    const t = this.peek();
    if (t.kind === "name" && t.value === "in") {
      this.i++;
      return { type: "in", value, list: this.sum() };
    }
    return value;
  }

  private sum(): Expr {
    let left = this.product();
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.tokens[this.i++] as { value: string }).value as BinaryOp;
      left = { type: "binary", op, left, right: this.product() };
    }
    return left;
  }

  private product(): Expr {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = (this.tokens[this.i++] as { value: string }).value as BinaryOp;
      left = { type: "binary", op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp("!") || this.isOp("-")) {
      const op = (this.tokens[this.i++] as { value: string }).value as "!" | "-";
      this.enter();
      const arg = this.unary();
      this.depth--;
      return { type: "unary", op, arg };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.kind === "num") {
      this.i++;
      return { type: "literal", value: t.value };
    }
    if (t.kind === "str") {
      this.i++;
      return { type: "literal", value: t.value };
    }
    if (t.kind === "op" && t.value === "(") {
      this.i++;
      const e = this.expr();
      this.expectOp(")");
      return e;
    }
    if (t.kind === "op" && t.value === "[") {
      this.i++;
      const items: Expr[] = [];
      if (!this.isOp("]")) {
        do items.push(this.expr());
        while (this.isOp(",") && ++this.i);
      }
      this.expectOp("]");
      return { type: "list", items };
    }
    if (t.kind === "name") {
      this.i++;
      if (t.quoted) return this.field(t.value);
      if (t.value === "true" || t.value === "false") return { type: "literal", value: t.value === "true" };
      if (t.value === "null") return { type: "literal", value: null };
      if (t.value === "in") throw new ExpressionError("unexpected 'in'", t.pos);
      if (this.isOp("(")) return this.call(t.value, t.pos);
      return this.field(t.value);
    }
    throw new ExpressionError(t.kind === "end" ? "unexpected end of expression" : `unexpected '${t.value}'`, t.pos);
  }

  private call(name: string, pos: number): Expr {
    if (!FUNCS.has(name as FuncName)) throw new ExpressionError(`unknown function '${name}'`, pos);
    this.expectOp("(");
    const args: Expr[] = [];
    if (!this.isOp(")")) {
      do args.push(this.expr());
      while (this.isOp(",") && ++this.i);
    }
    this.expectOp(")");
    const arity = name === "now" ? 0 : 1;
    if (args.length !== arity) throw new ExpressionError(`${name}() takes ${arity} argument${arity === 1 ? "" : "s"}`, pos);
    if (name === "has" && args[0].type !== "field") throw new ExpressionError("has() takes a field name", pos);
    return { type: "call", name: name as FuncName, args };
  }

  private field(first: string): Expr {
    const path: (string | number)[] = [first];
    for (;;) {
      if (this.isOp(".")) {
        this.i++;
        const t = this.peek();
        if (t.kind !== "name") throw new ExpressionError("expected a field name after '.'", t.pos);
        path.push(t.value);
        this.i++;
      } else if (this.isOp("[")) {
        this.i++;
        const t = this.peek();
        if (t.kind !== "num" || !Number.isInteger(t.value)) throw new ExpressionError("expected an array index", t.pos);
        path.push(t.value);
        this.i++;
        this.expectOp("]");
      } else {
        return { type: "field", path };
      }
    }
  }
}

/** Parses an expression into an AST. Throws ExpressionError with a position for the owner. */
export function parseExpression(src: string): Expr {
  if (typeof src !== "string" || src.trim() === "") throw new ExpressionError("expression is empty");
  if (src.length > EXPR_MAX_LENGTH) throw new ExpressionError(`expression is longer than ${EXPR_MAX_LENGTH} characters`);
  return new Parser(tokenize(src)).parse();
}

/** Field paths an expression reads, in contract path syntax ("cells[0].pci" -> "cells[].pci"). */
export function expressionFields(e: Expr): string[] {
  const out = new Set<string>();
  const walk = (x: Expr) => {
    switch (x.type) {
      case "field": {
        let p = "";
        for (const seg of x.path) p = typeof seg === "number" ? `${p}[]` : p ? `${p}.${seg}` : seg;
        out.add(p);
        return;
      }
      case "list":
        x.items.forEach(walk);
        return;
      case "unary":
        walk(x.arg);
        return;
      case "binary":
        walk(x.left);
        walk(x.right);
        return;
      case "in":
        walk(x.value);
        walk(x.list);
        return;
      case "call":
        x.args.forEach(walk);
        return;
      case "literal":
        return;
    }
  };
  walk(e);
  return [...out].sort();
}

export type EvalValue = unknown;

export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v;
}

function fieldName(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function readField(record: unknown, path: (string | number)[]): unknown {
  let cur: unknown = record;
  for (const seg of path) {
    if (typeof seg === "number") cur = Array.isArray(cur) && seg < cur.length ? cur[seg] : undefined;
    else cur = isPlainObject(cur) ? ownValue(cur, seg) : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function asBool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw new EvaluationError(`${what} needs true/false, got ${describe(v)}`);
  return v;
}

function asNumber(v: unknown, what: string): number {
  if (typeof v !== "number") throw new EvaluationError(`${what} needs numbers, got ${describe(v)}`);
  return v;
}

function isPrimitive(v: unknown): boolean {
  return v === null || v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function equal(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (!isPrimitive(x) || !isPrimitive(y)) throw new EvaluationError(`== compares single values, got ${describe(a)} and ${describe(b)}`);
  return x === y;
}

/** Evaluates a parsed expression against a record. Throws EvaluationError for type errors. */
export function evaluateExpression(e: Expr, record: unknown, now: number): EvalValue {
  switch (e.type) {
    case "literal":
      return e.value;
    case "field":
      return readField(record, e.path);
    case "list":
      return e.items.map((x) => evaluateExpression(x, record, now));
    case "unary": {
      const v = evaluateExpression(e.arg, record, now);
      return e.op === "!" ? !asBool(v, "!") : -asNumber(v, "unary -");
    }
    case "in": {
      const v = evaluateExpression(e.value, record, now);
      const list = evaluateExpression(e.list, record, now);
      if (!Array.isArray(list)) throw new EvaluationError(`'in' needs a list, got ${describe(list)}`);
      return list.some((item) => isPrimitive(item) && equal(v, item));
    }
    case "call":
      return call(e, record, now);
    case "binary":
      return binary(e, record, now);
  }
}

function call(e: Extract<Expr, { type: "call" }>, record: unknown, now: number): EvalValue {
  if (e.name === "now") return now;
  if (e.name === "has") {
    const v = readField(record, (e.args[0] as Extract<Expr, { type: "field" }>).path);
    return v !== undefined && v !== null;
  }
  const v = evaluateExpression(e.args[0], record, now);
  switch (e.name) {
    case "len":
      if (typeof v === "string" || Array.isArray(v)) return v.length;
      throw new EvaluationError(`len() needs a string or list, got ${describe(v)}`);
    case "lower":
    case "upper":
      if (typeof v !== "string") throw new EvaluationError(`${e.name}() needs a string, got ${describe(v)}`);
      return e.name === "lower" ? v.toLowerCase() : v.toUpperCase();
    case "abs":
      return Math.abs(asNumber(v, "abs()"));
  }
}

function binary(e: Extract<Expr, { type: "binary" }>, record: unknown, now: number): EvalValue {
  if (e.op === "&&") return asBool(evaluateExpression(e.left, record, now), "&&") && asBool(evaluateExpression(e.right, record, now), "&&");
  if (e.op === "||") return asBool(evaluateExpression(e.left, record, now), "||") || asBool(evaluateExpression(e.right, record, now), "||");
  const a = evaluateExpression(e.left, record, now);
  const b = evaluateExpression(e.right, record, now);
  switch (e.op) {
    case "==":
      return equal(a, b);
    case "!=":
      return !equal(a, b);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const bothNumbers = typeof a === "number" && typeof b === "number";
      const bothStrings = typeof a === "string" && typeof b === "string";
      if (!bothNumbers && !bothStrings) {
        const which = e.left.type === "field" && a === undefined ? fieldName(e.left.path) : e.right.type === "field" && b === undefined ? fieldName(e.right.path) : null;
        throw new EvaluationError(which ? `${which} is missing` : `cannot order ${describe(a)} and ${describe(b)} with ${e.op}`);
      }
      const x = a as number | string;
      const y = b as number | string;
      return e.op === "<" ? x < y : e.op === "<=" ? x <= y : e.op === ">" ? x > y : x >= y;
    }
    case "+":
    case "-":
    case "*":
    case "/":
    case "%": {
      const x = asNumber(a, e.op);
      const y = asNumber(b, e.op);
      if ((e.op === "/" || e.op === "%") && y === 0) throw new EvaluationError("division by zero");
      const r = e.op === "+" ? x + y : e.op === "-" ? x - y : e.op === "*" ? x * y : e.op === "/" ? x / y : x % y;
      if (!Number.isFinite(r)) throw new EvaluationError("arithmetic overflow");
      return r;
    }
  }
}

/** Parses once; the returned predicate says whether a record passes, or why not. */
export function compileExpression(src: string): (record: unknown, now: number) => { ok: true } | { ok: false; reason: string } {
  const ast = parseExpression(src);
  return (record, now) => {
    try {
      const v = evaluateExpression(ast, record, now);
      if (v === true) return { ok: true };
      if (v === false) return { ok: false, reason: "expression is false" };
      return { ok: false, reason: `expression gave ${describe(v)}, not true/false` };
    } catch (err) {
      if (err instanceof EvaluationError) return { ok: false, reason: err.message };
      throw err;
    }
  };
}
