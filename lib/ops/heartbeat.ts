import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { workerStatus } from "@/db/schema";

/**
 * Each worker process writes its own row in worker_status every few seconds: alive (heartbeat),
 * making progress (last success), its last error, and a worker-specific lag. The web app's
 * health endpoints read these rows, so worker health works the same for one process or many.
 */
export type Heartbeat = {
  readonly instance: string;
  /** Records a unit of work done; `lag` and `details` replace the previous values when given. */
  success(update?: { lag?: number | null; details?: Record<string, unknown> }): void;
  failure(err: unknown): void;
  /** Writes now (tests, shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

export function workerInstanceId(worker: string): string {
  return `${worker}@${hostname()}:${process.pid}`;
}

export function startHeartbeat(db: Db, opts: { worker: string; instance?: string; everyMs?: number; onError?: (err: unknown) => void }): Heartbeat {
  const instance = opts.instance ?? workerInstanceId(opts.worker);
  const state: { lastSuccessAt: Date | null; lastError: string | null; lag: number | null; details: Record<string, unknown> } = {
    lastSuccessAt: null,
    lastError: null,
    lag: null,
    details: {},
  };
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    writing = writing
      .then(() =>
        db
          .insert(workerStatus)
          .values({ instance, worker: opts.worker, heartbeatAt: new Date(), ...state })
          .onConflictDoUpdate({
            target: workerStatus.instance,
            set: {
              heartbeatAt: sql`now()`,
              lastSuccessAt: state.lastSuccessAt,
              lastError: state.lastError,
              lag: state.lag,
              details: state.details,
            },
          })
          .then(() => undefined),
      )
      .catch((err) => opts.onError?.(err));
    return writing;
  };
  void write();
  const timer = setInterval(() => void write(), opts.everyMs ?? 10_000);
  timer.unref();
  return {
    instance,
    success(update) {
      state.lastSuccessAt = new Date();
      state.lastError = null;
      if (update?.lag !== undefined) state.lag = update.lag;
      if (update?.details) state.details = update.details;
    },
    failure(err) {
      state.lastError = err instanceof Error ? err.message : String(err);
    },
    flush: write,
    async stop() {
      clearInterval(timer);
      await write();
    },
  };
}
