import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AclOperationTypes as Op,
  AclPermissionTypes as Perm,
  AclResourceTypes as Res,
  Kafka,
  logLevel,
  ResourcePatternTypes as Pat,
  type Admin,
  type AclEntry,
  type Consumer,
} from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { ScramAdminClient } from "@/lib/kafka/scram-admin";
import { securityBrokerOptions } from ".";

/**
 * Two principals against the real kafkajs client: allowed and denied produce, fetch, metadata,
 * group and admin calls; literal vs prefixed patterns; DENY precedence; hidden topics.
 */

const ADMIN_PASSWORD = "matrix-admin";
let broker: RunningBroker;
let dataDir: string;
let admin: Admin;
const cleanups: (() => Promise<unknown>)[] = [];

function client(username: string, password: string): Kafka {
  return new Kafka({
    clientId: `matrix-${username}`,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "scram-sha-512", username, password },
  });
}

async function adminOf(username: string, password: string): Promise<Admin> {
  const a = client(username, password).admin();
  await a.connect();
  cleanups.push(() => a.disconnect());
  return a;
}

function allow(principal: string, resourceType: Res, resourceName: string, operation: Op, pattern = Pat.LITERAL): AclEntry {
  return { principal, host: "*", resourceType, resourceName, resourcePatternType: pattern, operation, permissionType: Perm.ALLOW };
}
function deny(principal: string, resourceType: Res, resourceName: string, operation: Op, pattern = Pat.LITERAL): AclEntry {
  return { ...allow(principal, resourceType, resourceName, operation, pattern), permissionType: Perm.DENY };
}

/** Consumes until `count` values arrived or the consumer crashed; resolves with what it saw. */
async function consume(
  kafka: Kafka,
  groupId: string,
  topic: string,
  count: number,
  timeoutMs = 15000,
): Promise<{ values: string[]; error?: Error }> {
  const consumer: Consumer = kafka.consumer({
    groupId,
    retry: { retries: 0, restartOnFailure: async () => false },
    sessionTimeout: 10000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  const values: string[] = [];
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ values }), timeoutMs);
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        resolve({ values, error: e.payload.error });
      });
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? "");
            if (values.length >= count) {
              clearTimeout(timer);
              resolve({ values });
            }
          },
        });
      })().catch((error: Error) => {
        clearTimeout(timer);
        resolve({ values, error });
      });
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}

async function produce(kafka: Kafka, topic: string, value: string): Promise<void> {
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "broker-acl-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  const scram = await ScramAdminClient.connect({
    connection: { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } },
  });
  await scram.upsertUser("alice", "alice-pw", "SCRAM-SHA-512");
  await scram.upsertUser("bob", "bob-pw", "SCRAM-SHA-512");
  scram.close();

  admin = await adminOf("admin", ADMIN_PASSWORD);
  await admin.createTopics({
    waitForLeaders: true,
    topics: ["orders", "payments", "sales.eu", "sales.us", "secret"].map((topic) => ({ topic, numPartitions: 1 })),
  });
  await admin.createAcls({
    acl: [
      allow("User:alice", Res.TOPIC, "orders", Op.WRITE),
      allow("User:alice", Res.TOPIC, "orders", Op.READ),
      allow("User:alice", Res.GROUP, "alice-", Op.READ, Pat.PREFIXED),
      allow("User:alice", Res.TOPIC, "alice.", Op.CREATE, Pat.PREFIXED),
      allow("User:bob", Res.TOPIC, "payments", Op.ALL),
      allow("User:bob", Res.GROUP, "bob-", Op.READ, Pat.PREFIXED),
      allow("User:*", Res.TOPIC, "sales.", Op.READ, Pat.PREFIXED),
      deny("User:bob", Res.TOPIC, "sales.us", Op.READ),
    ],
  });
  const adminClient = client("admin", ADMIN_PASSWORD);
  for (const t of ["orders", "payments", "sales.eu", "sales.us", "secret"]) await produce(adminClient, t, `${t}-1`);
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ACL matrix with kafkajs", () => {
  it("metadata: all-topics lists only describable topics; a named hidden topic is refused", async () => {
    const alice = await adminOf("alice", "alice-pw");
    const bob = await adminOf("bob", "bob-pw");
    expect((await alice.listTopics()).sort()).toEqual(["orders", "sales.eu", "sales.us"]);
    // DENY READ does not deny DESCRIBE (DENY implies nothing), so bob still sees sales.us.
    expect((await bob.listTopics()).sort()).toEqual(["payments", "sales.eu", "sales.us"]);
    expect((await admin.listTopics()).sort()).toEqual(["orders", "payments", "sales.eu", "sales.us", "secret"]);
    await expect(alice.fetchTopicMetadata({ topics: ["secret"] })).rejects.toThrow(/Not authorized to access topics/);
    await expect(alice.fetchTopicMetadata({ topics: ["payments"] })).rejects.toThrow(/Not authorized to access topics/);
    const meta = await alice.fetchTopicMetadata({ topics: ["orders"] });
    expect(meta.topics[0].partitions).toHaveLength(1);
  });

  it("produce: allowed on granted literal topics, refused elsewhere", async () => {
    await produce(client("alice", "alice-pw"), "orders", "orders-alice");
    await produce(client("bob", "bob-pw"), "payments", "payments-bob");
    await expect(produce(client("alice", "alice-pw"), "payments", "x")).rejects.toThrow(/authoriz/i);
    await expect(produce(client("bob", "bob-pw"), "orders", "x")).rejects.toThrow(/authoriz/i);
    // READ via a prefixed ACL does not grant WRITE.
    await expect(produce(client("alice", "alice-pw"), "sales.eu", "x")).rejects.toThrow(/authoriz/i);
  });

  it("fetch and groups: literal and prefixed grants work; DENY beats the wildcard ALLOW", async () => {
    const alice = client("alice", "alice-pw");
    const bob = client("bob", "bob-pw");
    const ordersAlice = await consume(alice, "alice-orders", "orders", 2);
    expect(ordersAlice.error).toBeUndefined();
    expect(ordersAlice.values).toEqual(["orders-1", "orders-alice"]);

    const salesBob = await consume(bob, "bob-sales", "sales.eu", 1);
    expect(salesBob.error).toBeUndefined();
    expect(salesBob.values).toEqual(["sales.eu-1"]);

    const deniedBob = await consume(bob, "bob-us", "sales.us", 1);
    expect(deniedBob.values).toEqual([]);
    expect(deniedBob.error?.message).toMatch(/authoriz/i);

    // A group outside the principal's prefix is refused even for a readable topic.
    const wrongGroup = await consume(alice, "bob-stolen", "orders", 1);
    expect(wrongGroup.values).toEqual([]);
    expect(wrongGroup.error).toBeDefined();
  }, 60_000);

  it("admin calls: refused without cluster rights; prefixed CREATE gives a topic namespace", async () => {
    const alice = await adminOf("alice", "alice-pw");
    const createError = await alice.createTopics({ topics: [{ topic: "rogue" }] }).then(
      () => null,
      (e: { errors?: { type: string }[] }) => e,
    );
    expect(createError?.errors?.map((e) => e.type)).toEqual(["TOPIC_AUTHORIZATION_FAILED"]);
    // CREATE implies no DESCRIBE, so kafkajs must not poll the new topic's metadata as alice.
    expect(await alice.createTopics({ waitForLeaders: false, topics: [{ topic: "alice.scratch" }] })).toBe(true);
    expect(await admin.listTopics()).toContain("alice.scratch");
    expect(await alice.listTopics()).not.toContain("alice.scratch");
    await expect(alice.deleteTopics({ topics: ["orders"] })).rejects.toThrow(/authoriz/i);
    await expect(alice.createAcls({ acl: [allow("User:alice", Res.TOPIC, "secret", Op.READ)] })).rejects.toThrow(/authoriz/i);
    await expect(
      alice.describeAcls({
        resourceType: Res.ANY,
        resourcePatternType: Pat.ANY,
        operation: Op.ANY,
        permissionType: Perm.ANY,
      }),
    ).rejects.toThrow(/authoriz/i);
    expect((await admin.listTopics()).includes("secret")).toBe(true);
  });

  it("Describe/DeleteAcls through kafkajs: MATCH filter and deletion", async () => {
    const described = await admin.describeAcls({
      resourceType: Res.TOPIC,
      resourceName: "sales.us",
      resourcePatternType: Pat.MATCH,
      operation: Op.ANY,
      permissionType: Perm.ANY,
    });
    const found = described.resources
      .flatMap((r) => r.acls.map((a) => `${r.resourcePatternType}:${r.resourceName}:${a.principal}:${a.permissionType}`))
      .sort();
    expect(found).toEqual([`${Pat.LITERAL}:sales.us:User:bob:${Perm.DENY}`, `${Pat.PREFIXED}:sales.:User:*:${Perm.ALLOW}`]);

    const deleted = await admin.deleteAcls({ filters: [deny("User:bob", Res.TOPIC, "sales.us", Op.READ)] });
    expect(deleted.filterResponses[0].matchingAcls).toHaveLength(1);
    const bobNow = await consume(client("bob", "bob-pw"), "bob-us2", "sales.us", 1);
    expect(bobNow.values).toEqual(["sales.us-1"]);
  }, 30_000);
});
