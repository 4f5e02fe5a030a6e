import { describe, expect, it } from "vitest";
import { decimalString, divRoundHalfUp, formatMajor, parseMajor, priceUsage, sumByCurrency, type PricedPlan } from "./pricing";

const MONTH = 30 * 24 * 3600;
const usage = (u: Partial<{ messages: number | bigint; bytes: number | bigint; activeSeconds: number; periodSeconds: number }>) => ({
  messages: 0,
  bytes: 0,
  activeSeconds: MONTH,
  periodSeconds: MONTH,
  ...u,
});
const plan = (p: Partial<PricedPlan>): PricedPlan => ({ priceModel: "free", priceMinor: 0, currency: "EUR", ...p });

describe("divRoundHalfUp", () => {
  it.each([
    [0n, 3n, 0n],
    [1n, 3n, 0n],
    [1n, 2n, 1n], // exactly half rounds up
    [3n, 2n, 2n],
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [149n, 100n, 1n],
    [150n, 100n, 2n],
  ])("%s / %s = %s", (n, d, want) => {
    expect(divRoundHalfUp(n, d)).toBe(want);
  });
});

describe("priceUsage", () => {
  it.each([
    // per GB: decimal gigabytes (10^9 bytes)
    ["1 GB at 10.00", plan({ priceModel: "per_gb", priceMinor: 1000 }), usage({ bytes: 1_000_000_000 }), 1000, "1"],
    ["1 GiB is 1.073741824 GB", plan({ priceModel: "per_gb", priceMinor: 1000 }), usage({ bytes: 2 ** 30 }), 1074, "1.073741824"],
    ["half a cent rounds up", plan({ priceModel: "per_gb", priceMinor: 1 }), usage({ bytes: 500_000_000 }), 1, "0.5"],
    ["just under half a cent rounds down", plan({ priceModel: "per_gb", priceMinor: 1 }), usage({ bytes: 499_999_999 }), 0, "0.499999999"],
    ["zero bytes cost nothing", plan({ priceModel: "per_gb", priceMinor: 1000 }), usage({ bytes: 0 }), 0, "0"],
    // per million messages
    ["2.5M messages at 4.00", plan({ priceModel: "per_million_messages", priceMinor: 400 }), usage({ messages: 2_500_000 }), 1000, "2.5"],
    ["1 message at 4.00/M", plan({ priceModel: "per_million_messages", priceMinor: 400 }), usage({ messages: 1 }), 0, "0.000001"],
    ["1250 messages at 4.00/M = 0.5 cent up", plan({ priceModel: "per_million_messages", priceMinor: 400 }), usage({ messages: 1250 }), 1, "0.00125"],
    // flat monthly with proration
    ["full month", plan({ priceModel: "flat_monthly", priceMinor: 9900 }), usage({}), 9900, "1"],
    ["half month", plan({ priceModel: "flat_monthly", priceMinor: 9900 }), usage({ activeSeconds: MONTH / 2 }), 4950, "0.5"],
    ["a third rounds half-up", plan({ priceModel: "flat_monthly", priceMinor: 100 }), usage({ activeSeconds: MONTH / 3 }), 33, "0.333333"],
    ["one day of 31", plan({ priceModel: "flat_monthly", priceMinor: 3100 }), usage({ activeSeconds: 86400, periodSeconds: 31 * 86400 }), 100, "0.032258"],
    ["active beyond the period is clamped", plan({ priceModel: "flat_monthly", priceMinor: 500 }), usage({ activeSeconds: MONTH * 2 }), 500, "1"],
    ["not active costs nothing", plan({ priceModel: "flat_monthly", priceMinor: 500 }), usage({ activeSeconds: 0 }), 0, "0"],
    // free
    ["free ignores usage", plan({ priceModel: "free", priceMinor: 999 }), usage({ messages: 10, bytes: 10 ** 12 }), 0, "10"],
  ])("%s", (_name, p, u, amount, quantity) => {
    const r = priceUsage(p, u);
    expect(r.amountMinor).toBe(amount);
    expect(r.quantity).toBe(quantity);
    expect(r.currency).toBe("EUR");
  });

  it("applies the monthly cap to the period total and says so", () => {
    const r = priceUsage(plan({ priceModel: "per_gb", priceMinor: 1000, monthlyCapMinor: 5000 }), usage({ bytes: 12_000_000_000 }));
    expect(r.amountMinor).toBe(5000);
    expect(r.uncappedMinor).toBe(12000);
    expect(r.capped).toBe(true);
    expect(r.description).toContain("capped at 50.00 EUR");
  });

  it("leaves amounts under the cap alone", () => {
    const r = priceUsage(plan({ priceModel: "per_gb", priceMinor: 1000, monthlyCapMinor: 5000 }), usage({ bytes: 4_000_000_000 }));
    expect(r.amountMinor).toBe(4000);
    expect(r.capped).toBe(false);
  });

  it("caps flat plans too, without prorating the cap", () => {
    const r = priceUsage(plan({ priceModel: "flat_monthly", priceMinor: 10000, monthlyCapMinor: 3000 }), usage({ activeSeconds: MONTH / 2 }));
    expect(r.amountMinor).toBe(3000);
    expect(r.kind).toBe("flat");
  });

  it("is exact beyond 2^53 intermediate products (bigint arithmetic)", () => {
    // 9 PB at 12.34/GB: bytes × price overflows doubles, the bigint result does not.
    const r = priceUsage(plan({ priceModel: "per_gb", priceMinor: 1234 }), usage({ bytes: 9_000_000_000_000_003n }));
    expect(r.amountMinor).toBe(11_106_000_000);
  });

  it("keeps the plan's currency, normalised to upper case; zero-decimal currencies too", () => {
    const r = priceUsage(plan({ priceModel: "per_gb", priceMinor: 150, currency: "jpy" }), usage({ bytes: 3_000_000_000 }));
    expect(r).toMatchObject({ amountMinor: 450, currency: "JPY" });
    expect(r.description).toContain("150 JPY/GB");
  });

  it.each([
    ["negative bytes", plan({ priceModel: "per_gb", priceMinor: 1 }), usage({ bytes: -1 })],
    ["fractional messages", plan({ priceModel: "per_million_messages", priceMinor: 1 }), usage({ messages: 1.5 })],
    ["zero-length period", plan({ priceModel: "flat_monthly", priceMinor: 1 }), usage({ periodSeconds: 0 })],
    ["bad currency", plan({ priceModel: "per_gb", priceMinor: 1, currency: "euro" }), usage({})],
    ["negative price", plan({ priceModel: "per_gb", priceMinor: -5 }), usage({})],
  ])("refuses %s", (_n, p, u) => {
    expect(() => priceUsage(p, u)).toThrow(RangeError);
  });
});

describe("money helpers", () => {
  it("formats minor units as exact major-unit decimals per currency", () => {
    expect(formatMajor(1234, "EUR")).toBe("12.34");
    expect(formatMajor(5, "USD")).toBe("0.05");
    expect(formatMajor(-5, "USD")).toBe("-0.05");
    expect(formatMajor(100, "JPY")).toBe("100");
    expect(formatMajor(1234, "BHD")).toBe("1.234");
  });

  it("parses typed major units into exact minor units per currency, refusing extra decimals", () => {
    expect(parseMajor("-12.50", "EUR")).toBe(-1250);
    expect(parseMajor("12.5", "EUR")).toBe(1250);
    expect(parseMajor(" 7 ", "USD")).toBe(700);
    expect(parseMajor("+0.05", "USD")).toBe(5);
    expect(parseMajor("100", "JPY")).toBe(100);
    expect(parseMajor("1.234", "BHD")).toBe(1234);
    // Trailing zeros are not precision: 3.10 EUR is fine, 3.105 is not.
    expect(parseMajor("3.100", "EUR")).toBe(310);
    expect(() => parseMajor("3.105", "EUR")).toThrow("EUR has 2 decimals.");
    expect(() => parseMajor("1.5", "JPY")).toThrow("JPY has no decimals.");
    expect(() => parseMajor("1e3", "EUR")).toThrow(RangeError);
    expect(() => parseMajor("", "EUR")).toThrow(RangeError);
    // Round trip with the CSV/display formatter.
    for (const v of [-1250, 0, 5, 123456789]) expect(parseMajor(formatMajor(v, "EUR"), "EUR")).toBe(v);
  });

  it("prints exact decimals", () => {
    expect(decimalString(1_500_000_000n, 9)).toBe("1.5");
    expect(decimalString(7n, 6)).toBe("0.000007");
    expect(decimalString(3_000_000n, 6)).toBe("3");
  });

  it("never adds different currencies", () => {
    expect(
      sumByCurrency([
        { amountMinor: 100, currency: "EUR" },
        { amountMinor: 250, currency: "USD" },
        { amountMinor: 1, currency: "eur" },
        { amountMinor: -50, currency: "USD" },
      ]),
    ).toEqual([
      { currency: "EUR", amountMinor: 101 },
      { currency: "USD", amountMinor: 200 },
    ]);
  });
});
