import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { ScramAdminClient } from "@/lib/kafka/scram-admin";

/**
 * librdkafka (Debian's kcat) against the embedded broker, every call over SASL SCRAM-SHA-512 as a
 * non-super user holding ACLs: -L metadata, -P produce, -C consume, -G balanced group with two
 * members, and records crossing between kcat and kafkajs in both directions.
 *
 * kcat is a hard requirement (CI installs it with `apt-get install -y kcat`): without it these
 * tests fail, they are never skipped.
 */

const KCAT = "kcat";
const ADMIN_PASSWORD = "kcat-admin";
const USER = "kcat-user";
const USER_PASSWORD = "kcat-pw";

let broker: RunningBroker;
let dataDir: string;
const children = new Set<ChildProcess>();

function kcatInstalled(): boolean {
  const r = spawnSync(KCAT, ["-V"], { encoding: "utf8" });
  return r.status === 0 && /kcat/i.test(r.stdout + r.stderr);
}

function commonArgs(): string[] {
  return [
    "-b",
    `localhost:${broker.port}`,
    "-X",
    "security.protocol=SASL_PLAINTEXT",
    "-X",
    "sasl.mechanisms=SCRAM-SHA-512",
    "-X",
    `sasl.username=${USER}`,
    "-X",
    `sasl.password=${USER_PASSWORD}`,
    "-q",
  ];
}

/** Runs kcat to completion (bounded), feeding stdin. */
function runKcat(args: string[], input = "", timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, [...commonArgs(), ...args], { stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kcat ${args.join(" ")} timed out after ${timeoutMs} ms\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

function kafkajs(): Kafka {
  return new Kafka({
    clientId: "kcat-peer",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: "scram-sha-512", username: USER, password: USER_PASSWORD },
  });
}

beforeAll(async () => {
  if (!kcatInstalled()) {
    throw new Error("kcat is not installed: these tests need librdkafka's kcat (apt-get update && apt-get install -y kcat)");
  }
  dataDir = mkdtempSync(path.join(tmpdir(), "broker-kcat-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  const conn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512" as const, username: "admin", password: ADMIN_PASSWORD } };
  const scram = await ScramAdminClient.connect({ connection: conn });
  await scram.upsertUser(USER, USER_PASSWORD, "SCRAM-SHA-512");
  scram.close();
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, sasl: conn.sasl }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: "kc.plain", numPartitions: 1 },
      { topic: "kc.group", numPartitions: 4 },
      { topic: "kc.tojs", numPartitions: 1 },
      { topic: "kc.fromjs", numPartitions: 1 },
      { topic: "hidden", numPartitions: 1 },
    ],
  });
  const base = { principal: `User:${USER}`, host: "*", permissionType: 3 };
  await admin.createAcls({
    acl: [
      { ...base, resourceType: 2, resourceName: "kc.", resourcePatternType: 4, operation: 2 },
      { ...base, resourceType: 3, resourceName: "kc-", resourcePatternType: 4, operation: 3 },
    ],
  });
  await admin.disconnect();
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("kcat (librdkafka) over SASL SCRAM-SHA-512", () => {
  it("-L lists the topics the user may describe, with partitions, and hides the rest", async () => {
    const r = await runKcat(["-L", "-J"]);
    expect(r.code, r.stderr).toBe(0);
    const meta = JSON.parse(r.stdout) as { topics: { topic: string; partitions: unknown[] }[]; brokers: unknown[] };
    const topics = Object.fromEntries(meta.topics.map((t) => [t.topic, t.partitions.length]));
    expect(topics).toEqual({ "kc.plain": 1, "kc.group": 4, "kc.tojs": 1, "kc.fromjs": 1 });
    expect(meta.brokers).toHaveLength(1);
  });

  it("-P produces keyed records and -C consumes them back", async () => {
    const p = await runKcat(["-P", "-t", "kc.plain", "-K", ":"], "k1:hello\nk2:world\n");
    expect(p.code, p.stderr).toBe(0);
    const c = await runKcat(["-C", "-t", "kc.plain", "-o", "beginning", "-e", "-f", "%k=%s\\n"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim().split("\n")).toEqual(["k1=hello", "k2=world"]);
  });

  it("a record produced by kcat is consumed by kafkajs", async () => {
    const p = await runKcat(["-P", "-t", "kc.tojs", "-K", ":"], "from:kcat\n");
    expect(p.code, p.stderr).toBe(0);
    const consumer = kafkajs().consumer({ groupId: "kc-js-reader", maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: "kc.tojs", fromBeginning: true });
    const got = await new Promise<{ key: string; value: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => resolve({ key: message.key!.toString(), value: message.value!.toString() }),
      });
    });
    await consumer.disconnect();
    expect(got).toEqual({ key: "from", value: "kcat" });
  }, 30_000);

  it("a record produced by kafkajs (gzip, headers) is consumed by kcat", async () => {
    const producer = kafkajs().producer();
    await producer.connect();
    await producer.send({
      topic: "kc.fromjs",
      compression: 1,
      messages: [{ key: "js", value: "from-kafkajs", headers: { origin: "kafkajs" } }],
    });
    await producer.disconnect();
    const c = await runKcat(["-C", "-t", "kc.fromjs", "-o", "beginning", "-e", "-f", "%k|%s|%h\\n"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe("js|from-kafkajs|origin=kafkajs");
  });

  it("-G: two members of one balanced group split the partitions and read every record once", async () => {
    const admin = new Kafka({
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD },
    }).admin();
    await admin.connect();
    const outputs = ["", ""];
    const members = [0, 1].map((i) => {
      const child = spawn(
        KCAT,
        [...commonArgs(), "-u", "-X", "auto.offset.reset=earliest", "-f", "%p %s\\n", "-G", "kc-balanced", "kc.group"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      children.add(child);
      child.stdout.on("data", (d) => (outputs[i] += d));
      return child;
    });
    try {
      // Both members must be in the group before any record exists, so neither can drain everything alone.
      const describe = async () => (await admin.describeGroups(["kc-balanced"])).groups[0];
      let group = await describe();
      const joinDeadline = Date.now() + 30_000;
      while ((group.state !== "Stable" || group.members.length !== 2) && Date.now() < joinDeadline) {
        await new Promise((r) => setTimeout(r, 250));
        group = await describe();
      }
      expect(group.state).toBe("Stable");
      expect(group.members).toHaveLength(2);

      const records = Array.from({ length: 40 }, (_, i) => `r${i}`);
      const p = await runKcat(["-P", "-t", "kc.group", "-K", ":"], records.map((r) => `${r}:${r}`).join("\n") + "\n");
      expect(p.code, p.stderr).toBe(0);

      const lines = () => outputs.flatMap((o) => o.split("\n").filter(Boolean));
      const deadline = Date.now() + 30_000;
      while (lines().length < records.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

      const values = lines().map((l) => l.split(" ")[1]);
      expect(values.sort()).toEqual([...records].sort());
      const partitionsOf = (o: string) => new Set(o.split("\n").filter(Boolean).map((l) => l.split(" ")[0]));
      const [a, b] = outputs.map(partitionsOf);
      // Both members got work, and no partition was read by both.
      expect(a.size).toBeGreaterThan(0);
      expect(b.size).toBeGreaterThan(0);
      expect([...a].filter((x) => b.has(x))).toEqual([]);
    } finally {
      await admin.disconnect();
      for (const m of members) m.kill("SIGTERM");
      await Promise.all(members.map((m) => new Promise((r) => (m.exitCode !== null ? r(null) : m.once("close", r)))));
    }
  }, 60_000);
});
