import { ConfigResourceTypes } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { kafkaFor, startTestBroker, waitFor } from "./test-helpers";

const broker = await startTestBroker();
const kafka = kafkaFor(broker.bootstrap);
const admin = kafka.admin();
await admin.connect();

afterAll(async () => {
  await admin.disconnect();
  await broker.cleanup();
});

async function produce(topic: string, n: number, partition = 0) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `m${i}`, partition })) });
  await producer.disconnect();
}

describe("every kafkajs admin call", () => {
  it("createTopics, listTopics, fetchTopicMetadata, deleteTopics", async () => {
    expect(await admin.createTopics({ topics: [{ topic: "a1", numPartitions: 3 }, { topic: "a2" }] })).toBe(true);
    // kafkajs resolves false when every topic already exists
    expect(await admin.createTopics({ topics: [{ topic: "a1", numPartitions: 3 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(["a1", "a2"]));
    const md = await admin.fetchTopicMetadata({ topics: ["a1"] });
    expect(md.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    expect(md.topics[0].partitions[0].leader).toBe(broker.config.nodeId);
    await admin.deleteTopics({ topics: ["a2"] });
    expect(await admin.listTopics()).not.toContain("a2");
    await expect(admin.createTopics({ topics: [{ topic: "bad name!" }] })).rejects.toThrow();
  });

  it("fetchTopicOffsets and deleteTopicRecords move the low watermark", async () => {
    await admin.createTopics({ topics: [{ topic: "recs" }] });
    await produce("recs", 10);
    let offs = await admin.fetchTopicOffsets("recs");
    expect(offs[0]).toMatchObject({ partition: 0, low: "0", high: "10", offset: "10" });
    await admin.deleteTopicRecords({ topic: "recs", partitions: [{ partition: 0, offset: "4" }] });
    offs = await admin.fetchTopicOffsets("recs");
    expect(offs[0]).toMatchObject({ low: "4", high: "10" });
    const byTime = await admin.fetchTopicOffsetsByTimestamp("recs", Date.now() + 60_000);
    expect(byTime[0].offset).toBe("10");
  });

  // setOffsets/resetOffsets run a paused kafkajs consumer that idles one maxWaitTime (5 s) client-side.
  it("setOffsets, fetchOffsets, resetOffsets on an empty group", async () => {
    await admin.createTopics({ topics: [{ topic: "offs", numPartitions: 2 }] });
    await produce("offs", 5, 0);
    await produce("offs", 3, 1);
    await admin.setOffsets({ groupId: "og", topic: "offs", partitions: [{ partition: 0, offset: "2" }, { partition: 1, offset: "1" }] });
    let fetched = await admin.fetchOffsets({ groupId: "og", topics: ["offs"] });
    expect(fetched[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(["2", "1"]);
    await admin.resetOffsets({ groupId: "og", topic: "offs", earliest: false });
    // kafkajs commits -1 ("latest") and resolves it against ListOffsets when asked to.
    fetched = await admin.fetchOffsets({ groupId: "og", topics: ["offs"], resolveOffsets: true });
    expect(fetched[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(["5", "3"]);
    const none = await admin.fetchOffsets({ groupId: "never-committed", topics: ["offs"] });
    expect(none[0].partitions.map((p) => p.offset)).toEqual(["-1", "-1"]);
  });

  it("describeConfigs and alterConfigs (non-incremental, validated)", async () => {
    await admin.createTopics({ topics: [{ topic: "cfg", configEntries: [{ name: "retention.ms", value: "60000" }] }] });
    const describe = async () => {
      const r = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: "cfg" }], includeSynonyms: false });
      return Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, e]));
    };
    let c = await describe();
    expect(c["retention.ms"]).toMatchObject({ configValue: "60000", isDefault: false });
    expect(c["cleanup.policy"]).toMatchObject({ configValue: "delete", isDefault: true });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "cfg", configEntries: [{ name: "retention.bytes", value: "1048576" }] }] });
    c = await describe();
    expect(c["retention.bytes"].configValue).toBe("1048576");
    expect(c["retention.ms"].isDefault).toBe(true);
    await expect(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "cfg", configEntries: [{ name: "no.such.config", value: "1" }] }] }),
    ).rejects.toThrow();
    const brokerCfg = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.config.nodeId) }], includeSynonyms: false });
    expect(brokerCfg.resources[0].configEntries.map((e) => e.configName)).toContain("log.retention.ms");
  });

  it("createPartitions grows a topic and refuses to shrink it", async () => {
    await admin.createTopics({ topics: [{ topic: "grow", numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: "grow", count: 4 }] });
    const md = await admin.fetchTopicMetadata({ topics: ["grow"] });
    expect(md.topics[0].partitions).toHaveLength(4);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: "grow", count: 2 }] })).rejects.toThrow();
    await produce("grow", 2, 3);
    expect((await admin.fetchTopicOffsets("grow")).find((p) => p.partition === 3)?.high).toBe("2");
  });

  it("listGroups, describeGroups, deleteGroups", async () => {
    await admin.createTopics({ topics: [{ topic: "grp" }] });
    await produce("grp", 3);
    const consumer = kafka.consumer({ groupId: "live", maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: "grp", fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    await waitFor(() => seen >= 3, 10_000, "consumer to read");
    const groups = await admin.listGroups();
    expect(groups.groups).toEqual(expect.arrayContaining([{ groupId: "live", protocolType: "consumer" }]));
    const d = await admin.describeGroups(["live"]);
    expect(d.groups[0]).toMatchObject({ groupId: "live", state: "Stable", protocolType: "consumer" });
    expect(d.groups[0].members).toHaveLength(1);
    await expect(admin.deleteGroups(["live"])).rejects.toThrow();
    await consumer.disconnect();
    const res = await admin.deleteGroups(["live"]);
    expect(res[0]).toMatchObject({ groupId: "live", errorCode: 0 });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain("live");
  });
});
