import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { subscriptions, workerStatus } from "@/db/schema";
import { enqueue, defineJob } from "@/lib/jobs";
import type { OffsetSource } from "@/lib/metering/offsets";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { z } from "zod";
import { READY_WITHIN_MS, workerHealth } from "./health";
import { startHeartbeat } from "./heartbeat";
import { consumerGroupLag, oldestPendingJobAgeSeconds, unmeteredSubscriptionAgeSeconds } from "./lag";
import { probeWorker, startWorkerHealthServer, workerHealthPort } from "./worker-server";

const t = await createTestDatabase();
const quiet = () => {};

describe("heartbeats", () => {
  it("write every timestamp with the database's clock", async () => {
    const hb = startHeartbeat(t.db, { worker: "router", instance: "router@clock:1", everyMs: 60_000, onError: quiet });
    hb.success();
    await hb.flush();
    const [row] = await t.db.execute<{ skew_ms: number; success_skew_ms: number; started_skew_ms: number }>(sql`
      select abs(extract(epoch from now() - heartbeat_at) * 1000)::float8 as skew_ms,
             abs(extract(epoch from now() - last_success_at) * 1000)::float8 as success_skew_ms,
             abs(extract(epoch from now() - started_at) * 1000)::float8 as started_skew_ms
      from worker_status where instance = 'router@clock:1'`);
    // now() is the transaction start; the row was written a moment ago by the same server clock.
    expect(row!.skew_ms).toBeLessThan(5_000);
    expect(row!.success_skew_ms).toBeLessThan(5_000);
    expect(row!.started_skew_ms).toBeLessThan(5_000);
    await hb.stop();
  });

  it("move last success only on progress; update() changes lag and details alone", async () => {
    const hb = startHeartbeat(t.db, { worker: "router", instance: "router@progress:1", everyMs: 60_000, onError: quiet });
    await hb.flush();
    let [row] = await t.db.select().from(workerStatus).where(eq(workerStatus.instance, "router@progress:1"));
    expect(row!.lastSuccessAt).toBeNull();
    hb.update({ lag: 900, details: { unit: "records" } });
    await hb.flush();
    [row] = await t.db.select().from(workerStatus).where(eq(workerStatus.instance, "router@progress:1"));
    expect(row).toMatchObject({ lastSuccessAt: null, lag: 900, details: { unit: "records" } });
    hb.success({ lag: 0 });
    await hb.flush();
    [row] = await t.db.select().from(workerStatus).where(eq(workerStatus.instance, "router@progress:1"));
    const firstSuccess = row!.lastSuccessAt!;
    expect(firstSuccess).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 20));
    hb.update({ lag: 5 });
    await hb.flush();
    [row] = await t.db.select().from(workerStatus).where(eq(workerStatus.instance, "router@progress:1"));
    expect(row!.lastSuccessAt!.getTime()).toBe(firstSuccess.getTime());
    expect(row!.lag).toBe(5);
    await hb.stop();
  });

  it("measure lag at each write when given a function, keeping the old value if it fails", async () => {
    let n = 0;
    const hb = startHeartbeat(t.db, {
      worker: "meter",
      instance: "meter@lagfn:1",
      everyMs: 60_000,
      onError: quiet,
      lag: async () => {
        n++;
        if (n === 3) throw new Error("cluster down");
        return n * 10;
      },
    });
    // The start writes once (10); two more writes measure 20, then fail and keep it.
    await hb.flush();
    await hb.flush();
    const [row] = await t.db.select().from(workerStatus).where(eq(workerStatus.instance, "meter@lagfn:1"));
    expect(row!.lag).toBe(20);
    await hb.stop();
  });
});

describe("worker readiness", () => {
  it("fails when the last success is older than the worker's threshold, though the heartbeat is fresh", async () => {
    await t.db.delete(workerStatus);
    const now = new Date();
    await t.db.insert(workerStatus).values([
      { instance: "meter@hung:1", worker: "meter", heartbeatAt: now, lastSuccessAt: new Date(now.getTime() - READY_WITHIN_MS.meter - 10_000) },
      { instance: "billing@ok:1", worker: "billing", heartbeatAt: now, lastSuccessAt: new Date(now.getTime() - 60_000) },
      { instance: "notifier@new:1", worker: "notifier", heartbeatAt: now, lastSuccessAt: null },
    ]);
    const health = await workerHealth(t.db, now);
    const meter = health.find((w) => w.worker === "meter")!;
    expect(meter).toMatchObject({ live: true, ready: false });
    expect(meter.instances[0]!.lastSuccessAgeMs).toBeGreaterThan(READY_WITHIN_MS.meter);
    // A billing cycle is a minute: a success a minute ago is fine for it.
    expect(health.find((w) => w.worker === "billing")).toMatchObject({ live: true, ready: true });
    // Alive but never succeeded yet: live, not ready.
    expect(health.find((w) => w.worker === "notifier")).toMatchObject({ live: true, ready: false });
  });
});

describe("lag measurements", () => {
  it("consumer-group lag sums high watermark minus committed offset (or log start) per partition", async () => {
    const source: OffsetSource = {
      listGroupIds: async () => [],
      committedOffsets: async (_g, topic) => new Map(topic === "a" ? [[0, 90], [1, 100]] : []),
      topicOffsets: async (topic) =>
        new Map(
          topic === "a"
            ? [
                [0, { low: 0, high: 100 }],
                [1, { low: 0, high: 100 }],
                [2, { low: 40, high: 50 }],
              ]
            : [[0, { low: 5, high: 8 }]],
        ),
      close: async () => {},
    };
    // a: 10 + 0 + (50 - 40); b: nothing committed, 8 - 5.
    expect(await consumerGroupLag(source, "g", ["a", "b"])).toBe(23);
    expect(await consumerGroupLag(source, "g", [])).toBe(0);
  });

  it("meter: age of the oldest active subscription not metered yet; billing: oldest due Stripe job", async () => {
    expect(await unmeteredSubscriptionAgeSeconds(t.db)).toBe(0);
    const w = await createSubscriptionWorld(t.db);
    const { subscriptionId } = await subscribeToAutoPlan(t.db, w);
    await t.db.update(subscriptions).set({ state: "active", activatedAt: new Date(Date.now() - 120_000) }).where(eq(subscriptions.id, subscriptionId));
    const age = await unmeteredSubscriptionAgeSeconds(t.db);
    expect(age).toBeGreaterThanOrEqual(119);
    expect(age).toBeLessThan(200);

    expect(await oldestPendingJobAgeSeconds(t.db, "stripe.")).toBe(0);
    const job = defineJob({ kind: "stripe.lag_test", schema: z.object({}) });
    const other = defineJob({ kind: "stripey.lag_test", schema: z.object({}) });
    await enqueue(t.db, job, {}, { dedupeKey: "lag-1", runAt: new Date(Date.now() - 300_000) });
    await enqueue(t.db, other, {}, { dedupeKey: "lag-2", runAt: new Date(Date.now() - 900_000) });
    const jobAge = await oldestPendingJobAgeSeconds(t.db, "stripe.");
    expect(jobAge).toBeGreaterThanOrEqual(299);
    expect(jobAge).toBeLessThan(400);
  });
});

describe("a worker's own health endpoint", () => {
  it("answers /live and /ready from the process's heartbeat, and 404 elsewhere", async () => {
    const hb = startHeartbeat(t.db, { worker: "router", instance: "router@http:1", everyMs: 60_000, onError: quiet });
    await hb.flush();
    const server = await startWorkerHealthServer({ heartbeat: hb, port: 0 });
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect(await get("/live")).toMatchObject({ status: 200, body: { worker: "router", instance: "router@http:1", live: true } });
      expect(await get("/ready")).toMatchObject({ status: 503, body: { ready: false, reasons: ["no success yet"] } });
      hb.success({ lag: 3 });
      await hb.flush();
      expect(await get("/ready")).toMatchObject({ status: 200, body: { ready: true, reasons: [], lag: 3 } });
      hb.failure(new Error("broker at 10.1.2.3 refused"));
      const failed = await get("/ready");
      expect(failed).toMatchObject({ status: 503, body: { reasons: ["last attempt failed"] } });
      expect(JSON.stringify(failed.body)).not.toContain("10.1.2.3");
      expect((await get("/metrics")).status).toBe(404);
    } finally {
      await server.close();
      await hb.stop();
    }
  });

  it("turns unready when the last success is too old, and unlive when the heartbeat loop stalls", async () => {
    const hb = startHeartbeat(t.db, { worker: "meter", instance: "meter@probe:1", everyMs: 60_000, onError: quiet });
    hb.success();
    await hb.flush();
    expect(probeWorker(hb, "ready").status).toBe(200);
    const later = new Date(Date.now() + READY_WITHIN_MS.meter + 1_000);
    const stale = probeWorker(hb, "ready", later);
    expect(stale.status).toBe(503);
    expect((stale.body.reasons as string[]).join()).toMatch(/no success for \d+ s \(threshold 60 s\)/);
    expect(probeWorker(hb, "live", later)).toMatchObject({ status: 503, body: { live: false } });
    await hb.stop();
  });

  it("listens on WORKER_HEALTH_PORT plus the worker's offset, or not at all", () => {
    expect(workerHealthPort("provisioner", 9700)).toBe(9700);
    expect(workerHealthPort("notifier", 9700)).toBe(9704);
    expect(workerHealthPort("router", undefined)).toBeNull();
    expect(workerHealthPort("demo-producers", 9700)).toBeNull();
  });
});
