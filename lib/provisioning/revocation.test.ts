import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Kafka, logLevel, type Consumer, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptions } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { startWorker, type WorkerHandle } from "@/lib/jobs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { principalName } from "@/lib/kafka/names";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { cancelSubscription, expireDueSubscriptions, revokeSubscription } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { changeProductStatus } from "@/lib/versions/service";
import { revealCredentials } from "./credentials";
import { provisionerJobHandlers } from "./runner";
import type { ProvisioningDeps } from "./service";

/**
 * Revocation end to end, the way production does it: a service call commits the state change
 * and its deprovision job, the provisioner's own job handlers (lib/provisioning/runner.ts, as in
 * workers/provisioner.ts) run in an in-process worker loop, and the cluster cuts the principal
 * off. For cancel, owner revoke, expiry and product retirement: a consumer connected before the
 * cut, fed continuously, receives nothing from 10 s after the call on (in practice far less),
 * and the credential no longer authenticates.
 */

const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "revocation-admin";
/** The bound: open connections stop receiving within this long after access ends. */
const CUT_OFF_MS = 10_000;
/** Silence, while records keep being produced, that counts as "stopped receiving". */
const QUIET_MS = 4_000;
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;
let deps: ProvisioningDeps;
let worker: WorkerHandle;
const stopWorker = new AbortController();

function kafkaAs(username: string, password: string): Kafka {
  return new Kafka({ clientId: "revocation-consumer", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: "scram-sha-512", username, password } });
}

async function canAuthenticate(username: string, password: string): Promise<boolean> {
  const admin = kafkaAs(username, password).admin();
  try {
    await admin.connect();
    await admin.disconnect();
    return true;
  } catch (err) {
    if (/authentication failed/i.test((err as Error).message)) return false;
    throw err;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function activeWithRevealed(w: SubscriptionWorld) {
  const { subscriptionId } = await subscribeToAutoPlan(db, w);
  await waitFor(async () => (await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)))[0]?.state === "active", 20_000, "active");
  const cred = await revealCredentials(db, { provisioner, bootstrap: [broker.bootstrap] }, w.users.consumer, subscriptionId);
  return { id: subscriptionId, cred };
}

/** Produces a numbered record every 100 ms until stopped; remembers when each was sent. */
function produceContinuously(producer: Producer, topic: string) {
  const sentAt: number[] = [];
  let running = true;
  const done = (async () => {
    for (let seq = 0; running; seq++) {
      sentAt[seq] = Date.now();
      await producer.send({ topic, messages: [{ value: String(seq) }] });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return { sentAt, stop: async () => ((running = false), await done) };
}

/**
 * Subscribes, connects a consumer, feeds it, ends access with `end`, then checks the cut-off:
 * the credential stops authenticating, and the consumer's last record arrives within CUT_OFF_MS
 * of the call and is followed by QUIET_MS of silence while production goes on.
 */
async function expectCutOff(end: (w: SubscriptionWorld, subscriptionId: string) => Promise<void>): Promise<{ cutMs: number }> {
  const w = await createSubscriptionWorld(db);
  const { id, cred } = await activeWithRevealed(w);
  const producer = createKafka({ connection: adminConn, logLevel: "nothing" }).producer();
  await producer.connect();
  const received: number[] = [];
  const consumer: Consumer = kafkaAs(cred.username, cred.password).consumer({
    groupId: `${cred.groupPrefix}live`,
    maxWaitTimeInMs: 500,
    heartbeatInterval: 500,
    retry: { retries: 0, restartOnFailure: async () => false },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: cred.topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => void received.push(Date.now()) });
  const feed = produceContinuously(producer, cred.topic);
  try {
    await waitFor(() => received.length >= 5, 15_000, "the consumer to receive records");

    const cutAt = Date.now();
    await end(w, id);
    await waitFor(async () => !(await canAuthenticate(cred.username, cred.password)), CUT_OFF_MS, "the credential to stop authenticating");
    await waitFor(() => Date.now() - (received.at(-1) ?? 0) >= QUIET_MS, CUT_OFF_MS + QUIET_MS, "the consumer to stop receiving");
    const lastAt = received.at(-1)!;
    expect(lastAt - cutAt).toBeLessThan(CUT_OFF_MS);
    // Records kept coming the whole time (one per 100 ms plus the send): the silence is the cut, not an idle topic.
    expect(feed.sentAt.filter((at) => at > lastAt).length).toBeGreaterThanOrEqual(20);
    expect(broker.listConnections().some((c) => c.principal === principalName(cred.username))).toBe(false);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(["revoked", "expired"]).toContain(sub!.state);
    return { cutMs: lastAt - cutAt };
  } finally {
    await feed.stop();
    await producer.disconnect();
    await consumer.disconnect().catch(() => {});
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "revocation-broker-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
  deps = { provisioner, connection: adminConn };
  worker = startWorker({ db, workerId: "test-revocation", signal: stopWorker.signal, pollMs: 200, concurrency: 4, handlers: provisionerJobHandlers(db, deps) });
}, 60_000);

afterAll(async () => {
  stopWorker.abort();
  await worker?.stopped;
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("revocation through the service, the job queue and the provisioner's handlers", () => {
  it("cancel by the consumer", async () => {
    await expectCutOff((w, id) => cancelSubscription(db, w.users.consumer, { subscriptionId: id }));
  }, 60_000);

  it("revoke by the product owner", async () => {
    await expectCutOff((w, id) => revokeSubscription(db, w.users.owner, { subscriptionId: id, reason: "Contract breach" }));
  }, 60_000);

  it("expiry (the sweep, with an expiry date just passed)", async () => {
    await expectCutOff(async (_w, id) => {
      await db.update(subscriptions).set({ expiresAt: new Date(Date.now() - 1_000) }).where(eq(subscriptions.id, id));
      expect(await expireDueSubscriptions(db)).toContain(id);
    });
  }, 60_000);

  it("product retirement", async () => {
    await expectCutOff(async (w) => {
      await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated", sunsetAt: new Date(Date.now() + 86_400_000) });
      const retired = await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "retired", confirm: true });
      expect(retired.endedSubscriptions).toBe(1);
    });
  }, 60_000);
});
