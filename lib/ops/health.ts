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
export type KnownWorker = (typeof KNOWN_WORKERS)[number];

/** A worker whose last heartbeat is older than this is not alive. */
export const HEARTBEAT_STALE_MS = 45_000;

/**
 * A live worker is ready only if its last success (real progress) is younger than this: a loop
 * that hangs keeps its process and heartbeat timer alive, and this is what catches it. Each is a
 * few of that worker's cycles: provisioner and billing work every 30 s / 60 s, the router
 * reports every 5 s, the meter runs every 15 s, the notifier every 10 s.
 */
export const READY_WITHIN_MS: Record<KnownWorker, number> = {
  provisioner: 120_000,
  router: 60_000,
  meter: 60_000,
  billing: 180_000,
  notifier: 60_000,
};
const DEFAULT_READY_WITHIN_MS = 120_000;

export function readyWithinMs(worker: string): number {
  return READY_WITHIN_MS[worker as KnownWorker] ?? DEFAULT_READY_WITHIN_MS;
}

export type Check = { ok: boolean; ms: number; detail?: string; error?: string };

export type WorkerInstanceHealth = {
  instance: string;
  worker: string;
  alive: boolean;
  heartbeatAt: string;
  startedAt: string;
  lastSuccessAt: string | null;
  /** Milliseconds since the last success by the database's clock; null before the first. */
  lastSuccessAgeMs: number | null;
  /** Live, no error in the latest attempt, and a success within readyWithinMs(worker). */
  ready: boolean;
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

/**
 * Health of every known worker from the heartbeat rows. Ages are computed in SQL against the
 * database's clock, the same clock the workers' writes use; `now` replaces it in tests.
 */
export async function workerHealth(db: Db, now?: Date): Promise<WorkerHealth[]> {
  const ref = now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
  const rows = await db
    .select({
      row: workerStatus,
      heartbeatAgeMs: sql<number>`(extract(epoch from (${ref} - ${workerStatus.heartbeatAt})) * 1000)::float8`,
      successAgeMs: sql<number | null>`(extract(epoch from (${ref} - ${workerStatus.lastSuccessAt})) * 1000)::float8`,
    })
    .from(workerStatus);
  const byWorker = new Map<string, WorkerInstanceHealth[]>();
  for (const name of KNOWN_WORKERS) byWorker.set(name, []);
  for (const { row: r, heartbeatAgeMs, successAgeMs } of rows) {
    const alive = Number(heartbeatAgeMs) <= HEARTBEAT_STALE_MS;
    const successAge = successAgeMs === null ? null : Math.max(0, Math.round(Number(successAgeMs)));
    const list = byWorker.get(r.worker) ?? [];
    list.push({
      instance: r.instance,
      worker: r.worker,
      alive,
      heartbeatAt: r.heartbeatAt.toISOString(),
      startedAt: r.startedAt.toISOString(),
      lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
      lastSuccessAgeMs: successAge,
      ready: alive && r.lastError === null && successAge !== null && successAge <= readyWithinMs(r.worker),
      lastError: r.lastError,
      lag: r.lag,
      details: (r.details ?? {}) as Record<string, unknown>,
    });
    byWorker.set(r.worker, list);
  }
  return [...byWorker.entries()].map(([worker, instances]) => ({
    worker,
    live: instances.some((i) => i.alive),
    ready: instances.some((i) => i.ready),
    instances: instances.sort((a, b) => b.heartbeatAt.localeCompare(a.heartbeatAt)),
  }));
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
