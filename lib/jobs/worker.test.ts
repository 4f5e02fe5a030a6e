import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createDb } from "@/db/client";
import { jobs } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { claimJobs, completeJob, defineJob, enqueue, jobHandler, jobStatus, runWorkerLoop, shutdownSignal, startWorker, type JobLogger } from "./index";

const t = await createTestDatabase();

function captureLog(): JobLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, info: push("info"), warn: push("warn"), error: push("error") };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const statusesOf = (kind: string) => t.db.select({ status: jobs.status }).from(jobs).where(eq(jobs.kind, kind));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("runWorkerLoop", () => {
  it("runs every job exactly once across three concurrent loops", async () => {
    const count = defineJob({ kind: "loop.count", schema: z.object({ n: z.number().int() }) });
    const total = 150;
    for (let n = 0; n < total; n++) await enqueue(t.db, count, { n }, { dedupeKey: `count:${n}` });
    const executions = new Map<number, number>();
    const ranBy = new Map<string, number>();
    const abort = new AbortController();
    // One client each, as separate worker processes would have.
    const clients = ["a", "b", "c"].map(() => createDb(t.url, 3));
    const loops = ["a", "b", "c"].map((name, i) =>
      runWorkerLoop({
        db: clients[i].db,
        workerId: `count-${name}`,
        signal: abort.signal,
        concurrency: 3,
        pollMs: 50,
        log: captureLog(),
        handlers: [
          jobHandler(count, async ({ n }, ctx) => {
            executions.set(n, (executions.get(n) ?? 0) + 1);
            ranBy.set(name, (ranBy.get(name) ?? 0) + 1);
            expect(ctx.job.attempt).toBe(1);
            await sleep(Math.random() * 5);
          }),
        ],
      }),
    );
    await waitFor(() => statusesOf(count.kind), (rows) => rows.every((r) => r.status === "done"), 20_000);
    abort.abort();
    const stats = await Promise.all(loops);
    await Promise.all(clients.map((c) => c.sql.end({ timeout: 5 })));
    expect(executions.size).toBe(total);
    expect([...executions.values()].every((c) => c === 1)).toBe(true);
    expect(stats.reduce((sum, s) => sum + s.succeeded, 0)).toBe(total);
    expect(stats.every((s) => s.stopped && s.failed === 0 && s.lost === 0)).toBe(true);
    expect([...ranBy.values()].reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("retries a failing handler with backoff until it succeeds", async () => {
    const flaky = defineJob({ kind: "loop.flaky", schema: z.object({ id: z.string() }), backoff: { baseMs: 100, maxMs: 1_000, jitter: 0 } });
    const { id } = await enqueue(t.db, flaky, { id: "x" }, { dedupeKey: "flaky:x" });
    const attemptsAt: number[] = [];
    const abort = new AbortController();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "flaky-worker",
      signal: abort.signal,
      pollMs: 20,
      log: captureLog(),
      handlers: [
        jobHandler(flaky, async (payload, ctx) => {
          attemptsAt.push(Date.now());
          expect(payload).toEqual({ id: "x" });
          if (ctx.job.attempt < 3) throw new Error(`broker unavailable (attempt ${ctx.job.attempt})`);
        }),
      ],
    });
    const done = await waitFor(() => jobStatus(t.db, "flaky:x"), (j) => j?.status === "done");
    abort.abort();
    const stats = await loop;
    expect(done).toMatchObject({ id, attempts: 3, lockedBy: "flaky-worker", lastError: "Error: broker unavailable (attempt 2)" });
    expect(attemptsAt).toHaveLength(3);
    // 100 ms then 200 ms; the poll interval and clock granularity only add to that.
    expect(attemptsAt[1] - attemptsAt[0]).toBeGreaterThanOrEqual(90);
    expect(attemptsAt[2] - attemptsAt[1]).toBeGreaterThanOrEqual(190);
    expect(stats).toMatchObject({ succeeded: 1, retried: 2, failed: 0 });
    expect(stats.lastSuccessAt).toBeInstanceOf(Date);
  });

  it("fails a job for good after max attempts with a readable last_error", async () => {
    const broken = defineJob({ kind: "loop.broken", schema: z.object({}), maxAttempts: 3, backoff: { baseMs: 10, maxMs: 10, jitter: 0 } });
    await enqueue(t.db, broken, {}, { dedupeKey: "broken:1" });
    let calls = 0;
    const log = captureLog();
    const abort = new AbortController();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "broken-worker",
      signal: abort.signal,
      pollMs: 20,
      log,
      handlers: [
        jobHandler(broken, async () => {
          calls++;
          throw new Error("topic cannot be created", { cause: new Error("INVALID_REPLICATION_FACTOR") });
        }),
      ],
    });
    const failed = await waitFor(() => jobStatus(t.db, "broken:1"), (j) => j?.status === "failed");
    await sleep(100);
    abort.abort();
    const stats = await loop;
    expect(calls).toBe(3);
    expect(failed).toMatchObject({ attempts: 3, maxAttempts: 3, lastError: "Error: topic cannot be created\ncaused by: Error: INVALID_REPLICATION_FACTOR" });
    expect(stats).toMatchObject({ retried: 2, failed: 1, succeeded: 0 });
    expect(log.lines.some((l) => l.startsWith("error job failed for good"))).toBe(true);
  });

  it("fails a job whose stored payload no longer matches its schema without running it", async () => {
    const typed = defineJob({ kind: "loop.typed", schema: z.object({ n: z.number() }) });
    await t.db.insert(jobs).values({ kind: typed.kind, payload: { n: "seven" }, dedupeKey: "typed:bad" });
    let ran = false;
    const abort = new AbortController();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "typed-worker",
      signal: abort.signal,
      pollMs: 20,
      log: captureLog(),
      handlers: [jobHandler(typed, async () => void (ran = true))],
    });
    const job = await waitFor(() => jobStatus(t.db, "typed:bad"), (j) => j?.status === "failed");
    abort.abort();
    await loop;
    expect(ran).toBe(false);
    expect(job).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^PermanentJobError: Invalid payload for job loop.typed/) });
  });

  it("times out a hung attempt, aborting its signal, and retries it", async () => {
    const hung = defineJob({ kind: "loop.hung", schema: z.object({}), timeoutMs: 100, maxAttempts: 2, backoff: { baseMs: 10, maxMs: 10, jitter: 0 } });
    await enqueue(t.db, hung, {}, { dedupeKey: "hung:1" });
    const aborted: unknown[] = [];
    const abort = new AbortController();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "hung-worker",
      signal: abort.signal,
      pollMs: 20,
      log: captureLog(),
      handlers: [
        jobHandler(hung, (_payload, ctx) => {
          if (ctx.job.attempt === 2) return Promise.resolve();
          return new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => (aborted.push(ctx.signal.reason), resolve())));
        }),
      ],
    });
    const job = await waitFor(() => jobStatus(t.db, "hung:1"), (j) => j?.status === "done");
    abort.abort();
    await loop;
    expect(job).toMatchObject({ attempts: 2, lastError: "JobTimeoutError: Attempt timed out after 100 ms" });
    expect(aborted).toHaveLength(1);
  });

  it("reclaims a crashed worker's job after the visibility timeout and runs it once more", async () => {
    const crashy = defineJob({ kind: "loop.crash", schema: z.object({}) });
    await enqueue(t.db, crashy, {}, { dedupeKey: "crash:1" });
    // The "crashed" worker claims and then never settles or renews its lock.
    const [orphan] = await claimJobs(t.db, { kinds: [crashy.kind], workerId: "crashed-worker", limit: 1 });
    let runs = 0;
    const abort = new AbortController();
    const log = captureLog();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "rescuer",
      signal: abort.signal,
      pollMs: 20,
      visibilityTimeoutMs: 300,
      log,
      handlers: [jobHandler(crashy, async () => void runs++)],
    });
    const job = await waitFor(() => jobStatus(t.db, "crash:1"), (j) => j?.status === "done");
    abort.abort();
    await loop;
    expect(runs).toBe(1);
    expect(job).toMatchObject({ attempts: 2, lockedBy: "rescuer", lastError: expect.stringMatching(/crashed-worker stopped renewing its lock/) });
    expect(await completeJob(t.db, orphan, "crashed-worker")).toBe(false);
    expect(log.lines.some((l) => l.includes("reclaimed stale jobs"))).toBe(true);
  });

  it("keeps renewing the lock of a long job so other workers do not reclaim it", async () => {
    const slow = defineJob({ kind: "loop.slow", schema: z.object({}) });
    await enqueue(t.db, slow, {}, { dedupeKey: "slow:1" });
    let runs = 0;
    const abort = new AbortController();
    const options = { db: t.db, signal: abort.signal, pollMs: 20, visibilityTimeoutMs: 1_000, log: captureLog() };
    const handlers = [jobHandler(slow, async () => (runs++, sleep(2_500)))];
    const loops = [runWorkerLoop({ ...options, workerId: "slow-1", handlers }), runWorkerLoop({ ...options, workerId: "slow-2", handlers })];
    const job = await waitFor(() => jobStatus(t.db, "slow:1"), (j) => j?.status === "done");
    abort.abort();
    const stats = await Promise.all(loops);
    expect(runs).toBe(1);
    expect(job?.attempts).toBe(1);
    expect(stats.map((s) => s.lost)).toEqual([0, 0]);
  });

  it("stops on abort after finishing in-flight jobs, and claims nothing afterwards", async () => {
    const steady = defineJob({ kind: "loop.steady", schema: z.object({ n: z.number() }) });
    await enqueue(t.db, steady, { n: 1 }, { dedupeKey: "steady:1" });
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const abort = new AbortController();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "steady-worker",
      signal: abort.signal,
      pollMs: 20,
      log: captureLog(),
      handlers: [jobHandler(steady, async () => (started(), sleep(300)))],
    });
    await startedP;
    abort.abort();
    const stats = await loop;
    expect(stats).toMatchObject({ stopped: true, succeeded: 1, inFlight: 0 });
    expect((await jobStatus(t.db, "steady:1"))?.status).toBe("done");
    await enqueue(t.db, steady, { n: 2 }, { dedupeKey: "steady:2" });
    await sleep(200);
    expect((await jobStatus(t.db, "steady:2"))?.status).toBe("queued");
  });

  it("gives up waiting for a stuck job at the shutdown timeout and aborts its signal", async () => {
    const stuck = defineJob({ kind: "loop.stuck", schema: z.object({}) });
    await enqueue(t.db, stuck, {}, { dedupeKey: "stuck:1" });
    let signalled = false;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const abort = new AbortController();
    const log = captureLog();
    const loop = runWorkerLoop({
      db: t.db,
      workerId: "stuck-worker",
      signal: abort.signal,
      pollMs: 20,
      shutdownTimeoutMs: 200,
      log,
      handlers: [
        jobHandler(stuck, (_p, ctx) => {
          started();
          ctx.signal.addEventListener("abort", () => (signalled = true));
          return new Promise<void>(() => {});
        }),
      ],
    });
    await startedP;
    const stopAt = Date.now();
    abort.abort();
    await loop;
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    expect(signalled).toBe(true);
    expect(log.lines.some((l) => l.includes("shutdown grace period over"))).toBe(true);
    // Left locked for the visibility timeout to hand to another worker.
    expect(await jobStatus(t.db, "stuck:1")).toMatchObject({ status: "running", lockedBy: "stuck-worker" });
  });

  it("wakes up on NOTIFY from a committed enqueue instead of waiting for the poll", async () => {
    const ping = defineJob({ kind: "loop.ping", schema: z.object({}) });
    const abort = new AbortController();
    let ranAt = 0;
    const worker = startWorker({
      db: t.db,
      workerId: "ping-worker",
      signal: abort.signal,
      pollMs: 20_000,
      log: captureLog(),
      handlers: [jobHandler(ping, async () => void (ranAt = Date.now()))],
    });
    await waitFor(async () => worker.stats.listening && worker.stats.lastPollAt !== null, Boolean);
    // Let the loop reach its idle sleep: the first sleep is 50 ms, the next ones grow to 20 s.
    await sleep(1_000);
    const enqueuedAt = Date.now();
    await t.db.transaction((tx) => enqueue(tx, ping, {}, { dedupeKey: "ping:1" }));
    await waitFor(() => jobStatus(t.db, "ping:1"), (j) => j?.status === "done", 5_000);
    expect(ranAt - enqueuedAt).toBeLessThan(2_000);
    abort.abort();
    const stats = await worker.stopped;
    expect(stats.listening).toBe(false);
  });

  it("turns SIGTERM into an abort once", () => {
    const signal = shutdownSignal(["SIGTERM"]);
    const before = process.listenerCount("SIGTERM");
    expect(signal.aborted).toBe(false);
    process.emit("SIGTERM", "SIGTERM");
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toMatch(/SIGTERM/);
    expect(process.listenerCount("SIGTERM")).toBe(before - 1);
  });

  it("refuses two handlers for one kind", () => {
    const dup = defineJob({ kind: "loop.dup", schema: z.object({}) });
    const handler = jobHandler(dup, async () => {});
    expect(() => startWorker({ db: t.db, workerId: "dup", signal: new AbortController().signal, handlers: [handler, handler] })).toThrow(/Two handlers/);
  });

  it("leaves other kinds alone", async () => {
    const mine = defineJob({ kind: "loop.mine", schema: z.object({}) });
    const theirs = defineJob({ kind: "loop.theirs", schema: z.object({}) });
    await enqueue(t.db, theirs, {}, { dedupeKey: "theirs:1" });
    await enqueue(t.db, mine, {}, { dedupeKey: "mine:1" });
    const abort = new AbortController();
    const loop = runWorkerLoop({ db: t.db, workerId: "mine-worker", signal: abort.signal, pollMs: 20, log: captureLog(), handlers: [jobHandler(mine, async () => {})] });
    await waitFor(() => jobStatus(t.db, "mine:1"), (j) => j?.status === "done");
    abort.abort();
    await loop;
    const rows = await t.db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.dedupeKey, ["theirs:1"]));
    expect(rows).toEqual([{ status: "queued" }]);
    expect((await t.db.execute(sql`select 1 as one`)).length).toBe(1);
  });
});
