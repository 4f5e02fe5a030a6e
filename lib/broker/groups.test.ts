import type { Consumer } from "kafkajs";
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

describe("consumer groups", () => {
  it("3 members joining and leaving in quick succession: no lost or stuck partitions", async () => {
    const topic = "churn";
    const partitions = 6;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    const producer = kafka.producer();
    await producer.connect();
    let sent = 0;
    const sendRound = async (n: number) => {
      const messages = Array.from({ length: n }, (_, i) => ({ value: String(sent + i), partition: (sent + i) % partitions }));
      sent += n;
      await producer.send({ topic, messages });
    };
    await sendRound(60);

    const seen = new Set<string>();
    const makeConsumer = async () => {
      const c = kafka.consumer({ groupId: "churners", maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
      return c;
    };
    const consumers: Consumer[] = [];
    // All three start at once, then two leave while more data arrives, then one rejoins.
    consumers.push(...(await Promise.all([makeConsumer(), makeConsumer(), makeConsumer()])));
    await sendRound(60);
    await waitFor(() => seen.size >= 60, 20_000, "first records");
    await Promise.all([consumers[0].disconnect(), consumers[1].disconnect()]);
    await sendRound(60);
    consumers[0] = await makeConsumer();
    await sendRound(60);
    await waitFor(() => seen.size === sent, 30_000, `all ${sent} records (have ${seen.size})`);

    const d = await admin.describeGroups(["churners"]);
    expect(d.groups[0].state).toBe("Stable");
    expect(d.groups[0].members).toHaveLength(2);
    // Every partition is assigned to exactly one live member.
    const assigned: number[] = [];
    const { AssignerProtocol } = await import("kafkajs");
    for (const m of d.groups[0].members) {
      const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      assigned.push(...(a?.assignment[topic] ?? []));
    }
    expect(assigned.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);

    await Promise.all([consumers[0].disconnect(), consumers[2].disconnect()]);
    await producer.disconnect();
    const after = await admin.describeGroups(["churners"]);
    expect(after.groups[0].state).toBe("Empty");
    const offsets = await admin.fetchOffsets({ groupId: "churners", topics: [topic] });
    expect(offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0)).toBe(sent);
  });

  it("a member that stops heartbeating is expired and its partitions reassigned", async () => {
    const coordinator = broker.core.groups;
    const join = (memberId: string) =>
      coordinator.join(
        { groupId: "expiry", sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 6_000, memberId, groupInstanceId: null, protocolType: "consumer", protocols: [{ name: "rr", metadata: Buffer.from("m") }] },
        5,
        "c",
        "/127.0.0.1",
      );
    // KIP-394: the first join of a v4+ client gets MEMBER_ID_REQUIRED with an id to use.
    const first = await join("");
    expect(first.errorCode).toBe(79);
    const joined = await join(first.memberId);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId });
    expect(joined.members).toHaveLength(1);
    const sync = await coordinator.sync("expiry", 1, first.memberId, [{ memberId: first.memberId, assignment: Buffer.from("all") }]);
    expect(sync).toEqual({ errorCode: 0, assignment: Buffer.from("all") });
    expect(coordinator.heartbeat("expiry", 1, first.memberId)).toBe(0);
    expect(coordinator.heartbeat("expiry", 0, first.memberId)).toBe(22);
    await waitFor(() => coordinator.describe("expiry").groupState === "Empty", 9_000, "session expiry");
    expect(coordinator.heartbeat("expiry", 1, first.memberId)).toBe(25);
  }, 15_000);

  it("expires the offsets of a group without members after the offsets retention", async () => {
    const coordinator = broker.core.groups;
    await admin.createTopics({ topics: [{ topic: "old-offsets" }] });
    expect(coordinator.commit("idle-group", -1, "", [{ topic: "old-offsets", partition: 0, value: { offset: 5, leaderEpoch: -1, metadata: null, commitTimestamp: 1_000 } }])).toBe(0);
    expect(coordinator.expireOffsets(2_000, 5_000)).toEqual([]);
    expect(coordinator.committed("idle-group", "old-offsets", 0)?.offset).toBe(5);
    expect(coordinator.expireOffsets(10_000, 5_000)).toContain("idle-group");
    expect(coordinator.committed("idle-group", "old-offsets", 0)).toBeUndefined();
  });
});
