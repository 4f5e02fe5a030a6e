import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditLog } from "@/db/schema";
import { defineJob, enqueue, jobHandler, startWorker } from "@/lib/jobs";
import { requestContextFrom, runWithRequestContext, withRequestContext } from "@/lib/ops/context";
import { createTestDatabase } from "@/lib/testing/db";
import { recordAudit } from "./service";

const t = await createTestDatabase();
const alice = "11111111-1111-4111-8111-111111111111";
const byAction = async (action: string) => (await t.db.select().from(auditLog).where(eq(auditLog.action, action)))[0]!;

describe("audit entries say from where", () => {
  it("take ip, user agent and request id from the request context", async () => {
    const headers = new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "curl/8.5", "x-request-id": "req-12345678" });
    await runWithRequestContext(requestContextFrom(headers), () =>
      recordAudit(t.db, { actor: { type: "user", id: alice, label: "alice@x.test" }, action: "ctx.request", resource: { type: "test" } }),
    );
    expect(await byAction("ctx.request")).toMatchObject({ actorType: "user", ip: "203.0.113.7", userAgent: "curl/8.5", correlationId: "req-12345678" });
  });

  it("keep what the event gives, and leave the fields empty outside any context", async () => {
    await runWithRequestContext({ ip: "198.51.100.1", correlationId: "outer-1234" }, () =>
      recordAudit(t.db, { actor: { type: "system" }, action: "ctx.explicit", resource: { type: "test" }, ip: "192.0.2.9", correlationId: "mine-12345" }),
    );
    expect(await byAction("ctx.explicit")).toMatchObject({ ip: "192.0.2.9", correlationId: "mine-12345" });
    await recordAudit(t.db, { actor: { type: "system" }, action: "ctx.none", resource: { type: "test" } });
    expect(await byAction("ctx.none")).toMatchObject({ ip: null, userAgent: null, correlationId: null });
  });

  it("record a user's action through an API token as the token's, naming it", async () => {
    const token = { id: "33333333-3333-4333-8333-333333333333", prefix: "trb_abcdefgh", userId: alice };
    await runWithRequestContext({ correlationId: "req-token-1", token }, async () => {
      await recordAudit(t.db, { actor: { type: "user", id: alice, label: "alice@x.test" }, action: "ctx.token", resource: { type: "test" }, details: { n: 1 } });
      // Someone else acting within the same call (a system sweep) is not the token.
      await recordAudit(t.db, { actor: { type: "system", label: "sweep" }, action: "ctx.token_system", resource: { type: "test" } });
    });
    expect(await byAction("ctx.token")).toMatchObject({
      actorType: "token",
      actorId: alice,
      actorLabel: "alice@x.test",
      correlationId: "req-token-1",
      details: { n: 1, token: { id: token.id, prefix: token.prefix } },
    });
    expect(await byAction("ctx.token_system")).toMatchObject({ actorType: "system", details: {} });
  });

  it("carry the request of a wrapped route handler", async () => {
    const GET = withRequestContext(async (req: Request) => {
      await recordAudit(t.db, { actor: { type: "anonymous" }, action: "ctx.route", resource: { type: "test" } });
      return new Response(req.url);
    });
    await GET(new Request("http://app.test/x", { headers: { "x-real-ip": "2001:db8::1", "x-request-id": "route-req-1" } }));
    expect(await byAction("ctx.route")).toMatchObject({ ip: "2001:db8::1", correlationId: "route-req-1", userAgent: null });
  });

  it("use the job id as the correlation id inside a worker", async () => {
    const def = defineJob({ kind: "audit.ctx_test", schema: z.object({}) });
    const { id } = await enqueue(t.db, def, {}, { dedupeKey: "audit-ctx-1" });
    const abort = new AbortController();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const worker = startWorker({
      db: t.db,
      workerId: "audit-ctx",
      signal: abort.signal,
      pollMs: 50,
      log: quiet,
      handlers: [jobHandler(def, async () => recordAudit(t.db, { actor: { type: "system" }, action: "ctx.job", resource: { type: "test" } }))],
    });
    for (let i = 0; i < 100 && worker.stats.succeeded === 0; i++) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await worker.stopped;
    expect(await byAction("ctx.job")).toMatchObject({ correlationId: `job:${id}` });
  });
});
