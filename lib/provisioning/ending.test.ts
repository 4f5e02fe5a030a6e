import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, like } from "drizzle-orm";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, credentials, jobs, subscriptions } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { startWorker } from "@/lib/jobs";
import type { KafkaConnectionOptions } from "@/lib/kafka/client";
import { principalName } from "@/lib/kafka/names";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { listAccessRemovals, listTeamSubscriptions } from "@/lib/subscriptions/queries";
import { cancelSubscription } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { revealCredentials } from "./credentials";
import { provisionerJobHandlers } from "./runner";
import { provisionSubscription, reconcileAccess, type ProvisioningDeps } from "./service";

/**
 * Ending access while the broker is down: the subscription stays visibly "ending" (its credential
 * rows live, the deprovision job retrying with backoff, each failure audited) until the broker is
 * back and the principal is really gone; then one "subscription.deprovisioned" entry. The broker
 * is stopped and restarted on the same port and data directory, so its users and ACLs survive.
 */

const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "ending-admin";
let broker: RunningBroker;
let dataDir: string;
let port: number;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;
let deps: ProvisioningDeps;

const start = async (p: number) => startBroker({ dataDir, port: p, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });

async function canAuthenticate(username: string, password: string): Promise<boolean> {
  const admin = new Kafka({ clientId: "ending-check", brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: "scram-sha-512", username, password } }).admin();
  try {
    await admin.connect();
    await admin.disconnect();
    return true;
  } catch (err) {
    if (/authentication failed/i.test((err as Error).message)) return false;
    throw err;
  }
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function activeWithRevealed() {
  const w = await createSubscriptionWorld(db);
  const { subscriptionId } = await subscribeToAutoPlan(db, w);
  expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
  const cred = await revealCredentials(db, { provisioner, bootstrap: [broker.bootstrap] }, w.users.consumer, subscriptionId);
  return { w, id: subscriptionId, cred };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "ending-broker-"));
  broker = await start(0);
  port = broker.port;
  adminConn = { brokers: [`localhost:${port}`], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  // No kafkajs-level retries: the job queue's backoff is what this test is about.
  provisioner = createProvisioner(adminConn, { retries: 0 });
  deps = { provisioner, connection: adminConn };
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("ending access while the broker is down", () => {
  it("stays 'ending' with retries and audited failures, then the restarted broker loses the principal and the removal is recorded once", async () => {
    const { w, id, cred } = await activeWithRevealed();
    await broker.close();

    const stop = new AbortController();
    const worker = startWorker({ db, workerId: "test-ending", signal: stop.signal, pollMs: 100, handlers: provisionerJobHandlers(db, deps) });
    try {
      await cancelSubscription(db, w.users.consumer, { subscriptionId: id });
      await waitFor(
        async () => (await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.deprovision_failed")))).length >= 2,
        30_000,
        "two failed deprovision attempts",
      );
      const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
      expect(sub!.state).toBe("revoked");
      const [listed] = (await listTeamSubscriptions(db, [w.teams.consumerTeam.id])).filter((r) => r.subscription.id === id);
      expect(listed!.removal).toMatchObject({ liveCredentials: 1, gaveUp: false });
      expect(listed!.removal!.attempts).toBeGreaterThanOrEqual(2);
      expect(listed!.removal!.lastError).toMatch(/ECONNREFUSED|connect|Connection/i);
      const [failure] = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.deprovision_failed")));
      expect(failure).toMatchObject({ result: "failure" });
      expect(failure!.details).toMatchObject({ state: "revoked", willRetry: true, stillLive: [principalName(cred.username)] });
      expect(await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.deprovisioned")))).toHaveLength(0);

      broker = await start(port);
      // The principal still works until the retry gets through: that is why the page says "ending".
      await waitFor(async () => (await listAccessRemovals(db, [id])).size === 0, 60_000, "the deprovision retry to get through");
    } finally {
      stop.abort();
      await worker.stopped;
    }
    expect(await canAuthenticate(cred.username, cred.password)).toBe(false);
    expect((await provisioner.listPrincipalsAndAcls()).some((p) => p.principal === principalName(cred.username))).toBe(false);
    const [listed] = (await listTeamSubscriptions(db, [w.teams.consumerTeam.id])).filter((r) => r.subscription.id === id);
    expect(listed!.removal).toBeNull();
    const done = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.deprovisioned")));
    expect(done).toHaveLength(1);
    expect(done[0]!.details).toMatchObject({ via: "job", principals: [principalName(cred.username)] });
    const [job] = await db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${id}:%`));
    expect(job!.status).toBe("done");
  }, 120_000);

  it("a deprovisioning that ran out of attempts is finished by the reconciler once the broker answers", async () => {
    const { w, id, cred } = await activeWithRevealed();
    await broker.close();
    await cancelSubscription(db, w.users.consumer, { subscriptionId: id });
    await db.update(jobs).set({ maxAttempts: 1 }).where(like(jobs.dedupeKey, `subscription.deprovision:${id}:%`));
    const stop = new AbortController();
    const worker = startWorker({ db, workerId: "test-ending-2", signal: stop.signal, pollMs: 100, handlers: provisionerJobHandlers(db, deps) });
    try {
      await waitFor(async () => (await listAccessRemovals(db, [id])).get(id)?.gaveUp === true, 30_000, "the job to give up");
    } finally {
      stop.abort();
      await worker.stopped;
    }
    expect((await listAccessRemovals(db, [id])).get(id)).toMatchObject({ liveCredentials: 1, gaveUp: true, nextAttemptAt: null });

    broker = await start(port);
    const report = await reconcileAccess(db, deps);
    expect(report.removed).toContain(principalName(cred.username));
    expect(await canAuthenticate(cred.username, cred.password)).toBe(false);
    expect((await listAccessRemovals(db, [id])).size).toBe(0);
    const [row] = await db.select().from(credentials).where(eq(credentials.username, cred.username));
    expect(row!.revokedAt).toBeInstanceOf(Date);
    const done = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.deprovisioned")));
    expect(done.map((d) => d.details)).toEqual([expect.objectContaining({ via: "reconciler", state: "revoked" })]);

    // A credential row whose principal the cluster no longer has at all is closed out too.
    const other = await activeWithRevealed();
    await cancelSubscription(db, other.w.users.consumer, { subscriptionId: other.id });
    await provisioner.deleteAllAcls(principalName(other.cred.username));
    await provisioner.deleteScramUser(other.cred.username);
    const again = await reconcileAccess(db, deps);
    expect(again.revokedAbsent).toEqual([principalName(other.cred.username)]);
    expect((await listAccessRemovals(db, [other.id])).size).toBe(0);
  }, 120_000);
});
