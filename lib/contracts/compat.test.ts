import { describe, expect, it } from "vitest";
import { checkCompatibility, diffSchemas, requiredBump, type ChangeKind, type CompatibilityMode, type SchemaChange } from "./compat";

type Json = Record<string, unknown>;
const js = (schema: unknown) => ({ schemaFormat: "json-schema" as const, schema });
const av = (schema: unknown) => ({ schemaFormat: "avro" as const, schema });

const base: Json = {
  type: "object",
  required: ["id", "msisdn", "status"],
  properties: {
    id: { type: "string" },
    msisdn: { type: "string" },
    status: { enum: ["ok", "dropped"] },
    rsrp: { type: "integer", minimum: -140 },
    cell: { type: "object", required: ["pci"], properties: { pci: { type: "integer" }, band: { type: "string" } } },
    note: { type: ["string", "null"] },
  },
};

function withProps(mut: (p: Record<string, Json>, s: Json) => void): Json {
  const s = structuredClone(base);
  mut(s.properties as Record<string, Json>, s);
  return s;
}

/** [name, new schema, expected kind, breaks backward, breaks forward] */
const JSON_CASES: [string, Json, ChangeKind, boolean, boolean][] = [
  ["optional field added", withProps((p) => (p.imei = { type: "string" })), "field_added", false, false],
  ["required field added without default", withProps((p, s) => ((p.imei = { type: "string" }), (s.required as string[]).push("imei"))), "field_added", true, false],
  ["required field added with default", withProps((p, s) => ((p.imei = { type: "string", default: "" }), (s.required as string[]).push("imei"))), "field_added", false, false],
  ["optional field removed", withProps((p) => delete p.note), "field_removed", false, false],
  ["required field removed", withProps((p, s) => (delete p.msisdn, (s.required = ["id", "status"]))), "field_removed", false, true],
  ["type widened integer -> number", withProps((p) => (p.rsrp = { type: "number", minimum: -140 })), "type_widened", false, true],
  ["type narrowed number -> integer", withProps(() => undefined), "type_narrowed", true, false],
  ["type changed string -> integer", withProps((p) => (p.id = { type: "integer" })), "type_changed", true, true],
  ["nullable removed", withProps((p) => (p.note = { type: "string" })), "nullable_removed", true, false],
  ["nullable added", withProps((p) => (p.id = { type: ["string", "null"] })), "nullable_added", false, true],
  ["optional -> required", withProps((_p, s) => (s.required as string[]).push("rsrp")), "required_added", true, false],
  ["required -> optional", withProps((_p, s) => (s.required = ["id", "status"])), "required_removed", false, true],
  ["enum value removed", withProps((p) => (p.status = { enum: ["ok"] })), "enum_value_removed", true, false],
  ["enum value added", withProps((p) => (p.status = { enum: ["ok", "dropped", "queued"] })), "enum_value_added", false, true],
  ["enum introduced", withProps((p) => (p.id = { type: "string", enum: ["a"] })), "enum_added", true, false],
  ["enum dropped", withProps((p) => (p.status = { type: "string" })), "enum_removed", false, true],
  ["minimum raised", withProps((p) => (p.rsrp = { type: "integer", minimum: -120 })), "constraint_tightened", true, false],
  ["minimum lowered", withProps((p) => (p.rsrp = { type: "integer", minimum: -150 })), "constraint_relaxed", false, true],
  ["maxLength added", withProps((p) => (p.id = { type: "string", maxLength: 10 })), "constraint_tightened", true, false],
  ["format added", withProps((p) => (p.id = { type: "string", format: "uuid" })), "constraint_tightened", true, false],
  ["pattern changed", withProps((p) => ((p.msisdn = { type: "string", pattern: "^\\+" }))), "constraint_tightened", true, false],
  ["additionalProperties tightened", withProps((_p, s) => (s.additionalProperties = false)), "additional_properties_tightened", true, false],
  ["nested field type changed", withProps((p) => (((p.cell as Json).properties as Json).pci = { type: "string" })), "type_changed", true, true],
  ["nested required field removed", withProps((p) => ((p.cell as Json).required = [], delete ((p.cell as Json).properties as Json).pci)), "field_removed", false, true],
  ["description changed", withProps((p) => (p.id = { type: "string", description: "Event id" })), "doc_changed", false, false],
];
// "type narrowed": start from a base where rsrp is a number.
JSON_CASES[6] = ["type narrowed number -> integer", base, "type_narrowed", true, false];
const numberBase = withProps((p) => (p.rsrp = { type: "number", minimum: -140 }));

function find(changes: SchemaChange[], kind: ChangeKind): SchemaChange | undefined {
  return changes.find((c) => c.kind === kind);
}

const MODES: CompatibilityMode[] = ["backward", "forward", "full", "none"];

describe("JSON Schema compatibility matrix", () => {
  it.each(JSON_CASES)("%s", (name, next, kind, bb, bf) => {
    const previous = name.startsWith("type narrowed") ? numberBase : base;
    for (const mode of MODES) {
      const changes = diffSchemas(js(previous), js(next), mode);
      const c = find(changes, kind);
      expect(c, `${name}: ${JSON.stringify(changes)}`).toBeDefined();
      expect(c!.path.length + c!.message.length).toBeGreaterThan(5);
      expect([c!.breaksBackward, c!.breaksForward]).toEqual([bb, bf]);
      const expected = mode === "backward" ? bb : mode === "forward" ? bf : mode === "full" ? bb || bf : false;
      expect(c!.breaking, `${name} in ${mode}`).toBe(expected);
    }
  });

  it("reports nothing for identical schemas and bumps patch", () => {
    expect(diffSchemas(js(base), js(structuredClone(base)))).toEqual([]);
    expect(requiredBump([])).toBe("patch");
  });

  it("lists every breaking change with its path", () => {
    const next = withProps((p, s) => {
      delete p.msisdn;
      s.required = ["id", "status", "imsi"];
      p.imsi = { type: "string" };
      p.status = { enum: ["ok"] };
      ((p.cell as Json).properties as Json).pci = { type: "string" };
    });
    const report = checkCompatibility(js(base), js(next), "full");
    expect(report.compatible).toBe(false);
    expect(report.requiredBump).toBe("major");
    expect(report.breaking.map((c) => [c.path, c.kind])).toEqual(
      expect.arrayContaining([
        ["msisdn", "field_removed"],
        ["imsi", "field_added"],
        ["status", "enum_value_removed"],
        ["cell.pci", "type_changed"],
      ]),
    );
    expect(report.breaking.find((c) => c.path === "imsi")!.message).toBe("field 'imsi' was added as required without a default");
  });

  it("adding a field to a closed object breaks forward", () => {
    const closed = { ...base, additionalProperties: false };
    const next = { ...closed, properties: { ...(base.properties as Json), extra: { type: "string" } } };
    const c = find(diffSchemas(js(closed), js(next), "forward"), "field_added")!;
    expect(c.breaking).toBe(true);
    expect(c.breaksBackward).toBe(false);
  });

  it("follows $refs, including recursive ones, and array items", () => {
    const tree = (valueType: string) => ({ $defs: { node: { type: "object", properties: { value: { type: valueType }, children: { type: "array", items: { $ref: "#/$defs/node" } } } } }, $ref: "#/$defs/node" });
    const changes = diffSchemas(js(tree("integer")), js(tree("string")), "backward");
    expect(changes.map((c) => [c.path, c.kind])).toContainEqual(["value", "type_changed"]);
    const arr = (t: string) => ({ type: "object", properties: { cells: { type: "array", items: { type: "object", properties: { rsrp: { type: t } } } } } });
    expect(diffSchemas(js(arr("integer")), js(arr("number")), "forward")[0]).toMatchObject({ path: "cells[].rsrp", kind: "type_widened", breaking: true });
  });

  it("sees a change in a definition reached through an unchanged wrapper", () => {
    const doc = (t: string) => ({ type: "object", properties: { wrapper: { type: "object", properties: { cell: { $ref: "#/$defs/cell" } } } }, $defs: { cell: { type: "object", properties: { pci: { type: t } } } } });
    expect(diffSchemas(js(doc("integer")), js(doc("string")), "backward")).toContainEqual(expect.objectContaining({ path: "wrapper.cell.pci", kind: "type_changed", breaking: true }));
  });

  it("compares anyOf variants", () => {
    const a = { anyOf: [{ type: "string" }, { type: "integer" }] };
    const b = { anyOf: [{ type: "string" }] };
    expect(find(diffSchemas(js(a), js(b), "backward"), "variant_removed")!.breaking).toBe(true);
    expect(find(diffSchemas(js(b), js(a), "forward"), "variant_added")!.breaking).toBe(true);
  });

  it("requires a minor bump for compatible additions and patch for docs", () => {
    const added = diffSchemas(js(base), js(JSON_CASES[0][1]), "backward");
    expect(requiredBump(added)).toBe("minor");
    const docs = diffSchemas(js(base), js(JSON_CASES[JSON_CASES.length - 1][1]), "backward");
    expect(requiredBump(docs)).toBe("patch");
  });

  it("treats a format switch as breaking both ways", () => {
    const c = diffSchemas(js(base), av({ type: "record", name: "R", fields: [] }), "backward");
    expect(c).toEqual([expect.objectContaining({ kind: "schema_format_changed", breaking: true })]);
  });
});

const avroBase = {
  type: "record",
  name: "Call",
  namespace: "com.telco",
  fields: [
    { name: "msisdn", type: "string" },
    { name: "duration", type: "int" },
    { name: "status", type: { type: "enum", name: "Status", symbols: ["OK", "DROPPED"] } },
    { name: "cell", type: ["null", { type: "record", name: "Cell", fields: [{ name: "pci", type: "int" }] }], default: null },
    { name: "score", type: "float", default: 0 },
    { name: "tags", type: { type: "array", items: "string" }, default: [] },
    { name: "hash", type: { type: "fixed", name: "Hash", size: 16 } },
  ],
};

type AvroFieldDef = { name: string; type: unknown; default?: unknown; aliases?: string[]; doc?: string };

function avroWith(mut: (fields: AvroFieldDef[], s: Json) => void): Json {
  const s = structuredClone(avroBase) as Json;
  mut(s.fields as AvroFieldDef[], s);
  return s;
}
const field = (fs: AvroFieldDef[], name: string) => fs.find((f) => f.name === name)!;

const AVRO_CASES: [string, Json, ChangeKind, boolean, boolean][] = [
  ["field added with default", avroWith((fs) => fs.push({ name: "imei", type: ["null", "string"], default: null })), "field_added", false, false],
  ["field added without default", avroWith((fs) => fs.push({ name: "imei", type: "string" })), "field_added", true, false],
  ["field with default removed", avroWith((fs) => fs.splice(fs.indexOf(field(fs, "score")), 1)), "field_removed", false, false],
  ["field without default removed", avroWith((fs) => fs.splice(fs.indexOf(field(fs, "msisdn")), 1)), "field_removed", false, true],
  ["int promoted to long", avroWith((fs) => (field(fs, "duration").type = "long")), "type_widened", false, true],
  ["float promoted to double", avroWith((fs) => (field(fs, "score").type = "double")), "type_widened", false, true],
  ["int changed to string", avroWith((fs) => (field(fs, "duration").type = "string")), "type_changed", true, true],
  ["string and bytes interchange", avroWith((fs) => (field(fs, "msisdn").type = "bytes")), "type_widened", false, false],
  ["enum symbol added", avroWith((fs) => (field(fs, "status").type = { type: "enum", name: "Status", symbols: ["OK", "DROPPED", "BUSY"] })), "enum_value_added", false, true],
  ["enum symbol removed", avroWith((fs) => (field(fs, "status").type = { type: "enum", name: "Status", symbols: ["OK"] })), "enum_value_removed", true, false],
  ["enum symbol removed with reader default", avroWith((fs) => (field(fs, "status").type = { type: "enum", name: "Status", symbols: ["OK"], default: "OK" })), "enum_value_removed", false, false],
  ["null removed from union", avroWith((fs) => ((field(fs, "cell").type = { type: "record", name: "Cell", fields: [{ name: "pci", type: "int" }] }), delete field(fs, "cell").default)), "nullable_removed", true, false],
  ["union branch added", avroWith((fs) => (field(fs, "duration").type = ["int", "string"])), "variant_added", false, true],
  ["nested field type changed", avroWith((fs) => (field(fs, "cell").type = ["null", { type: "record", name: "Cell", fields: [{ name: "pci", type: "string" }] }])), "type_changed", true, true],
  ["array item promoted", avroWith((fs) => (field(fs, "tags").type = { type: "array", items: "bytes" })), "type_widened", false, false],
  ["record renamed without alias", avroWith((_fs, s) => (s.name = "PhoneCall")), "name_changed", true, true],
  ["record renamed with alias", avroWith((_fs, s) => ((s.name = "PhoneCall"), (s.aliases = ["Call"]))), "name_changed", false, true],
  ["field renamed with alias", avroWith((fs) => ((field(fs, "msisdn").aliases = ["msisdn"]), (field(fs, "msisdn").name = "a_number"))), "name_changed", false, true],
  ["fixed size changed", avroWith((fs) => (field(fs, "hash").type = { type: "fixed", name: "Hash", size: 32 })), "size_changed", true, true],
  ["logical type added", avroWith((fs) => (field(fs, "duration").type = { type: "int", logicalType: "time-millis" })), "logical_type_changed", true, true],
  ["doc changed", avroWith((fs) => (field(fs, "msisdn").doc = "Caller number")), "doc_changed", false, false],
];

describe("Avro compatibility matrix", () => {
  it.each(AVRO_CASES)("%s", (name, next, kind, bb, bf) => {
    for (const mode of MODES) {
      const changes = diffSchemas(av(avroBase), av(next), mode);
      const c = find(changes, kind);
      expect(c, `${name}: ${JSON.stringify(changes)}`).toBeDefined();
      expect([c!.breaksBackward, c!.breaksForward]).toEqual([bb, bf]);
      const expected = mode === "backward" ? bb : mode === "forward" ? bf : mode === "full" ? bb || bf : false;
      expect(c!.breaking, `${name} in ${mode}`).toBe(expected);
    }
  });

  it("is compatible with itself", () => {
    expect(checkCompatibility(av(avroBase), av(structuredClone(avroBase)), "full")).toMatchObject({ compatible: true, changes: [], requiredBump: "patch" });
  });

  it("handles recursive records and reports the nested path", () => {
    const list = (t: string) => ({ type: "record", name: "Node", fields: [{ name: "value", type: t }, { name: "next", type: ["null", "Node"], default: null }] });
    const changes = diffSchemas(av(list("int")), av(list("long")), "backward");
    expect(changes).toEqual([expect.objectContaining({ path: "value", kind: "type_widened", breaking: false })]);
    expect(checkCompatibility(av(list("long")), av(list("int")), "backward").compatible).toBe(false);
  });

  it("full mode needs both directions", () => {
    const promoted = AVRO_CASES[4][1];
    expect(checkCompatibility(av(avroBase), av(promoted), "backward").compatible).toBe(true);
    expect(checkCompatibility(av(avroBase), av(promoted), "forward").compatible).toBe(false);
    const r = checkCompatibility(av(avroBase), av(promoted), "full");
    expect(r.compatible).toBe(false);
    expect(r.requiredBump).toBe("major");
    expect(checkCompatibility(av(avroBase), av(promoted), "none")).toMatchObject({ compatible: true, requiredBump: "minor" });
  });
});
