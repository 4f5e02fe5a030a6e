import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meterBaselines, subscriptions, usageLedger } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { childEnv } from "@/lib/env";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { revealCredentials, type CredentialDeps } from "@/lib/provisioning/credentials";
import { provisionSubscription, type ProvisioningDeps } from "@/lib/provisioning/service";
import { subscribe } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { runMeterOnce } from "./meter";
import { kafkaOffsetSource, type OffsetSource } from "./offsets";
import { indexBatch } from "./test-fixtures";

/**
 * Exactness end to end: subscriptions provisioned on a SASL/ACL broker, consumers using their
 * issued credentials read known records and commit; the ledger equals what they read, message
 * for message and byte for byte. Then, round after round, all consumers read at once while the
 * meter runs as its own process (workers/meter.ts) and is SIGKILLed at random points, twice a
 * round; the test checks that kills landed while the meter was writing (checkpoints moved
 * between its start and its kill). Partway, a subscription of another team to the same topic
 * starts its consumer at "latest" on the topic's backlog: it is billed only for what it read.
 * After a clean run the ledger is still exact.
 */
const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "meter-admin";
const PARTITIONS = 3;
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;
let source: OffsetSource;

type Sub = { id: string; topic: string; prefix: string; username: string; password: string };
/** Expected ledger per subscription: what its groups have read and committed. */
const expected = new Map<string, { messages: number; bytes: number }>();
/** Next record number per topic, so values (and sizes) differ. */
const produced = new Map<string, number>();

// Deterministic pseudo-random (a failure can be replayed).
let seed = 20261122;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

const provisioningDeps = (): ProvisioningDeps => ({ provisioner, connection: adminConn, defaultPartitions: PARTITIONS });
const credentialDeps = (): CredentialDeps => ({ provisioner, bootstrap: [broker.bootstrap] });

async function newSubscription(): Promise<Sub & { world: SubscriptionWorld }> {
  const w = await createSubscriptionWorld(db);
  const res = await subscribeToAutoPlan(db, w);
  expect(await provisionSubscription(db, provisioningDeps(), { subscriptionId: res.subscriptionId })).toBe("active");
  const c = await revealCredentials(db, credentialDeps(), w.users.consumer, res.subscriptionId);
  return { id: res.subscriptionId, topic: c.topic, prefix: c.groupPrefix, username: c.username, password: c.password, world: w };
}

/** The partner team subscribes to the same product and tier as `w`'s consumer: the same delivery topic. */
async function partnerSubscription(w: SubscriptionWorld): Promise<Sub> {
  const res = await subscribe(db, w.users.partner, { productId: w.product.id, planId: w.plans.externalAutoPlan.id, teamId: w.teams.partnerTeam.id, purpose: "analytics" });
  if (res.kind !== "subscription") throw new Error("expected a subscription");
  expect(await provisionSubscription(db, provisioningDeps(), { subscriptionId: res.subscriptionId })).toBe("active");
  const c = await revealCredentials(db, credentialDeps(), w.users.partner, res.subscriptionId);
  return { id: res.subscriptionId, topic: c.topic, prefix: c.groupPrefix, username: c.username, password: c.password };
}

/** Produces `perPartition` records of varied sizes to every partition and indexes them as the router would. */
async function produceIndexed(topic: string, perPartition: number): Promise<number[]> {
  const producer = createKafka({ connection: adminConn, logLevel: "nothing" }).producer();
  await producer.connect();
  const sizes: number[] = [];
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const values: string[] = [];
      for (let i = 0; i < perPartition; i++) {
        const n = produced.get(topic) ?? 0;
        produced.set(topic, n + 1);
        values.push(`r${n}-`.padEnd(20 + Math.floor(rand() * 300), "x"));
      }
      const [meta] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: p })) });
      const batchSizes = values.map((v) => Buffer.byteLength(v));
      const at = await indexBatch(db, topic, p, batchSizes);
      expect(at.baseOffset).toBe(Number(meta!.baseOffset));
      sizes.push(...batchSizes);
    }
  } finally {
    await producer.disconnect();
  }
  return sizes;
}

/**
 * Reads until `count` new records arrived in `groupId` (as the subscription's principal),
 * committing after each one (`delayMs` apart, so a round lasts long enough to kill the meter in
 * it), then leaves. `ready` resolves once the consumer has joined and picked its start position
 * (from the beginning, or "latest" for a group without commits).
 */
function consume(sub: Sub, groupId: string, count: number, opts: { fromBeginning?: boolean; delayMs?: number } = {}): { ready: Promise<void>; done: Promise<number> } {
  const kafka = new Kafka({
    clientId: "consumer-app",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: "scram-sha-512", username: sub.username, password: sub.password },
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 500 });
  let joined: () => void = () => {};
  const ready = new Promise<void>((resolve) => (joined = () => setTimeout(resolve, 1500)));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  const done = (async () => {
    let seen = 0;
    let bytes = 0;
    await consumer.connect();
    await consumer.subscribe({ topic: sub.topic, fromBeginning: opts.fromBeginning ?? true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen} of ${count} in ${groupId}`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          seen++;
          bytes += message.value!.length;
          if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
          await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
          if (seen === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toBe(count);
    const e = expected.get(sub.id) ?? { messages: 0, bytes: 0 };
    expected.set(sub.id, { messages: e.messages + count, bytes: e.bytes + bytes });
    return bytes;
  })();
  return { ready, done };
}

/** Sum of every committed offset the meter has checkpointed: it moves exactly when a meter transaction commits. */
async function checkpointSum(): Promise<number> {
  const [row] = await db.execute<{ n: string | null }>(sql`select sum(committed_offset)::text as n from meter_checkpoints`);
  return Number(row?.n ?? 0);
}

async function ledgerTotals(): Promise<Map<string, { messages: number; bytes: number }>> {
  const rows = await db.select().from(usageLedger);
  const out = new Map<string, { messages: number; bytes: number }>();
  for (const r of rows) {
    const e = out.get(r.subscriptionId) ?? { messages: 0, bytes: 0 };
    out.set(r.subscriptionId, { messages: e.messages + r.messages, bytes: e.bytes + r.bytes });
  }
  return out;
}

async function expectLedgerExact(): Promise<void> {
  const totals = await ledgerTotals();
  for (const [id, e] of expected) expect(totals.get(id) ?? { messages: 0, bytes: 0 }, `subscription ${id}`).toEqual(e);
}

function startMeterProcess(): { child: ChildProcess; started: Promise<void>; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/meter.ts", "--interval-ms", "0"], {
    cwd: process.cwd(),
    env: childEnv({
      DATABASE_URL: t.url,
      KAFKA_BROKERS: broker.bootstrap,
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "admin",
      KAFKA_SASL_PASSWORD: ADMIN_PASSWORD,
      BROKER_ADMIN_PASSWORD: undefined,
      NODE_ENV: "test",
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const started = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes("meter started")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`meter exited early (${code}): ${out}`)));
  });
  return { child, started, output: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "meter-broker-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
  source = kafkaOffsetSource(adminConn);
}, 60_000);

afterAll(async () => {
  await source?.close();
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("metering against a Kafka cluster", () => {
  it("N consumers with their issued credentials: the ledger equals what they read, across concurrent reads, meter SIGKILLs and a consumer starting at latest", async () => {
    const subs: Sub[] = [];
    const firstSub = await newSubscription();
    subs.push(firstSub, await newSubscription(), await newSubscription());
    // The meter sees new subscriptions right after activation (in production, every 15 s and
    // already while they are provisioned), before their consumers can have read anything.
    await runMeterOnce(db, { source });
    const perPartition = [5, 9, 14];
    for (let i = 0; i < subs.length; i++) await produceIndexed(subs[i]!.topic, perPartition[i]!);
    // All groups read at once: each subscription's first group reads everything, the second
    // subscription has a second group too.
    await Promise.all([
      ...subs.map((s, i) => consume(s, `${s.prefix}app`, perPartition[i]! * PARTITIONS).done),
      consume(subs[1]!, `${subs[1]!.prefix}audit`, perPartition[1]! * PARTITIONS).done,
    ]);
    const report = await runMeterOnce(db, { source });
    expect(report.errors).toEqual([]);
    await expectLedgerExact();
    await runMeterOnce(db, { source });
    await expectLedgerExact();

    // Rounds: every group reads its new records at once, while the meter runs as its own process
    // and is SIGKILLed twice per round.
    let kills = 0;
    let killsAfterWrites = 0;
    let late: Sub | null = null;
    for (let round = 0; round < 4; round++) {
      const n = 4 + Math.floor(rand() * 4);
      // The first meter process of the round runs before anyone reads.
      const first = startMeterProcess();
      await first.started;
      let lateReading: Promise<number> | null = null;
      if (round === 2) {
        // Partway: the partner team subscribes to the first product (the same delivery topic,
        // with its backlog), the meter sees it, and its consumer starts at "latest".
        late = await partnerSubscription(firstSub.world);
        await runMeterOnce(db, { source });
        const [base] = await db.select().from(meterBaselines).where(eq(meterBaselines.subscriptionId, late.id));
        expect(Object.values(base!.offsets).reduce((a, b) => a + b, 0)).toBe(produced.get(firstSub.topic));
        const c = consume(late, `${late.prefix}live`, n * PARTITIONS, { fromBeginning: false, delayMs: 100 });
        await c.ready;
        lateReading = c.done;
      } else if (late) {
        lateReading = consume(late, `${late.prefix}live`, n * PARTITIONS, { delayMs: 100 }).done;
      }
      for (const sub of subs) await produceIndexed(sub.topic, n);
      // Every group reads its new records at once, slowly (a commit every 250 ms).
      let readingDone = false;
      const reading = Promise.all([
        ...subs.map((s) => consume(s, `${s.prefix}app`, n * PARTITIONS, { delayMs: 250 }).done),
        consume(subs[1]!, `${subs[1]!.prefix}audit`, n * PARTITIONS, { delayMs: 250 }).done,
        ...(lateReading ? [lateReading] : []),
      ]).finally(() => (readingDone = true));
      // Kill 1: at a random point. Kill 2: a new process, killed at a random point once it has
      // committed at least one transaction (while the consumers still commit, it has work).
      for (let k = 0; k < 2; k++) {
        const meter = k === 0 ? first : startMeterProcess();
        await meter.started;
        const before = await checkpointSum();
        if (k === 1) {
          const until = Date.now() + 20_000;
          while (!readingDone && Date.now() < until && (await checkpointSum()) === before) await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 50 + Math.floor(rand() * 700)));
        meter.child.kill("SIGKILL");
        await exited(meter.child);
        kills++;
        if ((await checkpointSum()) > before) killsAfterWrites++;
      }
      await reading;
    }
    expect(kills).toBe(8);
    // The kills hit a meter that was busy writing, not only one still starting up.
    expect(killsAfterWrites).toBeGreaterThanOrEqual(1);

    // One more process that stops cleanly on SIGTERM after catching up.
    const last = startMeterProcess();
    await last.started;
    await new Promise((r) => setTimeout(r, 1500));
    last.child.kill("SIGTERM");
    expect(await exited(last.child), last.output()).toBe(0);
    // The worker process itself brought the ledger to exact; one more run changes nothing.
    await expectLedgerExact();
    await runMeterOnce(db, { source });
    await expectLedgerExact();
    // The late subscription paid for what it read, not for the backlog before it started.
    expect(expected.get(late!.id)!.messages).toBeLessThan(produced.get(firstSub.topic)!);
    const states = await db.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, subs[0]!.id));
    expect(states[0]!.state).toBe("active");
  }, 600_000);
});
