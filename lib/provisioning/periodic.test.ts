import { describe, expect, it } from "vitest";
import type { JobLogger } from "@/lib/jobs";
import { runPeriodic } from "./periodic";

describe("runPeriodic", () => {
  it("runs every task each round, survives a failing one and stops on abort", async () => {
    const errors: string[] = [];
    const log: JobLogger = { info: () => {}, warn: () => {}, error: (m) => void errors.push(m) };
    const calls: string[] = [];
    const stop = new AbortController();
    const done = runPeriodic({
      signal: stop.signal,
      everyMs: 20,
      log,
      tasks: {
        fails: async () => {
          calls.push("fails");
          throw new Error("cluster down");
        },
        works: async () => void calls.push("works"),
      },
    });
    while (calls.filter((c) => c === "works").length < 3) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await done;
    expect(calls.slice(0, 4)).toEqual(["fails", "works", "fails", "works"]);
    expect(errors[0]).toBe("periodic task fails failed");
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.length).toBe(after);
  });

  it("an abort ends the wait between rounds at once instead of after everyMs", async () => {
    let rounds = 0;
    const stop = new AbortController();
    const done = runPeriodic({ signal: stop.signal, everyMs: 30_000, log: { info() {}, warn() {}, error() {} }, tasks: { t: async () => void rounds++ } });
    while (rounds < 1) await new Promise((r) => setTimeout(r, 5));
    const stoppedAt = Date.now();
    stop.abort();
    await done;
    // Far below the 30 s wait, with room for a loaded machine.
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(rounds).toBe(1);
  });

  it("does nothing when already aborted", async () => {
    let ran = false;
    const stop = new AbortController();
    stop.abort();
    await runPeriodic({ signal: stop.signal, everyMs: 10, log: { info() {}, warn() {}, error() {} }, tasks: { t: async () => void (ran = true) } });
    expect(ran).toBe(false);
  });
});
