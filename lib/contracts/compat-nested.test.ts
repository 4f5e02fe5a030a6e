import { describe, expect, it } from "vitest";
import { diffSchemas, type ChangeKind } from "./compat";

/**
 * Cases the compatibility matrices in compat.test.ts do not cover: changes inside array items,
 * maps and nested objects, for JSON Schema and Avro. [name, old, new, path, kind, breaks backward, breaks forward]
 */
type Case = [string, unknown, unknown, string, ChangeKind, boolean, boolean];

const jsObj = (props: Record<string, unknown>, required: string[] = []) => ({ type: "object", required, properties: props });
const arr = (items: unknown) => ({ type: "array", items });

const JSON_CASES: Case[] = [
  ["array item type changed", jsObj({ tags: arr({ type: "string" }) }), jsObj({ tags: arr({ type: "integer" }) }), "tags[]", "type_changed", true, true],
  ["array item type widened", jsObj({ tags: arr({ type: "integer" }) }), jsObj({ tags: arr({ type: "number" }) }), "tags[]", "type_widened", false, true],
  ["field added inside array items", jsObj({ cells: arr(jsObj({ pci: { type: "integer" } })) }), jsObj({ cells: arr(jsObj({ pci: { type: "integer" }, band: { type: "string" } })) }), "cells[].band", "field_added", false, false],
  ["required field removed inside array items", jsObj({ cells: arr(jsObj({ pci: { type: "integer" } }, ["pci"])) }), jsObj({ cells: arr(jsObj({})) }), "cells[].pci", "field_removed", false, true],
  ["enum value removed inside array items", jsObj({ tags: arr({ enum: ["a", "b"] }) }), jsObj({ tags: arr({ enum: ["a"] }) }), "tags[]", "enum_value_removed", true, false],
  ["required added in nested object", jsObj({ cell: jsObj({ pci: { type: "integer" } }) }), jsObj({ cell: jsObj({ pci: { type: "integer" } }, ["pci"]) }), "cell.pci", "required_added", true, false],
  ["nested object field type narrowed", jsObj({ cell: jsObj({ rsrp: { type: "number" } }) }), jsObj({ cell: jsObj({ rsrp: { type: "integer" } }) }), "cell.rsrp", "type_narrowed", true, false],
  ["map value type changed", jsObj({ m: { type: "object", additionalProperties: { type: "number" } } }), jsObj({ m: { type: "object", additionalProperties: { type: "string" } } }), "m[]", "type_changed", true, true],
];

const rec = (name: string, fields: unknown[]) => ({ type: "record", name, fields });

const AVRO_CASES: Case[] = [
  ["array item type changed", rec("R", [{ name: "tags", type: { type: "array", items: "string" } }]), rec("R", [{ name: "tags", type: { type: "array", items: "int" } }]), "tags[]", "type_changed", true, true],
  ["array item promoted int -> long", rec("R", [{ name: "xs", type: { type: "array", items: "int" } }]), rec("R", [{ name: "xs", type: { type: "array", items: "long" } }]), "xs[]", "type_widened", false, true],
  [
    "field without default added inside array items",
    rec("R", [{ name: "cells", type: { type: "array", items: rec("Cell", [{ name: "pci", type: "int" }]) } }]),
    rec("R", [{ name: "cells", type: { type: "array", items: rec("Cell", [{ name: "pci", type: "int" }, { name: "band", type: "string" }]) } }]),
    "cells[].band",
    "field_added",
    true,
    false,
  ],
  [
    "nested record field with default added",
    rec("R", [{ name: "cell", type: rec("Cell", [{ name: "pci", type: "int" }]) }]),
    rec("R", [{ name: "cell", type: rec("Cell", [{ name: "pci", type: "int" }, { name: "band", type: ["null", "string"], default: null }]) }]),
    "cell.band",
    "field_added",
    false,
    false,
  ],
  [
    "nested record field removed",
    rec("R", [{ name: "cell", type: rec("Cell", [{ name: "pci", type: "int" }, { name: "band", type: "string" }]) }]),
    rec("R", [{ name: "cell", type: rec("Cell", [{ name: "pci", type: "int" }]) }]),
    "cell.band",
    "field_removed",
    false,
    true,
  ],
  ["map value promoted", rec("R", [{ name: "m", type: { type: "map", values: "float" } }]), rec("R", [{ name: "m", type: { type: "map", values: "double" } }]), "m[]", "type_widened", false, true],
  [
    "enum symbol added inside array items",
    rec("R", [{ name: "ss", type: { type: "array", items: { type: "enum", name: "S", symbols: ["A"] } } }]),
    rec("R", [{ name: "ss", type: { type: "array", items: { type: "enum", name: "S", symbols: ["A", "B"] } } }]),
    "ss[]",
    "enum_value_added",
    false,
    true,
  ],
];

describe.each([
  ["JSON Schema", "json-schema" as const, JSON_CASES],
  ["Avro", "avro" as const, AVRO_CASES],
])("%s: nested and array changes", (_name, format, cases) => {
  it.each(cases)("%s", (_n, before, after, path, kind, bb, bf) => {
    const changes = diffSchemas({ schemaFormat: format, schema: before }, { schemaFormat: format, schema: after }, "full");
    const c = changes.find((x) => x.path === path && x.kind === kind);
    expect(c, JSON.stringify(changes)).toBeDefined();
    expect([c!.breaksBackward, c!.breaksForward]).toEqual([bb, bf]);
    expect(c!.breaking).toBe(bb || bf);
  });
});
