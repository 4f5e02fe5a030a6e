import { describe, expect, it } from "vitest";
import { flattenSchema } from "./fields";
import { checkRules, checkSchema, compileContract, ContractCompileError, decodeRecord, exceedsDepth, parseSchemaText, RECORD_MAX_DEPTH } from "./validate";
import type { QualityRule } from "./types";

const NOW = Date.parse("2026-11-22T05:00:00Z");

const jsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["event_id", "event_time", "cell", "msisdn"],
  additionalProperties: false,
  properties: {
    event_id: { type: "string", format: "uuid" },
    event_time: { type: "string", format: "date-time" },
    msisdn: { type: "string" },
    rat: { enum: ["LTE", "NR"] },
    cell: { type: "object", required: ["rsrp"], properties: { rsrp: { type: "number" }, pci: { type: "integer" } } },
    neighbours: { type: "array", items: { type: "object", properties: { rsrp: { type: "number" } } } },
  },
};

const good = {
  event_id: "5f0c6b8e-1d2a-4c3b-9a7e-0123456789ab",
  event_time: "2026-11-22T04:59:30Z",
  msisdn: "+31612345678",
  rat: "NR",
  cell: { rsrp: -95, pci: 12 },
  neighbours: [{ rsrp: -101 }],
};

describe("compileContract with JSON Schema", () => {
  const validate = compileContract({ schemaFormat: "json-schema", schema: jsonSchema });

  it("accepts a conforming record", () => {
    expect(validate(good, NOW)).toEqual({ ok: true });
  });

  it("rejects with readable, value-free reasons using field paths", () => {
    const bad = { ...good, event_id: "nope", cell: { pci: 1.5 }, neighbours: [{ rsrp: "x" }], extra: 1, rat: "GSM" };
    const r = validate(bad, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons).toEqual(
      expect.arrayContaining([
        "(root): has a property the contract does not define",
        'event_id: must match format "uuid"',
        "cell.rsrp: is required",
        "cell.pci: must be integer",
        "neighbours[].rsrp: must be number",
        "rat: must be equal to one of the allowed values",
      ]),
    );
    expect(r.reasons.join(" ")).not.toContain("GSM");
    expect(r.reasons.join(" ")).not.toContain("extra");
  });

  it("names fields from the schema, never from the record: map keys and unknown keys become *", () => {
    const v = compileContract({
      schemaFormat: "json-schema",
      schema: {
        type: "object",
        $defs: { reading: { type: "object", properties: { v: { type: "number" } } } },
        properties: {
          tags: { type: "object", additionalProperties: { type: "string" } },
          sensors: { type: "object", additionalProperties: { $ref: "#/$defs/reading" } },
          list: { type: "array", items: { $ref: "#/$defs/reading" } },
        },
      },
    });
    const r = v({ tags: { "secret-customer-42": 1 }, sensors: { "alice@example.com": { v: "x" } }, list: [{ v: true }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons).toEqual(expect.arrayContaining(["tags.*: must be string", "sensors.*.v: must be number", "list[].v: must be number"]));
    expect(r.reasons.join(" ")).not.toMatch(/secret-customer|alice/);
  });

  it("rejects non-objects and hostile nesting without throwing", () => {
    expect(validate("text", NOW)).toMatchObject({ ok: false });
    expect(validate(null, NOW)).toMatchObject({ ok: false });
    let deep: unknown = {};
    for (let i = 0; i < 1000; i++) deep = { d: deep };
    expect(validate(deep, NOW)).toEqual({ ok: false, reasons: [`record is nested deeper than ${RECORD_MAX_DEPTH} levels`] });
    expect(exceedsDepth({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [1, { b: {} }] }, 3)).toBe(true);
  });

  it("supports draft-07 schemas", () => {
    const v = compileContract({ schemaFormat: "json-schema", schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", required: ["a"], properties: { a: { type: "string" } } } });
    expect(v({ a: "x" })).toEqual({ ok: true });
    expect(v({})).toEqual({ ok: false, reasons: ["a: is required"] });
  });

  it("refuses to compile invalid schemas and catastrophic patterns", () => {
    expect(() => compileContract({ schemaFormat: "json-schema", schema: { type: "strnig" } })).toThrow(ContractCompileError);
    expect(() => compileContract({ schemaFormat: "json-schema", schema: { type: "string", pattern: "(a+)+$" } })).toThrow(/nested quantifiers/);
    expect(() => compileContract({ schemaFormat: "json-schema", schema: { $ref: "https://example.com/x.json" } })).toThrow(/does not compile/);
  });
});

const avroSchema = {
  type: "record",
  name: "Payment",
  namespace: "com.pay",
  fields: [
    { name: "payment_id", type: { type: "string", logicalType: "uuid" } },
    { name: "amount_minor", type: "long" },
    { name: "currency", type: { type: "enum", name: "Currency", symbols: ["EUR", "USD"] } },
    { name: "created", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "card", type: ["null", { type: "record", name: "Card", fields: [{ name: "last4", type: "string" }, { name: "exp_month", type: "int" }] }], default: null },
    { name: "tags", type: { type: "array", items: "string" }, default: [] },
    { name: "meta", type: { type: "map", values: ["null", "string", "double"] }, default: {} },
    { name: "score", type: "float", default: 0 },
  ],
};

const payment = {
  payment_id: "5f0c6b8e-1d2a-4c3b-9a7e-0123456789ab",
  amount_minor: 1250,
  currency: "EUR",
  created: NOW - 1000,
  card: { last4: "4242", exp_month: 12 },
  tags: ["web"],
  meta: { channel: "app", risk: 0.2, note: null },
};

describe("compileContract with Avro", () => {
  const validate = compileContract({ schemaFormat: "avro", schema: avroSchema });

  it("accepts conforming records, plain union values and missing defaulted fields", () => {
    expect(validate(payment, NOW)).toEqual({ ok: true });
    expect(validate({ ...payment, card: null, tags: undefined, meta: undefined }, NOW)).toEqual({ ok: true });
    expect(validate({ ...payment, unknown_field: 1 }, NOW)).toEqual({ ok: true });
  });

  it("rejects wrong types with reasons", () => {
    const r = validate({ ...payment, amount_minor: 12.5, currency: "GBP", card: { last4: 4242 }, tags: [1], meta: { x: true }, payment_id: "x" }, NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons).toEqual(
      expect.arrayContaining([
        "payment_id: must be a UUID",
        "amount_minor: must be long, got number",
        "currency: must be one of EUR, USD",
        "card.last4: must be string, got integer",
        "card.exp_month: is required",
        "tags[]: must be string, got integer",
        "meta[]: must be null | string | double, got boolean",
      ]),
    );
    const missing = validate({ currency: "EUR" }, NOW);
    expect(missing).toMatchObject({ ok: false, reasons: expect.arrayContaining(["payment_id: is required", "created: is required"]) });
  });

  it("checks int range and fixed size", () => {
    const v = compileContract({ schemaFormat: "avro", schema: { type: "record", name: "R", fields: [{ name: "i", type: "int" }, { name: "f", type: { type: "fixed", name: "F", size: 2 } }] } });
    expect(v({ i: 2 ** 31, f: "ab" })).toEqual({ ok: false, reasons: ["i: must be int, got integer"] });
    expect(v({ i: 1, f: "abc" })).toEqual({ ok: false, reasons: ["f: must be a string of exactly 2 bytes"] });
  });

  it("refuses invalid Avro schemas", () => {
    expect(() => compileContract({ schemaFormat: "avro", schema: { type: "record", name: "R", fields: [{ name: "a", type: ["null", "null"] }] } })).toThrow(/two branches/);
    expect(() => compileContract({ schemaFormat: "avro", schema: { type: "enum", name: "E", symbols: ["A", "A"] } })).toThrow(/repeated/);
  });
});

const fields = flattenSchema("json-schema", jsonSchema);
const rule = (id: string, kind: QualityRule["kind"], field: string, params: Record<string, unknown>): QualityRule => ({ id, kind, field, params });

describe("quality rules", () => {
  const rules: QualityRule[] = [
    rule("r1", "required", "rat", {}),
    rule("r2", "range", "cell.rsrp", { min: -140, max: -44 }),
    rule("r3", "pattern", "msisdn", { pattern: "^\\+[1-9]\\d{7,14}$" }),
    rule("r4", "enum", "rat", { values: ["LTE", "NR"] }),
    rule("r5", "max_age", "event_time", { seconds: 300 }),
    rule("r6", "expression", "", { expression: "cell.pci == null || cell.pci < 504" }),
    rule("r7", "range", "neighbours[].rsrp", { min: -140 }),
  ];
  const validate = compileContract({ schemaFormat: "json-schema", schema: jsonSchema, qualityRules: rules });

  it("pass on a good record", () => {
    expect(validate(good, NOW)).toEqual({ ok: true });
  });

  it.each([
    ["required", { ...good, rat: undefined }, "rule r1 (required): rat is missing"],
    ["range", { ...good, cell: { rsrp: -200 } }, "rule r2 (range): cell.rsrp is below the minimum -140"],
    ["range max", { ...good, cell: { rsrp: 0 } }, "rule r2 (range): cell.rsrp is above the maximum -44"],
    ["pattern", { ...good, msisdn: "0612345678" }, "rule r3 (pattern): msisdn does not match the pattern"],
    ["pattern input cap", { ...good, msisdn: "+3".padEnd(5000, "1") }, "rule r3 (pattern): msisdn is longer than 1024 characters"],
    ["max_age", { ...good, event_time: "2026-11-22T04:00:00Z" }, "rule r5 (max_age): event_time is older than 300 s"],
    ["expression", { ...good, cell: { rsrp: -90, pci: 600 } }, "rule r6 (expression): expression is false"],
    ["array elements", { ...good, neighbours: [{ rsrp: -100 }, { rsrp: -150 }] }, "rule r7 (range): neighbours[].rsrp is below the minimum -140"],
  ])("%s fails with a reason", (_name, record, reason) => {
    const r = validate(record, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons).toContain(reason);
  });

  it("max_age takes epoch milliseconds and rejects non-timestamps", () => {
    const v = compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [rule("a", "max_age", "ts", { seconds: 60 })] });
    expect(v({ ts: NOW - 59_000 }, NOW)).toEqual({ ok: true });
    expect(v({ ts: NOW - 61_000 }, NOW)).toMatchObject({ ok: false });
    expect(v({ ts: "soon" }, NOW)).toEqual({ ok: false, reasons: ["rule a (max_age): ts is not a timestamp"] });
    expect(v({}, NOW)).toEqual({ ok: true });
  });

  it("enum rule compares exactly", () => {
    const v = compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [rule("e", "enum", "n", { values: [1, 2] })] });
    expect(v({ n: 1 })).toEqual({ ok: true });
    expect(v({ n: "1" })).toEqual({ ok: false, reasons: ["rule e (enum): n is not one of 1, 2"] });
  });

  it("accepts rule ids derived from field paths", () => {
    const v = compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [rule("neighbours[].rsrp-range", "range", "neighbours[].rsrp", { min: -140 })] });
    expect(v({ neighbours: [{ rsrp: -150 }] })).toEqual({ ok: false, reasons: ["rule neighbours[].rsrp-range (range): neighbours[].rsrp is below the minimum -140"] });
  });

  it("refuses unsafe or malformed rules at compile time", () => {
    const bad = (r: unknown) => () => compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [r] });
    expect(bad(rule("p", "pattern", "x", { pattern: "(a+)+" }))).toThrow(/nested quantifiers/);
    expect(bad(rule("x", "expression", "", { expression: "a ==" }))).toThrow(/does not parse/);
    expect(bad(rule("r", "range", "x", { min: 5, max: 1 }))).toThrow(/min must not exceed max/);
    expect(bad({ id: "k", kind: "eval", field: "x", params: {} })).toThrow(ContractCompileError);
    expect(() => compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [rule("d", "required", "a", {}), rule("d", "required", "b", {})] })).toThrow(/used twice/);
  });

  it("answers a 5,000-character value against a once-dangerous shape quickly", () => {
    const v = compileContract({ schemaFormat: "json-schema", schema: {}, qualityRules: [rule("p", "pattern", "s", { pattern: "^[a-z]+@[a-z]+\\.[a-z]+$" })] });
    const t0 = performance.now();
    expect(v({ s: "a".repeat(1000) + "!" })).toMatchObject({ ok: false });
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe("checkRules (publish checks)", () => {
  const samples = Array.from({ length: 20 }, (_, i) => ({ ...good, cell: { rsrp: i < 3 ? -150 : -90 } }));

  it("passes good rules on good samples", () => {
    const r = checkRules([rule("r2", "range", "cell.rsrp", { min: -160 })], fields, samples, { now: NOW });
    expect(r).toMatchObject({ ok: true, errors: [], results: [{ ruleId: "r2", evaluated: 20, failed: 0 }] });
  });

  it("reports field-level errors", () => {
    const r = checkRules(
      [
        rule("r1", "range", "cell.rsrp", { min: -140 }),
        rule("r2", "required", "cell.rsrq", {}),
        rule("r3", "pattern", "msisdn", { pattern: "([" }),
        rule("r4", "range", "msisdn", { min: 1 }),
        rule("r5", "expression", "", { expression: "neighbours[0].rsrp > -140 && foo.bar == 1" }),
        rule("r6", "range", "neighbours.rsrp", { min: -140 }),
        { id: "r7", kind: "range", field: "cell.rsrp", params: {} },
      ],
      fields,
      samples,
      { now: NOW },
    );
    expect(r.ok).toBe(false);
    const messages = r.errors.map((e) => e.message);
    expect(messages).toContain("rule r1 fails on 3 of 20 samples (rule r1 (range): cell.rsrp is below the minimum -140)");
    expect(messages).toContain("rule r2: field 'cell.rsrq' does not exist");
    expect(messages.find((m) => m.startsWith("rule r3:"))).toMatch(/pattern does not compile/);
    expect(messages).toContain("rule r4: range needs a numeric field, 'msisdn' is string");
    expect(messages).toContain("rule r5: field 'foo.bar' does not exist");
    expect(messages).toContain("rule r6: field 'neighbours.rsrp' does not exist (did you mean 'neighbours[].rsrp'?)");
    expect(messages.find((m) => m.startsWith("rule r7:"))).toMatch(/range needs min, max or both/);
    expect(r.fieldErrors["rules.r2"]).toEqual(["rule r2: field 'cell.rsrq' does not exist"]);
  });

  it("treats max_age failures on samples as warnings", () => {
    const r = checkRules([rule("fresh", "max_age", "event_time", { seconds: 1 })], fields, samples, { now: NOW });
    expect(r.ok).toBe(true);
    expect(r.warnings[0].message).toMatch(/fails on 20 of 20 samples/);
  });
});

describe("checkSchema (publish checks)", () => {
  it("returns the field list for a valid schema", () => {
    const r = checkSchema("json-schema", jsonSchema);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.fields.some((f) => f.path === "cell.rsrp")).toBe(true);
    expect(checkSchema("avro", avroSchema).ok).toBe(true);
  });

  it("explains what is wrong", () => {
    expect(checkSchema("json-schema", { type: 12 })).toMatchObject({ ok: false, issues: expect.arrayContaining([{ path: "/type", message: "schema must be array" }]) });
    expect(checkSchema("json-schema", "x")).toEqual({ ok: false, issues: [{ path: "", message: "a JSON Schema must be an object" }] });
    expect(checkSchema("json-schema", { properties: { a: { type: "string", pattern: "(x*)*y" } } })).toMatchObject({ ok: false, issues: [{ path: "/properties/a/pattern" }] });
    expect(checkSchema("json-schema", { $defs: { n: { properties: { c: { $ref: "#/$defs/n" } } } }, $ref: "#/$defs/n" })).toMatchObject({ ok: false, issues: [{ message: expect.stringMatching(/recursive/) }] });
    expect(checkSchema("avro", { type: "record", name: "R" })).toMatchObject({ ok: false, issues: [{ message: expect.stringMatching(/fields array/) }] });
    expect(checkSchema("avro", "{not json")).toMatchObject({ ok: false });
  });

  it("rejects a 10,000-field schema quickly, before compiling it", () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) properties[`f${i}`] = { type: "string" };
    const t0 = performance.now();
    expect(checkSchema("json-schema", { type: "object", properties })).toEqual({ ok: false, issues: [{ path: "f2000", message: "the schema has more than 2000 fields" }] });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it("names an unsupported $schema instead of throwing", () => {
    expect(checkSchema("json-schema", { $schema: "https://json-schema.org/draft/2019-09/schema", type: "object" })).toMatchObject({ ok: false, issues: [{ path: "/$schema" }] });
  });

  it("parses uploaded schema text", () => {
    expect(parseSchemaText('{"type":"object"}')).toEqual({ ok: true, schema: { type: "object" } });
    expect(parseSchemaText("{oops")).toMatchObject({ ok: false, message: expect.stringMatching(/not valid JSON/) });
  });
});

describe("decodeRecord", () => {
  it("parses JSON values and names each kind of unreadable record", () => {
    expect(decodeRecord(Buffer.from('{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
    expect(decodeRecord(null)).toEqual({ ok: false, reason: "record has no value" });
    expect(decodeRecord(new Uint8Array([0xc3, 0x28]))).toEqual({ ok: false, reason: "record is not UTF-8 text" });
    expect(decodeRecord("{oops")).toEqual({ ok: false, reason: "record is not JSON" });
    expect(decodeRecord(Buffer.alloc(5 * 1024 * 1024, 0x20))).toEqual({ ok: false, reason: "record is larger than 1048588 bytes" });
  });
});
