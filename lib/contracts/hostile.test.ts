import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffSchemas } from "./compat";
import { checkSchema, compileContract } from "./validate";

/** JSON shaped like schemas: schema keywords with random values, so parsers get past the first check. */
const keyword = fc.constantFrom("type", "name", "fields", "items", "values", "symbols", "properties", "required", "$ref", "default", "enum", "anyOf", "allOf", "additionalProperties", "logicalType", "size", "namespace", "aliases", "pattern", "format");
const typeName = fc.constantFrom("record", "enum", "array", "map", "fixed", "string", "int", "long", "null", "object", "integer", "number", "R", "#/$defs/x", "#", "(a+)+");
const schemaLike = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    typeName,
    fc.integer({ min: -2, max: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(keyword, tie("node"), { maxKeys: 5 }),
  ),
})).node;

describe("hostile schema uploads", () => {
  it("checkSchema answers ok or issues for any JSON, never throws (Avro and JSON Schema)", () => {
    fc.assert(
      fc.property(schemaLike, (schema) => {
        for (const format of ["avro", "json-schema"] as const) {
          const r = checkSchema(format, schema);
          if (!r.ok) {
            expect(r.issues.length).toBeGreaterThan(0);
            for (const i of r.issues) expect(typeof i.message).toBe("string");
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a schema that passes checkSchema compiles, validates without throwing and diffs with itself to nothing", () => {
    let passed = 0;
    fc.assert(
      fc.property(schemaLike, fc.anything({ maxDepth: 3 }), (schema, record) => {
        for (const format of ["avro", "json-schema"] as const) {
          if (!checkSchema(format, schema).ok) continue;
          passed++;
          const validate = compileContract({ schemaFormat: format, schema });
          const res = validate(record);
          expect(typeof res.ok).toBe("boolean");
          expect(diffSchemas({ schemaFormat: format, schema }, { schemaFormat: format, schema: structuredClone(schema) }, "full")).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
    expect(passed).toBeGreaterThan(20);
  });
});
