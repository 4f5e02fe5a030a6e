import { afterAll, describe, expect, it, vi } from "vitest";
import { workerStatus } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { resetEnvCache } from "@/lib/env";
import { READY_WITHIN_MS } from "@/lib/ops/health";
import { createTestDatabase } from "@/lib/testing/db";

/** The health routes as Next calls them, on a test database and a test broker. */
const t = await createTestDatabase();
const who: { user: SessionUser | null } = { user: null };
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/db/client")>()), getDb: () => t.db }));
vi.mock("@/lib/auth/session", () => ({ getSessionUser: async () => who.user }));

const live = await import("./live/route");
const ready = await import("./ready/route");
const workers = await import("./workers/[worker]/route");

const broker = await startTestBroker();
afterAll(() => broker.cleanup());

const admin: SessionUser = { id: "11111111-1111-4111-8111-111111111111", email: "admin@x.test", name: "A", orgId: "o", orgKind: "internal", roles: ["admin"], teams: [] };
const workerReq = (worker: string, query = "") => workers.GET(new Request(`http://x/api/health/workers/${worker}${query}`), { params: Promise.resolve({ worker }) });

describe("GET /api/health/live", () => {
  it("answers 200 without touching a dependency", async () => {
    const res = live.GET();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", uptimeSeconds: expect.any(Number) });
  });
});

describe("GET /api/health/ready", () => {
  it("is 200 with PostgreSQL and Kafka reachable, 503 naming Kafka when the cluster is down", async () => {
    vi.stubEnv("KAFKA_BROKERS", broker.bootstrap);
    vi.stubEnv("KAFKA_SASL_MECHANISM", undefined);
    resetEnvCache();
    const ok = await ready.GET();
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body).toMatchObject({ status: "ready", checks: { database: { ok: true }, kafka: { ok: true } } });
    expect(body.workers.map((w: { worker: string }) => w.worker)).toEqual(["provisioner", "router", "meter", "billing", "notifier"]);

    vi.stubEnv("KAFKA_BROKERS", "127.0.0.1:1");
    resetEnvCache();
    const down = await ready.GET();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "not_ready", checks: { database: { ok: true }, kafka: { ok: false } } });
    vi.unstubAllEnvs();
    resetEnvCache();
  });
});

describe("GET /api/health/workers/<name>", () => {
  it("404s an unknown worker, 503s one without heartbeats", async () => {
    expect((await workerReq("nope")).status).toBe(404);
    const none = await workerReq("meter");
    expect(none.status).toBe(503);
    expect(await none.json()).toEqual({ probe: "ready", worker: "meter", live: false, ready: false, instances: 0 });
  });

  it("is ready with a recent success, live but not ready when the loop has not succeeded for too long", async () => {
    const now = Date.now();
    await t.db.insert(workerStatus).values([
      { instance: "router@a:1", worker: "router", heartbeatAt: new Date(now), lastSuccessAt: new Date(now - 1_000), lag: 12, details: { unit: "records" } },
      { instance: "meter@a:2", worker: "meter", heartbeatAt: new Date(now), lastSuccessAt: new Date(now - READY_WITHIN_MS.meter - 30_000) },
    ]);
    const router = await workerReq("router");
    expect(router.status).toBe(200);
    // Probes see states only; errors and lag are for admins.
    expect(await router.json()).toEqual({ probe: "ready", worker: "router", live: true, ready: true, instances: 1 });

    const hung = await workerReq("meter");
    expect(hung.status).toBe(503);
    expect((await workerReq("meter", "?probe=live")).status).toBe(200);

    who.user = admin;
    const detailed = await (await workerReq("router")).json();
    expect(detailed).toMatchObject({ probe: "ready", readyWithinMs: READY_WITHIN_MS.router, instances: [{ instance: "router@a:1", lag: 12, ready: true, details: { unit: "records" } }] });
    who.user = null;
  });
});
