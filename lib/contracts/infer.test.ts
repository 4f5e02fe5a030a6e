import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENUM_MIN_OBSERVATIONS, inferSchema, inferSchemaFromMessages, INFER_MAX_DEPTH, JSON_SCHEMA_2020, parseSamples } from "./infer";

const RAT = ["LTE", "NR", "UMTS"];

function cellEvent(i: number) {
  return {
    event_id: `5f0c6b8e-1d2a-4c3b-9a7e-${String(100000000000 + i)}`,
    event_time: `2026-11-22T04:${String(i % 60).padStart(2, "0")}:00Z`,
    subscriber: { msisdn: `+3161234${String(5000 + i)}`, imsi: `20408${String(1000000000 + i)}`, ...(i % 2 ? { email: `user${i}@example.com` } : {}) },
    rat: RAT[i % 3],
    cell: { id: 1000 + i, rsrp: -80 - (i % 30) - 0.5, lat: 52.1 + i / 1000, lon: 4.3 },
    neighbours: i % 4 === 0 ? [] : [{ pci: i % 504, rsrp: -100 }, { pci: (i + 1) % 504, rsrp: -101.5, band: "n78" }],
    source_ip: `10.0.${i % 255}.${(i * 7) % 255}`,
    handover_target: i % 5 === 0 ? null : `cell-${i}`,
    report_date: "2026-11-22",
    dashboard: "https://noc.example.net/cells/1",
  };
}

describe("inferSchema", () => {
  const samples = Array.from({ length: 30 }, (_, i) => cellEvent(i));
  const { schema, warnings } = inferSchema(samples);
  const props = schema.properties as Record<string, Record<string, unknown>>;

  it("declares draft 2020-12 and an object root", () => {
    expect(schema.$schema).toBe(JSON_SCHEMA_2020);
    expect(schema.type).toBe("object");
    expect(warnings).toEqual([]);
  });

  it("marks fields present in every sample as required, others optional", () => {
    expect(schema.required).toEqual(["cell", "dashboard", "event_id", "event_time", "handover_target", "neighbours", "rat", "report_date", "source_ip", "subscriber"]);
    const sub = props.subscriber as { required: string[]; properties: Record<string, unknown> };
    expect(sub.required).toEqual(["imsi", "msisdn"]);
    expect(Object.keys(sub.properties)).toEqual(["email", "imsi", "msisdn"]);
  });

  it("distinguishes integer from number and nests objects", () => {
    const cell = props.cell as { properties: Record<string, { type: string }> };
    expect(cell.properties.id.type).toBe("integer");
    expect(cell.properties.rsrp.type).toBe("number");
    expect(cell.properties.lat.type).toBe("number");
  });

  it("merges array item shapes, keeping optional item fields optional", () => {
    const items = props.neighbours.items as { required: string[]; properties: Record<string, { type: string }> };
    expect(props.neighbours.type).toBe("array");
    expect(items.required).toEqual(["pci", "rsrp"]);
    expect(items.properties.band.type).toBe("string");
    expect(items.properties.rsrp.type).toBe("number");
  });

  it("infers nullable unions", () => {
    expect(props.handover_target.type).toEqual(["null", "string"]);
  });

  it("infers formats only when every value matches", () => {
    expect(props.event_time.format).toBe("date-time");
    expect(props.event_id.format).toBe("uuid");
    expect(props.report_date.format).toBe("date");
    expect(props.source_ip.format).toBe("ipv4");
    expect(props.dashboard.format).toBe("uri");
    expect((props.subscriber.properties as Record<string, { format?: string }>).email.format).toBe("email");
    expect((props.subscriber.properties as Record<string, { format?: string }>).msisdn.format).toBeUndefined();
    const mixed = inferSchema([{ t: "2026-01-01T00:00:00Z" }, { t: "yesterday" }]).schema;
    expect((mixed.properties as Record<string, { format?: string }>).t.format).toBeUndefined();
  });

  it("infers enums for low-cardinality strings and states the thresholds", () => {
    expect(props.rat.enum).toEqual(["LTE", "NR", "UMTS"]);
    // Few observations: no enum even with repeats.
    const few = inferSchema(Array.from({ length: ENUM_MIN_OBSERVATIONS - 1 }, () => ({ s: "a" }))).schema;
    expect((few.properties as Record<string, { enum?: unknown }>).s.enum).toBeUndefined();
    // Many distinct values (ids): no enum.
    const ids = inferSchema(Array.from({ length: 40 }, (_, i) => ({ s: `id-${i % 20}` }))).schema;
    expect((ids.properties as Record<string, { enum?: unknown }>).s.enum).toBeUndefined();
    // Nullable enum includes null so the enum does not reject nulls.
    const nullable = inferSchema(Array.from({ length: 16 }, (_, i) => ({ s: i % 4 === 0 ? null : i % 2 ? "on" : "off" }))).schema;
    expect((nullable.properties as Record<string, { enum?: unknown }>).s.enum).toEqual(["off", "on", null]);
  });

  it("is deterministic regardless of sample order", () => {
    const shuffled = [...samples].reverse();
    expect(JSON.stringify(inferSchema(shuffled).schema)).toBe(JSON.stringify(schema));
  });

  it("infers payment events with an amount that is sometimes fractional", () => {
    const pay = [
      { payment_id: "p1", amount: 10, currency: "EUR", card: { last4: "4242" }, tags: ["web"] },
      { payment_id: "p2", amount: 12.5, currency: "EUR", card: { last4: "1881" }, tags: [] },
    ];
    const s = inferSchema(pay).schema as { properties: Record<string, { type: unknown; items?: unknown }> };
    expect(s.properties.amount.type).toBe("number");
    expect(s.properties.tags.items).toEqual({ type: "string" });
  });

  it("bounds depth and keeps non-object roots", () => {
    let deep: unknown = 1;
    for (let i = 0; i < INFER_MAX_DEPTH + 10; i++) deep = { d: deep };
    const r = inferSchema([deep]);
    expect(r.warnings.join(" ")).toMatch(/deeper than/);
    expect(inferSchema([1, 2.5]).schema.type).toBe("number");
    expect(inferSchema([]).warnings[0]).toMatch(/No samples/);
  });
});

describe("inferSchema with hostile keys", () => {
  it("keeps __proto__ and constructor as ordinary properties and pollutes nothing", () => {
    const sample = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "x", "a": 1}');
    const { schema } = inferSchema([sample]);
    const props = schema.properties as Record<string, unknown>;
    expect(Object.keys(props)).toEqual(["__proto__", "a", "constructor"]);
    expect(Object.getPrototypeOf(props)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
    addFormats(ajv);
    expect(ajv.validate(schema, sample)).toBe(true);
    expect(ajv.validate(schema, { a: 1, constructor: 5 })).toBe(false);
  });
});

describe("inferSchemaFromMessages", () => {
  it("says so when no message is JSON", () => {
    const r = inferSchemaFromMessages([new Uint8Array([0, 1, 2, 0xff]), "not json", null]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/Upload a JSON Schema or Avro schema/);
  });

  it("warns about the non-JSON share and infers from the rest", () => {
    const r = inferSchemaFromMessages([Buffer.from('{"a":1}'), "garbage", '{"a":2}']);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.warnings[0]).toMatch(/1 of 3 sampled messages are not JSON/);
      expect(r.schema.required).toEqual(["a"]);
    }
  });

  it("parses samples and reports each failure with its index", () => {
    const p = parseSamples(['{"x":1}', "{", undefined]);
    expect(p.values).toEqual([{ x: 1 }]);
    expect(p.invalid).toEqual([
      { index: 1, reason: "not JSON" },
      { index: 2, reason: "empty value (tombstone)" },
    ]);
  });
});

describe("inferred schemas accept their own samples (property)", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true });
  addFormats(ajv);
  const formatted = fc.constantFrom("2026-11-22T10:00:00Z", "2026-11-22", "a@b.example", "10.1.2.3", "https://x.example/a", "5f0c6b8e-1d2a-4c3b-9a7e-0123456789ab", "LTE", "NR");
  const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null), formatted);
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.constantFrom("a", "b", "c", "id", "ts"), tie("node"), { maxKeys: 4 })),
  })).node;

  it("validates every sample it was inferred from", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 25 }), (samples) => {
        const { schema } = inferSchema(samples);
        const validate = ajv.compile(schema);
        for (const s of samples) {
          if (!validate(s)) throw new Error(`rejected ${JSON.stringify(s)}: ${ajv.errorsText(validate.errors)} schema ${JSON.stringify(schema)}`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
