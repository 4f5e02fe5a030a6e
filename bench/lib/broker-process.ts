import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { childEnv } from "@/lib/env";

export type Cpu = NodeJS.CpuUsage;

export type BrokerProcess = {
  child: ChildProcess;
  port: number;
  bootstrap: string;
  /** The broker process's own CPU time so far (process.cpuUsage() over IPC). */
  cpu(): Promise<Cpu>;
  /** SIGTERM, then waits for the exit (the broker flushes and closes its files). */
  stop(): Promise<void>;
};

export const cpuSeconds = (a: Cpu, b: Cpu) => (b.user - a.user + (b.system - a.system)) / 1e6;

/**
 * The embedded broker as a child process (scripts/broker.ts), as `npm run dev` runs it: its CPU
 * is then its own, not the measured client's, and its synchronous file I/O does not stall the
 * client's event loop. `adminPassword` turns on SASL with User:admin as super user.
 */
export async function startBrokerProcess(dataDir: string, opts: { adminPassword?: string } = {}): Promise<BrokerProcess> {
  const child = fork(path.join(import.meta.dirname, "..", "..", "scripts", "broker.ts"), ["--port", "0", "--metrics-port", "0", "--data", dataDir, "--report-cpu"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: childEnv({ BROKER_ADMIN_PASSWORD: opts.adminPassword }),
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("broker did not start in 30 s")), 30_000);
    child.on("message", (m: { ready?: number }) => {
      if (m.ready) {
        clearTimeout(t);
        resolve(m.ready);
      }
    });
    child.once("exit", (code) => reject(new Error(`broker exited with ${code}`)));
  });
  const cpu = () =>
    new Promise<Cpu>((resolve) => {
      const onMsg = (m: { cpu?: Cpu }) => {
        if (m.cpu) {
          child.off("message", onMsg);
          resolve(m.cpu);
        }
      };
      child.on("message", onMsg);
      child.send("cpu");
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return { child, port, bootstrap: `localhost:${port}`, cpu, stop };
}
