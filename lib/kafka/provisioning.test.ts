import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel, type Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { createKafka, type KafkaConnectionOptions } from "./client";
import { deliveryTopicName, groupPrefix, principalName, subscriptionUsername } from "./names";
import { createProvisioner, type KafkaAccessProvisioner } from "./provisioning";

/**
 * The provisioning interface end to end against the embedded broker: a new principal can read
 * its topic with its group prefix and nothing else, and revocation cuts it off within seconds.
 */

const ADMIN_PASSWORD = "prov-admin";
let broker: RunningBroker;
let dataDir: string;
let provisioner: KafkaAccessProvisioner;
let adminConn: KafkaConnectionOptions;

const subscriptionId = "5f0c9a52-1d2e-4c3b-8a7f-6e5d4c3b2a10";
const username = subscriptionUsername(subscriptionId);
const principal = principalName(username);
const password = "generated-secret-1";
const topic = deliveryTopicName("network-events", 1, "masked");
const otherTopic = deliveryTopicName("billing", 1, "full");
const prefix = groupPrefix(subscriptionId);

function subscriberKafka(pw = password): Kafka {
  return new Kafka({
    clientId: "subscriber",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "scram-sha-512", username, password: pw },
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "broker-prov-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  const kafka = createKafka({ connection: adminConn, logLevel: "nothing" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }, { topic: otherTopic }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: "a", value: "one" }, { key: "b", value: "two" }] });
  await producer.send({ topic: otherTopic, messages: [{ value: "private" }] });
  await producer.disconnect();
  provisioner = createProvisioner(adminConn);
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("KafkaProtocolProvisioner", () => {
  it("provisions a principal that can consume its topic with its group prefix and nothing else; revoke cuts it off", async () => {
    await provisioner.upsertScramUser(username, password, "scram-sha-512");
    await provisioner.grantSubscriptionAcls({ principal, topic, groupPrefix: prefix });
    // Idempotent: a retried job changes nothing.
    await provisioner.grantSubscriptionAcls({ principal, topic, groupPrefix: prefix });

    const listed = await provisioner.listPrincipalsAndAcls();
    const mine = listed.find((p) => p.principal === principal);
    expect(mine?.scramMechanisms).toEqual(["scram-sha-512"]);
    expect(mine?.acls.map((a) => `${a.resourceType}:${a.patternType}:${a.resourceName}:${a.operation}:${a.permission}`).sort()).toEqual([
      `group:prefixed:${prefix}:read:allow`,
      `topic:literal:${topic}:describe:allow`,
      `topic:literal:${topic}:read:allow`,
    ]);
    expect(listed.find((p) => p.principal === "User:admin")?.scramMechanisms.sort()).toEqual(["scram-sha-256", "scram-sha-512"]);

    const kafka = subscriberKafka();
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual([topic]);
    await expect(admin.fetchTopicMetadata({ topics: [otherTopic] })).rejects.toThrow(/Not authorized/);
    await admin.disconnect();

    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: "nope" }] })).rejects.toThrow(/authoriz/i);
    await producer.disconnect();

    const outsider = kafka.consumer({ groupId: "someone-elses-group", retry: { retries: 0, restartOnFailure: async () => false } });
    const outsiderCrash = new Promise<Error>((resolve) => outsider.on(outsider.events.CRASH, (e) => resolve(e.payload.error)));
    await outsider.connect();
    await outsider.subscribe({ topic, fromBeginning: true });
    await outsider.run({ eachMessage: async () => {} }).catch(() => {});
    expect(await outsiderCrash).toBeInstanceOf(Error);
    await outsider.disconnect().catch(() => {});

    const values: string[] = [];
    const consumer: Consumer = kafka.consumer({
      groupId: `${prefix}app`,
      maxWaitTimeInMs: 5000,
      heartbeatInterval: 500,
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    let crashed = false;
    consumer.on(consumer.events.CRASH, () => {
      crashed = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= 2, 15_000);
    expect(values.sort()).toEqual(["one", "two"]);
    // Let the consumer settle into a parked long-poll Fetch before revoking.
    await new Promise((r) => setTimeout(r, 500));

    const revokedAt = Date.now();
    await provisioner.revokeSubscriptionAcls({ principal, topic, groupPrefix: prefix });
    await provisioner.deleteScramUser(username);
    // "Within seconds": the cut-off itself is synchronous with the deletion; the margin is for a loaded CI machine.
    await waitFor(() => !broker.listConnections().some((c) => c.principal === principal), 5000);
    expect(Date.now() - revokedAt).toBeLessThan(5000);

    const adminProducer = createKafka({ connection: adminConn, logLevel: "nothing" }).producer();
    await adminProducer.connect();
    await adminProducer.send({ topic, messages: [{ value: "after-revoke" }] });
    await adminProducer.disconnect();
    await new Promise((r) => setTimeout(r, 2000));
    expect(values).not.toContain("after-revoke");
    await consumer.disconnect().catch(() => {});
    expect(crashed || values.length === 2).toBe(true);

    await expect(subscriberKafka().admin().connect()).rejects.toThrow(/authentication failed/);
    // Idempotent revocation.
    await provisioner.revokeSubscriptionAcls({ principal, topic, groupPrefix: prefix });
    await provisioner.deleteScramUser(username);
    expect((await provisioner.listPrincipalsAndAcls()).some((p) => p.principal === principal)).toBe(false);
  }, 90_000);
});
