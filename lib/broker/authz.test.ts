import { afterAll, describe, expect, it } from "vitest";
import { AclOperation, ResourceType, type AuthorizeRequest } from "./authz";
import { kafkaFor, startTestBroker } from "./test-helpers";

/**
 * The handlers' side of authorization: which operation on which resource each API asks for,
 * and what the client sees when it is refused. The decisions come from a stub authorizer that
 * records every question and denies whatever `deny` says.
 */
const asked: AuthorizeRequest[] = [];
let deny: (r: AuthorizeRequest) => boolean = () => false;
const broker = await startTestBroker({
  plugins: [
    (server) =>
      server.setAuthorizer({
        authorize: (r) => {
          asked.push(r);
          return !deny(r);
        },
      }),
  ],
});
const kafka = kafkaFor(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: "open" }, { topic: "secret" }] });

afterAll(async () => {
  await admin.disconnect();
  await broker.cleanup();
});

const askedFor = (op: number, type: number, name: string) => asked.some((r) => r.operation === op && r.resourceType === type && r.resourceName === name);

describe("authorization calls made by the handlers", () => {
  it("asks WRITE to produce, READ to fetch, DESCRIBE for metadata and offsets, READ on the group", async () => {
    asked.length = 0;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "open", messages: [{ value: "v" }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: "authz-g", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "open", fromBeginning: true });
    let got = 0;
    await consumer.run({ eachMessage: async () => void got++ });
    while (got < 1) await new Promise((r) => setTimeout(r, 20));
    await consumer.disconnect();
    expect(askedFor(AclOperation.WRITE, ResourceType.TOPIC, "open")).toBe(true);
    expect(askedFor(AclOperation.READ, ResourceType.TOPIC, "open")).toBe(true);
    expect(askedFor(AclOperation.DESCRIBE, ResourceType.TOPIC, "open")).toBe(true);
    expect(askedFor(AclOperation.DESCRIBE, ResourceType.GROUP, "authz-g")).toBe(true);
    expect(askedFor(AclOperation.READ, ResourceType.GROUP, "authz-g")).toBe(true);
    expect(asked.every((r) => r.principal === "User:ANONYMOUS")).toBe(true);
  });

  it("hides undescribable topics from all-topics metadata and refuses them by name with 29", async () => {
    deny = (r) => r.resourceName === "secret";
    try {
      const all = await admin.fetchTopicMetadata();
      expect(all.topics.map((t) => t.name)).toContain("open");
      expect(all.topics.map((t) => t.name)).not.toContain("secret");
      await expect(admin.fetchTopicMetadata({ topics: ["secret"] })).rejects.toThrow(/Not authorized to access topics/);
    } finally {
      deny = () => false;
    }
  });

  it("refuses produce without WRITE, and offset reads without DESCRIBE on the group", async () => {
    deny = (r) => (r.operation === AclOperation.WRITE && r.resourceName === "open") || (r.resourceType === ResourceType.GROUP && r.resourceName === "hidden-g");
    try {
      const producer = kafka.producer({ retry: { retries: 0 } });
      await producer.connect();
      await expect(producer.send({ topic: "open", messages: [{ value: "x" }] })).rejects.toThrow(/Not authorized/);
      await producer.disconnect();
      // FindCoordinator answers 30; kafkajs reports it as a coordinator it cannot find.
      await expect(admin.fetchOffsets({ groupId: "hidden-g", topics: ["open"] })).rejects.toThrow();
      expect(askedFor(AclOperation.DESCRIBE, ResourceType.GROUP, "hidden-g")).toBe(true);
    } finally {
      deny = () => false;
    }
  });

  it("asks CREATE, DELETE, ALTER and the config operations for topic administration", async () => {
    asked.length = 0;
    await admin.createTopics({ topics: [{ topic: "adm" }] });
    await admin.createPartitions({ topicPartitions: [{ topic: "adm", count: 2 }] });
    await admin.describeConfigs({ resources: [{ type: 2, name: "adm" }], includeSynonyms: false });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: "adm", configEntries: [{ name: "retention.ms", value: "1000" }] }] });
    await admin.deleteTopicRecords({ topic: "adm", partitions: [{ partition: 0, offset: "0" }] });
    await admin.deleteTopics({ topics: ["adm"] });
    expect(askedFor(AclOperation.CREATE, ResourceType.CLUSTER, "kafka-cluster")).toBe(true);
    expect(askedFor(AclOperation.ALTER, ResourceType.TOPIC, "adm")).toBe(true);
    expect(askedFor(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, "adm")).toBe(true);
    expect(askedFor(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, "adm")).toBe(true);
    expect(askedFor(AclOperation.DELETE, ResourceType.TOPIC, "adm")).toBe(true);
  });

  it("filters ListGroups per group when the cluster may not be described", async () => {
    deny = (r) => r.resourceType === ResourceType.CLUSTER || (r.resourceType === ResourceType.GROUP && r.resourceName === "authz-g");
    try {
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId)).not.toContain("authz-g");
    } finally {
      deny = () => false;
    }
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain("authz-g");
  });
});
