import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptions, usageLedger } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { childEnv } from "@/lib/env";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { revealCredentials, type CredentialDeps } from "@/lib/provisioning/credentials";
import { provisionSubscription, type ProvisioningDeps } from "@/lib/provisioning/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { runMeterOnce } from "./meter";
import { kafkaOffsetSource, type OffsetSource } from "./offsets";
import { indexBatch } from "./test-fixtures";

/**
 * Exactness end to end: subscriptions provisioned on a SASL/ACL broker, consumers using their
 * issued credentials read known records and commit; the ledger equals what they read, message
 * for message and byte for byte. Then the meter runs as its own process (workers/meter.ts) and
 * is SIGKILLed at random points of its runs while consumers keep reading; after a clean run the
 * ledger is still exact.
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

async function newSubscription(): Promise<Sub> {
  const deps: ProvisioningDeps = { provisioner, connection: adminConn, defaultPartitions: PARTITIONS };
  const credDeps: CredentialDeps = { provisioner, bootstrap: [broker.bootstrap] };
  const w = await createSubscriptionWorld(db);
  const res = await subscribeToAutoPlan(db, w);
  expect(await provisionSubscription(db, deps, { subscriptionId: res.subscriptionId })).toBe("active");
  const c = await revealCredentials(db, credDeps, w.users.consumer, res.subscriptionId);
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

/** Reads until `count` new records arrived in `groupId` (as the subscription's principal), commits, leaves. */
async function consume(sub: Sub, groupId: string, count: number): Promise<number> {
  const kafka = new Kafka({
    clientId: "consumer-app",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: "scram-sha-512", username: sub.username, password: sub.password },
  });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 500 });
  let seen = 0;
  let bytes = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: sub.topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${seen} of ${count} in ${groupId}`)), 30_000);
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        seen++;
        bytes += message.value!.length;
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
  it("N consumers with their issued credentials: the ledger equals what they read, and stays exact across meter SIGKILLs", async () => {
    const subs = [await newSubscription(), await newSubscription(), await newSubscription()];
    const perPartition = [5, 9, 14];
    for (let i = 0; i < subs.length; i++) await produceIndexed(subs[i]!.topic, perPartition[i]!);
    // Each subscription's first group reads everything; the second subscription has a second group too.
    for (let i = 0; i < subs.length; i++) await consume(subs[i]!, `${subs[i]!.prefix}app`, perPartition[i]! * PARTITIONS);
    await consume(subs[1]!, `${subs[1]!.prefix}audit`, perPartition[1]! * PARTITIONS);

    const report = await runMeterOnce(db, { source });
    expect(report.errors).toEqual([]);
    await expectLedgerExact();
    await runMeterOnce(db, { source });
    await expectLedgerExact();

    // The meter as its own process, killed at random points of its runs while consumers read on.
    for (let round = 0; round < 5; round++) {
      const sub = subs[round % subs.length]!;
      const n = 2 + Math.floor(rand() * 6);
      await produceIndexed(sub.topic, n);
      const meter = startMeterProcess();
      await meter.started;
      const reading = consume(sub, `${sub.prefix}app`, n * PARTITIONS);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(rand() * 600)));
      meter.child.kill("SIGKILL");
      await exited(meter.child);
      await reading;
    }

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
    const states = await db.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, subs[0]!.id));
    expect(states[0]!.state).toBe("active");
  }, 180_000);
});
