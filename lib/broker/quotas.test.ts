import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } from "kafkajs";
import { QuotaAdminClient } from "@/lib/kafka/quota-admin";
import { WireConnection } from "@/lib/kafka/wire";
import type { KafkaConnectionOptions } from "@/lib/kafka/client";
import { Fetch } from "./protocol/apis/fetch";
import { QuotaManager, QuotaStore } from "./quotas";
import { securityBrokerOptions, securityStateOf } from "./security";
import { startTestBroker } from "./test-helpers";

/**
 * Client quotas on the embedded broker: the admin APIs (through lib/kafka's QuotaAdminClient),
 * persistence across a restart, Kafka's entity precedence, and enforcement — with the same
 * backlog, a consumer whose principal has a low consumer_byte_rate gets a throughput far below an
 * unthrottled control consumer, and the broker reports throttle_time_ms.
 */

const ADMIN_PASSWORD = "quota-admin";
const TOPIC = "quota.backlog";
const RECORDS = 240;
const RECORD_BYTES = 1024;
/** 60 KB/s against a 240 KB backlog: with one second of burst the slow consumer needs ~3 s. */
const SLOW_RATE = 60 * 1024;

let broker: Awaited<ReturnType<typeof startTestBroker>>;
let adminConn: KafkaConnectionOptions;

function kafkaAs(username: string, password: string, clientId = "quota-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
    sasl: { mechanism: "scram-sha-512", username, password },
  });
}

/** Consumes the whole backlog; returns bytes per second from joining the group to the last record. */
async function consumeAll(username: string, groupId: string): Promise<number> {
  const consumer = kafkaAs(username, "pw").consumer({ groupId, maxBytesPerPartition: 16 * 1024, maxBytes: 16 * 1024, maxWaitTimeInMs: 200 });
  let joinedAt = 0;
  let lastAt = 0;
  let bytes = 0;
  let count = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = Date.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        bytes += message.value?.length ?? 0;
        count++;
        lastAt = Date.now();
        if (count === RECORDS) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return bytes / (Math.max(1, lastAt - joinedAt) / 1000);
}

beforeAll(async () => {
  broker = await startTestBroker({ ...securityBrokerOptions(ADMIN_PASSWORD, { allowEveryoneIfNoAclFound: true }) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  const creds = securityStateOf(broker.server)!.credentials;
  await creds.setPassword("slow", "pw");
  await creds.setPassword("fast", "pw");
  const kafka = kafkaAs("admin", ADMIN_PASSWORD);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1 }] });
  // An ACL on the cluster resource, so "no ACL found" no longer lets everyone alter it.
  await admin.createAcls({
    acl: [
      {
        resourceType: AclResourceTypes.CLUSTER,
        resourceName: "kafka-cluster",
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: "User:operator",
        host: "*",
        operation: AclOperationTypes.ALTER_CONFIGS,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < RECORDS; i += 40) {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 40 }, (_, k) => ({ value: Buffer.alloc(RECORD_BYTES, 97 + ((i + k) % 26)) })) });
  }
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await broker?.cleanup();
});

describe("client quota APIs on the embedded broker", () => {
  it("sets, describes and removes quotas; refuses bad keys and non-admins; persists across a restart", async () => {
    const client = await QuotaAdminClient.connect({ connection: adminConn });
    try {
      await client.alter([{ entity: { user: "someone" }, set: { consumer_byte_rate: 5000, producer_byte_rate: 7000 } }]);
      await client.alter([{ entity: { user: "someone" }, set: { producer_byte_rate: null } }]);
      expect(await client.describe({ user: "someone" })).toEqual([{ entity: { user: "someone" }, values: { consumer_byte_rate: 5000 } }]);
      await expect(client.alter([{ entity: { user: "x" }, set: { consumer_byte_rate: -1 } }])).rejects.toThrow(/positive/);
      await expect(client.alter([{ entity: { user: "x" }, set: { ["bogus_rate" as "consumer_byte_rate"]: 1 } }])).rejects.toThrow(/unknown quota key/);
    } finally {
      client.close();
    }
    const asUser = await QuotaAdminClient.connect({ connection: { ...adminConn, sasl: { mechanism: "scram-sha-512", username: "fast", password: "pw" } } });
    try {
      await expect(asUser.alter([{ entity: { user: "fast" }, set: { consumer_byte_rate: 1e9 } }])).rejects.toThrow(/authorization/i);
      await expect(asUser.describe({ user: "someone" })).rejects.toThrow(/authorization/i);
    } finally {
      asUser.close();
    }
  });

  it("quotas survive a broker restart", async () => {
    const first = await startTestBroker();
    const conn = { brokers: [first.bootstrap] };
    let client = await QuotaAdminClient.connect({ connection: conn });
    await client.alter([{ entity: { user: "kept" }, set: { consumer_byte_rate: 1234 } }]);
    client.close();
    await first.close();
    const second = await startTestBroker({ dataDir: first.dataDir });
    try {
      client = await QuotaAdminClient.connect({ connection: { brokers: [second.bootstrap] } });
      expect(await client.describe({ user: "*" })).toEqual([{ entity: { user: "kept" }, values: { consumer_byte_rate: 1234 } }]);
      client.close();
    } finally {
      await second.cleanup();
    }
  });

  it("resolves Kafka's precedence: user+client over user over default user over client", () => {
    const store = new QuotaStore(null);
    store.alter([{ entityType: "client-id", entityName: null }], [{ key: "consumer_byte_rate", value: 8, remove: false }]);
    store.alter([{ entityType: "user", entityName: null }], [{ key: "consumer_byte_rate", value: 6, remove: false }]);
    store.alter([{ entityType: "user", entityName: "ann" }], [{ key: "consumer_byte_rate", value: 3, remove: false }]);
    store.alter(
      [
        { entityType: "user", entityName: "ann" },
        { entityType: "client-id", entityName: "etl" },
      ],
      [{ key: "consumer_byte_rate", value: 1, remove: false }],
    );
    expect(store.resolve("consumer_byte_rate", "ann", "etl")?.rate).toBe(1);
    expect(store.resolve("consumer_byte_rate", "ann", "web")?.rate).toBe(3);
    expect(store.resolve("consumer_byte_rate", "bob", "web")).toEqual({ rate: 6, budgetKey: "consumer_byte_rate|u=bob|" });
    expect(store.resolve("producer_byte_rate", "bob", "web")).toBeNull();
    // A user quota is one budget for all of that user's clients.
    expect(store.resolve("consumer_byte_rate", "ann", "web")?.budgetKey).toBe(store.resolve("consumer_byte_rate", "ann", "other")?.budgetKey);
  });

  it("a leaky bucket: within rate plus one second of burst nothing is throttled, beyond it the excess drains at the rate", () => {
    const store = new QuotaStore(null);
    store.alter([{ entityType: "user", entityName: "u" }], [{ key: "producer_byte_rate", value: 1000, remove: false }]);
    const q = new QuotaManager(store);
    const ctx = { principal: "User:u", clientId: "c" };
    expect(q.record("producer_byte_rate", ctx, 1000, 0)).toBe(0);
    expect(q.record("producer_byte_rate", ctx, 500, 0)).toBe(500);
    // 1.5 s later the debt has drained to nothing but this request's excess.
    expect(q.record("producer_byte_rate", ctx, 1200, 1500)).toBe(200);
    expect(q.record("producer_byte_rate", { principal: "User:other", clientId: "c" }, 1e6, 0)).toBe(0);
  });
});

describe("consumer_byte_rate enforcement", () => {
  it("a principal with a low quota consumes far slower than an unthrottled control, and throttle_time_ms is reported", async () => {
    const client = await QuotaAdminClient.connect({ connection: adminConn });
    await client.alter([{ entity: { user: "slow" }, set: { consumer_byte_rate: SLOW_RATE } }]);
    client.close();

    const fast = await consumeAll("fast", "control-group");
    const slow = await consumeAll("slow", "throttled-group");
    expect(slow).toBeLessThan(fast / 3);

    // The raw Fetch response names the throttle, once the budget is spent.
    const conn = await WireConnection.open({ connection: { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "slow", password: "pw" } } });
    try {
      const fetchOnce = () =>
        conn.send(Fetch, 4, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
        });
      const first = await fetchOnce();
      const second = await fetchOnce();
      expect(Math.max(first.throttleTimeMs as number, second.throttleTimeMs as number)).toBeGreaterThan(0);
    } finally {
      conn.close();
    }
    const unthrottled = await WireConnection.open({ connection: { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "fast", password: "pw" } } });
    try {
      const res = await unthrottled.send(Fetch, 4, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      });
      expect(res.throttleTimeMs).toBe(0);
    } finally {
      unthrottled.close();
    }
  }, 60_000);
});
