import { describe, expect, it } from "vitest";
import { compileMaskingPolicy, deriveProductKey, type MaskingField, type MaskResult } from "@/lib/masking";

const key = deriveProductKey("test-master-secret-of-enough-length", "product-a", 1);

/** Masks `value` as the only field `v` of a record under `rule` (a non-PII field, so any rule goes). */
function maskOne(rule: Record<string, unknown>, value: unknown, type = "string"): MaskResult {
  const fields: MaskingField[] = [{ path: "v", type, pii: "none" }];
  return compileMaskingPolicy({ fields, rules: { v: rule }, fullAccess: false, key })({ v: value });
}

function out(rule: Record<string, unknown>, value: unknown, type = "string"): unknown {
  const r = maskOne(rule, value, type);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.value.v;
}

function reason(rule: Record<string, unknown>, value: unknown, type = "string"): string {
  const r = maskOne(rule, value, type);
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.reason;
}

describe("keep", () => {
  it("passes scalars of the declared type", () => {
    expect(out({ strategy: "keep" }, "x")).toBe("x");
    expect(out({ strategy: "keep" }, 3, "integer")).toBe(3);
    expect(out({ strategy: "keep" }, false, "boolean")).toBe(false);
    expect(out({ strategy: "keep" }, null)).toBeNull();
  });

  it("fails on a wrong type or on a nested value the contract does not describe", () => {
    expect(reason({ strategy: "keep" }, 3)).toBe("v: expected text");
    expect(reason({ strategy: "keep" }, 3.5, "integer")).toBe("v: expected a whole number");
    expect(reason({ strategy: "keep" }, { secret: "x" }, "custom")).toMatch(/^v: expected a single value/);
    expect(reason({ strategy: "keep" }, ["x"], "custom")).toMatch(/^v: expected a single value/);
  });
});

describe("drop", () => {
  it("removes the field", () => {
    const r = maskOne({ strategy: "drop" }, "x");
    expect(r).toEqual({ ok: true, value: {} });
  });
});

describe("redact", () => {
  it("replaces text with the default or a chosen replacement, and other values with null", () => {
    expect(out({ strategy: "redact" }, "secret")).toBe("[REDACTED]");
    expect(out({ strategy: "redact", replacement: "***" }, "secret")).toBe("***");
    expect(out({ strategy: "redact" }, 42, "integer")).toBeNull();
    expect(out({ strategy: "redact" }, { a: 1 }, "object")).toBeNull();
    expect(out({ strategy: "redact" }, null)).toBeNull();
  });
});

describe("hash", () => {
  it("is a 64-char hex HMAC, stable for a value and a key", () => {
    const a = out({ strategy: "hash" }, "+447700900123");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(out({ strategy: "hash" }, "+447700900123")).toBe(a);
    expect(out({ strategy: "hash" }, "+447700900124")).not.toBe(a);
  });

  it("hashes numbers by their text, so 123 and \"123\" join", () => {
    expect(out({ strategy: "hash" }, 123, "integer")).toBe(out({ strategy: "hash" }, "123"));
  });

  it("refuses booleans at run time when the contract does not declare the type", () => {
    expect(reason({ strategy: "hash" }, true, "custom")).toBe("v: hash of a true/false value would reveal it");
  });
});

describe("tokenize", () => {
  it("gives opaque, stable tokens that differ from the hash", () => {
    const t = out({ strategy: "tokenize" }, "alice@example.com");
    expect(t).toMatch(/^tok_[a-z2-7]{32}$/);
    expect(out({ strategy: "tokenize" }, "alice@example.com")).toBe(t);
    expect(out({ strategy: "tokenize" }, "bob@example.com")).not.toBe(t);
    expect((t as string).slice(4)).not.toContain((out({ strategy: "hash" }, "alice@example.com") as string).slice(0, 8));
  });

  it("preserves the shape of the value in preserve format", () => {
    const t = out({ strategy: "tokenize", format: "preserve" }, "+44 7700-900123") as string;
    expect(t).toMatch(/^\+\d{2} \d{4}-\d{6}$/);
    expect(t).not.toBe("+44 7700-900123");
    const word = out({ strategy: "tokenize", format: "preserve" }, "AbC-déf") as string;
    expect(word).toMatch(/^[A-Z][a-z][A-Z]-[a-z]{3}$/);
    expect(out({ strategy: "tokenize", format: "preserve" }, "AbC-déf")).toBe(word);
  });

  it("covers values longer than one HMAC block in preserve format", () => {
    const long = "1234567890".repeat(10);
    const t = out({ strategy: "tokenize", format: "preserve" }, long) as string;
    expect(t).toMatch(/^\d{100}$/);
    // Each 32-character block comes from its own HMAC output, so the blocks do not repeat.
    expect(t.slice(0, 32)).not.toBe(t.slice(32, 64));
  });
});

describe("partial", () => {
  it("keeps the last characters by default and masks the rest one for one", () => {
    expect(out({ strategy: "partial" }, "+447700900123")).toBe("*********0123");
    expect(out({ strategy: "partial", keepFirst: 2, keepLast: 2, maskChar: "#" }, "GB29NWBK60161331926819")).toBe("GB##################19");
    expect(out({ strategy: "partial", keepFirst: 3 }, "abcdefgh")).toBe("abc*****");
  });

  it("masks everything when the kept part would be more than half the value", () => {
    expect(out({ strategy: "partial", keepLast: 4 }, "1234")).toBe("****");
    expect(out({ strategy: "partial", keepLast: 4 }, "1234567")).toBe("*******");
    expect(out({ strategy: "partial", keepLast: 4 }, "12345678")).toBe("****5678");
  });

  it("counts characters, not UTF-16 units", () => {
    expect(out({ strategy: "partial", keepLast: 2 }, "😀😀😀😀ab")).toBe("****ab");
    expect(out({ strategy: "partial", keepLast: 1 }, "ab😀")).toBe("**😀");
  });

  it("fails on non-text", () => {
    expect(reason({ strategy: "partial" }, 12345678, "custom")).toBe("v: partial needs text");
  });
});

describe("generalize", () => {
  it("rounds numbers to decimals, buckets and significant digits", () => {
    expect(out({ strategy: "generalize", decimals: 2 }, 51.507351, "number")).toBe(51.51);
    expect(out({ strategy: "generalize", decimals: 0 }, -0.1278, "number")).toBe(-0);
    expect(out({ strategy: "generalize", bucket: 10 }, 37, "integer")).toBe(30);
    expect(out({ strategy: "generalize", bucket: 10 }, -1, "integer")).toBe(-10);
    expect(out({ strategy: "generalize", bucket: 0.1 }, 0.3, "number")).toBe(0.3);
    expect(out({ strategy: "generalize", bucket: 0.25 }, 1.74, "number")).toBe(1.5);
    expect(out({ strategy: "generalize", significant: 2 }, 123456, "integer")).toBe(120000);
  });

  it("truncates ISO timestamps in UTC and keeps dates as dates", () => {
    const rule = (truncate: string) => ({ strategy: "generalize", truncate });
    expect(out(rule("hour"), "2026-11-22T04:37:38.123Z")).toBe("2026-11-22T04:00:00.000Z");
    expect(out(rule("minute"), "2026-11-22T04:37:38.123456+02:00")).toBe("2026-11-22T02:37:00.000Z");
    expect(out(rule("day"), "2026-11-22T01:00:00-0300")).toBe("2026-11-22T00:00:00.000Z");
    expect(out(rule("month"), "2026-11-22 04:37")).toBe("2026-11-01T00:00:00.000Z");
    expect(out(rule("year"), "2026-11-22T04:37:38Z")).toBe("2026-01-01T00:00:00.000Z");
    expect(out(rule("month"), "2026-11-22")).toBe("2026-11-01");
    expect(out(rule("hour"), "2026-11-22")).toBe("2026-11-22");
    expect(out(rule("day"), "2024-02-29T12:00:00z")).toBe("2024-02-29T00:00:00.000Z");
    expect(out(rule("minute"), "2016-12-31T23:59:60Z")).toBe("2016-12-31T23:59:00.000Z");
    expect(out(rule("hour"), "2026-11-22T00:30:00+01:00")).toBe("2026-11-21T23:00:00.000Z");
  });

  it("truncates epoch numbers in their unit", () => {
    const t = Date.UTC(2026, 10, 22, 4, 37, 38, 123);
    expect(out({ strategy: "generalize", truncate: "hour" }, t, "integer")).toBe(Date.UTC(2026, 10, 22, 4));
    expect(out({ strategy: "generalize", truncate: "day", epochUnit: "s" }, Math.floor(t / 1000), "integer")).toBe(Date.UTC(2026, 10, 22) / 1000);
  });

  it("zeroes the host bits of IPv4 addresses", () => {
    expect(out({ strategy: "generalize", prefixBits: 24 }, "192.168.17.42")).toBe("192.168.17.0");
    expect(out({ strategy: "generalize", prefixBits: 12 }, "172.31.255.1")).toBe("172.16.0.0");
    expect(out({ strategy: "generalize", prefixBits: 0 }, "8.8.8.8")).toBe("0.0.0.0");
    expect(out({ strategy: "generalize", prefixBits: 32 }, "8.8.4.4")).toBe("8.8.4.4");
  });

  it("fails on values it cannot generalize", () => {
    expect(reason({ strategy: "generalize", decimals: 1 }, "51.5", "custom")).toBe("v: generalize needs a number");
    expect(reason({ strategy: "generalize", truncate: "hour" }, "yesterday")).toBe("v: truncate needs an ISO 8601 date or date-time");
    // Date.parse would accept this and invent a year.
    expect(reason({ strategy: "generalize", truncate: "hour" }, "1")).toBe("v: truncate needs an ISO 8601 date or date-time");
    expect(reason({ strategy: "generalize", truncate: "day" }, "2026-02-30")).toBe("v: truncate needs a real calendar date");
    expect(reason({ strategy: "generalize", truncate: "day" }, "2023-02-29T00:00Z")).toBe("v: truncate needs a real calendar date");
    expect(reason({ strategy: "generalize", truncate: "day" }, "2026-13-01")).toBe("v: truncate needs a real calendar date");
    expect(reason({ strategy: "generalize", truncate: "day" }, "0099-01-01T00:00+01:00")).toBe("v: truncate needs a real calendar date");
    expect(reason({ strategy: "generalize", truncate: "day" }, "2026-02-03T25:00Z")).toBe("v: truncate needs a valid time of day");
    expect(reason({ strategy: "generalize", truncate: "day" }, 1e20, "number")).toBe("v: truncate needs a timestamp");
    expect(reason({ strategy: "generalize", prefixBits: 24 }, "300.1.1.1")).toBe("v: prefixBits needs an IPv4 address");
    expect(reason({ strategy: "generalize", prefixBits: 24 }, "::1")).toBe("v: prefixBits needs an IPv4 address");
  });
});
