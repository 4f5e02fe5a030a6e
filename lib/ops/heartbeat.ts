import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { workerStatus } from "@/db/schema";

/**
 * Each worker process writes its own row in worker_status every few seconds: alive (heartbeat),
 * making progress (last success), its last error, and a worker-specific lag. The web app's
 * health endpoints read these rows, so worker health works the same for one process or many.
 *
 * Every timestamp in the row is the database's clock (now() at write time), so the web process
 * that compares them with now() is not misled by clock skew between machines. A success is
 * written right away (coalesced), so last_success_at is late by one write at most.
 */
export type HeartbeatUpdate = { lag?: number | null; details?: Record<string, unknown> };

/** What the process itself knows (its own clock), for its local /live and /ready endpoint. */
export type HeartbeatSnapshot = {
  worker: string;
  instance: string;
  startedAt: Date;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lag: number | null;
  /** Last time a heartbeat write was attempted, and whether it reached the database. */
  lastWriteAt: Date | null;
  lastWriteError: string | null;
};

export type Heartbeat = {
  readonly instance: string;
  readonly worker: string;
  /** Real progress (work done, or verifiably nothing to do); `lag` and `details` replace the previous values when given. */
  success(update?: HeartbeatUpdate): void;
  /** Alive but no progress to report: only lag and details change. */
  update(update: HeartbeatUpdate): void;
  failure(err: unknown): void;
  snapshot(): HeartbeatSnapshot;
  /** Writes now (tests, shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
};

export function workerInstanceId(worker: string): string {
  return `${worker}@${hostname()}:${process.pid}`;
}

export type HeartbeatOptions = {
  worker: string;
  instance?: string;
  everyMs?: number;
  onError?: (err: unknown) => void;
  /**
   * Measured at every write (a query, a Kafka admin call) when the lag is not simply reported by
   * success()/update(); a failure or a call slower than 5 s keeps the previous value.
   */
  lag?: () => Promise<number | null>;
};

const LAG_TIMEOUT_MS = 5_000;

export function startHeartbeat(db: Db, opts: HeartbeatOptions): Heartbeat {
  const instance = opts.instance ?? workerInstanceId(opts.worker);
  const startedAt = new Date();
  const state: { lastSuccessAt: Date | null; lastError: string | null; lag: number | null; details: Record<string, unknown> } = {
    lastSuccessAt: null,
    lastError: null,
    lag: null,
    details: {},
  };
  let progressed = false;
  let lastWriteAt: Date | null = null;
  let lastWriteError: string | null = null;
  let writing: Promise<void> = Promise.resolve();
  let queued = false;

  async function measureLag(): Promise<void> {
    if (!opts.lag) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      state.lag = await Promise.race([
        opts.lag(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`lag measurement took over ${LAG_TIMEOUT_MS} ms`)), LAG_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      opts.onError?.(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async function writeOnce(): Promise<void> {
    queued = false;
    await measureLag();
    const progress = progressed;
    progressed = false;
    lastWriteAt = new Date();
    const successAt = progress ? sql`now()` : null;
    try {
      await db
        .insert(workerStatus)
        .values({
          instance,
          worker: opts.worker,
          startedAt: sql`now()`,
          heartbeatAt: sql`now()`,
          lastSuccessAt: successAt,
          lastError: state.lastError,
          lag: state.lag,
          details: state.details,
        })
        .onConflictDoUpdate({
          target: workerStatus.instance,
          set: {
            heartbeatAt: sql`now()`,
            lastSuccessAt: successAt ?? sql`${workerStatus.lastSuccessAt}`,
            lastError: state.lastError,
            lag: state.lag,
            details: state.details,
          },
        });
      lastWriteError = null;
    } catch (err) {
      // Not written: the progress is still news for the next write.
      progressed ||= progress;
      lastWriteError = err instanceof Error ? err.message : String(err);
      opts.onError?.(err);
    }
  }

  const write = () => {
    writing = writing.then(writeOnce, writeOnce);
    return writing;
  };
  /** One write soon for any number of calls before it starts. */
  const writeSoon = () => {
    if (queued) return;
    queued = true;
    void write();
  };

  void write();
  const timer = setInterval(() => void write(), opts.everyMs ?? 10_000);
  timer.unref();

  const apply = (update?: HeartbeatUpdate) => {
    if (update?.lag !== undefined) state.lag = update.lag;
    if (update?.details) state.details = update.details;
  };
  return {
    instance,
    worker: opts.worker,
    success(update) {
      state.lastSuccessAt = new Date();
      state.lastError = null;
      progressed = true;
      apply(update);
      writeSoon();
    },
    update(update) {
      apply(update);
    },
    failure(err) {
      state.lastError = err instanceof Error ? err.message : String(err);
    },
    snapshot: () => ({ worker: opts.worker, instance, startedAt, lastSuccessAt: state.lastSuccessAt, lastError: state.lastError, lag: state.lag, lastWriteAt, lastWriteError }),
    flush: write,
    async stop() {
      clearInterval(timer);
      await write();
    },
  };
}
