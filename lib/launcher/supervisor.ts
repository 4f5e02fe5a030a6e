import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Runs the launcher's child processes (broker, web app, workers) with prefixed, colored output
 * and stops them without leaving anything behind.
 *
 * Every child is the leader of its own process group (`detached`), for two reasons: a terminal
 * Ctrl-C reaches only the launcher, which then stops children in order instead of all at once;
 * and stopping signals the whole group, so grandchildren (next dev's workers, tsx's node) go too.
 * Stop = SIGTERM to the group, then SIGKILL to whatever is left of it after a timeout.
 */
export type ChildSpec = {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A one-shot task (a build): its exit is awaited by the caller, not reported as a crash. */
  oneShot?: boolean;
};

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export type SupervisedChild = {
  name: string;
  pid: number;
  exited: Promise<ExitInfo>;
};

export type SupervisorOptions = {
  /** Where prefixed lines go (default: process.stdout). */
  write?: (line: string) => void;
  color?: boolean;
  /** How long a child gets between SIGTERM and SIGKILL. */
  stopTimeoutMs?: number;
  /** Names known up front, so prefixes line up from the first line. */
  labels?: string[];
};

type Entry = { child: ChildProcess; info: SupervisedChild; stopping: boolean; done: boolean };

const PALETTE = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92];
/** CSI sequences (colors, cursor show/hide); a line made only of them is noise once prefixed. */
const CSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

export class Supervisor {
  private readonly entries: Entry[] = [];
  private readonly colors = new Map<string, number>();
  private readonly write: (line: string) => void;
  private readonly color: boolean;
  private readonly stopTimeoutMs: number;
  private readonly exitListeners: ((name: string, info: ExitInfo) => void)[] = [];
  private stoppingAll = false;
  private width = 6;

  constructor(opts: SupervisorOptions = {}) {
    this.write = opts.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.color = opts.color ?? false;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
    for (const name of opts.labels ?? []) this.width = Math.max(this.width, name.length + 2);
  }

  /** Called when a child exits that nobody asked to stop (a crash, or a child that gave up). */
  onUnexpectedExit(listener: (name: string, info: ExitInfo) => void): void {
    this.exitListeners.push(listener);
  }

  /** A line under `name`'s prefix, for the launcher's own steps ("[db] migrations applied"). */
  log(name: string, message: string): void {
    for (const line of message.split("\n")) this.write(`${this.prefix(name)} ${line}`);
  }

  start(spec: ChildSpec): SupervisedChild {
    if (this.stoppingAll) throw new Error(`not starting ${spec.name}: shutting down`);
    this.width = Math.max(this.width, spec.name.length + 2);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) {
      // spawn reports ENOENT and friends asynchronously; surface it as an exit.
      const exited = new Promise<ExitInfo>((resolve) => child.once("error", () => resolve({ code: 127, signal: null })));
      child.once("error", (err) => this.log(spec.name, `could not start ${spec.command}: ${err.message}`));
      return { name: spec.name, pid: -1, exited };
    }
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const info: SupervisedChild = { name: spec.name, pid: child.pid, exited };
    const entry: Entry = { child, info, stopping: false, done: false };
    this.entries.push(entry);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        if (line.replace(CSI, "").trim()) this.log(spec.name, line);
      });
    }
    void exited.then((result) => {
      entry.done = true;
      if (entry.stopping || this.stoppingAll || spec.oneShot) return;
      for (const l of this.exitListeners) l(spec.name, result);
    });
    return info;
  }

  /** Names of children still running. */
  running(): string[] {
    return this.entries.filter((e) => !e.done).map((e) => e.info.name);
  }

  /** Stops one child (and its process group). Resolves when the whole group is gone. */
  async stop(name: string): Promise<void> {
    const entry = this.entries.find((e) => e.info.name === name);
    if (entry) await this.stopEntry(entry);
  }

  /** Stops every child, most recently started first (the web app before the broker it uses). */
  async stopAll(): Promise<void> {
    this.stoppingAll = true;
    for (const entry of [...this.entries].reverse()) await this.stopEntry(entry);
  }

  /** Last resort (a second Ctrl-C): SIGKILL every child's group now, without waiting. */
  killAll(): void {
    this.stoppingAll = true;
    for (const entry of this.entries) {
      entry.stopping = true;
      if (!entry.done || groupAlive(entry.info.pid)) signalGroup(entry.info.pid, "SIGKILL");
    }
  }

  private async stopEntry(entry: Entry): Promise<void> {
    entry.stopping = true;
    const pgid = entry.info.pid;
    if (!groupAlive(pgid)) return;
    signalGroup(pgid, "SIGTERM");
    const deadline = Date.now() + this.stopTimeoutMs;
    // The leader may exit before its children; wait for the group, not just the leader.
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pgid)) {
      this.log(entry.info.name, `still running ${this.stopTimeoutMs} ms after SIGTERM: sending SIGKILL`);
      signalGroup(pgid, "SIGKILL");
      const killDeadline = Date.now() + 5_000;
      while (groupAlive(pgid) && Date.now() < killDeadline) await sleep(50);
    }
    if (!entry.done) await Promise.race([entry.info.exited, sleep(1_000)]);
  }

  private prefix(name: string): string {
    const label = `[${name}]`.padEnd(this.width);
    if (!this.color) return label;
    let code = this.colors.get(name);
    if (code === undefined) {
      code = PALETTE[this.colors.size % PALETTE.length];
      this.colors.set(name, code);
    }
    return `\u001b[${code}m${label}\u001b[0m`;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * True while any live process of the group exists. On Linux, /proc tells zombies apart: an
 * exited grandchild whose new parent (PID 1 in a container) never reaps it is gone for our
 * purposes, though `kill(-pgid, 0)` still finds it.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (!existsSync("/proc/self/stat")) return true;
  for (const dir of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(dir)) continue;
    const stat = procStat(Number(dir));
    if (stat && stat.pgrp === pgid && stat.state !== "Z") return true;
  }
  return false;
}

function procStat(pid: number): { state: string; pgrp: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; fields follow the last ")".
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0], pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

/** True if the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync("/proc/self/stat") ? procStat(pid) : null;
  return stat ? stat.state !== "Z" : true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
