import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { env } from "@/lib/env";
import type { Heartbeat } from "./heartbeat";
import { HEARTBEAT_STALE_MS, KNOWN_WORKERS, readyWithinMs } from "./health";
import type { Logger } from "./log";

/**
 * A worker process's own liveness and readiness, for a process supervisor or container probe
 * that restarts this process (the web app's /api/health/workers/<name> reports every instance
 * from the database, which a probe of one process cannot use):
 *
 *   GET /live   200 while the heartbeat timer keeps running (the event loop is not stuck)
 *   GET /ready  200 when the last attempt succeeded, the last success is younger than the
 *               worker's threshold (lib/ops/health.ts) and the last heartbeat reached PostgreSQL
 *
 * Bodies carry states and reasons, never error texts (they can name internal hosts).
 */
export type WorkerProbe = { status: number; body: Record<string, unknown> };

export function probeWorker(heartbeat: Heartbeat, probe: "live" | "ready", now = new Date()): WorkerProbe {
  const s = heartbeat.snapshot();
  const base = { worker: s.worker, instance: s.instance, probe };
  const writeAgeMs = s.lastWriteAt ? now.getTime() - s.lastWriteAt.getTime() : null;
  const ticking = writeAgeMs !== null && writeAgeMs <= HEARTBEAT_STALE_MS;
  if (probe === "live") return { status: ticking ? 200 : 503, body: { ...base, live: ticking, uptimeSeconds: Math.round((now.getTime() - s.startedAt.getTime()) / 1000) } };
  const successAgeMs = s.lastSuccessAt ? now.getTime() - s.lastSuccessAt.getTime() : null;
  const within = readyWithinMs(s.worker);
  const reasons: string[] = [];
  if (!ticking) reasons.push("heartbeat loop stalled");
  if (s.lastWriteError) reasons.push("database unreachable");
  if (s.lastError) reasons.push("last attempt failed");
  if (successAgeMs === null) reasons.push("no success yet");
  else if (successAgeMs > within) reasons.push(`no success for ${Math.round(successAgeMs / 1000)} s (threshold ${within / 1000} s)`);
  return {
    status: reasons.length ? 503 : 200,
    body: { ...base, ready: reasons.length === 0, reasons, lastSuccessAgeMs: successAgeMs, lag: s.lag },
  };
}

export type WorkerHealthServer = { port: number; close(): Promise<void> };

export async function startWorkerHealthServer(opts: { heartbeat: Heartbeat; port: number; host?: string }): Promise<WorkerHealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://worker").pathname;
    const probe = path === "/live" ? "live" : path === "/ready" ? "ready" : null;
    const answer = probe && (req.method === "GET" || req.method === "HEAD") ? probeWorker(opts.heartbeat, probe) : { status: 404, body: { error: "GET /live or /ready" } };
    res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** WORKER_HEALTH_PORT plus the worker's offset, or null when the servers are off. */
export function workerHealthPort(worker: string, base = env().WORKER_HEALTH_PORT): number | null {
  if (base === undefined) return null;
  const offset = (KNOWN_WORKERS as readonly string[]).indexOf(worker);
  return offset < 0 ? null : base + offset;
}

/** For a worker entry: starts its health server when WORKER_HEALTH_PORT is set; close() is always safe. */
export async function startWorkerHealthFromEnv(heartbeat: Heartbeat, log: Pick<Logger, "info" | "warn">): Promise<{ close(): Promise<void> }> {
  const port = workerHealthPort(heartbeat.worker);
  if (port === null) return { close: async () => {} };
  try {
    const server = await startWorkerHealthServer({ heartbeat, port, host: env().WORKER_HEALTH_HOST });
    log.info("health endpoint listening", { port: server.port, paths: ["/live", "/ready"] });
    return server;
  } catch (err) {
    // A taken port must not stop the work itself; the web app still reports this worker.
    log.warn("health endpoint not started", { port, error: err instanceof Error ? err.message : String(err) });
    return { close: async () => {} };
  }
}
