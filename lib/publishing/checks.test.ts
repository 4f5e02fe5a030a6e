import { describe, expect, it } from "vitest";
import { checkPlans, checkSchemaText, checkTiers, classifyFields, runPublishChecks, toSampledRecords, type PublishCheckInput } from "./checks";

const schema = {
  type: "object",
  required: ["msisdn", "cell", "ts"],
  properties: {
    msisdn: { type: "string" },
    cell: { type: "string" },
    rsrp: { type: "number" },
    ts: { type: "string", format: "date-time" },
  },
};
const samples = [
  { msisdn: "31612345678", cell: "c-1", rsrp: -90.5, ts: "2026-11-22T07:00:00Z" },
  { msisdn: "31687654321", cell: "c-2", rsrp: -101.25, ts: "2026-11-22T07:00:01Z" },
].map((s) => JSON.stringify(s));

function good(): PublishCheckInput {
  return {
    slugTaken: false,
    source: { topic: "src.cells", clusterId: "00000000-0000-4000-8000-000000000001" },
    schema: { format: "json-schema", text: JSON.stringify(schema) },
    fieldDocs: [
      { path: "msisdn", description: "Subscriber number", pii: "direct" },
      { path: "cell", description: "", pii: "none" },
      { path: "rsrp", description: "", pii: "none" },
      { path: "ts", description: "", pii: "none" },
    ],
    contract: { purposes: ["analytics"], qualityRules: [{ id: "r1", kind: "range", field: "rsrp", params: { min: -140, max: -40 } }] },
    tiers: [
      { name: "full", fullAccess: true, rules: {} },
      { name: "partner", fullAccess: false, rules: { msisdn: { strategy: "hash" } } },
    ],
    plans: [
      { name: "Internal", tier: "partner", approval: "auto", priceModel: "free", priceMinor: 0, currency: "EUR" },
      { name: "Full", tier: "full", approval: "manual", priceModel: "per_gb", priceMinor: 250, currency: "EUR", monthlyCapMinor: 100000 },
    ],
    samples: toSampledRecords(samples),
  };
}

const keys = (r: { fieldErrors: Record<string, string[]> }) => Object.keys(r.fieldErrors).sort();

describe("runPublishChecks", () => {
  it("passes a complete draft and returns the classified field list", () => {
    const r = runPublishChecks(good());
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.fields.find((f) => f.path === "msisdn")).toMatchObject({ pii: "direct", description: "Subscriber number", required: true });
  });

  it("rejects a PII field kept in clear by a tier that is not full access", () => {
    const d = good();
    d.tiers = [d.tiers![0], { name: "partner", fullAccess: false, rules: {} }];
    const r = runPublishChecks(d);
    expect(r.ok).toBe(false);
    expect(keys(r)).toEqual(["tiers.partner.msisdn"]);
    expect(r.fieldErrors["tiers.partner.msisdn"][0]).toMatch(/personal data/);
    expect(r.issues[0].step).toBe("tiers");
  });

  it("rejects an explicit keep rule on PII outside full access", () => {
    const d = good();
    d.tiers = [d.tiers![0], { name: "partner", fullAccess: false, rules: { msisdn: { strategy: "keep" } } }];
    expect(keys(runPublishChecks(d))).toEqual(["tiers.partner.msisdn"]);
  });

  it("rejects a full-access tier on a plan without owner review", () => {
    const d = good();
    d.plans = [d.plans![0], { ...d.plans![1], approval: "auto" }];
    const r = runPublishChecks(d);
    expect(keys(r)).toEqual(["plans.1.approval"]);
    expect(r.fieldErrors["plans.1.approval"][0]).toMatch(/owner review/);
  });

  it("rejects a second full-access tier", () => {
    const d = good();
    d.tiers = [...d.tiers!, { name: "raw", fullAccess: true, rules: {} }];
    expect(keys(runPublishChecks(d))).toEqual(["tiers.raw"]);
  });

  it("rejects quality rules that do not parse, name missing fields or fail on the sample", () => {
    const d = good();
    d.contract = {
      purposes: ["analytics"],
      qualityRules: [
        { id: "bad-pattern", kind: "pattern", field: "cell", params: { pattern: "(a+)+" } },
        { id: "missing", kind: "required", field: "imsi", params: {} },
        { id: "strict", kind: "range", field: "rsrp", params: { min: -95 } },
      ],
    };
    const r = runPublishChecks(d);
    expect(keys(r)).toEqual(["contract.rules.bad-pattern", "contract.rules.missing", "contract.rules.strict"]);
    expect(r.fieldErrors["contract.rules.missing"][0]).toMatch(/imsi.*does not exist/);
    expect(r.fieldErrors["contract.rules.strict"][0]).toMatch(/fails on 1 of 2 samples/);
  });

  it("rejects insane prices: negative, fractional, paid at 0, free with a price, bad currency, negative cap", () => {
    const base = good().plans![1];
    const tiers = good().tiers!;
    const cases: [Partial<typeof base>, string][] = [
      [{ priceMinor: -1 }, "plans.0.priceMinor"],
      [{ priceMinor: 1.5 }, "plans.0.priceMinor"],
      [{ priceMinor: 0 }, "plans.0.priceMinor"],
      [{ priceModel: "free", priceMinor: 100, monthlyCapMinor: null }, "plans.0.priceMinor"],
      [{ currency: "EURO" }, "plans.0.currency"],
      [{ currency: "XYZ" }, "plans.0.currency"],
      [{ monthlyCapMinor: -5 }, "plans.0.monthlyCapMinor"],
      [{ quotaBytesPerSec: 10 }, "plans.0.quotaBytesPerSec"],
      [{ tier: "nope" }, "plans.0.tier"],
    ];
    for (const [patch, key] of cases) {
      const issues = checkPlans([{ ...base, ...patch }], tiers);
      expect(issues.map((i) => i.field), JSON.stringify(patch)).toEqual([key]);
    }
  });

  it("rejects a taken slug, a missing source and missing steps, each on its own step", () => {
    const r = runPublishChecks({ ...good(), slugTaken: true, source: null, contract: null, plans: null });
    expect(keys(r)).toEqual(["basics.slug", "contract", "plans", "source.topic"]);
    expect(new Set(r.issues.map((i) => i.step))).toEqual(new Set(["basics", "source", "contract", "plans"]));
  });

  it("rejects fields the owner never classified", () => {
    const d = good();
    d.fieldDocs = d.fieldDocs!.filter((f) => f.path !== "rsrp");
    expect(keys(runPublishChecks(d))).toEqual(["fields.rsrp"]);
  });

  it("warns, without blocking, when samples do not match the schema", () => {
    const d = good();
    d.samples = toSampledRecords([...samples, JSON.stringify({ cell: "c-3", ts: "2026-11-22T07:00:00Z" })]);
    const r = runPublishChecks(d);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.field)).toEqual(["schema.text"]);
  });
});

describe("non-JSON topics", () => {
  it("refuses a topic whose sampled messages are all non-JSON, on the source topic", () => {
    const d = good();
    d.samples = toSampledRecords(["plain text", "<xml/>", null]);
    const r = runPublishChecks(d);
    expect(r.ok).toBe(false);
    expect(keys(r)).toEqual(["source.topic"]);
    expect(r.fieldErrors["source.topic"][0]).toMatch(/^No sampled message is JSON; the router delivers JSON records only/);
    expect(r.fieldErrors["source.topic"][0]).toMatch(/not JSON/);
  });

  it("warns when some sampled messages are not JSON, and checks rules on the JSON ones only", () => {
    const d = good();
    d.samples = toSampledRecords([...samples, "garbage"]);
    const r = runPublishChecks(d);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => [w.field, w.message])).toEqual([["source.topic", expect.stringMatching(/^1 of 3 sampled messages cannot be routed \(record is not JSON\)/)]]);
  });

  it("uses the verdict computed on the full record, not the value cut for display", () => {
    const d = good();
    // A large JSON record whose stored value was cut at the display limit still counts as JSON.
    d.samples = [...toSampledRecords(samples), { value: '{"msisdn": "3161', reject: null }];
    expect(runPublishChecks(d).warnings).toEqual([]);
    d.samples = samples.map((value) => ({ value, reject: "record is larger than 1048588 bytes" }));
    expect(keys(runPublishChecks(d))).toEqual(["source.topic"]);
  });

  it("warns that an empty topic was not tried on real records", () => {
    const d = good();
    d.samples = [];
    const r = runPublishChecks(d);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.field)).toEqual(["source.topic"]);
  });
});

describe("checkSchemaText", () => {
  it("explains malformed JSON", () => {
    const r = checkSchemaText("json-schema", '{"type": "object",');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toMatch(/not valid JSON/);
  });

  it("refuses recursive schemas", () => {
    const recursive = { $defs: { node: { type: "object", properties: { child: { $ref: "#/$defs/node" } } } }, $ref: "#/$defs/node" };
    const r = checkSchemaText("json-schema", JSON.stringify(recursive));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toMatch(/recurs|cycle/i);
  });

  it("refuses a 10,000-field schema with a message", () => {
    const properties = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, { type: "string" }]));
    const r = checkSchemaText("json-schema", JSON.stringify({ type: "object", properties }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toMatch(/more than 2000 fields/);
  });

  it("refuses an invalid Avro schema and accepts a valid one", () => {
    expect(checkSchemaText("avro", JSON.stringify({ type: "record", fields: [] })).ok).toBe(false);
    const ok = checkSchemaText("avro", JSON.stringify({ type: "record", name: "R", fields: [{ name: "id", type: "string" }] }));
    expect(ok.ok).toBe(true);
  });

  it("refuses a schema without fields", () => {
    expect(checkSchemaText("json-schema", JSON.stringify({ type: "object" })).ok).toBe(false);
  });
});

describe("checkTiers and classifyFields", () => {
  it("reports a tier that cannot mask a sampled record", () => {
    const { fields } = classifyFields(
      (checkSchemaText("json-schema", JSON.stringify(schema)) as unknown as { fields: never[] }).fields,
      good().fieldDocs!,
    );
    const issues = checkTiers(fields, [{ name: "p", fullAccess: false, rules: { msisdn: { strategy: "partial", keepLast: 2 } } }], [{ msisdn: 12345, cell: "c", ts: "x" }]);
    expect(issues.map((i) => i.field)).toEqual(["tiers.p"]);
    expect(issues[0].message).toMatch(/cannot mask 1 of 1/);
  });

  it("flags documented fields the schema no longer has", () => {
    const r = classifyFields([{ path: "a", type: "string", required: true, nullable: false, description: "", pii: "none" }], [
      { path: "a", description: "", pii: "none" },
      { path: "gone", description: "", pii: "direct" },
    ]);
    expect(r.issues.map((i) => i.field)).toEqual(["fields.gone"]);
  });
});
