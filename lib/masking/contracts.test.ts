import { describe, expect, it } from "vitest";
import { flattenSchema } from "@/lib/contracts";
import { compileMaskingPolicy, deriveProductKey, validateTierRules, type MaskResult } from "@/lib/masking";

/**
 * The engine must accept contract field lists exactly as lib/contracts flattens schemas:
 * containers listed before their children, "x[]" for array elements and map values, Avro type
 * names. These tests feed it real flattener output rather than hand-written lists.
 */

const key = deriveProductKey("contracts-test-master-secret-0123", "product-c", 1);

function value(r: MaskResult): Record<string, unknown> {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.value;
}

function withPii<T extends { path: string; pii: string }>(fields: T[], pii: Record<string, string>): T[] {
  return fields.map((f) => (pii[f.path] ? { ...f, pii: pii[f.path] } : f));
}

describe("masking contracts flattened by lib/contracts", () => {
  const jsonSchema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: {
      event_id: { type: "string" },
      subscriber: { type: "object", properties: { msisdn: { type: "string" }, age: { type: "integer" } } },
      cells: { type: "array", items: { type: "object", properties: { id: { type: "string" }, rsrp: { type: "number" } } } },
      signals: { type: "array", items: { type: "number" } },
      matrix: { type: "array", items: { type: "array", items: { type: "integer" } } },
      labels: { type: "object", additionalProperties: { type: "string" } },
    },
  };
  const fields = withPii(flattenSchema("json-schema", jsonSchema), { "subscriber.msisdn": "direct", "subscriber.age": "quasi" });

  it("lists what the engine expects", () => {
    expect(fields.map((f) => `${f.path}:${f.type}`)).toEqual(
      expect.arrayContaining(["subscriber:object", "cells:array", "cells[]:object", "cells[].id:string", "matrix[][]:integer", "labels:object", "labels[]:string"]),
    );
  });

  const record = {
    event_id: "e-1",
    subscriber: { msisdn: "+447700900123", age: 37, name: "Ada" },
    cells: [{ id: "c-1", rsrp: -95.5, vendor: "x" }],
    signals: [1.5, 2],
    matrix: [[1, 2], [3]],
    labels: { region: "north", tier: "gold" },
    added_later: "dropped",
  };

  it("masks a partner tier: nested objects, arrays, arrays of arrays and maps", () => {
    const rules = { "subscriber.msisdn": { strategy: "hash" }, "subscriber.age": { strategy: "generalize", bucket: 10 } };
    expect(validateTierRules(fields, [{ name: "partner", fullAccess: false, rules }])).toEqual([]);
    const mask = compileMaskingPolicy({ fields, rules, fullAccess: false, key });
    expect(value(mask(record))).toEqual({
      event_id: "e-1",
      subscriber: { msisdn: expect.stringMatching(/^[0-9a-f]{64}$/), age: 30 },
      cells: [{ id: "c-1", rsrp: -95.5 }],
      signals: [1.5, 2],
      matrix: [[1, 2], [3]],
      labels: { region: "north", tier: "gold" },
    });
  });

  it("fails records whose shapes contradict the contract", () => {
    const mask = compileMaskingPolicy({ fields, rules: {}, fullAccess: true });
    expect(mask({ matrix: [[1], 2] })).toEqual({ ok: false, reason: "matrix[]: expected a list" });
    expect(mask({ labels: ["north"] })).toEqual({ ok: false, reason: "labels: expected a map" });
    expect(mask({ labels: { region: { nested: "x" } } })).toEqual({ ok: false, reason: "labels[]: expected text" });
    expect(mask({ signals: { a: 1 } })).toEqual({ ok: false, reason: "signals: expected a list" });
  });

  it("keeps map keys, and refuses a hostile __proto__ key as a prototype", () => {
    const mask = compileMaskingPolicy({ fields, rules: {}, fullAccess: true });
    const out = value(mask(JSON.parse('{"labels": {"__proto__": "x", "a": "b"}}')));
    expect(Object.getPrototypeOf(out.labels)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"labels":{"__proto__":"x","a":"b"}}');
  });

  it("masks Avro contracts with Avro type names", () => {
    const avro = {
      type: "record",
      name: "Event",
      fields: [
        { name: "id", type: "long" },
        { name: "score", type: "double" },
        { name: "kind", type: { type: "enum", name: "Kind", symbols: ["a", "b"] } },
        { name: "email", type: ["null", "string"], default: null },
        { name: "tags", type: { type: "map", values: "string" } },
        { name: "items", type: { type: "array", items: { type: "record", name: "Item", fields: [{ name: "sku", type: "string" }] } } },
      ],
    };
    const avroFields = withPii(flattenSchema("avro", avro), { email: "direct", score: "quasi" });
    const rules = { email: { strategy: "tokenize" }, score: { strategy: "generalize", decimals: 1 } };
    expect(validateTierRules(avroFields, [{ name: "partner", fullAccess: false, rules }])).toEqual([]);
    // Avro types carry the same checks as JSON Schema ones: a long cannot be rounded to decimals.
    expect(validateTierRules(avroFields, [{ name: "p", fullAccess: false, rules: { ...rules, id: { strategy: "generalize", decimals: 1 } } }])).toEqual([
      { tier: "p", path: "id", message: "decimals does not change whole numbers; use bucket or significant." },
    ]);
    const mask = compileMaskingPolicy({ fields: avroFields, rules, fullAccess: false, key });
    expect(value(mask({ id: 7, score: 0.87, kind: "a", email: "a@b.c", tags: { k: "v" }, items: [{ sku: "s-1", extra: 1 }] }))).toEqual({
      id: 7,
      score: 0.9,
      kind: "a",
      email: expect.stringMatching(/^tok_[a-z2-7]{32}$/),
      tags: { k: "v" },
      items: [{ sku: "s-1" }],
    });
    expect(mask({ id: 7.5 })).toEqual({ ok: false, reason: "id: expected a whole number" });
  });
});
