import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, like, sql } from "drizzle-orm";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel, type Consumer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, credentials, jobs, subscriptions } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { AppError } from "@/lib/errors";
import { jobHandler, reclaimStaleJobs, startWorker } from "@/lib/jobs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { deliveryTopicName, groupPrefix, principalName, subscriptionUsername } from "@/lib/kafka/names";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { provisionDedupeKey, provisionSubscriptionJob, retireDedupeKey } from "@/lib/subscriptions/jobs";
import { approveAccessRequest, cancelSubscription, resumeSubscription, retryProvisioning, subscribe, suspendSubscription } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import type { SessionUser } from "@/lib/auth/roles";
import { revealCredentials, rotateCredentials, type CredentialDeps } from "./credentials";
import { buildConnectionSnippets } from "./snippets";
import { provisionerJobHandlers } from "./runner";
import { wrapProvisioner } from "./test-support";
import { deprovisionSubscription, failExhaustedProvisioning, provisionSubscription, reconcileAccess, retireCredential, type ProvisioningDeps } from "./service";

/**
 * Subscriptions end to end against real PostgreSQL and the embedded broker with SASL and ACLs
 * enforced: the credential a consumer gets reads its topic with its group prefix and nothing
 * else, and every way access ends really ends it on the cluster.
 */

const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "subs-admin";
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;
let deps: ProvisioningDeps;
let credDeps: CredentialDeps;
const otherTopic = "tributary.delivery.someone-else.v1.full";

function kafkaAs(username: string, password: string): Kafka {
  return new Kafka({
    clientId: "consumer-app",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    sasl: { mechanism: "scram-sha-512", username, password },
  });
}

async function canAuthenticate(username: string, password: string): Promise<boolean> {
  const admin = kafkaAs(username, password).admin();
  try {
    await admin.connect();
    await admin.disconnect();
    return true;
  } catch (err) {
    if (/authentication failed/i.test((err as Error).message)) return false;
    throw err;
  }
}

async function produceAsAdmin(topic: string, values: string[]): Promise<void> {
  const producer = createKafka({ connection: adminConn, logLevel: "nothing" }).producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function newActiveSubscription(w: Awaited<ReturnType<typeof createSubscriptionWorld>>): Promise<string> {
  const res = await subscribeToAutoPlan(db, w);
  expect(await provisionSubscription(db, deps, { subscriptionId: res.subscriptionId })).toBe("active");
  return res.subscriptionId;
}

function startConsumer(kafka: Kafka, groupId: string, topic: string, into: string[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 1000, heartbeatInterval: 500, retry: { retries: 0, restartOnFailure: async () => false } });
  return (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void into.push(message.value!.toString()) });
    return consumer;
  })();
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "subs-broker-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
  deps = { provisioner, connection: adminConn };
  credDeps = { provisioner, bootstrap: [broker.bootstrap] };
  const admin = createKafka({ connection: adminConn, logLevel: "nothing" }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: otherTopic }] });
  await admin.disconnect();
  await produceAsAdmin(otherTopic, ["private"]);
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("subscribe -> provision -> reveal -> consume", () => {
  it("the worker provisions a verified least-privilege credential; reveal shows it once and it is never stored", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribeToAutoPlan(db, w);
    const id = res.subscriptionId;

    const stop = new AbortController();
    const worker = startWorker({
      db,
      workerId: "test-provisioner",
      signal: stop.signal,
      pollMs: 100,
      handlers: [jobHandler(provisionSubscriptionJob, async (payload, ctx) => void (await provisionSubscription(db, deps, payload, ctx)))],
    });
    await waitFor(async () => (await db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]?.state === "active", 20_000, "active");
    stop.abort();
    await worker.stopped;

    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    const topic = deliveryTopicName(w.product.slug, 1, "masked");
    expect(sub).toMatchObject({ deliveryTopic: topic, groupPrefix: groupPrefix(id), stateReason: null });
    expect(sub!.activatedAt).toBeInstanceOf(Date);
    const listed = (await provisioner.listPrincipalsAndAcls()).find((p) => p.principal === principalName(subscriptionUsername(id)));
    expect(listed?.acls.map((a) => `${a.resourceType}:${a.patternType}:${a.resourceName}:${a.operation}`).sort()).toEqual([
      `group:prefixed:${groupPrefix(id)}:read`,
      `topic:literal:${topic}:describe`,
      `topic:literal:${topic}:read`,
    ]);
    const provisioned = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.provisioned")));
    expect(provisioned[0]?.details).toMatchObject({ verified: true });

    // Another team cannot reveal it, and it cannot be revealed before it exists.
    await expect(revealCredentials(db, credDeps, w.users.outsider, id)).rejects.toMatchObject({ code: "not_found" });
    const revealed = await revealCredentials(db, credDeps, w.users.consumer, id);
    expect(revealed).toMatchObject({ username: subscriptionUsername(id), topic, groupPrefix: groupPrefix(id), mechanism: "SCRAM-SHA-512", bootstrap: [broker.bootstrap] });
    expect(revealed.password.length).toBeGreaterThanOrEqual(40);
    expect(revealed.snippets.kafkajs).toContain(revealed.password);
    await expect(revealCredentials(db, credDeps, w.users.colleague, id)).rejects.toMatchObject({ code: "conflict" });

    await produceAsAdmin(topic, ["one", "two"]);
    const kafka = kafkaAs(revealed.username, revealed.password);
    const values: string[] = [];
    const consumer = await startConsumer(kafka, `${revealed.groupPrefix}dashboards`, topic, values);
    await waitFor(() => values.length >= 2, 15_000, "records");
    expect(values.sort()).toEqual(["one", "two"]);
    await consumer.disconnect();

    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: "write" }] })).rejects.toThrow(/authoriz/i);
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await expect(admin.fetchTopicMetadata({ topics: [otherTopic] })).rejects.toThrow(/authoriz/i);
    await admin.disconnect();
    const outsider = kafka.consumer({ groupId: "not-my-prefix", retry: { retries: 0, restartOnFailure: async () => false } });
    const crashed = new Promise<Error>((resolve) => outsider.on(outsider.events.CRASH, (e) => resolve(e.payload.error)));
    await outsider.connect();
    await outsider.subscribe({ topic, fromBeginning: true });
    await outsider.run({ eachMessage: async () => {} }).catch(() => {});
    // kafkajs surfaces FindCoordinator's GROUP_AUTHORIZATION_FAILED as a coordinator failure.
    expect(String((await crashed).message)).toMatch(/authoriz|group coordinator/i);
    await outsider.disconnect().catch(() => {});
    const asAdmin = createKafka({ connection: adminConn, logLevel: "nothing" }).admin();
    await asAdmin.connect();
    const outsiderOffsets = await asAdmin.fetchOffsets({ groupId: "not-my-prefix", topics: [topic] });
    expect(outsiderOffsets[0]!.partitions.every((p) => p.offset === "-1")).toBe(true);
    const ownOffsets = await asAdmin.fetchOffsets({ groupId: `${revealed.groupPrefix}dashboards`, topics: [topic] });
    expect(ownOffsets[0]!.partitions.some((p) => Number(p.offset) > 0)).toBe(true);
    await asAdmin.disconnect();

    // The password is in no row of any table, audit log and jobs included.
    const tables = await db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name } of tables) {
      const hits = await db.execute(sql`select 1 from ${sql.identifier(table_name)} t where t::text like ${`%${revealed.password}%`} limit 1`);
      expect(hits.length, `password found in ${table_name}`).toBe(0);
    }
    expect((await db.select().from(auditLog).where(eq(auditLog.action, "credential.reveal"))).length).toBeGreaterThan(0);
  }, 90_000);

  it("provisioning twice (also concurrently) is safe and leaves exactly one grant", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribeToAutoPlan(db, w);
    const outcomes = await Promise.all([
      provisionSubscription(db, deps, { subscriptionId: res.subscriptionId }),
      provisionSubscription(db, deps, { subscriptionId: res.subscriptionId }),
    ]);
    expect(outcomes.sort()).toEqual(["active", "skipped"]);
    expect(await provisionSubscription(db, deps, { subscriptionId: res.subscriptionId })).toBe("skipped");
    const mine = (await provisioner.listPrincipalsAndAcls()).filter((p) => p.principal === principalName(subscriptionUsername(res.subscriptionId)));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.acls).toHaveLength(3);
    expect(mine[0]!.scramMechanisms).toEqual(["scram-sha-512"]);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, res.subscriptionId));
    expect(sub!.state).toBe("active");
  }, 60_000);

  it("a cluster that is down leaves a visible retrying state, then failed with the reason after the last attempt", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribeToAutoPlan(db, w);
    const down: KafkaConnectionOptions = { brokers: ["127.0.0.1:1"] };
    const downDeps: ProvisioningDeps = { provisioner: createProvisioner(down), connection: down };
    const job = (attempt: number) => ({ job: { id: 1, kind: "subscription.provision", dedupeKey: "x", attempt, maxAttempts: 3, createdAt: new Date() } });
    await expect(provisionSubscription(db, downDeps, { subscriptionId: res.subscriptionId }, job(1))).rejects.toThrow();
    let [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, res.subscriptionId));
    expect(sub!.state).toBe("provisioning");
    expect(sub!.stateReason).toMatch(/^Attempt 1 of 3 failed, retrying: /);
    expect(await provisionSubscription(db, downDeps, { subscriptionId: res.subscriptionId }, job(3))).toBe("failed");
    [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, res.subscriptionId));
    expect(sub!.state).toBe("failed");
    expect(sub!.stateReason).toMatch(/^Provisioning failed after 3 attempts: /);
    await downDeps.provisioner.close();
  }, 60_000);
});

describe("failed provisioning comes back", () => {
  /** A provisioner whose ACL step fails (after the user exists) while `failing` is set. */
  function failingAclsProvisioner(state: { failing: boolean }): KafkaAccessProvisioner {
    return wrapProvisioner(provisioner, {
      grantSubscriptionAcls: async (g) => {
        if (state.failing) throw new Error("injected: ACL step failed");
        await provisioner.grantSubscriptionAcls(g);
      },
    });
  }
  const lastAttempt = { job: { id: 1, kind: "subscription.provision", dedupeKey: "x", attempt: 8, maxAttempts: 8, createdAt: new Date() } };

  it("failed -> reconcile removes its principal -> retry provisions the next generation through the queue -> active", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId: id } = await subscribeToAutoPlan(db, w);
    const failing = { failing: true };
    const failDeps: ProvisioningDeps = { provisioner: failingAclsProvisioner(failing), connection: adminConn };
    expect(await provisionSubscription(db, failDeps, { subscriptionId: id }, lastAttempt)).toBe("failed");
    const first = principalName(subscriptionUsername(id));
    expect((await provisioner.listPrincipalsAndAcls()).some((p) => p.principal === first)).toBe(true);

    // A failed subscription holds no access: the reconciler removes the half-made principal.
    const report = await reconcileAccess(db, deps);
    expect(report.removed).toContain(first);
    expect((await db.select().from(credentials).where(eq(credentials.subscriptionId, id))).every((c) => c.revokedAt)).toBe(true);

    await expect(retryProvisioning(db, w.users.outsider, { subscriptionId: id })).rejects.toMatchObject({ code: "not_found" });
    await retryProvisioning(db, w.users.consumer, { subscriptionId: id });
    const rows = await db.select().from(credentials).where(eq(credentials.subscriptionId, id)).orderBy(credentials.createdAt);
    expect(rows.map((c) => [c.username, c.revokedAt === null])).toEqual([
      [subscriptionUsername(id), false],
      [subscriptionUsername(id, 1), true],
    ]);

    const stop = new AbortController();
    const worker = startWorker({ db, workerId: "test-retry", signal: stop.signal, pollMs: 100, handlers: provisionerJobHandlers(db, deps) });
    try {
      await waitFor(async () => (await db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]?.state === "active", 20_000, "active after retry");
    } finally {
      stop.abort();
      await worker.stopped;
    }
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub).toMatchObject({ state: "active", stateReason: null, principal: principalName(subscriptionUsername(id, 1)) });
    const cred = await revealCredentials(db, credDeps, w.users.consumer, id);
    expect(cred.username).toBe(subscriptionUsername(id, 1));
    expect(await canAuthenticate(cred.username, cred.password)).toBe(true);
    // The reconciler now leaves it alone.
    const again = await reconcileAccess(db, deps);
    expect(again.removed).not.toContain(principalName(cred.username));
    expect(again.regranted).not.toContain(principalName(cred.username));
  }, 90_000);

  it("a job that fails halfway (user created, ACLs not) is retried by the queue without creating a second principal", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId: id } = await subscribeToAutoPlan(db, w);
    const failing = { failing: true };
    let usersCreated = 0;
    const halfway = wrapProvisioner(provisioner, {
      upsertScramUser: async (...a) => {
        usersCreated++;
        await provisioner.upsertScramUser(...a);
      },
      grantSubscriptionAcls: async (g) => {
        if (failing.failing) {
          failing.failing = false;
          throw new Error("injected: worker lost the cluster after creating the user");
        }
        await provisioner.grantSubscriptionAcls(g);
      },
    });
    const stop = new AbortController();
    const worker = startWorker({
      db,
      workerId: "test-halfway",
      signal: stop.signal,
      pollMs: 100,
      handlers: provisionerJobHandlers(db, { provisioner: halfway, connection: adminConn }),
    });
    try {
      await waitFor(async () => (await db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]?.state === "active", 30_000, "active after the retry");
    } finally {
      stop.abort();
      await worker.stopped;
    }
    expect(usersCreated).toBe(2);
    const [job] = await db.select().from(jobs).where(eq(jobs.dedupeKey, provisionDedupeKey(id)));
    expect(job).toMatchObject({ status: "done", attempts: 2 });
    expect(await db.select().from(credentials).where(eq(credentials.subscriptionId, id))).toHaveLength(1);
    const mine = (await provisioner.listPrincipalsAndAcls()).filter((p) => p.principal.includes(id));
    expect(mine.map((p) => p.principal)).toEqual([principalName(subscriptionUsername(id))]);
    expect(mine[0]!.scramMechanisms).toEqual(["scram-sha-512"]);
    const topic = deliveryTopicName(w.product.slug, 1, "masked");
    expect(mine[0]!.acls.map((a) => `${a.resourceType}:${a.patternType}:${a.resourceName}:${a.operation}:${a.permission}`).sort()).toEqual([
      `group:prefixed:${groupPrefix(id)}:read:allow`,
      `topic:literal:${topic}:describe:allow`,
      `topic:literal:${topic}:read:allow`,
    ]);
    const attempts = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.provision_attempt_failed")));
    expect(attempts.map((a) => (a.details as { error: string }).error)).toEqual(["injected: worker lost the cluster after creating the user"]);
    const cred = await revealCredentials(db, credDeps, w.users.consumer, id);
    expect(await canAuthenticate(cred.username, cred.password)).toBe(true);
  }, 60_000);

  it("the probe joins a group under the prefix and fetches: a missing group ACL or topic READ fails verification, each step audited", async () => {
    const w = await createSubscriptionWorld(db);
    const onlyTopic = wrapProvisioner(provisioner, {
      // Topic READ+DESCRIBE but no group ACL: metadata looks fine, consuming does not.
      grantSubscriptionAcls: (g) => provisioner.grantSubscriptionAcls({ ...g, groupPrefix: "tributary.probe-test.nobody." }),
    });
    const { subscriptionId: a } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, { provisioner: onlyTopic, connection: adminConn }, { subscriptionId: a }, lastAttempt)).toBe("failed");
    const [subA] = await db.select().from(subscriptions).where(eq(subscriptions.id, a));
    expect(subA!.stateReason).toMatch(/^Provisioning failed after 8 attempts: probe: consuming as the principal failed: .*(authoriz|group coordinator)/i);
    const stepsA = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, a), like(auditLog.action, "subscription.provision%"))).orderBy(auditLog.id);
    expect(stepsA.map((e) => e.action)).toEqual([
      "subscription.provision.topic_ensured",
      "subscription.provision.principal_created",
      "subscription.provision.acls_granted",
      "subscription.provision.quota_applied",
      "subscription.provision.probe_failed",
      "subscription.provision_failed",
    ]);
    expect(stepsA.at(-1)!.details).toMatchObject({ step: "probe" });

    // DESCRIBE without READ on the topic: the fetch is refused.
    await db.update(subscriptions).set({ planId: w.plans.retiredPlan.id }).where(eq(subscriptions.id, a));
    const noRead = wrapProvisioner(provisioner, {
      grantSubscriptionAcls: async (g) => {
        await provisioner.grantSubscriptionAcls(g);
        await provisioner.deleteAcls(g.principal, [{ resourceType: "topic", resourceName: g.topic, patternType: "literal", operation: "read", permission: "allow", host: "*" }]);
      },
    });
    const { subscriptionId: b } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, { provisioner: noRead, connection: adminConn }, { subscriptionId: b }, lastAttempt)).toBe("failed");
    const [subB] = await db.select().from(subscriptions).where(eq(subscriptions.id, b));
    expect(subB!.stateReason).toMatch(/probe: .*authoriz/i);

    // The successful path records every step, then subscription.provisioned.
    await db.update(subscriptions).set({ planId: w.plans.externalAutoPlan.id }).where(eq(subscriptions.id, b));
    const c = await newActiveSubscription(w);
    const stepsC = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, c), like(auditLog.action, "subscription.provision%"))).orderBy(auditLog.id);
    expect(stepsC.map((e) => e.action)).toEqual([
      "subscription.provision.topic_ensured",
      "subscription.provision.principal_created",
      "subscription.provision.acls_granted",
      "subscription.provision.quota_applied",
      "subscription.provision.probe_passed",
      "subscription.provisioned",
    ]);
    expect(stepsC[0]!.details).toMatchObject({ attempt: 1, topic: deliveryTopicName(w.product.slug, 1, "masked"), created: false });
  }, 90_000);

  it("a last attempt that times out, or whose worker died, still ends the subscription failed with the reason", async () => {
    const w = await createSubscriptionWorld(db);
    const { subscriptionId: id } = await subscribeToAutoPlan(db, w);
    await db.update(jobs).set({ maxAttempts: 1 }).where(eq(jobs.dedupeKey, provisionDedupeKey(id)));
    let release!: () => void;
    const hung = new Promise<void>((_, reject) => (release = () => reject(new Error("released"))));
    const hangingDeps: ProvisioningDeps = {
      connection: adminConn,
      provisioner: { ...failingAclsProvisioner({ failing: false }), upsertScramUser: () => hung },
    };
    const stop = new AbortController();
    const worker = startWorker({
      db,
      workerId: "test-timeout",
      signal: stop.signal,
      pollMs: 100,
      handlers: [jobHandler({ ...provisionSubscriptionJob, timeoutMs: 300 }, async (p, ctx) => void (await provisionSubscription(db, hangingDeps, p, ctx)))],
    });
    try {
      await waitFor(async () => (await db.select().from(jobs).where(eq(jobs.dedupeKey, provisionDedupeKey(id))))[0]?.status === "failed", 10_000, "job failed");
    } finally {
      stop.abort();
      await worker.stopped;
    }
    let [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.state).toBe("provisioning");
    expect(await failExhaustedProvisioning(db)).toEqual([id]);
    [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.state).toBe("failed");
    expect(sub!.stateReason).toMatch(/^Provisioning failed after 1 attempts: JobTimeoutError: Attempt timed out after 300 ms/);
    expect(await failExhaustedProvisioning(db)).toEqual([]);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "subscription.provision_failed")));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toMatchObject({ via: "queue" });

    // Worker died on the last attempt: the stale-lock reclaim gives the job up, the sweep follows.
    await retryProvisioning(db, w.users.consumer, { subscriptionId: id });
    const [retryJob] = await db.select().from(jobs).where(and(eq(jobs.kind, "subscription.provision"), like(jobs.dedupeKey, `${provisionDedupeKey(id)}:after:%`)));
    await db
      .update(jobs)
      .set({ status: "running", attempts: retryJob!.maxAttempts, lockedBy: "dead-worker", lockedAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(jobs.id, retryJob!.id));
    expect((await reclaimStaleJobs(db, { visibilityTimeoutMs: 60_000 })).failed).toContain(retryJob!.id);
    expect(await failExhaustedProvisioning(db)).toEqual([id]);
    [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.state).toBe("failed");
    expect(sub!.stateReason).toMatch(/stopped renewing its lock/);
    // The timed-out attempt finally returns: it finds the subscription failed and changes nothing.
    release();
    await new Promise((r) => setTimeout(r, 200));
    [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.stateReason).toMatch(/stopped renewing its lock/);
  }, 60_000);
});

describe("rotation and ending access", () => {
  it("rotation keeps the old secret through the grace period, then the retire job removes it", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await newActiveSubscription(w);
    const first = await revealCredentials(db, credDeps, w.users.consumer, id);
    await expect(rotateCredentials(db, credDeps, w.users.outsider, id)).rejects.toBeInstanceOf(AppError);
    const now = new Date();
    const second = await rotateCredentials(db, credDeps, w.users.colleague, id, { graceMs: 60_000, now });
    expect(second.username).toBe(subscriptionUsername(id, 1));
    expect(second.password).not.toBe(first.password);
    expect(second.previousRetiresAt?.getTime()).toBe(now.getTime() + 60_000);
    expect(await canAuthenticate(first.username, first.password)).toBe(true);
    expect(await canAuthenticate(second.username, second.password)).toBe(true);

    const [oldCred] = await db.select().from(credentials).where(eq(credentials.username, first.username));
    const [retireJob] = await db.select().from(jobs).where(eq(jobs.dedupeKey, retireDedupeKey(oldCred!.id)));
    expect(retireJob?.runAt.getTime()).toBe(now.getTime() + 60_000);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.principal).toBe(principalName(second.username));

    // The job's run: old principal gone, new one untouched and still reading.
    expect(await retireCredential(db, deps, { credentialId: oldCred!.id })).toBe("done");
    expect(await retireCredential(db, deps, { credentialId: oldCred!.id })).toBe("skipped");
    expect(await canAuthenticate(first.username, first.password)).toBe(false);
    expect(await canAuthenticate(second.username, second.password)).toBe(true);
    await produceAsAdmin(second.topic, [`rotated-${w.tag}`]);
    const values: string[] = [];
    const consumer = await startConsumer(kafkaAs(second.username, second.password), `${second.groupPrefix}app`, second.topic, values);
    await waitFor(() => values.includes(`rotated-${w.tag}`), 15_000, "record after rotation");
    await consumer.disconnect();
  }, 90_000);

  it("cancel -> deprovision: the credential stops authenticating and an open consumer is cut off within seconds", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await newActiveSubscription(w);
    const cred = await revealCredentials(db, credDeps, w.users.consumer, id);
    const values: string[] = [];
    const consumer = await startConsumer(kafkaAs(cred.username, cred.password), `${cred.groupPrefix}live`, cred.topic, values);
    await produceAsAdmin(cred.topic, ["before"]);
    await waitFor(() => values.includes("before"), 15_000, "record before cancel");

    await cancelSubscription(db, w.users.consumer, { subscriptionId: id });
    const cutAt = Date.now();
    expect(await deprovisionSubscription(db, deps, { subscriptionId: id })).toBe("done");
    await waitFor(() => !broker.listConnections().some((c) => c.principal === principalName(cred.username)), 10_000, "connections closed");
    expect(Date.now() - cutAt).toBeLessThan(10_000);
    await produceAsAdmin(cred.topic, ["after"]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(values).not.toContain("after");
    await consumer.disconnect().catch(() => {});
    expect(await canAuthenticate(cred.username, cred.password)).toBe(false);
    expect((await provisioner.listPrincipalsAndAcls()).some((p) => p.principal === principalName(cred.username))).toBe(false);
    const [row] = await db.select().from(credentials).where(eq(credentials.username, cred.username));
    expect(row!.revokedAt).toBeInstanceOf(Date);
    expect(await deprovisionSubscription(db, deps, { subscriptionId: id })).toBe("done");
  }, 90_000);

  it("suspend removes access; resume provisions a new principal generation and the old secret stays dead", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await newActiveSubscription(w);
    const before = await revealCredentials(db, credDeps, w.users.consumer, id);
    await suspendSubscription(db, { subscriptionId: id, reason: "Invoice overdue" });
    await expect(revealCredentials(db, credDeps, w.users.consumer, id)).rejects.toMatchObject({ code: "conflict" });
    expect(await deprovisionSubscription(db, deps, { subscriptionId: id })).toBe("done");
    expect(await canAuthenticate(before.username, before.password)).toBe(false);

    await resumeSubscription(db, { subscriptionId: id });
    await expect(resumeSubscription(db, { subscriptionId: id })).rejects.toMatchObject({ code: "conflict" });
    expect(await provisionSubscription(db, deps, { subscriptionId: id })).toBe("active");
    const after = await revealCredentials(db, credDeps, w.users.consumer, id);
    expect(after.username).toBe(subscriptionUsername(id, 1));
    expect(await canAuthenticate(after.username, after.password)).toBe(true);
    expect(await canAuthenticate(before.username, before.password)).toBe(false);
  }, 60_000);

  it("reconcile re-grants a deleted ACL, strips stray ACLs of any shape and removes orphan principals with all their ACLs, each audited once; admin untouched", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await newActiveSubscription(w);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    const principal = sub!.principal!;
    const topic = sub!.deliveryTopic!;
    const kafkaAdmin = createKafka({ connection: adminConn, logLevel: "nothing" }).admin();
    await kafkaAdmin.connect();
    const allow = { principal, host: "*", permissionType: AclPermissionTypes.ALLOW };
    const literalTopic = { resourceType: AclResourceTypes.TOPIC, resourcePatternType: ResourcePatternTypes.LITERAL };
    await kafkaAdmin.deleteAcls({ filters: [{ ...allow, ...literalTopic, resourceName: topic, operation: AclOperationTypes.READ }] });
    // Drift that ADDS rights, in several shapes: the write the audit found, a read elsewhere, a
    // prefixed topic pattern, another group, a cluster right, a DENY and a host-scoped READ.
    await kafkaAdmin.createAcls({
      acl: [
        { ...allow, ...literalTopic, resourceName: topic, operation: AclOperationTypes.WRITE },
        { ...allow, ...literalTopic, resourceName: otherTopic, operation: AclOperationTypes.READ },
        { ...allow, resourceType: AclResourceTypes.TOPIC, resourcePatternType: ResourcePatternTypes.PREFIXED, resourceName: "tributary.", operation: AclOperationTypes.DESCRIBE },
        { ...allow, resourceType: AclResourceTypes.GROUP, resourcePatternType: ResourcePatternTypes.LITERAL, resourceName: "someone-elses-group", operation: AclOperationTypes.READ },
        { ...allow, resourceType: AclResourceTypes.CLUSTER, resourcePatternType: ResourcePatternTypes.LITERAL, resourceName: "kafka-cluster", operation: AclOperationTypes.DESCRIBE },
        { ...allow, ...literalTopic, resourceName: topic, operation: AclOperationTypes.ALTER_CONFIGS, permissionType: AclPermissionTypes.DENY },
        { ...allow, ...literalTopic, resourceName: topic, operation: AclOperationTypes.DESCRIBE, host: "10.1.2.3" },
      ],
    });
    await kafkaAdmin.disconnect();
    const orphanId = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f";
    const orphan = principalName(subscriptionUsername(orphanId));
    await provisioner.upsertScramUser(subscriptionUsername(orphanId), "whatever-secret", "scram-sha-512");
    await provisioner.grantSubscriptionAcls({ principal: orphan, topic: otherTopic, groupPrefix: groupPrefix(orphanId) });
    // An orphan with no user, only odd ACLs (a write and a deny), is still ours to remove.
    const aclOnly = principalName(subscriptionUsername("1c2d3e4f-5061-4728-9930-4b5c6d7e8f90", 2));
    const admin2 = createKafka({ connection: adminConn, logLevel: "nothing" }).admin();
    await admin2.connect();
    await admin2.createAcls({
      acl: [
        { principal: aclOnly, host: "*", permissionType: AclPermissionTypes.ALLOW, ...literalTopic, resourceName: otherTopic, operation: AclOperationTypes.WRITE },
        { principal: aclOnly, host: "*", permissionType: AclPermissionTypes.DENY, resourceType: AclResourceTypes.GROUP, resourcePatternType: ResourcePatternTypes.PREFIXED, resourceName: "x.", operation: AclOperationTypes.ALL },
      ],
    });
    await admin2.disconnect();

    const report = await reconcileAccess(db, deps);
    expect(report.regranted).toContain(principal);
    expect(report.removed).toEqual(expect.arrayContaining([orphan, aclOnly]));
    expect(report.extraAclsRemoved.filter((e) => e.startsWith(`${principal} `)).sort()).toEqual(
      [
        `${principal} topic:literal:${topic}:write:allow`,
        `${principal} topic:literal:${otherTopic}:read:allow`,
        `${principal} topic:prefixed:tributary.:describe:allow`,
        `${principal} group:literal:someone-elses-group:read:allow`,
        `${principal} cluster:literal:kafka-cluster:describe:allow`,
        `${principal} topic:literal:${topic}:alter_configs:deny`,
        `${principal} topic:literal:${topic}:describe:allow@10.1.2.3`,
      ].sort(),
    );
    expect(report.unrepaired).toEqual([]);
    const after = await provisioner.listPrincipalsAndAcls();
    expect(
      after
        .find((p) => p.principal === principal)
        ?.acls.map((a) => `${a.resourceType}:${a.patternType}:${a.resourceName}:${a.operation}:${a.permission}:${a.host}`)
        .sort(),
    ).toEqual([`group:prefixed:${groupPrefix(id)}:read:allow:*`, `topic:literal:${topic}:describe:allow:*`, `topic:literal:${topic}:read:allow:*`]);
    expect(after.some((p) => p.principal === orphan || p.principal === aclOnly)).toBe(false);
    expect(after.find((p) => p.principal === "User:admin")?.scramMechanisms.length).toBeGreaterThan(0);

    // The stray write is really gone: the credential cannot produce to its own topic.
    const cred = await revealCredentials(db, credDeps, w.users.consumer, id);
    const producer = kafkaAs(cred.username, cred.password).producer({ retry: { retries: 0 } });
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: "write" }] })).rejects.toThrow(/authoriz/i);
    await producer.disconnect();

    const again = await reconcileAccess(db, deps);
    expect(again).toEqual({ regranted: [], credentialReset: [], removed: [], extraAclsRemoved: [], quotaRestored: [], quotaRemoved: [], revokedAbsent: [], unrepaired: [] });
    const audits = await db.select({ action: auditLog.action, details: auditLog.details }).from(auditLog).where(sql`${auditLog.action} like 'access.reconcile.%'`);
    expect(audits.filter((a) => a.action === "access.reconcile.extra_acl_removed" && (a.details as { principal: string }).principal === principal)).toHaveLength(7);
    expect(audits.filter((a) => a.action === "access.reconcile.remove").map((a) => (a.details as { principal: string }).principal)).toEqual(
      expect.arrayContaining([orphan, aclOnly]),
    );
    expect(audits.some((a) => a.action === "access.reconcile.regrant")).toBe(true);
    expect(audits.some((a) => a.action === "access.reconcile.unrepaired")).toBe(false);
  }, 90_000);
});

describe("reconcile: vanished user", () => {
  it("recreates a deleted user of an active subscription with a throwaway secret and lets the consumer reveal again", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await newActiveSubscription(w);
    const first = await revealCredentials(db, credDeps, w.users.consumer, id);
    await provisioner.deleteScramUser(first.username);
    const report = await reconcileAccess(db, deps);
    expect(report.credentialReset).toEqual([principalName(first.username)]);
    expect(await canAuthenticate(first.username, first.password)).toBe(false);
    const [cred] = await db.select().from(credentials).where(eq(credentials.username, first.username));
    expect(cred!.revealedAt).toBeNull();
    const again = await revealCredentials(db, credDeps, w.users.consumer, id);
    expect(again.password).not.toBe(first.password);
    expect(await canAuthenticate(again.username, again.password)).toBe(true);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, id), eq(auditLog.action, "access.reconcile.credential_reset")));
    expect(audits).toHaveLength(1);
  }, 60_000);
});

/** kcat, through `sh -c "exec <command>"` so a kill reaches kcat itself. Resolves early once `until` matches. */
function runShell(command: string, opts: { until?: (out: { stdout: string; stderr: string }) => boolean; timeoutMs?: number; input?: string } = {}) {
  // Async on purpose: the broker runs in this process, a blocking spawnSync would freeze it.
  return new Promise<{ status: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn("sh", ["-c", `exec ${command}`]);
    let stdout = "";
    let stderr = "";
    let killed = false;
    const stop = () => {
      if (child.exitCode === null && !killed) {
        killed = true;
        child.kill("SIGTERM");
      }
    };
    const check = () => opts.until?.({ stdout, stderr }) && stop();
    child.stdout.on("data", (d) => ((stdout += d), check()));
    child.stderr.on("data", (d) => ((stderr += d), check()));
    const timer = setTimeout(stop, opts.timeoutMs ?? 20_000);
    const hard = setTimeout(() => child.kill("SIGKILL"), (opts.timeoutMs ?? 20_000) + 5_000);
    child.on("close", (status) => (clearTimeout(timer), clearTimeout(hard), resolve({ status, stdout, stderr, killed })));
    child.stdin.end(opts.input ?? "");
  });
}

describe("isolation matrix", () => {
  it("five credentials over three products and two tiers: each consumes and commits in its own group prefix and is refused every other delivery topic, every source topic, every other group and any write (kafkajs, and kcat with the snippet we hand out)", async () => {
    const worlds = [await createSubscriptionWorld(db), await createSubscriptionWorld(db), await createSubscriptionWorld(db)];
    const subs: { id: string; user: SessionUser; tier: string }[] = [];
    for (const [i, w] of worlds.entries()) {
      subs.push({ id: await newActiveSubscription(w), user: w.users.consumer, tier: "masked" });
      if (i === 2) continue;
      const request = await subscribe(db, w.users.partner, {
        productId: w.product.id,
        planId: w.plans.reviewPlan.id,
        teamId: w.teams.partnerTeam.id,
        purpose: "fraud-detection",
        justification: "Roaming fraud",
      });
      if (request.kind !== "access_request") throw new Error("expected a request");
      const { subscriptionId } = await approveAccessRequest(db, w.users.owner, { requestId: request.requestId });
      expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
      subs.push({ id: subscriptionId, user: w.users.partner, tier: "full" });
    }
    expect(subs).toHaveLength(5);
    const sources = worlds.map((w) => w.product.sourceTopic!);
    const admin = createKafka({ connection: adminConn, logLevel: "nothing" }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: sources.map((topic) => ({ topic })) });
    for (const topic of sources) await produceAsAdmin(topic, ["raw, unmasked"]);

    const creds = [];
    for (const s of subs) creds.push(await revealCredentials(db, credDeps, s.user, s.id));
    expect(new Set(creds.map((c) => c.topic)).size).toBe(5);
    expect(creds.filter((c) => c.topic.endsWith(".full"))).toHaveLength(2);
    for (const c of creds) await produceAsAdmin(c.topic, [`for-${c.subscriptionId}`]);

    for (const [i, c] of creds.entries()) {
      const kafka = kafkaAs(c.username, c.password);
      const others = creds.filter((_, j) => j !== i);

      // Consume and commit in its own prefix.
      const values: string[] = [];
      const group = `${c.groupPrefix}matrix`;
      const consumer = await startConsumer(kafka, group, c.topic, values);
      await waitFor(() => values.includes(`for-${c.subscriptionId}`), 15_000, `records of ${c.subscriptionId}`);
      await waitFor(
        async () => (await admin.fetchOffsets({ groupId: group, topics: [c.topic] }))[0]!.partitions.some((p) => Number(p.offset) > 0),
        15_000,
        `a commit in ${group}`,
      );
      await consumer.disconnect();
      expect(values).toEqual([`for-${c.subscriptionId}`]);

      // Every other delivery topic and every source topic: authorization errors.
      const probe = kafka.admin();
      await probe.connect();
      expect(await probe.listTopics()).toEqual([c.topic]);
      for (const topic of [...others.map((o) => o.topic), ...sources, otherTopic]) {
        await expect(probe.fetchTopicMetadata({ topics: [topic] }), topic).rejects.toThrow(/authoriz/i);
      }
      // Every other subscription's group: not even its offsets can be read. kafkajs reports the
      // broker's GROUP_AUTHORIZATION_FAILED (from FindCoordinator) as "Failed to find group
      // coordinator"; its own group through the same connection is the control that the
      // coordinator is there, so the refusal is the ACL.
      expect((await probe.fetchOffsets({ groupId: group, topics: [c.topic] }))[0]!.partitions.some((p) => Number(p.offset) > 0)).toBe(true);
      for (const o of others) {
        await expect(probe.fetchOffsets({ groupId: `${o.groupPrefix}matrix`, topics: [o.topic] }), o.groupPrefix).rejects.toThrow(/authoriz|group coordinator/i);
      }
      await probe.disconnect();
      for (const o of others) {
        const intruder = kafka.consumer({ groupId: `${o.groupPrefix}steal`, retry: { retries: 0, restartOnFailure: async () => false } });
        const crashed = new Promise<Error>((resolve) => intruder.on(intruder.events.CRASH, (e) => resolve(e.payload.error)));
        await intruder.connect();
        await intruder.subscribe({ topic: c.topic, fromBeginning: true });
        await intruder.run({ eachMessage: async () => {} }).catch(() => {});
        // kafkajs surfaces FindCoordinator's GROUP_AUTHORIZATION_FAILED as a coordinator failure.
        expect(String((await crashed).message), o.groupPrefix).toMatch(/authoriz|group coordinator/i);
        await intruder.disconnect().catch(() => {});
      }

      // Any write: its own topic included.
      const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
      await producer.connect();
      for (const topic of [c.topic, others[0]!.topic, sources[0]!]) {
        await expect(producer.send({ topic, acks: 1, messages: [{ value: "write" }] }), topic).rejects.toThrow(/authoriz/i);
      }
      await producer.disconnect();
    }
    // Nothing written by any credential reached any topic.
    for (const c of creds) {
      const offsets = await admin.fetchTopicOffsets(c.topic);
      expect(offsets.reduce((n, p) => n + Number(p.high), 0), c.topic).toBe(1);
    }

    // kcat (librdkafka), with the exact command the subscription page shows, for a masked and a full credential.
    for (const c of [creds[0]!, creds[3]!]) {
      const other = creds.find((o) => o !== c)!;
      const group = `${c.groupPrefix}my-app`;
      expect(c.snippets.kcat).toContain(`-G '${group}' '${c.topic}'`);
      // kcat block-buffers stdout into a pipe (it appears at exit); its "Reached end of topic"
      // notes on stderr say when every partition is consumed, and the stop flushes stdout.
      const partitions = (await admin.fetchTopicMetadata({ topics: [c.topic] })).topics[0]!.partitions.length;
      const own = await runShell(c.snippets.kcat, { until: ({ stderr }) => (stderr.match(/Reached end of topic/g) ?? []).length >= partitions, timeoutMs: 20_000 });
      expect(own.killed).toBe(true);
      expect(own.status, own.stderr).toBe(0);
      expect(own.stdout, own.stderr).toContain(`for-${c.subscriptionId}`);
      // Stopped by a signal, kcat leaves the group and commits what it consumed.
      await waitFor(
        async () => (await admin.fetchOffsets({ groupId: group, topics: [c.topic] }))[0]!.partitions.some((p) => Number(p.offset) > 0),
        15_000,
        `kcat's commit in ${group}`,
      );

      const foreignGroup = buildConnectionSnippets({ ...c, bootstrap: [broker.bootstrap], groupPrefix: other.groupPrefix, ssl: false }).kcat;
      const stolen = await runShell(foreignGroup, { until: ({ stderr }) => /authoriz/i.test(stderr), timeoutMs: 15_000 });
      expect(stolen.stderr).toMatch(/authoriz/i);
      expect(stolen.stdout).not.toContain(`for-${c.subscriptionId}`);
      const committed = await admin.fetchOffsets({ groupId: `${other.groupPrefix}my-app`, topics: [c.topic] });
      expect(committed[0]!.partitions.every((p) => p.offset === "-1")).toBe(true);

      // -C on another delivery topic and on a source topic, with the snippet's connection options.
      const connectionPart = c.snippets.kcat.split("\n").slice(0, -1).join("\n");
      for (const topic of [other.topic, sources[0]!]) {
        const read = await runShell(`${connectionPart}\n  -C -t '${topic}' -o beginning -e -q`, { timeoutMs: 20_000 });
        expect(read.stdout, topic).toBe("");
        expect(read.status, read.stderr).not.toBe(0);
        expect(read.stderr, topic).toMatch(/authoriz/i);
      }
      const write = await runShell(`${connectionPart}\n  -P -t '${c.topic}'`, { timeoutMs: 20_000, input: "sneaky\n" });
      expect(write.status, write.stderr).not.toBe(0);
      expect(write.stderr).toMatch(/authoriz/i);
    }
    await admin.disconnect();
  }, 240_000);
});
