import { describe, expect, it, vi } from "vitest";
import { AppError, toActionError } from "@/lib/errors";
import { workerStatus } from "@/db/schema";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { createTestDatabase } from "@/lib/testing/db";
import { checkDatabase, checkKafka, HEARTBEAT_STALE_MS, pruneWorkerStatus, workerHealth } from "./health";
import { startHeartbeat } from "./heartbeat";
import { createLogger, formatLogLine, type LogLevel } from "./log";
import { runWithRequestContext } from "./context";
import { requestIdFrom } from "./request-id";
import { jsonRoute } from "./route";

const t = await createTestDatabase();

describe("structured logs", () => {
  it("writes one JSON object per line with the base fields and the caller's fields", () => {
    const line = formatLogLine("info", "router", "flushed", { records: 12, request_id: "abc", err: new Error("boom") }, new Date("2026-11-22T10:00:00Z"));
    expect(JSON.parse(line)).toMatchObject({
      ts: "2026-11-22T10:00:00.000Z",
      level: "info",
      component: "router",
      msg: "flushed",
      records: 12,
      request_id: "abc",
      err: { name: "Error", message: "boom", stack: expect.stringContaining("ops.test.ts") },
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

/** Runs `fn` and returns the JSON lines it wrote to stderr (warn and error go there). */
async function stderrLines(fn: () => Promise<unknown> | unknown): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split("\n")).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

describe("unexpected errors are logged as JSON with the request id", () => {
  it("server actions: toActionError hides the error and logs it under the request's id", async () => {
    let result;
    const lines = await stderrLines(() =>
      runWithRequestContext({ correlationId: "req-action-1" }, () => {
        result = toActionError(new Error("connection refused at 10.0.0.5:5432"));
      }),
    );
    expect(result).toEqual({ code: "internal", message: "Something went wrong on our side." });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "error", component: "app", request_id: "req-action-1", error: { message: "connection refused at 10.0.0.5:5432" } });
    // A known AppError is the user's answer, not a log line.
    expect(await stderrLines(() => toActionError(new AppError("conflict")))).toEqual([]);
  });

  it("route handlers: jsonRoute answers 500 with only the request id, and AppErrors with their status", async () => {
    const crash = jsonRoute("test-route", async (req: Request) => {
      throw new Error(`disk full on /var/lib/postgresql (${req.method})`);
    });
    let res: Response | undefined;
    const lines = await stderrLines(async () => {
      res = await crash(new Request("http://app.test/api/thing", { headers: { "x-request-id": "req-route-12" } }));
    });
    expect(res!.status).toBe(500);
    expect(res!.headers.get("x-request-id")).toBe("req-route-12");
    const body = await res!.json();
    expect(body).toEqual({ error: { code: "internal", message: "Something went wrong on our side." }, requestId: "req-route-12" });
    expect(JSON.stringify(body)).not.toContain("disk full");
    expect(lines).toEqual([expect.objectContaining({ component: "test-route", msg: "route failed", request_id: "req-route-12", path: "/api/thing", method: "GET" })]);

    const refuse = jsonRoute("test-route", async (req: Request) => {
      throw new AppError("validation", undefined, { fieldErrors: { page: ["Use a page number from 1."] }, cause: req.url });
    });
    const refused = await refuse(new Request("http://app.test/api/thing"));
    expect(refused.status).toBe(422);
    const refusedBody = await refused.json();
    expect(refusedBody.error).toEqual({ code: "validation", message: "Some fields need attention.", fieldErrors: { page: ["Use a page number from 1."] } });
    // Without an incoming id the handler still answers with one, matching its header.
    expect(refusedBody.requestId).toBe(refused.headers.get("x-request-id"));
    expect(refusedBody.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
