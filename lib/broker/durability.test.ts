import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kafkaFor, startTestBroker, waitFor } from "./test-helpers";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function readAll(bootstrap: string, topic: string, expected: number): Promise<string[]> {
  const kafka = kafkaFor(bootstrap);
  const consumer = kafka.consumer({ groupId: `reader-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  await waitFor(() => values.length >= expected, 15_000, `${expected} records (have ${values.length})`);
  await consumer.disconnect();
  return values;
}

describe("durability", () => {
  it("keeps records and committed offsets across a restart; a consumer resumes where it committed", async () => {
    const first = await startTestBroker();
    dirs.push(first.dataDir);
    let kafka = kafkaFor(first.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "keep", numPartitions: 3, configEntries: [{ name: "retention.ms", value: "86400000" }] }] });
    await admin.disconnect();
    let producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "keep", messages: Array.from({ length: 90 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })) });
    await producer.disconnect();
    const group = kafka.consumer({ groupId: "resumer", maxWaitTimeInMs: 100 });
    await group.connect();
    await group.subscribe({ topic: "keep", fromBeginning: true });
    let firstRun = 0;
    await group.run({ eachMessage: async () => void firstRun++ });
    await waitFor(() => firstRun === 90, 15_000, "first run");
    await group.disconnect();
    await first.close();

    const second = await startTestBroker({ dataDir: first.dataDir });
    kafka = kafkaFor(second.bootstrap);
    const admin2 = kafka.admin();
    await admin2.connect();
    const offs = await admin2.fetchTopicOffsets("keep");
    expect(offs.reduce((s, p) => s + Number(p.high), 0)).toBe(90);
    const cfg = await admin2.describeConfigs({ resources: [{ type: 2, name: "keep" }], includeSynonyms: false });
    expect(cfg.resources[0].configEntries.find((c) => c.configName === "retention.ms")?.configValue).toBe("86400000");
    await admin2.disconnect();
    producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "keep", messages: Array.from({ length: 15 }, (_, i) => ({ value: `b${i}` })) });
    await producer.disconnect();

    const resumed = kafka.consumer({ groupId: "resumer", maxWaitTimeInMs: 100 });
    await resumed.connect();
    await resumed.subscribe({ topic: "keep", fromBeginning: true });
    const second_: string[] = [];
    await resumed.run({ eachMessage: async ({ message }) => void second_.push(message.value!.toString()) });
    await waitFor(() => second_.length >= 15, 15_000, "resumed records");
    await new Promise((r) => setTimeout(r, 300));
    await resumed.disconnect();
    expect(second_.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `b${i}`).sort());

    const everything = await readAll(second.bootstrap, "keep", 105);
    expect(new Set(everything).size).toBe(105);
    await second.close();
  });

  it("loses no acknowledged record when the broker process is SIGKILLed mid-stream", async () => {
    const seed = await startTestBroker();
    dirs.push(seed.dataDir);
    const admin = kafkaFor(seed.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "crash", numPartitions: 2 }] });
    await admin.disconnect();
    await seed.close();

    const child = spawn(process.execPath, ["--import", "tsx", "scripts/broker.ts", "--port", "0", "--metrics-port", "0", "--data", seed.dataDir], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    await waitFor(() => /broker listening on \S+:(\d+)/.test(out), 20_000, "child broker");
    const port = Number(/broker listening on \S+:(\d+)/.exec(out)![1]);

    const producer = kafkaFor(`localhost:${port}`).producer({ retry: { retries: 0 } });
    await producer.connect();
    const acked: string[] = [];
    let n = 0;
    const loop = (async () => {
      for (;;) {
        const batch = Array.from({ length: 20 }, () => ({ value: String(n++) }));
        try {
          await producer.send({ topic: "crash", acks: -1, messages: batch });
          acked.push(...batch.map((m) => m.value));
        } catch {
          return;
        }
      }
    })();
    await waitFor(() => acked.length >= 2000, 20_000, "acknowledged records");
    child.kill("SIGKILL");
    await loop;
    await producer.disconnect().catch(() => {});

    const after = await startTestBroker({ dataDir: seed.dataDir });
    const values = new Set(await readAll(after.bootstrap, "crash", acked.length));
    for (const v of acked) expect(values.has(v)).toBe(true);
    await after.close();
  }, 60_000);

  it("cuts a torn tail off a segment at start and keeps appending after it", async () => {
    const b = await startTestBroker();
    dirs.push(b.dataDir);
    const kafka = kafkaFor(b.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "torn" }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: "torn", messages: [{ value: "one" }, { value: "two" }] });
    await producer.disconnect();
    await b.close();

    const segDir = path.join(b.dataDir, "topics", "torn", "0");
    const log = fs.readdirSync(segDir).find((f) => f.endsWith(".log"))!;
    const whole = fs.readFileSync(path.join(segDir, log));
    // Half of a copy of the batch: what a crash in the middle of a write leaves behind.
    fs.appendFileSync(path.join(segDir, log), whole.subarray(0, Math.floor(whole.length / 2)));
    fs.appendFileSync(path.join(segDir, log.replace(".log", ".index")), Buffer.alloc(7, 1));

    const again = await startTestBroker({ dataDir: b.dataDir });
    const k2 = kafkaFor(again.bootstrap);
    const p2 = k2.producer();
    await p2.connect();
    const [res] = await p2.send({ topic: "torn", messages: [{ value: "three" }] });
    expect(res.baseOffset).toBe("2");
    await p2.disconnect();
    expect(await readAll(again.bootstrap, "torn", 3)).toEqual(["one", "two", "three"]);
    await again.close();
  });
});
