import { describe, expect, it } from "vitest";
import { workerStatus } from "@/db/schema";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { createTestDatabase } from "@/lib/testing/db";
import { checkDatabase, checkKafka, HEARTBEAT_STALE_MS, pruneWorkerStatus, workerHealth } from "./health";
import { startHeartbeat } from "./heartbeat";
import { createLogger, formatLogLine, type LogLevel } from "./log";
import { requestIdFrom } from "./request-id";

const t = await createTestDatabase();

describe("structured logs", () => {
  it("writes one JSON object per line with the base fields and the caller's fields", () => {
    const line = formatLogLine("info", "router", "flushed", { records: 12, request_id: "abc", err: new Error("boom") }, new Date("2026-11-22T10:00:00Z"));
    expect(JSON.parse(line)).toEqual({
      ts: "2026-11-22T10:00:00.000Z",
      level: "info",
      component: "router",
      msg: "flushed",
      records: 12,
      request_id: "abc",
      err: { name: "Error", message: "boom" },
    });
  });

  it("does not let fields overwrite the base keys, and filters by level", () => {
    const lines: [LogLevel, string][] = [];
    const log = createLogger("meter", { level: "warn", sink: (l, s) => lines.push([l, s]) }).child({ request_id: "r1" });
    log.info("hidden");
    log.warn("shown", { level: "debug", msg: "nope" });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]![1]);
    expect(parsed).toMatchObject({ level: "warn", msg: "shown", component: "meter", request_id: "r1" });
  });
});

describe("request ids", () => {
  it("keeps a sane incoming id and replaces anything else", () => {
    expect(requestIdFrom("trace-1234abcd")).toBe("trace-1234abcd");
    expect(requestIdFrom("bad id with spaces", () => "gen")).toBe("gen");
    expect(requestIdFrom("x".repeat(300), () => "gen")).toBe("gen");
    expect(requestIdFrom(null, () => "gen")).toBe("gen");
  });
});

describe("worker heartbeats", () => {
  it("reports a worker live and ready after a heartbeat, not ready after a failure, dead when stale", async () => {
    const hb = startHeartbeat(t.db, { worker: "meter", instance: "meter@test:1", everyMs: 60_000 });
    hb.success({ lag: 42, details: { unit: "messages" } });
    await hb.flush();
    let meter = (await workerHealth(t.db)).find((w) => w.worker === "meter")!;
    expect(meter).toMatchObject({ live: true, ready: true });
    expect(meter.instances[0]).toMatchObject({ instance: "meter@test:1", lag: 42, details: { unit: "messages" }, lastError: null });

    hb.failure(new Error("cluster unreachable"));
    await hb.stop();
    meter = (await workerHealth(t.db)).find((w) => w.worker === "meter")!;
    expect(meter).toMatchObject({ live: true, ready: false });
    expect(meter.instances[0]!.lastError).toBe("cluster unreachable");

    const later = new Date(Date.now() + HEARTBEAT_STALE_MS + 5_000);
    meter = (await workerHealth(t.db, later)).find((w) => w.worker === "meter")!;
    expect(meter).toMatchObject({ live: false, ready: false });
    // Known workers without any row are reported too, as down.
    expect((await workerHealth(t.db)).find((w) => w.worker === "billing")).toMatchObject({ live: false, instances: [] });
  });

  it("prunes instances gone for longer than the retention", async () => {
    await t.db.insert(workerStatus).values({ instance: "router@old:9", worker: "router", heartbeatAt: new Date(Date.now() - 2 * 86400_000) });
    expect(await pruneWorkerStatus(t.db)).toBeGreaterThanOrEqual(1);
    expect((await workerHealth(t.db)).find((w) => w.worker === "router")!.instances.map((i) => i.instance)).not.toContain("router@old:9");
  });
});

describe("readiness checks", () => {
  it("passes for a reachable database and broker and fails with a reason for a dead address", async () => {
    expect((await checkDatabase(t.db)).ok).toBe(true);
    const broker = await startTestBroker();
    try {
      const ok = await checkKafka({ brokers: [broker.bootstrap] });
      expect(ok.ok).toBe(true);
      expect(ok.detail).toMatch(/1 broker/);
    } finally {
      await broker.cleanup();
    }
    const down = await checkKafka({ brokers: ["127.0.0.1:1"] }, 1_000);
    expect(down.ok).toBe(false);
    expect(down.error).toBeTruthy();
  });
});
