import { describe, expect, it } from "vitest";
import { buildJsonSchema, parseSemver } from "@/db/seed/contract";
import { DEMO_PRODUCTS } from "@/db/seed/demo";
import type { ProductSpec } from "@/db/seed/types";
import { compileContract, decodeRecord } from "@/lib/contracts";
import { FLAVOURS } from "./flavours";
import { BAD_HEADER, createDemoGenerator, createRng, stringFromPattern, type DemoMessage } from "./generators";

/** The contract exactly as the seed stores it (schema built from the authored field list). */
function contractOf(p: ProductSpec) {
  const schema = buildJsonSchema({ id: `urn:tributary:${p.slug}:${parseSemver(p.contract.version).major}`, title: p.name, description: p.summary, fields: p.contract.fields });
  return { schema, qualityRules: p.contract.qualityRules };
}

const START = Date.parse("2026-11-22T00:00:00Z");

/** n records spread over a day, 1 minute apart per 10 records. */
function run(p: ProductSpec, n: number, opts: { seed?: number; badShare?: number } = {}): { at: number; m: DemoMessage }[] {
  const g = createDemoGenerator({ slug: p.slug, contract: contractOf(p), seed: opts.seed ?? 7, badShare: opts.badShare });
  return Array.from({ length: n }, (_, i) => {
    const at = START + Math.floor(i / 10) * 60_000;
    return { at, m: g.next(new Date(at)) };
  });
}

function parse(m: DemoMessage): unknown {
  const d = decodeRecord(m.value);
  return d.ok ? d.value : undefined;
}

describe("demo generators", () => {
  it("every live seeded product has a flavour", () => {
    const live = DEMO_PRODUCTS.filter((p) => p.status !== "draft").map((p) => p.slug);
    expect(live.length).toBeGreaterThanOrEqual(13);
    for (const slug of live) expect(FLAVOURS[slug], slug).toBeDefined();
  });

  // Drafts have no flavour, so they exercise the generic schema walker alone.
  describe.each(DEMO_PRODUCTS.map((p) => [p.slug, p] as const))("%s", (_slug, product) => {
    const validate = compileContract({ schemaFormat: "json-schema", ...contractOf(product) });

    it("produces records that pass the contract, and bad ones that fail it", () => {
      const records = run(product, 600, { badShare: 0.1 });
      let bad = 0;
      for (const { at, m } of records) {
        const d = decodeRecord(m.value);
        if (m.bad) {
          bad++;
          expect(m.headers[BAD_HEADER]).toBe(m.bad);
          const result = d.ok ? validate(d.value, at) : { ok: false };
          expect(result.ok, `${m.bad} record passed: ${m.value.toString()}`).toBe(false);
        } else {
          expect(m.headers[BAD_HEADER]).toBeUndefined();
          expect(d.ok).toBe(true);
          const result = d.ok ? validate(d.value, at) : { ok: false, reasons: ["unparsable"] };
          expect(result, m.value.toString()).toEqual({ ok: true });
          expect(m.key.length).toBeGreaterThan(0);
        }
      }
      // 10% of 600, with room for chance
      expect(bad).toBeGreaterThan(30);
      expect(bad).toBeLessThan(95);
    });

    it("is deterministic per seed and differs across seeds", () => {
      const a = run(product, 50, { seed: 1 }).map((r) => r.m.value.toString());
      const b = run(product, 50, { seed: 1 }).map((r) => r.m.value.toString());
      const c = run(product, 50, { seed: 2 }).map((r) => r.m.value.toString());
      expect(a).toEqual(b);
      expect(c).not.toEqual(a);
    });
  });

  it("uses the default 2% bad share and every bad kind", () => {
    const p = DEMO_PRODUCTS.find((x) => x.slug === "card-authorisations")!;
    const records = run(p, 5000);
    const bad = records.filter((r) => r.m.bad);
    expect(bad.length / records.length).toBeGreaterThan(0.01);
    expect(bad.length / records.length).toBeLessThan(0.03);
    expect(new Set(bad.map((r) => r.m.bad))).toEqual(new Set(["missing-required", "wrong-type", "out-of-range", "unparsable"]));
  });

  it("keys cell KPIs by cell id, and a cell's load follows the busy hour", () => {
    const p = DEMO_PRODUCTS.find((x) => x.slug === "cell-network-kpis")!;
    const g = createDemoGenerator({ slug: p.slug, contract: contractOf(p), seed: 3, badShare: 0 });
    const meanPrb = (isoHour: string) => {
      const values: number[] = [];
      for (let i = 0; i < 96; i++) {
        const m = g.next(new Date(`2026-11-22T${isoHour}:00:00Z`));
        const r = parse(m) as { cell: { id: string }; metrics: { prb_utilisation: number } };
        expect(m.key).toBe(r.cell.id);
        values.push(r.metrics.prb_utilisation);
      }
      return values.reduce((s, v) => s + v, 0) / values.length;
    };
    // 03:00 UTC is 4am local, 19:00 UTC the evening busy hour.
    expect(meanPrb("19")).toBeGreaterThan(meanPrb("03") + 0.3);
  });

  it("drains IoT batteries from record to record", () => {
    const p = DEMO_PRODUCTS.find((x) => x.slug === "iot-device-telemetry")!;
    const records = run(p, 60 * 20, { badShare: 0 }).map((r) => parse(r.m) as { device: { id: string }; reading: { battery_pct: number } });
    const byDevice = new Map<string, number[]>();
    for (const r of records) byDevice.set(r.device.id, [...(byDevice.get(r.device.id) ?? []), r.reading.battery_pct]);
    expect(byDevice.size).toBe(60);
    let drained = 0;
    for (const levels of byDevice.values()) if (levels[levels.length - 1] < levels[0]) drained++;
    // a device swapped to a fresh battery in between is the exception
    expect(drained).toBeGreaterThan(50);
  });

  it("changes values over time and keeps the grid near 50 Hz", () => {
    const p = DEMO_PRODUCTS.find((x) => x.slug === "grid-frequency")!;
    const hz = run(p, 400, { badShare: 0 }).map((r) => (parse(r.m) as { frequency: { hz: number } }).frequency.hz);
    expect(new Set(hz).size).toBeGreaterThan(100);
    for (const f of hz) expect(Math.abs(f - 50)).toBeLessThan(0.5);
  });

  it("walks payments through their lifecycle in order per key", () => {
    const p = DEMO_PRODUCTS.find((x) => x.slug === "payment-events")!;
    const order = ["received", "screened", "authorised", "settled", "returned"];
    const seen = new Map<string, string[]>();
    for (const { m } of run(p, 800, { badShare: 0 })) {
      const r = parse(m) as { payment: { id: string; state: string } };
      expect(m.key).toBe(r.payment.id);
      seen.set(m.key, [...(seen.get(m.key) ?? []), r.payment.state]);
    }
    let complete = 0;
    for (const states of seen.values()) {
      const idx = states.filter((s) => s !== "rejected").map((s) => order.indexOf(s));
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      if (states.at(-1) === "settled" || states.at(-1) === "rejected" || states.at(-1) === "returned") complete++;
    }
    expect(complete).toBeGreaterThan(50);
  });

  it("generates strings from simple patterns and refuses what it cannot", () => {
    const rng = createRng(1);
    for (const pattern of ["^[0-9]{3}-[0-9]{2,3}-[0-9A-F]{6,10}$", "^\\+[1-9][0-9]{6,14}$", "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$", "^\\d{4}\\.x?$"]) {
      for (let i = 0; i < 20; i++) expect(stringFromPattern(pattern, rng)).toMatch(new RegExp(pattern));
    }
    expect(stringFromPattern("^(a|b)$", rng)).toBeNull();
    expect(stringFromPattern("^[^a]$", rng)).toBeNull();
  });
});
