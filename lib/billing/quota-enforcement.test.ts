import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plans } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { Fetch } from "@/lib/broker/protocol/apis/fetch";
import { securityBrokerOptions } from "@/lib/broker/security";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { applyConsumerByteRate, QuotaAdminClient } from "@/lib/kafka/quota-admin";
import { WireConnection } from "@/lib/kafka/wire";
import { revealCredentials, rotateCredentials, type RevealedCredential } from "@/lib/provisioning/credentials";
import { provisionSubscription, type ProvisioningDeps } from "@/lib/provisioning/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";

/**
 * A plan's quota (plans.quota_bytes_per_sec, its throughput cap) end to end: subscribe on a plan
 * with a quota, provision, reveal the issued credential, consume as that principal from the
 * embedded broker — it is throttled to about the plan's rate, while a subscription on a plan
 * without a quota reads the same backlog unthrottled; the broker reports throttle_time_ms to
 * the issued principal. And the documented rotation rule: during the grace period the old and
 * the new principal each hold the full quota.
 */
const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "quota-enforcement-admin";
const RECORDS = 240;
const RECORD_BYTES = 1024;
/** 60 KB/s against a 240 KB backlog: with the broker's one second of burst the capped consumer needs ~3 s. */
const PLAN_RATE = 60 * 1024;
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "quota-enforcement-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const deps = (): ProvisioningDeps => ({ provisioner, connection: adminConn, defaultPartitions: 1 });

/** A provisioned subscription on the world's auto plan with `quota` (null: none), its credential revealed and a backlog on its topic. */
async function subscriptionWithBacklog(quota: number | null) {
  const w = await createSubscriptionWorld(db);
  await db.update(plans).set({ quotaBytesPerSec: quota }).where(eq(plans.id, w.plans.autoPlan.id));
  const { subscriptionId } = await subscribeToAutoPlan(db, w);
  expect(await provisionSubscription(db, deps(), { subscriptionId })).toBe("active");
  const cred = await revealCredentials(db, { provisioner, bootstrap: [broker.bootstrap] }, w.users.consumer, subscriptionId);
  const producer = createKafka({ connection: adminConn, logLevel: "nothing" }).producer();
  await producer.connect();
  await producer.send({ topic: cred.topic, acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ value: `${i}:`.padEnd(RECORD_BYTES, "x") })) });
  await producer.disconnect();
  return { w, subscriptionId, cred };
}

/** Reads the whole backlog with the issued credential; bytes per second from joining the group to the last record. */
async function consumeAll(cred: RevealedCredential): Promise<number> {
  const kafka = new Kafka({
    clientId: "consumer-app",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
    sasl: { mechanism: "scram-sha-512", username: cred.username, password: cred.password },
  });
  const consumer = kafka.consumer({ groupId: `${cred.groupPrefix}app`, maxBytesPerPartition: 16 * 1024, maxBytes: 16 * 1024, maxWaitTimeInMs: 200 });
  let joinedAt = 0;
  let lastAt = 0;
  let bytes = 0;
  let count = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => (joinedAt = Date.now()));
  await consumer.connect();
  await consumer.subscribe({ topic: cred.topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${count} of ${RECORDS}`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        bytes += message.value?.length ?? 0;
        lastAt = Date.now();
        if (++count === RECORDS) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return bytes / (Math.max(1, lastAt - joinedAt) / 1000);
}

describe("a plan's quota on the subscription's issued credential", () => {
  it("throttles the subscription's consumer to about the plan's rate; a plan without a quota is not throttled", async () => {
    const capped = await subscriptionWithBacklog(PLAN_RATE);
    const free = await subscriptionWithBacklog(null);
    const fast = await consumeAll(free.cred);
    const slow = await consumeAll(capped.cred);
    expect(slow).toBeLessThan(fast / 3);
    // 240 KB at 60 KB/s after a second of burst: well under three times the rate.
    expect(slow).toBeLessThan(3 * PLAN_RATE);

    // The broker names the throttle to the issued principal once its budget is spent.
    const conn = await WireConnection.open({
      connection: { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: capped.cred.username, password: capped.cred.password } },
    });
    try {
      const fetchOnce = () =>
        conn.send(Fetch, 4, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [{ topic: capped.cred.topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
        });
      const first = await fetchOnce();
      const second = await fetchOnce();
      expect(Math.max(first.throttleTimeMs as number, second.throttleTimeMs as number)).toBeGreaterThan(0);
    } finally {
      conn.close();
    }
  }, 120_000);

  it("during a rotation's grace period the old and the new principal each hold the full quota (documented in lib/billing/README.md)", async () => {
    const { w, subscriptionId, cred } = await subscriptionWithBacklog(PLAN_RATE);
    const rotated = await rotateCredentials(
      db,
      { provisioner, bootstrap: [broker.bootstrap], applyQuota: (u, r) => applyConsumerByteRate(adminConn, u, r) },
      w.users.consumer,
      subscriptionId,
    );
    expect(rotated.previousRetiresAt).not.toBeNull();
    const client = await QuotaAdminClient.connect({ connection: adminConn });
    try {
      for (const username of [cred.username, rotated.username]) {
        expect(await client.describe({ user: username })).toEqual([{ entity: { user: username }, values: { consumer_byte_rate: PLAN_RATE } }]);
      }
    } finally {
      client.close();
    }
  }, 60_000);
});
