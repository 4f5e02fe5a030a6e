import { describe, expect, it } from "vitest";
import { compileMaskingPolicy, deriveProductKey, MaskingPolicyError, type MaskingField, type MaskResult } from "@/lib/masking";

const key = deriveProductKey("test-master-secret-of-enough-length", "product-a", 1);

const fields: MaskingField[] = [
  { path: "event_id", type: "string", pii: "none" },
  { path: "subscriber.msisdn", type: "string", pii: "direct" },
  { path: "subscriber.plan", type: "string", pii: "none" },
  { path: "cells[].id", type: "string", pii: "none" },
  { path: "cells[].rsrp", type: "number", pii: "none" },
  { path: "signals[]", type: "number", pii: "none" },
];

const partner = compileMaskingPolicy({ fields, fullAccess: false, key, tier: "partner", rules: { "subscriber.msisdn": { strategy: "hash" } } });
const full = compileMaskingPolicy({ fields, fullAccess: true, rules: {} });

function value(r: MaskResult): Record<string, unknown> {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.value;
}

describe("compileMaskingPolicy: allow-list", () => {
  const record = {
    event_id: "e-1",
    added_in_v2: "not in the contract",
    subscriber: { msisdn: "+447700900123", plan: "gold", name: "Ada Lovelace" },
    cells: [
      { id: "c-1", rsrp: -95.5, extra: "x" },
      { id: "c-2", rsrp: -101 },
    ],
    signals: [1, 2.5],
  };

  it("keeps listed fields, masks PII and leaves out everything the contract does not name", () => {
    const out = value(partner(record));
    expect(out).toEqual({
      event_id: "e-1",
      subscriber: { msisdn: expect.stringMatching(/^[0-9a-f]{64}$/), plan: "gold" },
      cells: [
        { id: "c-1", rsrp: -95.5 },
        { id: "c-2", rsrp: -101 },
      ],
      signals: [1, 2.5],
    });
    expect(JSON.stringify(out)).not.toContain("+447700900123");
  });

  it("full access passes listed fields unchanged but still drops unknown ones", () => {
    expect(value(full(record))).toEqual({
      event_id: "e-1",
      subscriber: { msisdn: "+447700900123", plan: "gold" },
      cells: [
        { id: "c-1", rsrp: -95.5 },
        { id: "c-2", rsrp: -101 },
      ],
      signals: [1, 2.5],
    });
  });

  it("leaves missing fields missing, keeps nulls and empty lists", () => {
    expect(value(partner({ event_id: "e-2", subscriber: null, cells: [], signals: null }))).toEqual({
      event_id: "e-2",
      subscriber: null,
      cells: [],
      signals: null,
    });
    expect(value(partner({ cells: [null] }))).toEqual({ cells: [null] });
  });

  it("does not read inherited properties or let __proto__ set the output's prototype", () => {
    const f = compileMaskingPolicy({
      fields: [
        { path: "constructor", type: "string" },
        { path: "__proto__.polluted", type: "string" },
      ],
      fullAccess: false,
      rules: {},
    });
    expect(value(f({}))).toEqual({});
    const hostile = JSON.parse('{"__proto__": {"polluted": "yes", "other": "no"}}');
    const out = value(f(hostile));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"yes"}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("handles field names that would break generated code if they were not encoded", () => {
    const names = ['q"uote', "back\\slash", "line\u2028sep", "new\nline", "${x}", "*/ end", "'); throw 1; ('", "ünï"];
    const f = compileMaskingPolicy({ fields: names.map((n) => ({ path: `o.${n}`, type: "string" })), fullAccess: false, rules: {} });
    const record = { o: Object.fromEntries(names.map((n) => [n, `value of ${n}`])) };
    expect(value(f(record))).toEqual(record);
  });

  it("leaves out a container whose fields are all dropped", () => {
    const f = compileMaskingPolicy({ fields, fullAccess: false, rules: { "subscriber.msisdn": { strategy: "drop" }, "subscriber.plan": { strategy: "drop" } } });
    expect(value(f({ event_id: "e", subscriber: { msisdn: "1", plan: "p" } }))).toEqual({ event_id: "e" });
  });

  it("drops a whole container by its path, which also satisfies its PII fields", () => {
    const f = compileMaskingPolicy({ fields, fullAccess: false, rules: { subscriber: { strategy: "drop" }, "cells[]": { strategy: "drop" } } });
    expect(value(f({ event_id: "e", subscriber: { msisdn: "1" }, cells: [{ id: "x" }] }))).toEqual({ event_id: "e" });
  });

  it("treats PII on a container as PII of everything inside it", () => {
    const tagged: MaskingField[] = [
      { path: "customer", type: "object", pii: "direct" },
      { path: "customer.email", type: "string", pii: "none" },
    ];
    expect(() => compileMaskingPolicy({ fields: tagged, fullAccess: false, rules: {} })).toThrow(/customer\.email is personal data \(direct\)/);
    const f = compileMaskingPolicy({ fields: tagged, fullAccess: false, key, rules: { "customer.email": { strategy: "hash" } } });
    expect(value(f({ customer: { email: "a@b.c" } })).customer).toEqual({ email: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe("compileMaskingPolicy: records that fail (never pass through unmasked)", () => {
  it.each([
    ["a string", "just text", "The record is not a JSON object."],
    ["null", null, "The record is not a JSON object."],
    ["an array", [{ event_id: "x" }], "The record is not a JSON object."],
    ["an object where a value is expected", { subscriber: { msisdn: { nested: "+4477" } } }, "subscriber.msisdn: expected text"],
    ["a value where an object is expected", { subscriber: "+447700900123" }, "subscriber: expected an object"],
    ["a value where a list is expected", { cells: { id: "c" } }, "cells: expected a list"],
    ["a list element that is not an object", { cells: ["c-1"] }, "cells[]: expected an object"],
    ["a wrong scalar type in a list", { signals: [1, "2"] }, "signals[]: expected a number"],
    ["a number for a text PII field", { subscriber: { msisdn: 447700900123 } }, "subscriber.msisdn: expected text"],
  ])("fails on %s", (_label, record, reason) => {
    expect(partner(record)).toEqual({ ok: false, reason });
  });

  it("fails on a cycle under a leaf and copies only the contract's depth of one elsewhere", () => {
    const cyclic: Record<string, unknown> = { event_id: "e" };
    cyclic.subscriber = { msisdn: cyclic };
    expect(partner(cyclic)).toEqual({ ok: false, reason: "subscriber.msisdn: expected text" });
    const selfRef: Record<string, unknown> = { event_id: "e" };
    selfRef.loop = selfRef;
    expect(value(partner(selfRef))).toEqual({ event_id: "e" });
  });

  it("fails on absurdly deep values without overflowing the stack", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(partner({ event_id: "e", subscriber: { msisdn: deep } })).toEqual({ ok: false, reason: "subscriber.msisdn: expected text" });
    expect(value(partner({ event_id: "e", unknown: deep }))).toEqual({ event_id: "e" });
  });

  it("reports a throwing getter without quoting the value", () => {
    const record = {
      event_id: "e",
      get subscriber(): unknown {
        throw new TypeError("secret +447700900123");
      },
    };
    const r = partner(record);
    expect(r).toEqual({ ok: false, reason: "Masking failed (TypeError)." });
  });

  it("treats undefined like a missing field", () => {
    expect(value(partner({ event_id: undefined, subscriber: { plan: "p", msisdn: undefined } }))).toEqual({ subscriber: { plan: "p" } });
  });
});

describe("compileMaskingPolicy: policies it refuses", () => {
  function issuesOf(fn: () => unknown): { path: string; message: string }[] {
    try {
      fn();
    } catch (err) {
      if (err instanceof MaskingPolicyError) return err.issues.map(({ path, message }) => ({ path, message }));
      throw err;
    }
    throw new Error("expected a MaskingPolicyError");
  }

  it("refuses PII kept in clear by a non-full tier, explicitly or by default", () => {
    expect(issuesOf(() => compileMaskingPolicy({ fields, fullAccess: false, rules: {} }))).toEqual([
      { path: "subscriber.msisdn", message: expect.stringMatching(/personal data \(direct\): tier unnamed must drop, redact/) },
    ]);
    expect(issuesOf(() => compileMaskingPolicy({ fields, fullAccess: false, tier: "public", rules: { "subscriber.msisdn": { strategy: "keep" } } }))).toEqual([
      { path: "subscriber.msisdn", message: expect.stringMatching(/tier public must/) },
    ]);
  });

  it("needs the product key for hash and tokenize", () => {
    expect(issuesOf(() => compileMaskingPolicy({ fields, fullAccess: false, rules: { "subscriber.msisdn": { strategy: "tokenize" } } }))).toEqual([
      { path: "subscriber.msisdn", message: "tokenize needs the product's masking key (at least 16 bytes)." },
    ]);
    expect(() => compileMaskingPolicy({ fields, fullAccess: false, key: Buffer.alloc(8), rules: { "subscriber.msisdn": { strategy: "hash" } } })).toThrow(MaskingPolicyError);
  });

  it("refuses rules for unknown fields, bad settings and bad paths", () => {
    const issues = issuesOf(() =>
      compileMaskingPolicy({
        fields: [...fields, { path: "bad..path", type: "string" }, { path: "event_id", type: "string" }],
        fullAccess: false,
        rules: { "subscriber.msisdn": { strategy: "partial", keeplast: 4 }, "subscriber.mail": { strategy: "drop" } },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["bad..path", "event_id", "subscriber.msisdn", "subscriber.mail"]);
    expect(issues[0].message).toMatch(/not a valid field path/);
    expect(issues[1].message).toBe("event_id is listed more than once.");
    expect(issues[2].message).toMatch(/Unknown setting "keeplast" for partial/);
    expect(issues[3].message).toBe("The contract has no field subscriber.mail.");
  });

  it("names the fields in its error message", () => {
    expect(() => compileMaskingPolicy({ fields, fullAccess: false, rules: {} })).toThrow(/subscriber\.msisdn: subscriber\.msisdn is personal data/);
  });
});
