import { describe, expect, it } from "vitest";
import { AvroSchemaError } from "./avro";
import { buildFieldList, FIELDS_MAX, flattenAvroSchema, flattenJsonSchema, SchemaShapeError, suggestPii } from "./fields";
import { ibanValid, luhnValid, nameTokens } from "./pii";
import { valuesAt } from "./paths";

const telcoJson = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["event_time", "subscriber", "cells"],
  properties: {
    event_time: { type: "string", format: "date-time", description: "When it happened" },
    subscriber: {
      type: "object",
      required: ["msisdn"],
      properties: { msisdn: { type: "string" }, email: { type: ["string", "null"], format: "email" } },
    },
    cells: { type: "array", items: { $ref: "#/$defs/cell" } },
    tags: { type: "array", items: { type: "string" } },
    counters: { type: "object", additionalProperties: { type: "integer" } },
    kind: { enum: ["a", "b"] },
  },
  $defs: { cell: { type: "object", required: ["id"], properties: { id: { type: "integer" }, rsrp: { type: "number" } } } },
};

describe("flattenJsonSchema", () => {
  it("lists containers and leaves with [] for array items and map values", () => {
    const fields = flattenJsonSchema(telcoJson);
    expect(fields.map((f) => f.path)).toEqual([
      "event_time",
      "subscriber",
      "subscriber.msisdn",
      "subscriber.email",
      "cells",
      "cells[]",
      "cells[].id",
      "cells[].rsrp",
      "tags",
      "tags[]",
      "counters",
      "counters[]",
      "kind",
    ]);
    const by = Object.fromEntries(fields.map((f) => [f.path, f]));
    expect(by.event_time).toMatchObject({ type: "string", format: "date-time", required: true, nullable: false, description: "When it happened", pii: "none" });
    expect(by["subscriber.email"]).toMatchObject({ type: "string", required: false, nullable: true, format: "email" });
    expect(by["cells[].id"]).toMatchObject({ type: "integer", required: true });
    expect(by["cells[].rsrp"]).toMatchObject({ type: "number", required: false });
    expect(by["counters[]"].type).toBe("integer");
    expect(by.kind.type).toBe("string");
  });

  it("treats anyOf [X, null] as nullable X and merges allOf", () => {
    const fields = flattenJsonSchema({
      type: "object",
      required: ["a"],
      properties: { a: { anyOf: [{ type: "string" }, { type: "null" }] } },
      allOf: [{ properties: { b: { type: "boolean" } }, required: ["b"] }],
    });
    expect(fields).toEqual([
      { path: "a", type: "string", required: false, nullable: true, description: "", pii: "none" },
      { path: "b", type: "boolean", required: true, nullable: false, description: "", pii: "none" },
    ]);
  });

  it("rejects recursive schemas, unresolvable refs and huge schemas with a clear message", () => {
    const tree = { $defs: { node: { type: "object", properties: { child: { $ref: "#/$defs/node" } } } }, $ref: "#/$defs/node" };
    expect(() => flattenJsonSchema(tree)).toThrow(/recursive schema/);
    expect(() => flattenJsonSchema({ properties: { a: { $ref: "https://evil.example/s.json" } } })).toThrow(/does not resolve/);
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) properties[`f${i}`] = { type: "string" };
    expect(() => flattenJsonSchema({ type: "object", properties })).toThrow(new RegExp(`more than ${FIELDS_MAX} fields`));
    expect(() => flattenJsonSchema({ properties: { "a.b": { type: "string" } } })).toThrow(SchemaShapeError);
  });
});

const telcoAvro = {
  type: "record",
  name: "CallRecord",
  namespace: "com.telco",
  fields: [
    { name: "msisdn", type: "string", doc: "Caller" },
    { name: "started", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "cell", type: ["null", { type: "record", name: "Cell", fields: [{ name: "id", type: "int" }, { name: "lat", type: "double" }] }], default: null },
    { name: "status", type: { type: "enum", name: "Status", symbols: ["OK", "DROPPED"] }, default: "OK" },
    { name: "hops", type: { type: "array", items: "Cell" } },
    { name: "attrs", type: { type: "map", values: "string" } },
  ],
};

describe("flattenAvroSchema", () => {
  it("flattens records, nullable unions, named references, arrays and maps", () => {
    const fields = flattenAvroSchema(telcoAvro);
    expect(fields.map((f) => [f.path, f.type, f.required, f.nullable, f.format ?? ""])).toEqual([
      ["msisdn", "string", true, false, ""],
      ["started", "long", true, false, "timestamp-millis"],
      ["cell", "record", false, true, ""],
      ["cell.id", "int", true, false, ""],
      ["cell.lat", "double", true, false, ""],
      ["status", "enum", false, false, ""],
      ["hops", "array", true, false, ""],
      ["hops[]", "record", true, false, ""],
      ["hops[].id", "int", true, false, ""],
      ["hops[].lat", "double", true, false, ""],
      ["attrs", "map", true, false, ""],
      ["attrs[]", "string", true, false, ""],
    ]);
    expect(fields[0].description).toBe("Caller");
  });

  it("rejects invalid and recursive Avro schemas", () => {
    expect(() => flattenAvroSchema({ type: "record", name: "R", fields: [{ name: "a", type: "Nope" }] })).toThrow(AvroSchemaError);
    expect(() => flattenAvroSchema({ type: "record", name: "R", fields: [{ name: "a", type: "int", default: "x" }] })).toThrow(/default/);
    const list = { type: "record", name: "Node", fields: [{ name: "value", type: "int" }, { name: "next", type: ["null", "Node"] }] };
    expect(() => flattenAvroSchema(list)).toThrow(/recursive schema/);
  });
});

describe("valuesAt", () => {
  const rec = { a: { b: 1 }, cells: [{ r: 1 }, { r: 2 }, {}], m: { x: { v: 1 }, y: { v: 2 } }, __proto__x: 1 };
  it("follows dotted paths and iterates [] over arrays and maps", () => {
    expect(valuesAt(rec, "a.b")).toEqual([1]);
    expect(valuesAt(rec, "cells[].r")).toEqual([1, 2, undefined]);
    expect(valuesAt(rec, "m[].v")).toEqual([1, 2]);
    expect(valuesAt(rec, "missing.x")).toEqual([undefined]);
    expect(valuesAt(rec, "missing[].x")).toEqual([]);
    expect(valuesAt({ matrix: [[1, 2], [3]] }, "matrix[][]")).toEqual([1, 2, 3]);
    expect(valuesAt([{ a: 1 }, { a: 2 }], "[].a")).toEqual([1, 2]);
  });
  it("never reads prototype members", () => {
    expect(valuesAt({}, "constructor")).toEqual([undefined]);
    expect(valuesAt({}, "__proto__")).toEqual([undefined]);
    expect(valuesAt({ a: {} }, "a.toString")).toEqual([undefined]);
  });
});

describe("suggestPii", () => {
  it.each([
    ["subscriber.msisdn", "direct"],
    ["callingNumber", "direct"],
    ["contact_email", "direct"],
    ["imsi", "direct"],
    ["device.imei", "direct"],
    ["payer.iban", "direct"],
    ["customer.first_name", "direct"],
    ["customer.name", "direct"],
    ["home_address", "direct"],
    ["dob", "quasi"],
    ["cell.lat", "quasi"],
    ["location.lon", "quasi"],
    ["source_ip", "quasi"],
    ["postcode", "quasi"],
    ["diagnosis_code", "sensitive"],
    ["monthly_income", "sensitive"],
    ["customer.id", "direct"],
    ["trader_id", "direct"],
    ["counterparty.number", "direct"],
    ["activation.override_by", "direct"],
    ["sim.iccid_previous", "direct"],
    ["meter.id", "quasi"],
    ["usage.serving_cell_id", "quasi"],
    ["interaction.agent_notes", "sensitive"],
    ["order.number", "none"],
    ["cell.id", "none"],
    ["cell.name", "none"],
    ["rsrp", "none"],
    ["cells[].pci", "none"],
  ])("%s -> %s by name", (path, category) => {
    const s = suggestPii(path);
    expect(s.category).toBe(category);
    expect(s.reason.length).toBeGreaterThan(10);
  });

  it("recognises values: emails, E.164 numbers, IBANs, Luhn-valid card numbers", () => {
    expect(suggestPii("contact", ["a@x.com", "b@y.org", "c@z.net"]).category).toBe("direct");
    expect(suggestPii("a_party", ["+31612345678", "+447700900123"]).reason).toMatch(/E\.164/);
    expect(suggestPii("acct", ["NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00"]).reason).toMatch(/IBAN/);
    expect(suggestPii("ref", ["4111 1111 1111 1111", "5500-0000-0000-0004"]).reason).toMatch(/Luhn/);
    expect(suggestPii("peer", ["10.0.0.1", "192.168.1.20"]).category).toBe("quasi");
    expect(suggestPii("label", ["hello", "world"]).category).toBe("none");
  });

  it("needs most values to match, and prefers the more protective category", () => {
    expect(suggestPii("ref", ["4111111111111111", "x", "y", "z"]).category).toBe("none");
    const s = suggestPii("source_ip", ["a@x.com", "b@x.com"]);
    expect(s.category).toBe("direct");
  });

  it("has correct checksum helpers", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("490154203237518")).toBe(true); // an IMEI
    expect(ibanValid("GB82WEST12345698765432")).toBe(true);
    expect(ibanValid("GB82WEST12345698765433")).toBe(false);
    expect(nameTokens("subscriberMSISDN_hash")).toEqual(["subscriber", "msisdn", "hash"]);
  });
});

describe("buildFieldList", () => {
  it("suggests PII from names and sampled values, and carries docs over from a previous version", () => {
    const samples = [
      { event_time: "2026-11-22T00:00:00Z", subscriber: { msisdn: "+31612345678", email: "a@b.nl" }, cells: [{ id: 1 }], kind: "a" },
      { event_time: "2026-11-22T00:00:01Z", subscriber: { msisdn: "+31612345679", email: null }, cells: [], kind: "b" },
    ];
    const { fields, suggestions } = buildFieldList("json-schema", telcoJson, {
      samples,
      previous: [{ path: "event_time", type: "string", required: true, nullable: false, description: "Event time (UTC)", pii: "none" }],
    });
    const by = Object.fromEntries(fields.map((f) => [f.path, f]));
    expect(by["subscriber.msisdn"].pii).toBe("direct");
    expect(by["subscriber.email"].pii).toBe("direct");
    expect(by["cells[].id"].pii).toBe("none");
    expect(by.event_time.description).toBe("When it happened");
    expect(suggestions["subscriber.msisdn"]).toMatch(/MSISDN/);
    expect(suggestions.event_time).toBeUndefined();
  });
});
