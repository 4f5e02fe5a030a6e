import { describe, expect, it } from "vitest";
import { compileProductRoute, OUTPUT_MAX_BYTES, routeRecord } from "./plan";
import type { RoutableProduct, RoutableTier, RoutableVersion } from "./queries";
import { contractFields, paymentRecord, PAYMENT_SCHEMA_V1, PAYMENT_SCHEMA_V2, PAYMENT_TIERS } from "./test-fixtures";

const SECRET = "plan-test-masking-secret-0123456789";
const NOW = Date.UTC(2026, 10, 22, 9);

function version(v: string, schema: unknown): RoutableVersion {
  const [major, minor, patch] = v.split(".").map(Number);
  return { id: `v-${v}`, version: v, major, minor, patch, status: "published", schemaFormat: "json-schema", schema, fields: contractFields(schema), qualityRules: [], sunsetAt: null };
}

function product(over: Partial<RoutableProduct> = {}): RoutableProduct {
  const tiers: RoutableTier[] = PAYMENT_TIERS.map((t, i) => ({ id: `t${i}`, ...t }));
  return { id: "00000000-0000-4000-8000-000000000001", slug: "plan-test", sourceTopic: "src.plan-test", status: "published", maskingKeyVersion: 1, sunsetAt: null, versions: [version("1.0.0", PAYMENT_SCHEMA_V1)], tiers, ...over };
}

const rec = (value: unknown, key = "k1") => ({ key: Buffer.from(key), value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)) });

describe("routeRecord", () => {
  it("delivers a valid record to every tier with the serving version", () => {
    const route = compileProductRoute(product(), SECRET, NOW);
    expect(route.problems).toEqual([]);
    const out = routeRecord(route, rec(paymentRecord(1)), { now: NOW });
    expect(out.kind).toBe("deliver");
    if (out.kind !== "deliver") return;
    expect(out.deliveries.map((d) => d.topic.split(".").pop())).toEqual(["full", "internal", "public"]);
    expect(new Set(out.deliveries.map((d) => d.version))).toEqual(new Set(["1.0.0"]));
  });

  it("hashes a field the same way in every tier and major that hashes it, and differently for another product", () => {
    const hashing = { name: "internal", fullAccess: false, rules: { msisdn: { strategy: "hash" }, email: { strategy: "drop" }, note: { strategy: "drop" } } };
    const twoHashTiers = product({
      versions: [version("1.0.0", PAYMENT_SCHEMA_V1), version("2.0.0", PAYMENT_SCHEMA_V2)],
      tiers: [
        { id: "a", ...hashing },
        { id: "b", ...hashing, name: "partner" },
      ],
    });
    const both = { ...paymentRecord(5), amount_minor: 12 };
    const out = routeRecord(compileProductRoute(twoHashTiers, SECRET, NOW), rec(both), { now: NOW });
    if (out.kind !== "deliver") throw new Error(`expected deliveries, got ${JSON.stringify(out)}`);
    expect(out.deliveries).toHaveLength(4);
    const hashes = new Set(out.deliveries.map((d) => JSON.parse(d.value.toString()).msisdn));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).not.toContain("PIIMSISDN");
    const other = routeRecord(compileProductRoute({ ...twoHashTiers, id: "00000000-0000-4000-8000-000000000002" }, SECRET, NOW), rec(both), { now: NOW });
    if (other.kind !== "deliver") throw new Error("expected deliveries");
    expect(JSON.parse(other.deliveries[0].value.toString()).msisdn).not.toBe([...hashes][0]);
  });

  it("sends a record that fails masking to the DLQ, naming the contract field, never delivering it to any tier", () => {
    // `ts` is truncated to the hour in the internal tier: a schema-valid but non-date string cannot be.
    const out = routeRecord(compileProductRoute(product({ versions: [version("1.0.0", { ...PAYMENT_SCHEMA_V1, properties: { ...PAYMENT_SCHEMA_V1.properties, ts: { type: "string" } } })] }), SECRET, NOW), rec(paymentRecord(2, { ts: "yesterday" })), { now: NOW });
    expect(out).toMatchObject({ kind: "dlq", field: "ts", version: "1.0.0" });
    if (out.kind !== "dlq") return;
    expect(out.reason).toMatch(/^masking failed in tier internal \(v1\): ts: /);
    expect(out.reason).not.toContain("yesterday");
  });

  it("sends valid records to the DLQ when a tier cannot be served, instead of delivering them to the other tiers only", () => {
    const broken = product({ tiers: [...PAYMENT_TIERS.map((t, i) => ({ id: `t${i}`, ...t })), { id: "x", name: "partner", fullAccess: false, rules: { msisdn: { strategy: "no-such-strategy" } } }] });
    const route = compileProductRoute(broken, SECRET, NOW);
    expect(route.problems.some((p) => p.tier === "partner")).toBe(true);
    const out = routeRecord(route, rec(paymentRecord(3)), { now: NOW });
    expect(out).toMatchObject({ kind: "dlq", reason: "tier partner (v1) cannot be served: its masking policy does not compile" });
    // Records the contract refuses are still judged by the contract first.
    expect(routeRecord(route, rec({ id: "x" }), { now: NOW })).toMatchObject({ kind: "dlq", reason: "msisdn: is required" });
  });

  it("sends valid records to the DLQ when there is no masking key or no tier at all", () => {
    expect(routeRecord(compileProductRoute(product(), "", NOW), rec(paymentRecord(4)), { now: NOW })).toMatchObject({ kind: "dlq", reason: "tier full (v1) cannot be served: no masking key" });
    const none = compileProductRoute(product({ tiers: [] }), SECRET, NOW);
    expect(none.problems.map((p) => p.message)).toContain("the product has no masking tier");
    expect(routeRecord(none, rec(paymentRecord(4)), { now: NOW })).toMatchObject({ kind: "dlq", reason: "no masking tier to deliver v1 to" });
  });

  it("sends a record whose masked form would be too large to produce to the DLQ", () => {
    const route = compileProductRoute(product(), SECRET, NOW);
    // Just under the limit as received; hashing msisdn (64 hex characters) pushes the internal tier over it.
    const base = JSON.stringify(paymentRecord(6, { country: "" })).length;
    const big = paymentRecord(6, { country: "x".repeat(OUTPUT_MAX_BYTES - base - 20) });
    const out = routeRecord(route, rec(big), { now: NOW });
    expect(out).toMatchObject({ kind: "dlq" });
    if (out.kind !== "dlq") return;
    expect(out.reason).toBe(`masked record is larger than ${OUTPUT_MAX_BYTES} bytes in tier internal (v1)`);
    expect(routeRecord(route, rec(big), { now: NOW, maxOutputBytes: 2 * OUTPUT_MAX_BYTES }).kind).toBe("deliver");
  });
});
