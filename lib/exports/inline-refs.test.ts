import { describe, expect, it } from "vitest";
import { inlineLocalRefs, RefInlineError } from "./inline-refs";

const inline2020 = (s: unknown) => inlineLocalRefs(s, { siblingsApply: true });

describe("inlineLocalRefs", () => {
  it("replaces $defs and definitions refs, nested pointers and chains, and drops the root definitions", () => {
    const s = {
      type: "object",
      properties: {
        a: { $ref: "#/$defs/a" },
        b: { $ref: "#/definitions/b" },
        c: { $ref: "#/$defs/a/properties/x" },
        d: { type: "array", items: { $ref: "#/$defs/chain" } },
      },
      $defs: { a: { type: "object", properties: { x: { type: "integer" } } }, chain: { $ref: "#/$defs/a" } },
      definitions: { b: { enum: ["p", "q"] } },
    };
    expect(inline2020(s)).toEqual({
      type: "object",
      properties: {
        a: { type: "object", properties: { x: { type: "integer" } } },
        b: { enum: ["p", "q"] },
        c: { type: "integer" },
        d: { type: "array", items: { type: "object", properties: { x: { type: "integer" } } } },
      },
    });
  });

  it("keeps keywords next to $ref in 2020-12 and drops them in draft-07, as each draft specifies", () => {
    const s = { properties: { a: { $ref: "#/$defs/n", maximum: 5 } }, $defs: { n: { type: "number" } } };
    expect(inline2020(s)).toEqual({ properties: { a: { allOf: [{ type: "number" }], maximum: 5 } } });
    expect(inlineLocalRefs(s, { siblingsApply: false })).toEqual({ properties: { a: { type: "number" } } });
  });

  it("leaves data keywords, property names and external refs alone, and follows anchors and escaped pointers", () => {
    const s = {
      properties: {
        enum: { $ref: "#/$defs/a~1b" },
        note: { const: { $ref: "#/$defs/missing" }, default: { $ref: "x" } },
        ext: { $ref: "https://example.test/schemas/cell.json" },
        anchored: { $ref: "#cell" },
      },
      $defs: { "a/b": { type: "string" }, c: { $anchor: "cell", type: "integer" } },
    };
    expect(inline2020(s)).toEqual({
      properties: {
        enum: { type: "string" },
        note: { const: { $ref: "#/$defs/missing" }, default: { $ref: "x" } },
        ext: { $ref: "https://example.test/schemas/cell.json" },
        anchored: { $anchor: "cell", type: "integer" },
      },
    });
  });

  it("refuses cycles and unresolved refs by name", () => {
    const cycle = { properties: { tree: { $ref: "#/$defs/node" } }, $defs: { node: { properties: { children: { type: "array", items: { $ref: "#/$defs/node" } } } } } };
    expect(() => inline2020(cycle)).toThrow(RefInlineError);
    expect(() => inline2020(cycle)).toThrow(/refers back to itself \(\$ref #\/\$defs\/node at \/properties\/tree\)/);
    expect(() => inline2020({ properties: { a: { $ref: "#/$defs/nope" } } })).toThrow(/\$ref #\/\$defs\/nope at \/properties\/a does not resolve/);
  });
});
