import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { workerStatus } from "@/db/schema";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";

/**
 * Liveness and readiness. Liveness is "this process answers" and never touches a dependency
 * (a slow database must not get healthy web processes restarted). Readiness checks what a
 * request needs: PostgreSQL and the Kafka cluster, each with a short timeout. Worker health
 * comes from the heartbeat rows each worker process writes (lib/ops/heartbeat.ts).
 */
export const KNOWN_WORKERS = ["provisioner", "router", "meter", "billing", "notifier"] as const;
/** A worker whose last heartbeat is older than this is not alive. */
export const HEARTBEAT_STALE_MS = 45_000;

export type Check = { ok: boolean; ms: number; detail?: string; error?: string };

export type WorkerInstanceHealth = {
  instance: string;
  worker: string;
  alive: boolean;
  heartbeatAt: string;
  startedAt: string;
  lastSuccessAt: string | null;
  lastError: string | null;
  lag: number | null;
  details: Record<string, unknown>;
};

export type WorkerHealth = { worker: string; live: boolean; ready: boolean; instances: WorkerInstanceHealth[] };

async function timed(fn: () => Promise<string | undefined>, timeoutMs: number): Promise<Check> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start), ...(detail ? { detail } : {}) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - start), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function checkDatabase(db: Db, timeoutMs = 2_000): Promise<Check> {
  return timed(async () => {
    await db.execute(sql`select 1`);
    return undefined;
  }, timeoutMs);
}

export function checkKafka(connection: KafkaConnectionOptions, timeoutMs = 3_000): Promise<Check> {
  return timed(async () => {
    const admin = createKafka({ clientId: "tributary-health", connection, logLevel: "nothing", retries: 0, connectionTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return `${cluster.brokers.length} broker(s), controller ${cluster.controller ?? "unknown"}`;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }, timeoutMs + 500);
}

export async function workerHealth(db: Db, now = new Date()): Promise<WorkerHealth[]> {
  const rows = await db.select().from(workerStatus);
  const byWorker = new Map<string, WorkerInstanceHealth[]>();
  for (const name of KNOWN_WORKERS) byWorker.set(name, []);
  for (const r of rows) {
    const alive = now.getTime() - r.heartbeatAt.getTime() <= HEARTBEAT_STALE_MS;
    const list = byWorker.get(r.worker) ?? [];
    list.push({
      instance: r.instance,
      worker: r.worker,
      alive,
      heartbeatAt: r.heartbeatAt.toISOString(),
      startedAt: r.startedAt.toISOString(),
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      lastError: r.lastError,
      lag: r.lag,
      details: (r.details ?? {}) as Record<string, unknown>,
    });
    byWorker.set(r.worker, list);
  }
  return [...byWorker.entries()].map(([worker, instances]) => {
    const alive = instances.filter((i) => i.alive);
    return {
      worker,
      live: alive.length > 0,
      // Ready: at least one live instance whose latest attempt did not end in an error.
      ready: alive.some((i) => i.lastError === null),
      instances: instances.sort((a, b) => b.heartbeatAt.localeCompare(a.heartbeatAt)),
    };
  });
}

/** Drops heartbeat rows of instances gone for a day, so restarts do not pile up rows. */
export async function pruneWorkerStatus(db: Db, olderThanMs = 24 * 3600_000): Promise<number> {
  const rows = await db.execute<{ instance: string }>(
    sql`delete from worker_status where heartbeat_at < now() - make_interval(secs => ${olderThanMs / 1000}) returning instance`,
  );
  return rows.length;
}

export type Readiness = { status: "ready" | "not_ready"; checks: { database: Check; kafka: Check } };

export async function readiness(db: Db, connection: KafkaConnectionOptions): Promise<Readiness> {
  const [database, kafka] = await Promise.all([checkDatabase(db), checkKafka(connection)]);
  return { status: database.ok && kafka.ok ? "ready" : "not_ready", checks: { database, kafka } };
}
