import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCompatibility, diffSchemas } from "./compat";
import { inferSchema } from "./infer";

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }));

// Small vocabularies so two sample sets overlap often and produce interesting differences.
const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1.5), fc.constantFrom("a", "b", "2026-11-22", "x@y.example", "10.0.0.1"), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "c"), tie("node"), { maxKeys: 3 })),
})).node;
const record = fc.dictionary(fc.constantFrom("id", "cell", "rat", "n"), value, { minKeys: 1, maxKeys: 4 });
const samples = fc.array(record, { minLength: 1, maxLength: 12 });

describe("compatibility checker soundness (property)", () => {
  it("a schema diffed with itself has no changes", () => {
    fc.assert(
      fc.property(samples, (s) => {
        const { schema } = inferSchema(s);
        expect(diffSchemas({ schemaFormat: "json-schema", schema }, { schemaFormat: "json-schema", schema: structuredClone(schema) }, "full")).toEqual([]);
      }),
      { numRuns: 75 },
    );
  });

  /**
   * The checker reads schemas closed-world (producers write only declared properties), so the
   * records we throw at a schema are those its closed variant accepts.
   */
  function closed(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(closed);
    if (typeof schema !== "object" || schema === null) return schema;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) out[k] = k === "enum" ? v : closed(v);
    const s = schema as Record<string, unknown>;
    const isObject = s.type === "object" || (Array.isArray(s.type) && s.type.includes("object"));
    if (isObject) out.additionalProperties = false;
    return out;
  }

  const probes = fc.array(record, { minLength: 10, maxLength: 30 });
  let checked = 0;

  function assertSound(writer: Record<string, unknown>, reader: Record<string, unknown>, mode: "backward" | "forward", records: unknown[]) {
    const oldSchema = mode === "backward" ? writer : reader;
    const newSchema = mode === "backward" ? reader : writer;
    const report = checkCompatibility({ schemaFormat: "json-schema", schema: oldSchema }, { schemaFormat: "json-schema", schema: newSchema }, mode);
    if (!report.compatible) return;
    const writes = ajv.compile(closed(writer) as object);
    const reads = ajv.compile(reader);
    for (const r of records) {
      if (!writes(r)) continue;
      checked++;
      if (!reads(r)) throw new Error(`missed a ${mode} break: ${JSON.stringify(r)} written under ${JSON.stringify(writer)} fails ${JSON.stringify(reader)}; changes ${JSON.stringify(report.changes)}`);
    }
  }

  it("backward compatible => records valid under the old schema are valid under the new one", () => {
    checked = 0;
    fc.assert(
      fc.property(samples, fc.array(record, { maxLength: 3 }), probes, (a, extra, rs) => {
        const oldSchema = inferSchema(a).schema;
        const newSchema = inferSchema([...a, ...extra]).schema;
        assertSound(oldSchema, newSchema, "backward", [...a, ...rs]);
        assertSound(newSchema, oldSchema, "backward", [...a, ...extra, ...rs]);
        assertSound(inferSchema(rs).schema, newSchema, "backward", rs);
      }),
      { numRuns: 75 },
    );
    expect(checked).toBeGreaterThan(150);
  });

  it("forward compatible => records valid under the new schema are valid under the old one", () => {
    checked = 0;
    fc.assert(
      fc.property(samples, fc.array(record, { maxLength: 3 }), probes, (a, extra, rs) => {
        const oldSchema = inferSchema([...a, ...extra]).schema;
        const newSchema = inferSchema(a).schema;
        assertSound(newSchema, oldSchema, "forward", [...a, ...rs]);
        assertSound(oldSchema, newSchema, "forward", [...a, ...extra, ...rs]);
        assertSound(inferSchema(rs).schema, oldSchema, "forward", rs);
      }),
      { numRuns: 75 },
    );
    expect(checked).toBeGreaterThan(150);
  });
});
