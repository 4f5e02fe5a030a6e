/**
 * `npm run bench:subscribe`: from the subscribe action to a verified credential, and to the first
 * record a consumer with that credential receives. Issue 5's figure: p95 ≤ 3 s for both.
 *
 * One run: its own database (DATABASE_URL's server, or an embedded PostgreSQL when unset), an
 * embedded broker (a child process) requiring SASL with ACLs, a product with an auto-approved masked plan, the
 * provisioner's job handlers in-process (runWorkerLoop with the same handlers and defaults as
 * workers/provisioner.ts), the router (lib/router startRouter) and a producer writing to the
 * source topic all along. Then N times, one after another, for a new team each time:
 *   subscribe → poll until "active" (the provisioner has created the principal and ACLs and
 *   verified them with a probe) → reveal the password (lib/provisioning revealCredentials)
 *   = credential time; then a kafkajs consumer with that credential, in its own group prefix,
 *   reading new records of the delivery topic → first record time (from the subscribe call).
 *
 *   npm run bench:subscribe [-- --n 50] [--keep]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { createDb } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { contractVersions, maskingTiers, memberships, organizations, plans, subscriptions, teams, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { env } from "@/lib/env";
import { jobHandler, runWorkerLoop, type JobLogger } from "@/lib/jobs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { deliveryTopicName } from "@/lib/kafka/names";
import { createProvisioner } from "@/lib/kafka/provisioning";
import { freePort } from "@/lib/net/free-port";
import { revealCredentials } from "@/lib/provisioning/credentials";
import { deprovisionSubscription, provisionSubscription, retireCredential } from "@/lib/provisioning/service";
import { startRouter } from "@/lib/router";
import { createRoutedProduct, paymentRecord } from "@/lib/router/test-fixtures";
import { deprovisionSubscriptionJob, provisionSubscriptionJob, retireCredentialJob } from "@/lib/subscriptions/jobs";
import { subscribe } from "@/lib/subscriptions/service";
import { dropDatabase, withAdmin } from "@/lib/testing/pg";
import { startBrokerProcess } from "./lib/broker-process";
import { formatTable, round, summarize, writeResults } from "./lib/stats";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const N = Number(arg("n", "50"));
const KEEP = process.argv.includes("--keep");
const ADMIN_PASSWORD = `bench-${randomBytes(6).toString("hex")}`;
const PRODUCE_EVERY_MS = 20;
const FIRST_RECORD_TIMEOUT_MS = 30_000;
const GOAL_P95_MS = 3000;

const e = env();
let embedded: EmbeddedDatabase | undefined;
let serverUrl = e.DATABASE_URL;
const benchPgDir = path.join(e.DATA_DIR, "bench-subscribe-pg");
if (!serverUrl) {
  await rm(benchPgDir, { recursive: true, force: true });
  const port = await freePort();
  console.log(`[bench] starting embedded PostgreSQL on 127.0.0.1:${port}`);
  embedded = await startEmbeddedPostgres({ dir: benchPgDir, port, database: "postgres" });
  serverUrl = embedded.url;
} else {
  console.log(`[bench] using DATABASE_URL's server (${new URL(serverUrl).host})`);
}
const dbName = `trib_bench_${randomBytes(4).toString("hex")}`;
await withAdmin(serverUrl, (s) => s.unsafe(`create database ${dbName}`));
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const { sql: pg, db } = createDb(url.toString(), 10);

const dataDir = mkdtempSync(path.join(tmpdir(), "bench-subscribe-"));
// The broker in its own process, as `npm run dev` runs it.
const broker = await startBrokerProcess(dataDir, { adminPassword: ADMIN_PASSWORD });
const connection: KafkaConnectionOptions = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
const abort = new AbortController();
const quietLog: JobLogger = { info() {}, warn() {}, error: (msg, meta) => console.error(`[provisioner] ${msg}`, meta ?? "") };
const provisioner = createProvisioner(connection);
const deps = { provisioner, connection };
let router: { stop(): Promise<void> } | undefined;
let producing = true;
let producerLoop: Promise<void> | undefined;

async function cleanup() {
  producing = false;
  abort.abort();
  await producerLoop?.catch(() => {});
  await router?.stop().catch(() => {});
  await provisioner.close().catch(() => {});
  await broker.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
  await pg.end({ timeout: 5 });
  if (!KEEP) await dropDatabase(serverUrl!, dbName);
  else console.log(`[bench] kept database ${dbName}`);
  if (embedded) {
    await embedded.stop();
    await rm(benchPgDir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

try {
  await runMigrations(url.toString());

  // ---- world: a routed product with an auto-approved masked plan, N consumer teams ----------
  const product = await createRoutedProduct(db);
  await db.update(contractVersions).set({ purposes: ["analytics"] }).where(eq(contractVersions.productId, product.id));
  const [tier] = await db.select().from(maskingTiers).where(eq(maskingTiers.productId, product.id)).then((rows) => rows.filter((t) => t.name === "internal"));
  const [plan] = await db.insert(plans).values({ productId: product.id, tierId: tier.id, name: "Bench auto", approval: "auto" }).returning();
  const [org] = await db.insert(organizations).values({ slug: `bench-${randomBytes(3).toString("hex")}`, name: "Bench consumers", kind: "internal" }).returning();
  const [u] = await db.insert(users).values({ email: `bench-${randomBytes(3).toString("hex")}@bench.test`, name: "Bench consumer", orgId: org.id }).returning();
  const teamIds: string[] = [];
  for (let i = 0; i < N; i++) {
    const [t] = await db.insert(teams).values({ orgId: org.id, slug: `bench-team-${i}-${randomBytes(2).toString("hex")}`, name: `Bench team ${i}` }).returning();
    await db.insert(memberships).values({ userId: u.id, teamId: t.id, role: "member" });
    teamIds.push(t.id);
  }
  const user = (await loadSessionUser(db, u.id))!;

  // ---- cluster side: source topic, router, provisioner, live producer -----------------------
  const kafka = createKafka({ connection, logLevel: "nothing", clientId: "bench" });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: product.sourceTopic!, numPartitions: 3 }] });
  await admin.disconnect();

  router = await startRouter({ db, connection, maskingSecret: "bench-masking-secret", log: () => {} });
  const worker = runWorkerLoop({
    db,
    workerId: `bench-provisioner-${process.pid}`,
    signal: abort.signal,
    concurrency: 4,
    log: quietLog,
    handlers: [
      jobHandler(provisionSubscriptionJob, async (payload, ctx) => void (await provisionSubscription(db, deps, payload, ctx))),
      jobHandler(deprovisionSubscriptionJob, async (payload) => void (await deprovisionSubscription(db, deps, payload))),
      jobHandler(retireCredentialJob, async (payload) => void (await retireCredential(db, deps, payload))),
    ],
  });

  const producer = kafka.producer();
  await producer.connect();
  let produced = 0;
  producerLoop = (async () => {
    while (producing) {
      await producer.send({ topic: product.sourceTopic!, messages: [{ key: `k${produced % 97}`, value: JSON.stringify(paymentRecord(produced)) }] });
      produced++;
      await sleep(PRODUCE_EVERY_MS);
    }
    await producer.disconnect();
  })();

  // Warm-up: the router has created the delivery topic and delivers.
  const topic = deliveryTopicName(product.slug, 1, tier.name);
  const warmUntil = Date.now() + 30_000;
  for (;;) {
    const a = kafka.admin();
    await a.connect();
    const ok = (await a.listTopics()).includes(topic) && (await a.fetchTopicOffsets(topic)).some((o) => Number(o.high) > 0);
    await a.disconnect();
    if (ok) break;
    if (Date.now() > warmUntil) throw new Error(`the router did not deliver to ${topic} within 30 s`);
    await sleep(200);
  }
  console.log(`[bench] router delivering to ${topic}; ${N} subscriptions follow (load ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);

  const credentialMs: number[] = [];
  const firstRecordMs: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const res = await subscribe(db, user, { productId: product.id, planId: plan.id, teamId: teamIds[i], purpose: "analytics" });
    if (res.kind !== "subscription") throw new Error("expected an auto-approved subscription");
    for (;;) {
      const [s] = await db.select({ state: subscriptions.state, reason: subscriptions.stateReason }).from(subscriptions).where(eq(subscriptions.id, res.subscriptionId));
      if (s.state === "active") break;
      if (s.state === "failed") throw new Error(`provisioning failed: ${s.reason}`);
      if (performance.now() - t0 > 60_000) throw new Error("not active after 60 s");
      await sleep(10);
    }
    const cred = await revealCredentials(db, { provisioner, bootstrap: connection.brokers }, user, res.subscriptionId);
    const tCred = performance.now();
    credentialMs.push(tCred - t0);

    const consumerKafka = createKafka({
      connection: { brokers: connection.brokers, sasl: { mechanism: "scram-sha-512", username: cred.username, password: cred.password } },
      logLevel: "nothing",
      clientId: `bench-consumer-${i}`,
    });
    const consumer = consumerKafka.consumer({ groupId: `${cred.groupPrefix}bench`, maxWaitTimeInMs: 100 });
    let got!: () => void;
    const first = new Promise<void>((r) => (got = r));
    await consumer.connect();
    await consumer.subscribe({ topics: [cred.topic], fromBeginning: false });
    await consumer.run({ eachMessage: async () => got() });
    const timeout = sleep(FIRST_RECORD_TIMEOUT_MS).then(() => "timeout" as const);
    const outcome = await Promise.race([first.then(() => "ok" as const), timeout]);
    const tFirst = performance.now();
    await consumer.disconnect();
    if (outcome !== "ok") throw new Error(`subscription ${i}: no record within ${FIRST_RECORD_TIMEOUT_MS} ms`);
    firstRecordMs.push(tFirst - t0);
    if ((i + 1) % 10 === 0) console.log(`[bench] ${i + 1}/${N}`);
  }

  const c = summarize(credentialMs);
  const f = summarize(firstRecordMs);
  const row = (name: string, s: typeof c) => [name, s.n, round(s.p50, 0), round(s.p95, 0), round(s.max, 0), s.p95 <= GOAL_P95_MS ? "yes" : "NO"];
  console.log("");
  console.log(
    formatTable([
      ["from subscribe to", "n", "p50 ms", "p95 ms", "max ms", `p95 ≤ ${GOAL_P95_MS} ms`],
      row("verified credential (active + revealed)", c),
      row("first record received", f),
    ]),
  );
  console.log(`\nrecords produced to the source meanwhile: ${produced}; delivery via the router (lib/router), not produced directly.`);
  const file = await writeResults("subscribe", {
    subscriptions: N,
    delivery: "router",
    credential_p50_ms: round(c.p50, 1),
    credential_p95_ms: round(c.p95, 1),
    credential_max_ms: round(c.max, 1),
    first_record_p50_ms: round(f.p50, 1),
    first_record_p95_ms: round(f.p95, 1),
    first_record_max_ms: round(f.max, 1),
    goal_p95_ms: GOAL_P95_MS,
    machine: { cpus: cpus().length, load1: round(loadavg()[0], 1) },
  });
  console.log(`[bench] wrote ${file}`);
  abort.abort();
  await worker;
} finally {
  await cleanup();
}
