import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { jobs } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { createTestDatabase } from "@/lib/testing/db";
import {
  claimJobs,
  completeJob,
  computeBackoffMs,
  createJobRegistry,
  defineJob,
  describeError,
  enqueue,
  failJob,
  jobStatus,
  listJobs,
  listWorkerActivity,
  PermanentJobError,
  pruneFinishedJobs,
  reclaimStaleJobs,
  retryJob,
  summarizeQueue,
  touchJobs,
} from "./index";

const t = await createTestDatabase();

// Each test that claims uses a kind of its own, so jobs left by other tests are not claimed.
const provisionSpec = {
  kind: "test.provision",
  schema: z.object({ subscriptionId: z.string().uuid(), tier: z.string().default("standard") }),
  maxAttempts: 3,
  backoff: { baseMs: 1_000, maxMs: 10_000, jitter: 0 },
};
const provision = defineJob(provisionSpec);
const other = defineJob({ kind: "test.other", schema: z.object({ n: z.number().int() }) });
const sub = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

async function secondsUntilRun(id: number): Promise<number> {
  const [row] = await t.db.select({ s: sql<number>`extract(epoch from ${jobs.runAt} - now())::float8` }).from(jobs).where(eq(jobs.id, id));
  return row.s;
}

describe("defineJob and backoff", () => {
  it("refuses kinds that are not dotted lower-case, and duplicate kinds in a registry", () => {
    expect(() => defineJob({ kind: "Provision", schema: z.object({}) })).toThrow(/dotted/);
    expect(() => defineJob({ kind: "x.y", schema: z.object({}), maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => createJobRegistry([provision, other, provision])).toThrow(/defined twice/);
    const registry = createJobRegistry([provision, other]);
    expect(registry.kinds).toEqual(["test.provision", "test.other"]);
    expect(registry.get("test.other")).toBe(other);
  });

  it("doubles the delay per attempt up to the cap, with the jitter share randomized", () => {
    const backoff = { baseMs: 100, maxMs: 1_000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 40].map((a) => computeBackoffMs(a, backoff, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3, 4, 5].map((a) => computeBackoffMs(a, backoff, () => 0))).toEqual([50, 100, 200, 400, 500]);
    const samples = Array.from({ length: 200 }, () => computeBackoffMs(3, backoff));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });
});

describe("enqueue", () => {
  it("writes nothing when the caller's transaction rolls back", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, provision, { subscriptionId: sub(1) }, { dedupeKey: "rollback:1" });
        throw new Error("state change failed");
      }),
    ).rejects.toThrow("state change failed");
    expect(await jobStatus(t.db, "rollback:1")).toBeNull();
  });

  it("commits the job with the state change and stores the parsed payload", async () => {
    const { id, created } = await t.db.transaction((tx) => enqueue(tx, provision, { subscriptionId: sub(2) }, { dedupeKey: "commit:2" }));
    expect(created).toBe(true);
    const job = await jobStatus(t.db, "commit:2");
    expect(job).toMatchObject({ id, kind: "test.provision", status: "queued", attempts: 0, maxAttempts: 3 });
    expect(job?.payload).toEqual({ subscriptionId: sub(2), tier: "standard" });
  });

  it("returns the existing job for a repeated dedupe key and writes no second row", async () => {
    const first = await enqueue(t.db, provision, { subscriptionId: sub(3) }, { dedupeKey: "dedupe:3" });
    const again = await t.db.transaction((tx) => enqueue(tx, provision, { subscriptionId: sub(3), tier: "gold" }, { dedupeKey: "dedupe:3" }));
    expect(again).toEqual({ id: first.id, created: false });
    const rows = await t.db.select().from(jobs).where(eq(jobs.dedupeKey, "dedupe:3"));
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ tier: "standard" });
    await expect(enqueue(t.db, other, { n: 1 }, { dedupeKey: "dedupe:3" })).rejects.toThrow(/already belongs to a test.provision job/);
  });

  it("dedupes concurrent enqueues of one key from separate transactions", async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () => t.db.transaction((tx) => enqueue(tx, other, { n: 7 }, { dedupeKey: "race:7" }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  it("rejects an invalid payload with field errors and writes nothing", async () => {
    const attempt = enqueue(t.db, provision, { subscriptionId: "not-a-uuid" }, { dedupeKey: "invalid:1" });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: "validation", fieldErrors: { subscriptionId: [expect.any(String)] } });
    // @ts-expect-error -- the payload type follows the schema: a missing field does not compile
    await expect(enqueue(t.db, other, {}, { dedupeKey: "invalid:2" })).rejects.toMatchObject({ code: "validation" });
    await expect(enqueue(t.db, other, { n: 1 }, { dedupeKey: "" })).rejects.toMatchObject({ code: "bad_request" });
    expect(await listJobs(t.db, { dedupeKeyPrefix: "invalid:" })).toEqual([]);
  });
});

describe("claiming and settling", () => {
  it("claims only due jobs of the asked kinds, once, and marks them running", async () => {
    const kind = defineJob({ kind: "claim.due", schema: z.object({ n: z.number() }) });
    const due = await enqueue(t.db, kind, { n: 1 }, { dedupeKey: "claim:due" });
    await enqueue(t.db, kind, { n: 2 }, { dedupeKey: "claim:later", runAt: new Date(Date.now() + 60_000) });
    const claimed = await claimJobs(t.db, { kinds: ["claim.due"], workerId: "w1", limit: 10 });
    expect(claimed.map((j) => j.id)).toEqual([due.id]);
    expect(claimed[0]).toMatchObject({ status: "running", lockedBy: "w1", attempts: 1 });
    expect(claimed[0].lockedAt).toBeInstanceOf(Date);
    expect(await claimJobs(t.db, { kinds: ["claim.due"], workerId: "w2", limit: 10 })).toEqual([]);
    expect(await claimJobs(t.db, { kinds: [], workerId: "w2", limit: 10 })).toEqual([]);
  });

  it("never hands one job to two concurrent claimers", async () => {
    const kind = defineJob({ kind: "claim.race", schema: z.object({ n: z.number() }) });
    for (let n = 0; n < 30; n++) await enqueue(t.db, kind, { n }, { dedupeKey: `claim-race:${n}` });
    const batches = await Promise.all(Array.from({ length: 8 }, (_, i) => claimJobs(t.db, { kinds: [kind.kind], workerId: `w${i}`, limit: 5 })));
    const ids = batches.flat().map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(30);
  });

  it("retries with growing delays, then fails for good after max attempts keeping the error", async () => {
    const provision = defineJob({ ...provisionSpec, kind: "retry.provision" });
    const { id } = await enqueue(t.db, provision, { subscriptionId: sub(10) }, { dedupeKey: "retry:10" });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      await t.db.update(jobs).set({ runAt: sql`now()` }).where(eq(jobs.id, id));
      const [job] = await claimJobs(t.db, { kinds: [provision.kind], workerId: "w", limit: 1 });
      expect(job).toMatchObject({ id, attempts: attempt });
      const outcome = await failJob(t.db, job, "w", new Error(`broker down #${attempt}`, { cause: new Error("ECONNREFUSED") }), provision);
      expect(outcome).toEqual({ status: "queued", retryInMs: 1_000 * 2 ** (attempt - 1) });
      delays.push(await secondsUntilRun(id));
      expect(await jobStatus(t.db, "retry:10")).toMatchObject({ status: "queued", lockedBy: null, lastError: `Error: broker down #${attempt}\ncaused by: Error: ECONNREFUSED` });
    }
    expect(delays[0]).toBeGreaterThan(0.5);
    expect(delays[0]).toBeLessThanOrEqual(1);
    expect(delays[1]).toBeGreaterThan(1.5);
    expect(delays[1]).toBeLessThanOrEqual(2);
    await t.db.update(jobs).set({ runAt: sql`now()` }).where(eq(jobs.id, id));
    const [last] = await claimJobs(t.db, { kinds: [provision.kind], workerId: "w", limit: 1 });
    expect(await failJob(t.db, last, "w", new Error("still down"), provision)).toEqual({ status: "failed" });
    const final = await jobStatus(t.db, "retry:10");
    expect(final).toMatchObject({ status: "failed", attempts: 3, lastError: "Error: still down", lockedBy: "w" });
    expect(final?.finishedAt).toBeInstanceOf(Date);
    expect(await claimJobs(t.db, { kinds: [provision.kind], workerId: "w", limit: 1 })).toEqual([]);

    expect(await retryJob(t.db, id)).toBe(true);
    expect(await jobStatus(t.db, "retry:10")).toMatchObject({ status: "queued", attempts: 0, finishedAt: null, lastError: "Error: still down" });
    expect(await retryJob(t.db, id)).toBe(false);
  });

  it("fails a PermanentJobError at once", async () => {
    const provision = defineJob({ ...provisionSpec, kind: "permanent.provision" });
    await enqueue(t.db, provision, { subscriptionId: sub(11) }, { dedupeKey: "permanent:11" });
    const [job] = await claimJobs(t.db, { kinds: [provision.kind], workerId: "w", limit: 1 });
    expect(await failJob(t.db, job, "w", new PermanentJobError("subscription is gone"), provision)).toEqual({ status: "failed" });
    expect(await jobStatus(t.db, "permanent:11")).toMatchObject({ status: "failed", attempts: 1, lastError: "PermanentJobError: subscription is gone" });
  });

  it("requeues a crashed worker's stale job and fences off the crashed attempt's late result", async () => {
    const kind = defineJob({ kind: "stale.one", schema: z.object({}), maxAttempts: 2 });
    await enqueue(t.db, kind, {}, { dedupeKey: "stale:1" });
    const [dead] = await claimJobs(t.db, { kinds: [kind.kind], workerId: "dead", limit: 1 });
    expect(await reclaimStaleJobs(t.db, { visibilityTimeoutMs: 60_000 })).toEqual({ requeued: [], failed: [] });
    await t.db.update(jobs).set({ lockedAt: sql`now() - interval '2 minutes'` }).where(eq(jobs.id, dead.id));
    expect(await reclaimStaleJobs(t.db, { visibilityTimeoutMs: 60_000 })).toEqual({ requeued: [dead.id], failed: [] });
    expect(await jobStatus(t.db, "stale:1")).toMatchObject({ status: "queued", lockedBy: null, lastError: expect.stringMatching(/worker dead stopped renewing its lock/) });

    const [alive] = await claimJobs(t.db, { kinds: [kind.kind], workerId: "alive", limit: 1 });
    expect(alive).toMatchObject({ id: dead.id, attempts: 2 });
    expect(await completeJob(t.db, dead, "dead")).toBe(false);
    expect(await failJob(t.db, dead, "dead", new Error("late"), kind)).toEqual({ status: "lost" });
    expect(await touchJobs(t.db, "dead", [dead.id])).toEqual([]);
    expect(await touchJobs(t.db, "alive", [dead.id])).toEqual([dead.id]);
    expect(await completeJob(t.db, alive, "alive")).toBe(true);
    expect(await jobStatus(t.db, "stale:1")).toMatchObject({ status: "done", lockedBy: "alive", attempts: 2 });
  });

  it("fails a stale job that has used all its attempts", async () => {
    const kind = defineJob({ kind: "stale.exhausted", schema: z.object({}), maxAttempts: 1 });
    await enqueue(t.db, kind, {}, { dedupeKey: "stale:2" });
    const [job] = await claimJobs(t.db, { kinds: [kind.kind], workerId: "dead", limit: 1 });
    await t.db.update(jobs).set({ lockedAt: sql`now() - interval '2 minutes'` }).where(eq(jobs.id, job.id));
    expect(await reclaimStaleJobs(t.db, { visibilityTimeoutMs: 60_000 })).toEqual({ requeued: [], failed: [job.id] });
    expect(await jobStatus(t.db, "stale:2")).toMatchObject({ status: "failed", lockedBy: "dead", finishedAt: expect.any(Date) });
  });
});

describe("status queries", () => {
  it("lists, filters and pages jobs; summarizes the queue; reports worker activity", async () => {
    const kind = defineJob({ kind: "status.page", schema: z.object({ n: z.number() }) });
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) ids.push((await enqueue(t.db, kind, { n }, { dedupeKey: `page_${n}` })).id);
    const [claimed] = await claimJobs(t.db, { kinds: [kind.kind], workerId: "status-worker", limit: 1 });
    expect(await completeJob(t.db, claimed, "status-worker")).toBe(true);

    const firstPage = await listJobs(t.db, { kinds: [kind.kind], limit: 2 });
    expect(firstPage.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const secondPage = await listJobs(t.db, { kinds: [kind.kind], limit: 2, beforeId: ids[3] });
    expect(secondPage.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect((await listJobs(t.db, { kinds: [kind.kind], statuses: ["done"] })).map((j) => j.id)).toEqual([ids[0]]);
    // "_" is a LIKE wildcard; the prefix filter must treat it literally.
    expect(await listJobs(t.db, { dedupeKeyPrefix: "page_" })).toHaveLength(5);
    expect(await listJobs(t.db, { dedupeKeyPrefix: "pagex" })).toEqual([]);

    const summary = (await summarizeQueue(t.db)).find((s) => s.kind === kind.kind);
    expect(summary).toMatchObject({ queued: 4, running: 0, done: 1, failed: 0 });
    expect(summary?.oldestDueSeconds).toBeGreaterThanOrEqual(0);

    const activity = (await listWorkerActivity(t.db)).find((a) => a.workerId === "status-worker");
    expect(activity?.running).toBe(0);
    expect(Math.abs((activity?.lastSuccessAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("prunes old done jobs only, freeing their dedupe keys", async () => {
    const kind = defineJob({ kind: "prune.me", schema: z.object({}) });
    const old = await enqueue(t.db, kind, {}, { dedupeKey: "prune:old" });
    await enqueue(t.db, kind, {}, { dedupeKey: "prune:fresh" });
    await enqueue(t.db, kind, {}, { dedupeKey: "prune:queued", runAt: new Date(Date.now() + 60_000) });
    for (const job of await claimJobs(t.db, { kinds: [kind.kind], workerId: "p", limit: 5 })) await completeJob(t.db, job, "p");
    await t.db.update(jobs).set({ finishedAt: sql`now() - interval '2 days'` }).where(eq(jobs.id, old.id));
    expect(await pruneFinishedJobs(t.db, { olderThanMs: 24 * 3600_000, kinds: [kind.kind] })).toBe(1);
    expect((await listJobs(t.db, { kinds: [kind.kind] })).map((j) => j.dedupeKey).sort()).toEqual(["prune:fresh", "prune:queued"]);
    expect((await enqueue(t.db, kind, {}, { dedupeKey: "prune:old" })).created).toBe(true);
  });

  it("describes thrown non-errors and truncates long messages", () => {
    expect(describeError("plain")).toBe("plain");
    expect(describeError({ code: 7 })).toBe('{"code":7}');
    expect(describeError(new Error("x".repeat(10_000))).length).toBe(4_000);
  });
});
