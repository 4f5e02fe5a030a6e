import { describe, expect, it } from "vitest";
import { Coalescer } from "./coalescer";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("Coalescer", () => {
  it("flushes a lone call at once and groups the calls made while a flush runs", async () => {
    const seen: number[][] = [];
    let release: () => void = () => {};
    const c = new Coalescer<number>(async (items) => {
      seen.push(items);
      if (seen.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = c.run(1);
    await tick();
    expect(seen).toEqual([[1]]);
    const rest = [c.run(2), c.run(3), c.run(4)];
    await tick(5);
    // Still one flush: 2..4 wait for the running one.
    expect(seen).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(seen).toEqual([[1], [2, 3, 4]]);
    expect({ flushes: c.flushes, items: c.items }).toEqual({ flushes: 2, items: 4 });
  });

  it("rejects every call of a failed flush and goes on with the next", async () => {
    let fail = true;
    const c = new Coalescer<string>(async (items) => {
      if (fail) {
        fail = false;
        throw new Error(`no: ${items.join(",")}`);
      }
    });
    const a = c.run("a");
    const b = c.run("b");
    await expect(a).rejects.toThrow("no: a,b");
    await expect(b).rejects.toThrow("no: a,b");
    await expect(c.run("c")).resolves.toBeUndefined();
  });

  it("never runs two flushes at the same time", async () => {
    let running = 0;
    let most = 0;
    const c = new Coalescer<number>(async () => {
      running++;
      most = Math.max(most, running);
      await tick(2);
      running--;
    });
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      calls.push(c.run(i));
      if (i % 3 === 0) await tick(1);
    }
    await Promise.all(calls);
    expect(most).toBe(1);
    expect(c.items).toBe(20);
    expect(c.flushes).toBeLessThan(20);
  });

  it("with a minimum interval, starts flushes that far apart and gathers what arrives meanwhile", async () => {
    const starts: number[] = [];
    const sizes: number[] = [];
    const c = new Coalescer<number>(async (items) => {
      starts.push(Date.now());
      sizes.push(items.length);
    }, 40);
    await c.run(0);
    const calls: Promise<void>[] = [];
    for (let i = 1; i <= 6; i++) {
      calls.push(c.run(i));
      await tick(5);
    }
    await Promise.all(calls);
    // The first flush at once; the six calls made within the next ~30 ms wait for one more.
    expect(sizes[0]).toBe(1);
    expect(sizes.slice(1).reduce((a, b) => a + b, 0)).toBe(6);
    expect(sizes.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(39);
  });
});
