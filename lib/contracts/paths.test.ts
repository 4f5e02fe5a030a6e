import { describe, expect, it } from "vitest";
import { flattenAvroSchema, flattenJsonSchema } from "./fields";
import { parsePath, valuesAt } from "./paths";
import { checkRules } from "./validate";

/**
 * Paths are written by the flattener and read back by parsePath/valuesAt (quality rules, PII
 * suggestions, masking). Lists of lists are the case that once disagreed: the flattener writes
 * "matrix[][]", so the reader must take that spelling.
 */
const schema = {
  type: "object",
  properties: {
    id: { type: "string" },
    cells: { type: "array", items: { type: "object", properties: { rsrp: { type: "number" }, tags: { type: "array", items: { type: "string" } } } } },
    matrix: { type: "array", items: { type: "array", items: { type: "integer" } } },
    grid: { type: "array", items: { type: "array", items: { type: "object", properties: { v: { type: "number" } } } } },
    cube: { type: "array", items: { type: "array", items: { type: "array", items: { type: "boolean" } } } },
    labels: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
  },
};

const record = {
  id: "r-1",
  cells: [{ rsrp: -90, tags: ["a", "b"] }, { rsrp: -101.5, tags: [] }, { rsrp: -70 }],
  matrix: [[1, 2], [3], []],
  grid: [[{ v: 1 }, { v: 2 }], [{ v: 3 }]],
  cube: [[[true], [false, true]], [[false]]],
  labels: { north: ["x"], south: ["y", "z"] },
};

describe("parsePath", () => {
  it("reads the flattener's spelling of lists of lists, and the dotted one alike", () => {
    const each = { key: "", each: true };
    expect(parsePath("matrix[][]")).toEqual([{ key: "matrix", each: true }, each]);
    expect(parsePath("matrix[].[]")).toEqual(parsePath("matrix[][]"));
    expect(parsePath("grid[][].v")).toEqual([{ key: "grid", each: true }, each, { key: "v", each: false }]);
    expect(parsePath("cube[][][]")).toEqual([{ key: "cube", each: true }, each, each]);
    expect(parsePath("[][]")).toEqual([each, each]);
    expect(parsePath("cells[].rsrp")).toEqual([{ key: "cells", each: true }, { key: "rsrp", each: false }]);
    expect(parsePath("")).toEqual([]);
  });

  it("reads every path the JSON Schema flattener writes, to the values of a record", () => {
    const paths = flattenJsonSchema(schema).map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(["matrix[]", "matrix[][]", "grid[]", "grid[][]", "grid[][].v", "cube[][][]", "cells[].tags[]", "labels[]", "labels[][]"]),
    );
    const read = Object.fromEntries(paths.map((p) => [p, valuesAt(record, p)]));
    expect(read["matrix[][]"]).toEqual([1, 2, 3]);
    expect(read["matrix[]"]).toEqual([[1, 2], [3], []]);
    expect(read["grid[][].v"]).toEqual([1, 2, 3]);
    expect(read["cube[][][]"]).toEqual([true, false, true, false]);
    expect(read["cells[].tags[]"]).toEqual(["a", "b"]);
    expect(read["labels[][]"]).toEqual(["x", "y", "z"]);
    // No flattened path reads nothing from a record that fills every position.
    for (const p of paths) expect(read[p].filter((v) => v !== undefined).length, p).toBeGreaterThan(0);
  });

  it("reads the Avro flattener's array-of-array paths", () => {
    const avro = { type: "record", name: "R", fields: [{ name: "matrix", type: { type: "array", items: { type: "array", items: "int" } } }] };
    const paths = flattenAvroSchema(avro).map((f) => f.path);
    expect(paths).toEqual(["matrix", "matrix[]", "matrix[][]"]);
    expect(valuesAt({ matrix: [[4], [5, 6]] }, "matrix[][]")).toEqual([4, 5, 6]);
  });

  it("lets quality rules address elements of lists of lists", () => {
    const fields = flattenJsonSchema(schema);
    const rules = [{ id: "r1", kind: "range", field: "matrix[][]", params: { min: 0 } }];
    const ok = checkRules(rules, fields, [record], { now: 0 });
    expect(ok.errors).toEqual([]);
    expect(ok.ok).toBe(true);
    const bad = checkRules(rules, fields, [{ ...record, matrix: [[1], [-2]] }], { now: 0 });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain("matrix[][]");
  });
});
