import { spawn, type ChildProcess } from "node:child_process";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryByteIndex, productThroughput } from "@/db/schema";
import { startTestBroker, waitFor } from "@/lib/broker/test-helpers";
import { childEnv } from "@/lib/env";
import { createKafka } from "@/lib/kafka/client";
import { deliveryTopicName, dlqTopicName, internalGroupName } from "@/lib/kafka/names";
import { createTestDatabase } from "@/lib/testing/db";
import { recordSize } from "./byte-index";
import { createRoutedProduct, paymentRecord } from "./test-fixtures";
import { consumeUntil, header, highWatermarks, type Consumed } from "./test-helpers";

/**
 * No loss, bounded duplicates: the real worker (workers/router.ts) as a child process, SIGKILLed
 * while records stream in, then restarted as two processes sharing the partitions. Every source
 * record must end up delivered or in the DLQ; duplicates are counted and printed.
 */
const t = await createTestDatabase();
const broker = await startTestBroker();
const connection = { brokers: [broker.bootstrap] };
const kafka = createKafka({ clientId: "router-crash-test", connection, logLevel: "nothing", retries: 3 });
const SLUG = "payments-crash";
const SOURCE = "src.payments-crash";
const FULL = deliveryTopicName(SLUG, 1, "full");
const PUBLIC = deliveryTopicName(SLUG, 1, "public");
const N = 3_000;
const children: ChildProcess[] = [];
const output: string[] = [];

function spawnRouter(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/router.ts"], {
    cwd: process.cwd(),
    env: childEnv({ DATABASE_URL: t.url, KAFKA_BROKERS: broker.bootstrap, KAFKA_SASL_MECHANISM: undefined, MASKING_SECRET: "crash-test-masking-secret-0123456789abcdef", LOG_LEVEL: "warn", NODE_ENV: "test" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => output.push(String(d)));
  child.stderr!.on("data", (d) => output.push(String(d)));
  children.push(child);
  return child;
}

async function delivered(topic: string): Promise<number> {
  const hw = await highWatermarks(kafka, topic).catch(() => new Map<number, number>());
  return [...hw.values()].reduce((s, x) => s + x, 0);
}

/** The router group's committed offset per source partition (-1 before its first commit). */
async function committedOffsets(): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: internalGroupName("router"), topics: [SOURCE] });
    return new Map((topic?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

async function committedSourceRecords(): Promise<number> {
  return [...(await committedOffsets()).values()].reduce((s, o) => s + Math.max(0, o), 0);
}

async function groupMembers(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([internalGroupName("router")]);
    return groups[0]?.state === "Stable" ? groups[0].members.length : 0;
  } finally {
    await admin.disconnect();
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

let full: Consumed[] = [];
let publicTier: Consumed[] = [];
let dlq: Consumed[] = [];
let source: Consumed[] = [];
let killedAt = 0;
let committedAtKill = new Map<number, number>();
let restartInstances = 0;

const isBad = (i: number) => i % 97 === 13;

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: SOURCE, numPartitions: 3 }] });
  await admin.disconnect();
  await createRoutedProduct(t.db, { slug: SLUG, sourceTopic: SOURCE });

  const producer = kafka.producer();
  await producer.connect();
  let next = 0;
  const produce = async (upTo: number) => {
    while (next < upTo) {
      const batch = [];
      for (let k = 0; k < 50 && next < upTo; k++, next++) {
        const i = next;
        batch.push({ key: `acct-${i % 40}`, value: isBad(i) ? `{"id":"pay-${i}",` : JSON.stringify(paymentRecord(i)), headers: { "x-seq": String(i) } });
      }
      await producer.send({ topic: SOURCE, acks: -1, messages: batch });
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const first = spawnRouter();
  await produce(N / 3);
  // Kill while it is busy: some records delivered and committed (so the restart resumes from a
  // commit, not from the start), more arriving and in flight.
  await waitFor(async () => (await delivered(FULL)) >= 300 && (await committedSourceRecords()) > 0, 60_000, "the first router delivering and committing").catch((e) => {
    // The worker's own log says why (e.g. evicted from the group on a loaded machine).
    console.log(`[router crash test] worker output:\n${output.join("")}`);
    throw e;
  });
  const streaming = produce((2 * N) / 3);
  await new Promise((r) => setTimeout(r, 150));
  first.kill("SIGKILL");
  await exited(first);
  killedAt = await delivered(FULL);
  committedAtKill = await committedOffsets();
  await streaming;

  // Two routers after the restart: they share the source partitions through the group. The last
  // third arrives once both have joined, so both have work.
  const before = await t.db.selectDistinct({ instance: productThroughput.instance }).from(productThroughput);
  spawnRouter();
  spawnRouter();
  await waitFor(async () => (await groupMembers()) === 2, 90_000, "both restarted routers in the group");
  await produce(N);
  await producer.disconnect();
  const good = N - Array.from({ length: N }, (_, i) => i).filter(isBad).length;
  // Routed means committed by the router group (it commits only after delivery and the index).
  // Counting delivered records is not enough: re-delivered duplicates would reach the total early.
  await waitFor(async () => (await committedSourceRecords()) >= N, 120_000, "every record routed after the restart");
  expect(await delivered(FULL)).toBeGreaterThanOrEqual(good);
  const [f, p, d] = await Promise.all([delivered(FULL), delivered(PUBLIC), delivered(dlqTopicName(SLUG))]);
  [full, publicTier, dlq, source] = await Promise.all([
    consumeUntil(kafka, FULL, (a) => a.length >= f, 30_000),
    consumeUntil(kafka, PUBLIC, (a) => a.length >= p, 30_000),
    consumeUntil(kafka, dlqTopicName(SLUG), (a) => a.length >= d, 30_000),
    consumeUntil(kafka, SOURCE, (a) => a.length >= N, 30_000),
  ]);
  // Throughput rows are flushed every 2 s by each instance that routed something.
  const known = new Set(before.map((r) => r.instance));
  await waitFor(
    async () => {
      const rows = await t.db.selectDistinct({ instance: productThroughput.instance }).from(productThroughput);
      restartInstances = rows.filter((r) => !known.has(r.instance)).length;
      return restartInstances >= 2;
    },
    30_000,
    "both restarted routers reporting throughput",
  ).catch(() => {});
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  await Promise.all(children.map(exited));
  await broker.cleanup();
});

describe("router SIGKILL mid-stream and restart", () => {
  it("routes every source record: delivered (valid) or in the DLQ (bad), none lost", () => {
    const seen = new Set<number>();
    for (const m of full) seen.add(Number(JSON.parse(m.value!.toString()).id.slice(4)));
    for (const m of dlq) seen.add(Number(header(m, "x-seq")));
    const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !seen.has(i));
    expect(missing).toEqual([]);
    for (const m of dlq) expect(isBad(Number(header(m, "x-seq")))).toBe(true);
    for (const m of full) expect(isBad(Number(JSON.parse(m.value!.toString()).id.slice(4)))).toBe(false);
  });

  it("resumes from the commit: only records past the committed offsets at the kill are duplicated, and every tier gets the same records", () => {
    const ids = (ms: Consumed[]) => ms.map((m) => JSON.parse(m.value!.toString()).id as string);
    const seqOf = (id: string) => Number(id.slice(4));
    // Where each record sits in the source: the duplicates must all be past the commit at the kill.
    const position = new Map(source.map((m) => [Number(header(m, "x-seq")), { partition: m.partition, offset: Number(m.offset) }]));
    const duplicated = (seqs: number[]) => {
      const seen = new Set<number>();
      const dups: number[] = [];
      for (const q of seqs) (seen.has(q) ? dups : (seen.add(q), [])).push(q);
      return dups;
    };
    const dupFull = duplicated(ids(full).map(seqOf));
    const dupPublic = duplicated(ids(publicTier).map(seqOf));
    const dupDlq = duplicated(dlq.map((m) => Number(header(m, "x-seq"))));
    const committed = [...committedAtKill.values()].reduce((s, o) => s + Math.max(0, o), 0);
    console.log(
      `[router crash test] ${N} source records; when killed the first router had delivered ${killedAt} and committed ${committed}; duplicates after restart: ${dupFull.length} in tier full, ${dupPublic.length} in tier public, ${dupDlq.length} in the DLQ`,
    );
    expect(committed).toBeGreaterThan(0);
    for (const q of [...dupFull, ...dupPublic, ...dupDlq]) {
      const at = position.get(q)!;
      expect(at.offset).toBeGreaterThanOrEqual(committedAtKill.get(at.partition) ?? 0);
    }
    expect(new Set(ids(publicTier))).toEqual(new Set(ids(full)));
  });

  it("scales out: both restarted routers routed records of the shared group", () => {
    expect(restartInstances).toBeGreaterThanOrEqual(2);
  });

  it("keeps the byte index contiguous and exact: gap rows (crash window) count 0, every other size is the record's", async () => {
    for (const topic of [FULL, PUBLIC]) {
      const hw = await highWatermarks(kafka, topic);
      const msgs = topic === FULL ? full : publicTier;
      const rows = await t.db.select().from(deliveryByteIndex).where(and(eq(deliveryByteIndex.topic, topic), inArray(deliveryByteIndex.partition, [...hw.keys()]))).orderBy(asc(deliveryByteIndex.partition), asc(deliveryByteIndex.offset));
      for (const [partition, high] of hw) {
        const mine = rows.filter((r) => r.partition === partition);
        const sizes = new Map(msgs.filter((m) => m.partition === partition).map((m) => [Number(m.offset), recordSize(m.key, m.value, m.headers as Record<string, Buffer>)]));
        let expectOffset = 0;
        let cumulative = 0;
        for (const r of mine) {
          expect(r.baseOffset).toBe(expectOffset);
          const gap = r.recordBytes!.every((b) => b === 0);
          r.recordBytes!.forEach((b, k) => {
            if (!gap) expect(b).toBe(sizes.get(r.baseOffset! + k));
            cumulative += b;
          });
          expect(r.cumulativeBytes).toBe(cumulative);
          expectOffset = r.offset;
        }
        expect(expectOffset).toBe(high);
      }
    }
  });
});
