import { describe, expect, it } from "vitest";
import { MAX_FIELDS, toFieldErrors, validateTierRules, type MaskingField } from "@/lib/masking";

const fields: MaskingField[] = [
  { path: "event_time", type: "string", pii: "none" },
  { path: "subscriber.msisdn", type: "string", pii: "direct" },
  { path: "subscriber.age", type: "integer", pii: "quasi" },
  { path: "subscriber.vip", type: "boolean", pii: "sensitive" },
  { path: "location.lat", type: "number", pii: "quasi" },
  { path: "apps[]", type: "string", pii: true },
  { path: "payload", type: "object", pii: "none" },
];

const good = {
  "subscriber.msisdn": { strategy: "hash" },
  "subscriber.age": { strategy: "generalize", bucket: 10 },
  "subscriber.vip": { strategy: "drop" },
  "location.lat": { strategy: "generalize", decimals: 2 },
  "apps[]": { strategy: "tokenize" },
  payload: { strategy: "drop" },
};

describe("validateTierRules", () => {
  it("accepts a complete policy and a full-access tier without rules", () => {
    expect(
      validateTierRules(fields, [
        { name: "partner", fullAccess: false, rules: good },
        { name: "full", fullAccess: true, rules: { payload: { strategy: "drop" } } },
      ]),
    ).toEqual([]);
  });

  it("lists every PII field a non-full tier keeps, per tier", () => {
    const issues = validateTierRules(fields, [
      { name: "internal", fullAccess: false, rules: { ...good, "subscriber.msisdn": { strategy: "keep" } } },
      { name: "public", fullAccess: false, rules: { payload: { strategy: "drop" } } },
    ]);
    expect(issues.map((i) => `${i.tier}:${i.path}`)).toEqual([
      "internal:subscriber.msisdn",
      "public:subscriber.msisdn",
      "public:subscriber.age",
      "public:subscriber.vip",
      "public:location.lat",
      "public:apps[]",
    ]);
    expect(issues[5].message).toBe("apps[] is personal data (personal): tier public must drop, redact, hash, partially mask, generalize or tokenize it.");
  });

  it("treats unknown PII labels as personal and 'none', false, null or absent as not", () => {
    const f: MaskingField[] = [
      { path: "a", type: "string", pii: "maybe" },
      { path: "b", type: "string", pii: "none" },
      { path: "c", type: "string", pii: false },
      { path: "d", type: "string", pii: null },
      { path: "e", type: "string" },
    ];
    expect(validateTierRules(f, [{ name: "t", fullAccess: false, rules: {} }]).map((i) => i.path)).toEqual(["a"]);
  });

  it("refuses rules that do not fit the field's type", () => {
    const issues = validateTierRules(fields, [
      {
        name: "t",
        fullAccess: false,
        rules: {
          ...good,
          "subscriber.age": { strategy: "generalize", decimals: 1 },
          "subscriber.vip": { strategy: "hash" },
          "location.lat": { strategy: "partial", keepLast: 2 },
          event_time: { strategy: "generalize", prefixBits: 24, truncate: "hour" },
          payload: { strategy: "keep" },
        },
      },
    ]);
    expect(Object.fromEntries(issues.map((i) => [i.path, i.message]))).toEqual({
      "subscriber.age": "decimals does not change whole numbers; use bucket or significant.",
      "subscriber.vip": "hash of a true/false value still reveals it (two possible outputs); drop or redact it.",
      "location.lat": "partial applies to text; use generalize for numbers.",
      event_time: "generalize needs exactly one of decimals, bucket, significant, truncate, prefixBits (got truncate and prefixBits).",
      payload: "This field (object) has no fields of its own listed; list the fields inside it, or drop or redact it.",
    });
  });

  it.each([
    [{ strategy: "mask" }, /Unknown strategy "mask"/],
    ["hash", /must be an object/],
    [{ strategy: "partial", keepLast: -1 }, /keepLast must be a whole number from 0 to 64/],
    [{ strategy: "partial", maskChar: "**" }, /maskChar must be exactly one character/],
    [{ strategy: "redact", replacement: 5 }, /replacement must be text/],
    [{ strategy: "generalize" }, /generalize needs exactly one of/],
    [{ strategy: "generalize", bucket: 0 }, /bucket must be a number greater than 0/],
    [{ strategy: "generalize", truncate: "week" }, /truncate must be one of minute, hour, day, month, year/],
    [{ strategy: "generalize", truncate: "day", epochUnit: "us" }, /epochUnit must be "ms" or "s"/],
    [{ strategy: "generalize", significant: 0 }, /significant must be a whole number from 1 to 15/],
    [{ strategy: "tokenize", format: "fpe" }, /format must be "opaque" or "preserve"/],
    [{ strategy: "hash", salt: "x" }, /Unknown setting "salt" for hash/],
  ])("explains a bad rule %j", (rule, message) => {
    const issues = validateTierRules([{ path: "x", pii: "direct" }], [{ name: "t", fullAccess: false, rules: { x: rule } }]);
    // One message per field: a rule that does not parse is not also reported as "kept in clear".
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ tier: "t", path: "x", message: expect.stringMatching(message) });
  });

  it("reports field list problems once, without a tier", () => {
    const deep = Array.from({ length: 33 }, () => "x").join(".");
    const issues = validateTierRules(
      [
        { path: "m[]x", type: "string" },
        { path: "a..b", type: "string" },
        { path: deep, type: "string" },
        { path: "", type: "string" },
        { path: "[]", type: "string" },
        { path: "", type: "object" },
        { path: "ok", type: "string" },
        { path: "ok", type: "string" },
      ],
      [],
    );
    expect(issues.map((i) => [i.tier, i.path])).toEqual([
      [null, "m[]x"],
      [null, "a..b"],
      [null, deep],
      [null, ""],
      [null, "[]"],
      [null, "ok"],
    ]);
    expect(issues[0].message).toMatch(/not a valid field path/);
    expect(issues[2].message).toBe("The field path is deeper than 32 levels.");
    expect(issues[3].message).toMatch(/records that are JSON objects/);
    expect(issues[5].message).toBe("ok is listed more than once.");
  });

  it("refuses a position that is both an object with named fields and a list or map", () => {
    const f = [
      { path: "a.b", type: "string" },
      { path: "a[].c", type: "string" },
    ];
    expect(validateTierRules(f, [{ name: "t", fullAccess: true, rules: {} }])).toEqual([
      { tier: "t", path: "a", message: "a has both named fields and a[] entries; masking supports one shape per field, so drop a." },
    ]);
    expect(validateTierRules(f, [{ name: "t", fullAccess: true, rules: { a: { strategy: "drop" } } }])).toEqual([]);
  });

  it("requires dropping a map whose keys are personal, in every tier but full access", () => {
    const f = [
      { path: "usage_by_msisdn", type: "object", pii: "direct" },
      { path: "usage_by_msisdn[]", type: "integer", pii: "none" },
    ];
    expect(validateTierRules(f, [{ name: "p", fullAccess: false, rules: { "usage_by_msisdn[]": { strategy: "generalize", bucket: 10 } } }])).toEqual([
      { tier: "p", path: "usage_by_msisdn", message: "usage_by_msisdn is a map whose keys are personal data (direct): tier p must drop it." },
    ]);
    expect(validateTierRules(f, [{ name: "p", fullAccess: false, rules: { usage_by_msisdn: { strategy: "drop" } } }])).toEqual([]);
    expect(validateTierRules(f, [{ name: "full", fullAccess: true, rules: {} }])).toEqual([]);
  });

  it("refuses a contract with too many fields with a message", () => {
    const many = Array.from({ length: MAX_FIELDS + 1 }, (_, i) => ({ path: `f${i}`, type: "string" }));
    expect(validateTierRules(many, [])).toEqual([{ tier: null, path: "", message: `The contract lists ${MAX_FIELDS + 1} fields; at most ${MAX_FIELDS} are supported.` }]);
  });

  it("flags duplicate tier names and non-object rules", () => {
    const issues = validateTierRules([{ path: "a", type: "string" }], [
      { name: "p", fullAccess: false, rules: {} },
      { name: "p", fullAccess: false, rules: [] as unknown as Record<string, unknown> },
    ]);
    expect(issues.map((i) => i.message)).toEqual(["There are two tiers named p.", "The rules must be an object keyed by field path."]);
  });
});

describe("toFieldErrors", () => {
  it("keys issues by tier and path for forms", () => {
    expect(
      toFieldErrors([
        { tier: null, path: "a", message: "one" },
        { tier: "partner", path: "b.c", message: "two" },
        { tier: "partner", path: "b.c", message: "three" },
      ]),
    ).toEqual({ "fields.a": ["one"], "tiers.partner.b.c": ["two", "three"] });
  });
});
