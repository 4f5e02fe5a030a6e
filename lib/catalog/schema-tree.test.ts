import { describe, expect, it } from "vitest";
import { hrefWith } from "@/components/ui/href";
import { pageWindow } from "@/components/ui/pagination";
import { describeQualityRule, formatDuration, formatMoney, formatPlanPrice, formatRetention } from "./format";
import { buildSchemaTree, countPii } from "./schema-tree";

describe("buildSchemaTree (JSON Schema)", () => {
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    required: ["event_id", "subscriber", "cells"],
    $defs: { geo: { type: "object", properties: { lat: { type: "number" }, lon: { type: "number" } } } },
    properties: {
      event_id: { type: "string", format: "uuid", description: "Unique id" },
      subscriber: {
        type: "object",
        required: ["msisdn"],
        properties: { msisdn: { type: "string" }, age_band: { type: ["string", "null"], enum: ["18-24", "25-34", null] } },
      },
      cells: { type: "array", items: { type: "object", required: ["id"], properties: { id: { type: "integer" }, location: { $ref: "#/$defs/geo" } } } },
    },
  };
  const fields = [
    { path: "subscriber.msisdn", type: "string", required: true, description: "E.164 phone number", pii: "direct" },
    { path: "subscriber.age_band", pii: "quasi" },
    { path: "cells[].location.lat", pii: "quasi" },
  ];
  const tree = buildSchemaTree("json-schema", schema, fields);

  it("builds nested nodes with types, required flags and docs", () => {
    expect(tree.map((n) => n.name)).toEqual(["event_id", "subscriber", "cells"]);
    expect(tree[0]).toMatchObject({ type: "string (uuid)", required: true, description: "Unique id", pii: "none" });
    const [msisdn, age] = tree[1].children;
    expect(msisdn).toMatchObject({ path: "subscriber.msisdn", required: true, description: "E.164 phone number", pii: "direct" });
    expect(age).toMatchObject({ required: false, pii: "quasi" });
    expect(age.type).toContain("| null");
  });

  it("descends into arrays and local $refs", () => {
    const cells = tree[2];
    expect(cells.type).toBe("array<object>");
    expect(cells.children.map((c) => c.path)).toEqual(["cells[].id", "cells[].location"]);
    expect(cells.children[1].children[0]).toMatchObject({ path: "cells[].location.lat", type: "number", pii: "quasi" });
    expect(countPii(tree)).toEqual({ direct: 1, quasi: 2, sensitive: 0 });
  });

  it("survives self-referencing and garbage schemas", () => {
    const loop: Record<string, unknown> = { type: "object", properties: { next: { $ref: "#" } } };
    expect(() => buildSchemaTree("json-schema", loop, [])).not.toThrow();
    expect(buildSchemaTree("json-schema", "nonsense", null)).toEqual([]);
    expect(buildSchemaTree("json-schema", { properties: { a: 5 } }, [])).toEqual([
      { name: "a", path: "a", type: "any", required: false, description: undefined, pii: "none", children: [] },
    ]);
  });

  it("falls back to the contract's flat field list when the schema says nothing", () => {
    const t = buildSchemaTree("json-schema", {}, [{ path: "a.b", type: "string", required: true, pii: "sensitive" }]);
    expect(t[0]).toMatchObject({ name: "a", type: "object" });
    expect(t[0].children[0]).toMatchObject({ name: "b", path: "a.b", pii: "sensitive", required: true });
  });
});

describe("buildSchemaTree (Avro)", () => {
  it("reads records, unions with null, arrays of records and logical types", () => {
    const avro = {
      type: "record",
      name: "Payment",
      fields: [
        { name: "id", type: "string", doc: "Payment id" },
        { name: "ts", type: { type: "long", logicalType: "timestamp-millis" } },
        { name: "payer", type: { type: "record", name: "Party", fields: [{ name: "iban", type: "string" }] } },
        { name: "payee", type: ["null", "Party"], default: null },
        { name: "lines", type: { type: "array", items: { type: "record", name: "Line", fields: [{ name: "amount", type: "double" }] } } },
        { name: "status", type: { type: "enum", name: "S", symbols: ["OK", "FAILED"] } },
      ],
    };
    const t = buildSchemaTree("avro", avro, [{ path: "payer.iban", pii: "direct" }]);
    expect(t.map((n) => [n.name, n.type, n.required])).toEqual([
      ["id", "string", true],
      ["ts", "long (timestamp-millis)", true],
      ["payer", "record Party", true],
      ["payee", "record Party | null", false],
      ["lines", "array<record Line>", true],
      ["status", "enum: OK, FAILED", true],
    ]);
    expect(t[0].description).toBe("Payment id");
    expect(t[2].children[0]).toMatchObject({ path: "payer.iban", pii: "direct" });
    expect(t[3].children[0].path).toBe("payee.iban");
    expect(t[4].children[0].path).toBe("lines[].amount");
  });
});

describe("formatting", () => {
  it("formats minor units in the currency's precision", () => {
    expect(formatMoney(1250, "EUR")).toBe("€12.50");
    expect(formatMoney(500, "JPY")).toBe("JP¥500");
    expect(formatMoney(100, "NOPE")).toBe("1.00 NOPE");
    expect(formatPlanPrice({ priceModel: "per_gb", priceMinor: 250, currency: "USD" })).toBe("US$2.50 per GB");
    expect(formatPlanPrice({ priceModel: "free", priceMinor: 0, currency: "EUR" })).toBe("Free");
    expect(formatPlanPrice({ priceModel: "flat_monthly", priceMinor: 50000, currency: "EUR" })).toBe("€500.00 per month");
  });

  it("formats durations and retention", () => {
    expect(formatDuration(5)).toBe("5 seconds");
    expect(formatDuration(90)).toBe("1 minute 30 seconds");
    expect(formatDuration(3600)).toBe("1 hour");
    expect(formatRetention(168)).toBe("7 days");
    expect(formatRetention(36)).toBe("36 hours");
  });

  it("describes quality rules in words", () => {
    expect(describeQualityRule({ kind: "range", field: "signal.rsrp", params: { min: -140, max: -44 } })).toBe(
      "signal.rsrp must be between -140 and -44",
    );
    expect(describeQualityRule({ kind: "enum", field: "status", params: { values: ["OK", "FAILED"] } })).toBe(
      'status must be one of "OK", "FAILED"',
    );
    expect(describeQualityRule({ kind: "max_age", field: "event_time", params: { seconds: 3600 } })).toBe(
      "event_time must be no older than 1 hour when delivered",
    );
    expect(describeQualityRule({ kind: "required", field: "event_id", params: {} })).toBe("event_id must always be present");
    expect(describeQualityRule(null)).toBe("Unrecognised rule");
  });
});

describe("URL helpers", () => {
  it("keeps other params, removes cleared ones and repeats arrays", () => {
    expect(hrefWith("/catalog", { q: "net", tag: ["a", "b"], page: "3" }, { page: null })).toBe("/catalog?q=net&tag=a&tag=b");
    expect(hrefWith("/catalog", { q: "a&b=c" }, { page: 2 })).toBe("/catalog?page=2&q=a%26b%3Dc");
    expect(hrefWith("/catalog", {}, {})).toBe("/catalog");
  });

  it("windows page numbers with gaps", () => {
    expect(pageWindow(5, 10)).toEqual([1, null, 4, 5, 6, null, 10]);
    expect(pageWindow(1, 3)).toEqual([1, 2, 3]);
  });
});
