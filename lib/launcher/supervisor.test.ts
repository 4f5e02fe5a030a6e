import { afterAll, describe, expect, it } from "vitest";
import { groupAlive, processAlive, Supervisor } from "./supervisor";

/** Node one-liners as children: no files, no dependencies. */
const node = (code: string) => ({ command: process.execPath, args: ["-e", code] });

// Prints a line on stdout and one on stderr, starts a grandchild that sleeps, reports its pid, then idles.
const withGrandchild = (name: string) =>
  node(`
    const { spawn } = require("node:child_process");
    const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    process.stdout.write("\\u001b[?25h\\n");
    console.log("hello from ${name}");
    console.error("warning from ${name}");
    console.log("grandchild " + g.pid);
    setInterval(() => {}, 1000);
  `);

const created: Supervisor[] = [];
afterAll(async () => {
  for (const s of created) await s.stopAll();
});

function makeSupervisor(stopTimeoutMs = 3_000) {
  const lines: string[] = [];
  const sup = new Supervisor({ write: (l) => lines.push(l), stopTimeoutMs });
  created.push(sup);
  return { sup, lines };
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("Supervisor", () => {
  it("prefixes each child's lines and stops children and grandchildren", async () => {
    const { sup, lines } = makeSupervisor();
    const a = sup.start({ name: "alpha", ...withGrandchild("alpha") });
    const b = sup.start({ name: "beta", ...withGrandchild("beta") });
    await waitFor(() => lines.filter((l) => l.includes("grandchild")).length === 2);
    expect(lines).toContain("[alpha] hello from alpha");
    expect(lines).toContain("[beta]  hello from beta");
    expect(lines).toContain("[beta]  warning from beta");
    // The escape-only line (a cursor reset) is dropped rather than printed as an empty prefix.
    // stdout and stderr are separate pipes, so their relative order is not fixed.
    expect(lines.filter((l) => l.startsWith("[alpha]")).sort()).toEqual([
      expect.stringMatching(/^\[alpha\] grandchild \d+$/),
      "[alpha] hello from alpha",
      "[alpha] warning from alpha",
    ]);
    const grandchildren = lines.filter((l) => l.includes("grandchild")).map((l) => Number(l.split(" ").pop()));
    const pids = [a.pid, b.pid, ...grandchildren];
    expect(pids.every(processAlive)).toBe(true);
    expect(sup.running()).toEqual(["alpha", "beta"]);

    await sup.stopAll();
    expect(pids.filter(processAlive)).toEqual([]);
    expect(groupAlive(a.pid) || groupAlive(b.pid)).toBe(false);
    expect(sup.running()).toEqual([]);
  });

  it("kills a child that ignores SIGTERM once the timeout passes", async () => {
    const { sup, lines } = makeSupervisor(300);
    const stubborn = sup.start({
      name: "stubborn",
      ...node(`process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("up"); setInterval(() => {}, 1000);`),
    });
    await waitFor(() => lines.includes("[stubborn] up"));
    const started = Date.now();
    await sup.stopAll();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(processAlive(stubborn.pid)).toBe(false);
    expect((await stubborn.exited).signal).toBe("SIGKILL");
    expect(lines.some((l) => l.includes("sending SIGKILL"))).toBe(true);
  });

  it("reports a child that dies on its own, but not one it stopped", async () => {
    const { sup } = makeSupervisor();
    const exits: string[] = [];
    sup.onUnexpectedExit((name, info) => exits.push(`${name}:${info.code}`));
    const task = sup.start({ name: "task", oneShot: true, ...node(`process.exit(0)`) });
    sup.start({ name: "crasher", ...node(`setTimeout(() => process.exit(3), 50)`) });
    sup.start({ name: "steady", ...node(`setInterval(() => {}, 1000)`) });
    await waitFor(() => exits.length > 0);
    expect(await task.exited).toEqual({ code: 0, signal: null });
    expect(exits).toEqual(["crasher:3"]);
    await sup.stop("steady");
    await new Promise((r) => setTimeout(r, 100));
    expect(exits).toEqual(["crasher:3"]);
  });

  it("colors prefixes only when asked", () => {
    const lines: string[] = [];
    const colored = new Supervisor({ write: (l) => lines.push(l), color: true });
    colored.log("web", "ready");
    const plain = new Supervisor({ write: (l) => lines.push(l) });
    plain.log("web", "ready");
    expect(lines[0]).toMatch(/^\u001b\[\d+m\[web\] +\u001b\[0m ready$/);
    expect(lines[1]).toBe("[web]  ready");
  });
});
