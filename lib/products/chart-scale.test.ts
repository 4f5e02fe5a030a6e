import { describe, expect, it } from "vitest";
import {
  barPercent,
  formatCompact,
  formatTimeTick,
  linePath,
  linearScale,
  niceStep,
  niceTicks,
  timeTicks,
} from "@/components/charts/scale";

describe("linearScale", () => {
  it("maps the domain onto the range, inverted ranges included", () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(150);
  });
  it("puts every value of a zero-width domain in the middle", () => {
    const x = linearScale([5, 5], [0, 100]);
    expect(x(5)).toBe(50);
    expect(x(7)).toBe(50);
  });
});

describe("niceTicks", () => {
  it("covers the data with round steps", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(23)).toBe(25);
    expect(niceStep(340)).toBe(500);
    const { ticks, domain } = niceTicks(0, 87, 4);
    expect(ticks).toEqual([0, 25, 50, 75, 100]);
    expect(domain).toEqual([0, 100]);
  });
  it("keeps decimals clean", () => {
    const { ticks } = niceTicks(0, 0.3, 3);
    expect(ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });
  it("gives a flat series a visible axis", () => {
    expect(niceTicks(0, 0).domain).toEqual([0, 1]);
    expect(niceTicks(40, 40).domain[0]).toBe(0);
    expect(niceTicks(40, 40).domain[1]).toBeGreaterThanOrEqual(40);
    expect(niceTicks(-3, -3).domain[1]).toBe(0);
  });
});

describe("timeTicks", () => {
  const base = Date.UTC(2026, 2, 4, 12, 3, 0);
  it("uses round UTC minutes over an hour", () => {
    const { ticks, step } = timeTicks(base, base + 60 * 60_000, 5);
    expect(step).toBe(15 * 60_000);
    expect(ticks.map((t) => formatTimeTick(t, step))).toEqual(["12:15", "12:30", "12:45", "13:00"]);
  });
  it("uses days over a month and labels them by date", () => {
    const { ticks, step } = timeTicks(base, base + 30 * 86_400_000, 5);
    expect(step).toBe(7 * 86_400_000);
    expect(formatTimeTick(ticks[0], step)).toMatch(/^(Mar|Apr) \d+$/);
  });
  it("returns the single instant for an empty span", () => {
    expect(timeTicks(base, base).ticks).toEqual([base]);
  });
});

describe("formatting and paths", () => {
  it("formats compact numbers", () => {
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(1234)).toBe("1.23k");
    expect(formatCompact(3_400_000)).toBe("3.4M");
    expect(formatCompact(0.25)).toBe("0.25");
    expect(formatCompact(0)).toBe("0");
  });
  it("breaks lines at non-finite points", () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: NaN }, { x: 3, y: 4 }])).toBe("M0 1 L1 2 M3 4");
  });
  it("sizes bars relative to the largest, with a sliver for tiny values", () => {
    expect(barPercent(50, 100)).toBe(50);
    expect(barPercent(0.001, 100)).toBe(1);
    expect(barPercent(0, 100)).toBe(0);
    expect(barPercent(5, 0)).toBe(0);
  });
});
