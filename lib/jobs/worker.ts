import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type postgres from "postgres";
import { z } from "zod";
import type { Database } from "@/db/client";
import { runWithRequestContext } from "@/lib/ops/context";
import { createLogger } from "@/lib/ops/log";
import { PermanentJobError, type JobContext, type JobHandler, type JobLogger } from "./define";
import { claimJobs, completeJob, describeError, failJob, jobsChannel, reclaimStaleJobs, touchJobs, type JobRow } from "./queue";

export type WorkerOptions = {
  db: Database;
  handlers: readonly JobHandler[];
  /** Unique per process; recorded in locked_by. See `makeWorkerId`. */
  workerId: string;
  /** Abort to stop: no new claims, in-flight jobs get `shutdownTimeoutMs` to finish. */
  signal: AbortSignal;
  /** Longest sleep when idle; the sleep starts short and doubles up to this. */
  pollMs?: number;
  /** Jobs run at the same time by this loop. */
  concurrency?: number;
  /**
   * A running job whose lock is older than this is presumed abandoned and requeued by any worker.
   * Live workers renew their locks every third of it, so it bounds detection of a crash, not the
   * length of a job.
   */
  visibilityTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  /** LISTEN for enqueue notifications to start new jobs without waiting for the next poll. */
  listen?: boolean;
  log?: JobLogger;
  /** Jitter source for retry delays; tests pin it. */
  random?: () => number;
};

/** In-process heartbeat of one loop, for a worker's health endpoint or logs. */
export type WorkerStats = {
  workerId: string;
  startedAt: Date;
  /** Last time the loop asked the database for work: proves the loop is alive even when idle. */
  lastPollAt: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  succeeded: number;
  retried: number;
  failed: number;
  /** Attempts whose lock this worker lost before settling (reclaimed as stale). */
  lost: number;
  inFlight: number;
  listening: boolean;
  stopped: boolean;
};

export type WorkerHandle = { readonly stats: Readonly<WorkerStats>; readonly stopped: Promise<WorkerStats> };

/** `<name>@<host>:<pid>:<random>`: readable in locked_by, and distinct across restarts. */
export function makeWorkerId(name: string): string {
  return `${name}@${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/**
 * An AbortSignal that fires on SIGTERM or SIGINT, for a worker entry to pass to runWorkerLoop.
 * The handlers are removed once it fires, so a second Ctrl-C gets Node's default (exit now).
 */
export function shutdownSignal(signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    for (const s of signals) process.off(s, onSignal);
    controller.abort(new Error(`received ${name}`));
  };
  for (const s of signals) process.on(s, onSignal);
  return controller.signal;
}

/** Structured JSON lines (lib/ops/log.ts) under a component name, e.g. "provisioner". */
export function consoleJobLogger(component: string): JobLogger {
  return createLogger(component);
}

/** Runs the loop until `signal` aborts and in-flight jobs settle; resolves with the final stats. */
export function runWorkerLoop(opts: WorkerOptions): Promise<WorkerStats> {
  return startWorker(opts).stopped;
}

/**
 * Claim, run, settle, repeat. Each job runs its handler with the payload parsed by its
 * definition's schema; success marks it done, a throw schedules a retry (or fails it for good),
 * an invalid payload fails it at once since retrying cannot fix it. Handlers must be idempotent:
 * a job can run again after a crash, a lost lock or a timeout.
 */
export function startWorker(opts: WorkerOptions): WorkerHandle {
  const handlers = new Map<string, JobHandler>();
  for (const h of opts.handlers) {
    if (handlers.has(h.definition.kind)) throw new Error(`Two handlers for job kind ${h.definition.kind}`);
    handlers.set(h.definition.kind, h);
  }
  const kinds = [...handlers.keys()];
  const { db, workerId, signal } = opts;
  const pollMs = opts.pollMs ?? 2_000;
  const minIdleMs = Math.min(50, pollMs);
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 60_000;
  const maintenanceEveryMs = Math.max(50, Math.floor(visibilityTimeoutMs / 3));
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  const log = opts.log ?? createLogger("jobs", { fields: { worker_id: workerId } });

  const stats: WorkerStats = {
    workerId,
    startedAt: new Date(),
    lastPollAt: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastError: null,
    succeeded: 0,
    retried: 0,
    failed: 0,
    lost: 0,
    inFlight: 0,
    listening: false,
    stopped: false,
  };
  const inFlight = new Map<number, Promise<void>>();
  // Aborted only when the shutdown grace period runs out; every job's signal follows it.
  const shutdown = new AbortController();

  // A wake-up that arrives while the loop is busy (not sleeping) is remembered, so a NOTIFY
  // between an empty claim and the following sleep is not lost.
  let wake: (() => void) | null = null;
  let pendingWake = false;
  const wakeUp = () => {
    if (wake) wake();
    else pendingWake = true;
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pendingWake || signal.aborted) {
        pendingWake = false;
        return resolve();
      }
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  signal.addEventListener("abort", wakeUp, { once: true });

  async function settle(what: string, job: JobRow, write: () => Promise<void>) {
    // A blip while writing the outcome should not cost a rerun; if the database stays away the
    // lock expires and the job is reclaimed, which idempotent handlers tolerate.
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= 3) {
          log.error(`could not record ${what}; the job will be reclaimed after the visibility timeout`, { id: job.id, kind: job.kind, error: describeError(err) });
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async function runJob(job: JobRow): Promise<void> {
    const handler = handlers.get(job.kind);
    const def = handler?.definition;
    const jobAbort = new AbortController();
    const onShutdown = () => jobAbort.abort(shutdown.signal.reason);
    shutdown.signal.addEventListener("abort", onShutdown, { once: true });
    const ctx: JobContext = {
      job: { id: job.id, kind: job.kind, dedupeKey: job.dedupeKey, attempt: job.attempts, maxAttempts: job.maxAttempts, createdAt: job.createdAt },
      signal: jobAbort.signal,
      log,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!handler || !def) throw new PermanentJobError(`No handler for job kind ${job.kind}`);
      const parsed = def.schema.safeParse(job.payload);
      if (!parsed.success) throw new PermanentJobError(`Invalid payload for job ${job.kind}: ${z.prettifyError(parsed.error)}`);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new Error(`Attempt timed out after ${def.timeoutMs} ms`);
          err.name = "JobTimeoutError";
          // Reject first: a handler that returns as soon as it sees the abort must not win the race.
          reject(err);
          jobAbort.abort(err);
        }, def.timeoutMs);
      });
      // Audit entries the job writes carry its id as their correlation id (lib/ops/context.ts).
      await Promise.race([runWithRequestContext({ correlationId: `job:${job.id}` }, () => handler.run(parsed.data, ctx)), timeout]);
    } catch (err) {
      stats.lastFailureAt = new Date();
      stats.lastError = describeError(err);
      await settle("a failure", job, async () => {
        const outcome = await failJob(db, job, workerId, err, { backoff: def?.backoff ?? { baseMs: 1_000, maxMs: 60_000, jitter: 0.5 }, random: opts.random });
        const fields = { id: job.id, kind: job.kind, attempt: job.attempts, error: stats.lastError };
        if (outcome.status === "queued") {
          stats.retried++;
          log.warn(`attempt failed, retrying in ${outcome.retryInMs} ms`, fields);
        } else if (outcome.status === "failed") {
          stats.failed++;
          log.error("job failed for good", fields);
        } else {
          stats.lost++;
          log.warn("attempt failed after its lock was reclaimed; outcome discarded", fields);
        }
      });
      return;
    } finally {
      clearTimeout(timer);
      shutdown.signal.removeEventListener("abort", onShutdown);
    }
    await settle("a success", job, async () => {
      if (await completeJob(db, job, workerId)) {
        stats.succeeded++;
        stats.lastSuccessAt = new Date();
      } else {
        stats.lost++;
        log.warn("job finished after its lock was reclaimed; outcome discarded", { id: job.id, kind: job.kind });
      }
    });
  }

  function start(job: JobRow) {
    const running = runJob(job)
      .catch((err) => log.error("job runner crashed", { id: job.id, error: describeError(err) }))
      .finally(() => {
        inFlight.delete(job.id);
        stats.inFlight = inFlight.size;
        wakeUp();
      });
    inFlight.set(job.id, running);
    stats.inFlight = inFlight.size;
  }

  async function maintain() {
    try {
      const ids = [...inFlight.keys()];
      const held = new Set(await touchJobs(db, workerId, ids));
      for (const id of ids) {
        if (!held.has(id)) log.warn("lost the lock of a running job (reclaimed as stale); its result will be discarded", { id });
      }
      const reclaimed = await reclaimStaleJobs(db, { visibilityTimeoutMs });
      if (reclaimed.requeued.length || reclaimed.failed.length) log.warn("reclaimed stale jobs", reclaimed);
    } catch (err) {
      log.error("lock maintenance failed", { error: describeError(err) });
    }
  }

  async function listen(): Promise<(() => Promise<void>) | null> {
    const client = (db as unknown as { $client?: postgres.Sql }).$client;
    if (opts.listen === false || typeof client?.listen !== "function") return null;
    try {
      const meta = await client.listen(jobsChannel, (kind) => {
        if (handlers.has(kind)) wakeUp();
      });
      stats.listening = true;
      return () => meta.unlisten();
    } catch (err) {
      log.warn("LISTEN failed; polling only", { error: describeError(err) });
      return null;
    }
  }

  async function loop(): Promise<WorkerStats> {
    const unlisten = await listen();
    let idleMs = minIdleMs;
    let nextMaintenanceAt = 0;
    while (!signal.aborted) {
      if (Date.now() >= nextMaintenanceAt) {
        await maintain();
        nextMaintenanceAt = Date.now() + maintenanceEveryMs;
      }
      const untilMaintenance = Math.max(0, nextMaintenanceAt - Date.now());
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        // A finishing job wakes the loop.
        await pause(untilMaintenance);
        continue;
      }
      let claimed: JobRow[];
      try {
        claimed = await claimJobs(db, { kinds, workerId, limit: free });
        stats.lastPollAt = new Date();
      } catch (err) {
        log.error("claiming jobs failed", { error: describeError(err) });
        await pause(Math.min(idleMs, untilMaintenance));
        idleMs = Math.min(idleMs * 2, pollMs);
        continue;
      }
      for (const job of claimed) start(job);
      if (claimed.length === free) {
        // A full batch: more may be due right now.
        idleMs = minIdleMs;
        continue;
      }
      if (claimed.length > 0) idleMs = minIdleMs;
      await pause(Math.min(idleMs, untilMaintenance));
      if (claimed.length === 0) idleMs = Math.min(idleMs * 2, pollMs);
    }

    const settled = Promise.allSettled([...inFlight.values()]);
    let graceTimer: NodeJS.Timeout | undefined;
    const outOfTime = await Promise.race([
      settled.then(() => false),
      new Promise<boolean>((r) => (graceTimer = setTimeout(() => r(true), shutdownTimeoutMs))),
    ]);
    clearTimeout(graceTimer);
    if (outOfTime) {
      // Still locked by us: the visibility timeout hands them to another worker, and the fencing
      // in completeJob/failJob discards whatever these attempts do afterwards.
      log.warn("shutdown grace period over; leaving jobs to be reclaimed", { ids: [...inFlight.keys()] });
      shutdown.abort(new Error("worker shutting down"));
    }
    signal.removeEventListener("abort", wakeUp);
    await unlisten?.().catch(() => {});
    stats.listening = false;
    stats.stopped = true;
    return stats;
  }

  return { stats, stopped: loop() };
}
