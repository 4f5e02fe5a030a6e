import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMaskingPolicy, deriveProductKey, type MaskingField } from "@/lib/masking";

/**
 * Property tests over random contracts, random policies and random records.
 *
 * Making "no PII value appears, not even as a substring" meaningful needs value domains that
 * cannot collide by chance: a PII value like "7" would be found inside any number in the output
 * and prove nothing. So the generators keep personal and non-personal values apart:
 * - personal text is "PII" + 10..16 of [A-Z0-9]; non-personal text is lower-case letters only, and
 *   redaction replacements and mask characters never use upper case;
 * - personal integers have 11..13 digits and end in 7 (so no bucket or rounding leaves them
 *   as they are); non-personal integers are 0..999;
 * - personal decimals have exactly 7 decimal places; non-personal numbers are multiples of 0.25
 *   below 1000;
 * - personal timestamps have non-zero milliseconds and personal IPv4 addresses a non-zero last
 *   octet, so every truncation and prefix changes them; non-personal strings have no digits;
 * - personal booleans cannot be found by searching text, so for them the property is that the
 *   output holds null or nothing at their path.
 * Unknown fields are named "xunknown<n>" (contract names have at most 6 letters) and carry the
 * marker "UNKNOWN" in their values.
 */

type LeafKind = "text" | "timestamp" | "ipv4" | "integer" | "number" | "boolean";
type Leaf = { kind: "leaf"; value: LeafKind; pii: boolean; array: boolean };
type Obj = { kind: "object"; array: boolean; children: [string, Node][] };
type Node = Leaf | Obj;

const TYPE_OF: Record<LeafKind, string> = {
  text: "string",
  timestamp: "string",
  ipv4: "string",
  integer: "integer",
  number: "number",
  boolean: "boolean",
};

const name = fc.stringMatching(/^[a-z]{1,6}$/);

const leafArb: fc.Arbitrary<Leaf> = fc
  .record({
    pii: fc.boolean(),
    array: fc.boolean(),
    value: fc.constantFrom<LeafKind>("text", "integer", "number", "boolean", "timestamp", "ipv4"),
  })
  // Timestamps and addresses are only generated as personal data (see the note above).
  .map((l) => ({ kind: "leaf" as const, ...l, pii: l.pii || l.value === "timestamp" || l.value === "ipv4" }));

function childrenArb(depth: number): fc.Arbitrary<[string, Node][]> {
  const node: fc.Arbitrary<Node> =
    depth >= 2
      ? leafArb
      : fc.oneof(
          { weight: 3, arbitrary: leafArb },
          { weight: 1, arbitrary: fc.tuple(fc.boolean(), childrenArb(depth + 1)).map(([array, children]): Node => ({ kind: "object", array, children })) },
        );
  return fc.uniqueArray(fc.tuple(name, node), { minLength: 1, maxLength: 5, selector: (t) => t[0] });
}

const contractArb = childrenArb(0);

type LeafInfo = { path: string; leaf: Leaf };

function pathOf(prefix: string, key: string, array: boolean): string {
  return (prefix ? prefix + "." : "") + key + (array ? "[]" : "");
}

function leavesOf(children: [string, Node][], prefix = ""): LeafInfo[] {
  return children.flatMap(([key, node]) => {
    const path = pathOf(prefix, key, node.array);
    return node.kind === "leaf" ? [{ path, leaf: node }] : leavesOf(node.children, path);
  });
}

function containersOf(children: [string, Node][], prefix = ""): string[] {
  return children.flatMap(([key, node]) => {
    if (node.kind === "leaf") return [];
    const path = pathOf(prefix, key, node.array);
    return [path, ...containersOf(node.children, path)];
  });
}

/**
 * The contract's field list. With `listContainers`, objects and arrays are listed too, before
 * their contents, the way lib/contracts flattens a schema ("cells" array, "cells[]" object,
 * "cells[].id"); without, only leaves, the way hand-written contracts often look.
 */
function toFields(children: [string, Node][], listContainers = false, prefix = ""): MaskingField[] {
  return children.flatMap(([key, node]): MaskingField[] => {
    const own = pathOf(prefix, key, false);
    const path = pathOf(prefix, key, node.array);
    const containers: MaskingField[] = [];
    if (listContainers && node.array) containers.push({ path: own, type: "array", pii: "none" });
    if (node.kind === "leaf") return [...containers, { path, type: TYPE_OF[node.value], pii: node.pii ? "direct" : "none" }];
    if (listContainers) containers.push({ path, type: "object", pii: "none" });
    return [...containers, ...toFields(node.children, listContainers, path)];
  });
}

// ---- values --------------------------------------------------------------------------------

const TIME_MIN = Date.UTC(2000, 0, 1);
const TIME_MAX = Date.UTC(2040, 0, 1);

function valueArb(leaf: Leaf): fc.Arbitrary<unknown> {
  if (leaf.pii) {
    switch (leaf.value) {
      case "text":
        return fc.stringMatching(/^[A-Z0-9]{10,16}$/).map((s) => "PII" + s);
      case "integer":
        return fc.integer({ min: 1_000_000_000, max: 999_999_999_999 }).map((n) => n * 10 + 7);
      case "number":
        return fc.tuple(fc.integer({ min: 10, max: 999 }), fc.integer({ min: 0, max: 999_999 })).map(([i, f]) => Number(`${i}.${String(f).padStart(6, "0")}7`));
      case "boolean":
        return fc.boolean();
      case "timestamp":
        return fc.integer({ min: TIME_MIN, max: TIME_MAX }).map((t) => new Date(t - (t % 1000) + 1 + (t % 999)).toISOString());
      case "ipv4":
        return fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 })).map((o) => o.join("."));
    }
  }
  switch (leaf.value) {
    case "integer":
      return fc.nat(999);
    case "number":
      return fc.nat(3999).map((n) => n / 4);
    case "boolean":
      return fc.boolean();
    default:
      return fc.stringMatching(/^[a-z ]{0,12}$/);
  }
}

const unknownArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string().map((s) => `UNKNOWN${s}`),
  fc.record({ inner: fc.string().map((s) => `UNKNOWN${s}`) }),
  fc.array(fc.constant("UNKNOWN"), { minLength: 1, maxLength: 2 }),
);

/** A record for the contract, with unknown fields mixed in at every object level. */
function recordArb(children: [string, Node][]): fc.Arbitrary<Record<string, unknown>> {
  const parts = children.map(([key, node]) => {
    const one: fc.Arbitrary<unknown> = node.kind === "leaf" ? valueArb(node) : recordArb(node.children);
    const value = node.array ? fc.array(one, { maxLength: 3 }) : one;
    // Fields may be missing or null, which optional contract fields allow.
    return fc.option(fc.option(value, { nil: null, freq: 8 }), { nil: undefined, freq: 8 }).map((v) => [key, v] as const);
  });
  return fc.tuple(fc.tuple(...parts), fc.array(unknownArb, { maxLength: 2 })).map(([entries, unknown]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) if (v !== undefined) out[k] = v;
    unknown.forEach((v, i) => (out[`xunknown${i}`] = v));
    return out;
  });
}

// ---- rules ---------------------------------------------------------------------------------

const lowerText = fc.stringMatching(/^[a-z* ]{0,10}$/);

function maskingRuleArb(leaf: Leaf): fc.Arbitrary<Record<string, unknown>> {
  const drop = fc.constant({ strategy: "drop" });
  const redact = fc.option(lowerText, { nil: undefined }).map((replacement) => (replacement === undefined ? { strategy: "redact" } : { strategy: "redact", replacement }));
  const hash = fc.constant({ strategy: "hash" });
  const tokenize = fc.constantFrom({ strategy: "tokenize" }, { strategy: "tokenize", format: "preserve" });
  switch (leaf.value) {
    case "boolean":
      return fc.oneof(drop, redact);
    case "text":
      return fc.oneof(
        drop,
        redact,
        hash,
        tokenize,
        fc.record({ strategy: fc.constant("partial"), keepFirst: fc.nat(4), keepLast: fc.nat(4), maskChar: fc.constantFrom("*", "#", "x") }),
      );
    case "integer":
      return fc.oneof(
        drop,
        redact,
        hash,
        tokenize,
        fc.constantFrom(10, 100, 1000).map((bucket) => ({ strategy: "generalize", bucket })),
        fc.integer({ min: 1, max: 8 }).map((significant) => ({ strategy: "generalize", significant })),
      );
    case "number":
      return fc.oneof(
        drop,
        redact,
        hash,
        tokenize,
        fc.integer({ min: 0, max: 4 }).map((decimals) => ({ strategy: "generalize", decimals })),
        fc.constantFrom(0.5, 10).map((bucket) => ({ strategy: "generalize", bucket })),
        fc.integer({ min: 1, max: 5 }).map((significant) => ({ strategy: "generalize", significant })),
      );
    case "timestamp":
      return fc.oneof(drop, redact, hash, tokenize, fc.constantFrom("minute", "hour", "day", "month", "year").map((truncate) => ({ strategy: "generalize", truncate })));
    case "ipv4":
      return fc.oneof(drop, redact, hash, tokenize, fc.integer({ min: 0, max: 24 }).map((prefixBits) => ({ strategy: "generalize", prefixBits })));
  }
}

/** Rules for a non-full tier: PII always masked; other fields kept (explicitly or by default) or masked. */
function tierRulesArb(children: [string, Node][]): fc.Arbitrary<Record<string, unknown>> {
  const leafRules = leavesOf(children).map(({ path, leaf }) => {
    const masked = maskingRuleArb(leaf);
    const rule = leaf.pii ? masked : fc.oneof(fc.constant(undefined), fc.constant({ strategy: "keep" }), masked);
    return rule.map((r) => [path, r] as const);
  });
  const containerDrops = containersOf(children).map((path) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant({ strategy: "drop" }) }).map((r) => [path, r] as const));
  return fc.tuple(...leafRules, ...containerDrops).map((entries) => {
    const rules: Record<string, unknown> = {};
    for (const [path, r] of entries) if (r !== undefined) rules[path] = r;
    return rules;
  });
}

// ---- walking ------------------------------------------------------------------------------

/** Every value a record holds at contract leaves, with the leaf's description. */
function valuesAtLeaves(children: [string, Node][], record: unknown, out: { leaf: Leaf; path: string; value: unknown }[] = [], prefix = "") {
  if (typeof record !== "object" || record === null) return out;
  const r = record as Record<string, unknown>;
  for (const [key, node] of children) {
    if (!Object.hasOwn(r, key) || r[key] === null || r[key] === undefined) continue;
    const path = pathOf(prefix, key, node.array);
    const items = node.array ? (r[key] as unknown[]) : [r[key]];
    for (const item of items) {
      if (item === null) continue;
      if (node.kind === "leaf") out.push({ leaf: node, path, value: item });
      else valuesAtLeaves(node.children, item, out, path);
    }
  }
  return out;
}

/** Every path in an output, in contract syntax (arrays as "name[]"). */
function outputPaths(value: unknown, prefix = "", out: string[] = []): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    // A null list reads like a null value; report it in list syntax so both spellings match.
    const path = pathOf(prefix, key, Array.isArray(v));
    out.push(v === null ? `${path}|${path}[]` : path);
    if (Array.isArray(v)) for (const item of v) outputPaths(item, path, out);
    else outputPaths(v, path, out);
  }
  return out;
}

/** What full access must return: the record restricted to contract paths. */
function restrictToContract(children: [string, Node][], record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of children) {
    if (!Object.hasOwn(record, key) || record[key] === undefined) continue;
    const v = record[key];
    if (node.kind === "leaf" || v === null) out[key] = v;
    else if (node.array) out[key] = (v as unknown[]).map((item) => (item === null ? null : restrictToContract(node.children, item as Record<string, unknown>)));
    else out[key] = restrictToContract(node.children, v as Record<string, unknown>);
  }
  return out;
}

const masterSecret = "property-test-master-secret-0123456789";
const keyA = deriveProductKey(masterSecret, "product-a", 1);
const keyB = deriveProductKey(masterSecret, "product-b", 1);

const scenarioArb = contractArb.chain((contract) =>
  fc.record({
    contract: fc.constant(contract),
    fields: fc.boolean().map((listContainers) => toFields(contract, listContainers)),
    rules: tierRulesArb(contract),
    records: fc.array(recordArb(contract), { minLength: 1, maxLength: 4 }),
  }),
);

describe("masking properties", () => {
  it("no value of a PII field appears in a non-full tier's output, not even inside another field", () => {
    fc.assert(
      fc.property(scenarioArb, ({ contract, fields, rules, records }) => {
        const mask = compileMaskingPolicy({ fields, rules, fullAccess: false, key: keyA, tier: "partner" });
        for (const record of records) {
          const before = structuredClone(record);
          const r = mask(record);
          // The router masks one parsed record for several tiers: the input must stay as it was.
          expect(record).toEqual(before);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const text = JSON.stringify(r.value);
          const pii = valuesAtLeaves(contract, record).filter((v) => v.leaf.pii);
          for (const { leaf, path, value } of pii) {
            if (leaf.value === "boolean") {
              for (const out of valuesAtLeaves(contract, r.value)) if (out.path === path) expect(out.value).toBeNull();
            } else {
              expect(text).not.toContain(String(value));
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("unknown fields never pass, at any tier", () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ contract, fields, rules, records }, fullAccess) => {
        const allowed = new Set([...leavesOf(contract).map((l) => l.path), ...containersOf(contract)]);
        const mask = compileMaskingPolicy({ fields, rules: fullAccess ? {} : rules, fullAccess, key: keyA });
        for (const record of records) {
          const r = mask(record);
          if (!r.ok) throw new Error(r.reason);
          for (const path of outputPaths(r.value)) expect(path.split("|").some((p) => allowed.has(p)), path).toBe(true);
          expect(JSON.stringify(r.value)).not.toMatch(/UNKNOWN|xunknown/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a full-access tier passes every listed field unchanged and drops the rest", () => {
    fc.assert(
      fc.property(scenarioArb, ({ contract, fields, records }) => {
        const mask = compileMaskingPolicy({ fields, rules: {}, fullAccess: true });
        for (const record of records) expect(mask(record)).toEqual({ ok: true, value: restrictToContract(contract, record) });
      }),
      { numRuns: 200 },
    );
  });

  it("masking is deterministic per product key and differs across products", () => {
    fc.assert(
      fc.property(scenarioArb, ({ contract, fields, rules, records }) => {
        const a1 = compileMaskingPolicy({ fields, rules, fullAccess: false, key: keyA });
        const a2 = compileMaskingPolicy({ fields, rules, fullAccess: false, key: Buffer.from(keyA) });
        const b = compileMaskingPolicy({ fields, rules, fullAccess: false, key: keyB });
        for (const record of records) {
          const ra = a1(record);
          expect(a2(record)).toEqual(ra);
          if (!ra.ok) return;
          const rb = b(record);
          if (!rb.ok) throw new Error(rb.reason);
          const byKeyA = valuesAtLeaves(contract, ra.value);
          const byKeyB = valuesAtLeaves(contract, rb.value);
          const keyed = new Set(Object.entries(rules).filter(([, r]) => ["hash", "tokenize"].includes((r as { strategy: string }).strategy)).map(([p]) => p));
          byKeyA.forEach((x, i) => {
            // Preserved-format tokens keep punctuation and spaces and draw each letter from 26
            // and each digit from 10 choices: "y" has a 1 in 26 chance of the same token under
            // another key. Only claim a difference with 8+ letters or digits (< 1e-8 by chance).
            const replaceable = typeof x.value === "string" ? (x.value.match(/[\p{L}\p{N}]/gu) ?? []).length : 0;
            const preserve = (rules[x.path] as { format?: string } | undefined)?.format === "preserve";
            if (!keyed.has(x.path)) expect(byKeyB[i].value).toEqual(x.value);
            else if (!preserve || replaceable >= 8) expect(byKeyB[i].value).not.toEqual(x.value);
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("hash and tokenize of any value are stable for a key, differ between keys and from each other", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), fc.uuid(), fc.uuid(), (value, p1, p2) => {
        fc.pre(p1 !== p2);
        const fields = [{ path: "v", pii: "direct" }];
        const run = (productId: string, strategy: string, format?: string) =>
          compileMaskingPolicy({ fields, rules: { v: format ? { strategy, format } : { strategy } }, fullAccess: false, key: deriveProductKey(masterSecret, productId, 1) })({ v: value });
        const h1 = run(p1, "hash");
        const t1 = run(p1, "tokenize");
        expect(run(p1, "hash")).toEqual(h1);
        expect(run(p1, "tokenize")).toEqual(t1);
        expect(run(p2, "hash")).not.toEqual(h1);
        expect(run(p2, "tokenize")).not.toEqual(t1);
        if (!h1.ok || !t1.ok) throw new Error("hash and tokenize accept text and numbers");
        expect((t1.value.v as string).slice(4)).not.toBe((h1.value.v as string).slice(0, 32));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary input, and what it returns stays inside the contract", () => {
    fc.assert(
      fc.property(contractArb.chain((c) => fc.tuple(fc.constant(c), tierRulesArb(c))), fc.anything({ withNullPrototype: true, withObjectString: true }), ([contract, rules], input) => {
        const allowed = new Set([...leavesOf(contract).map((l) => l.path), ...containersOf(contract)]);
        const mask = compileMaskingPolicy({ fields: toFields(contract), rules, fullAccess: false, key: keyA });
        const r = mask(input);
        if (r.ok) for (const path of outputPaths(r.value)) expect(path.split("|").some((p) => allowed.has(p)), path).toBe(true);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
