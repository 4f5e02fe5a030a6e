import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { credentials, dataProducts, plans, subscriptions } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import type { JobContext } from "@/lib/jobs";
import { createKafka, type KafkaConnectionOptions } from "@/lib/kafka/client";
import { principalName } from "@/lib/kafka/names";
import { env } from "@/lib/env";
import { applyConsumerByteRate, listUserConsumerByteRates } from "@/lib/kafka/quota-admin";
import { enqueueStripeSubscriptionCreate } from "@/lib/stripe/service";
import type { KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { provisionSubscriptionJob } from "@/lib/subscriptions/jobs";
import { ENDED_STATES, insertNextCredential } from "@/lib/subscriptions/queries";

/**
 * The Kafka side of subscriptions, run by the provisioner worker from jobs.
 *
 * Credential design: provisioning creates the subscription's SCRAM user with a random throwaway
 * secret that is never stored or shown. It only serves the verification probe; the consumer's
 * real password is generated at reveal time and replaces it (lib/provisioning/credentials.ts).
 * So "active" always means a principal that really authenticated and was really authorized.
 */

export type ProvisioningDeps = {
  provisioner: KafkaAccessProvisioner;
  /** Admin connection: topic creation, and the broker addresses the probe uses. */
  connection: KafkaConnectionOptions;
  /** Delivery topics get the source topic's partition count, or this when the source is unknown. */
  defaultPartitions?: number;
  /**
   * Sets (a number) or removes (null) a principal's consumer byte-rate quota. Default: Kafka's
   * client-quota APIs on `connection` (lib/kafka/quota-admin.ts).
   */
  applyQuota?: (username: string, bytesPerSec: number | null) => Promise<"set" | "removed" | "unsupported">;
  /** Every user's consumer byte rate on the cluster, for reconciliation. Default: `connection`'s quota APIs. */
  listQuotas?: () => Promise<Map<string, number> | "unsupported">;
};

function quotaApplier(deps: ProvisioningDeps) {
  return deps.applyQuota ?? ((username: string, rate: number | null) => applyConsumerByteRate(deps.connection, username, rate));
}

const SYSTEM = { type: "system" as const, label: "provisioner" };
const RECONCILER = { type: "system" as const, label: "reconciler" };

export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

type Grant = { principal: string; topic: string; groupPrefix: string };

/** Creates the delivery topic if missing; true when this call created it. */
async function ensureDeliveryTopic(deps: ProvisioningDeps, topic: string, sourceTopic: string | null): Promise<{ created: boolean; partitions: number | null }> {
  const admin = createKafka({ clientId: "tributary-provisioner-topics", connection: deps.connection, logLevel: "nothing", retries: 2 }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    if (existing.has(topic)) return { created: false, partitions: null };
    let partitions = deps.defaultPartitions ?? 3;
    if (sourceTopic && existing.has(sourceTopic)) {
      const meta = await admin.fetchTopicMetadata({ topics: [sourceTopic] });
      partitions = meta.topics[0]?.partitions.length || partitions;
    }
    // createTopics answers false (no throw) when another worker created it first: fine either way.
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
    return { created, partitions };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Connects as the subscription's principal and checks the grant is exactly what it should be:
 * its topic is visible and the only one, and producing to it is refused.
 */
export async function probeAccess(
  connection: KafkaConnectionOptions,
  credential: { username: string; password: string },
  grant: Grant,
): Promise<void> {
  const kafka = createKafka({
    clientId: "tributary-probe",
    // The admin connection's brokers and TLS settings, with the principal's own credentials.
    connection: { ...connection, sasl: { mechanism: "scram-sha-512", username: credential.username, password: credential.password } },
    logLevel: "nothing",
    retries: 0,
    connectionTimeoutMs: 5_000,
    requestTimeoutMs: 10_000,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [grant.topic] });
    if (!meta.topics[0] || meta.topics[0].partitions.length === 0) throw new Error(`probe: topic ${grant.topic} has no partitions visible`);
    const visible = await admin.listTopics();
    const extra = visible.filter((t) => t !== grant.topic);
    if (extra.length) throw new Error(`probe: principal sees topics beyond its grant: ${extra.slice(0, 5).join(", ")}`);
  } finally {
    await admin.disconnect();
  }
  await probeConsume(kafka, grant);
  const producer = kafka.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    let produced = false;
    try {
      await producer.send({ topic: grant.topic, acks: 1, messages: [{ value: "tributary-probe" }] });
      produced = true;
    } catch (err) {
      if (!/authoriz/i.test((err as Error).message)) throw new Error(`probe: unexpected producer error: ${(err as Error).message}`);
    }
    if (produced) throw new Error("probe: the principal could write to its delivery topic");
  } finally {
    await producer.disconnect();
  }
}

/**
 * Joins a group under the grant's prefix and completes one fetch of the topic, without
 * committing: JoinGroup needs READ on the group, Fetch READ on the topic, neither of which the
 * metadata checks prove. A missing group or topic READ ACL fails verification here.
 */
async function probeConsume(kafka: ReturnType<typeof createKafka>, grant: Grant): Promise<void> {
  const consumer = kafka.consumer({
    groupId: `${grant.groupPrefix}tributary-probe`,
    maxWaitTimeInMs: 100,
    retry: { retries: 0, restartOnFailure: async () => false },
  });
  let settle!: (err?: Error) => void;
  const outcome = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  const timer = setTimeout(() => settle(new Error("probe: no fetch completed within 10 s")), 10_000);
  consumer.on(consumer.events.FETCH, () => settle());
  consumer.on(consumer.events.CRASH, (e) => settle(new Error(`probe: consuming as the principal failed: ${(e.payload.error as Error).message}`)));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: grant.topic, fromBeginning: false });
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await outcome;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
}

async function loadForProvisioning(db: Db, subscriptionId: string) {
  const [row] = await db
    .select({ sub: subscriptions, sourceTopic: dataProducts.sourceTopic })
    .from(subscriptions)
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .where(eq(subscriptions.id, subscriptionId));
  return row;
}

async function currentCredential(db: Db, subscriptionId: string) {
  const rows = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.subscriptionId, subscriptionId), isNull(credentials.revokedAt)))
    .orderBy(credentials.createdAt);
  return rows.at(-1);
}

const PROVISION_KIND = provisionSubscriptionJob.kind;

export type ProvisionOutcome = "active" | "skipped" | "failed" | "ended-meanwhile";

/**
 * Job "subscription.provision". Idempotent: every cluster step is an upsert, and only a
 * subscription still in "provisioning" is touched. A failed attempt records a readable reason
 * and rethrows so the queue retries; the last attempt marks the subscription "failed".
 */
export async function provisionSubscription(
  db: Db,
  deps: ProvisioningDeps,
  payload: { subscriptionId: string },
  ctx?: Pick<JobContext, "job">,
): Promise<ProvisionOutcome> {
  // One run per subscription at a time (a reclaimed job can overlap its predecessor): each run
  // sets a new throwaway secret, so two interleaved runs would fail each other's probe. The lock
  // lives in its own transaction; the state changes below commit on their own.
  return db.transaction(async (lockTx) => {
    await lockTx.execute(sql`select pg_advisory_xact_lock(hashtext(${`subscription.provision:${payload.subscriptionId}`}))`);
    return provisionLocked(db, deps, payload, ctx);
  });
}

/**
 * Records a failed attempt on a subscription still in "provisioning": the reason while retries
 * remain, "failed" with the reason on the last one. Audited only when the row changed.
 */
async function recordProvisionFailure(
  db: Db,
  subscriptionId: string,
  f: { attempt: number; maxAttempts: number; last: boolean; message: string; step?: string; via?: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(subscriptions)
      .set(
        f.last
          ? { state: "failed", stateReason: `Provisioning failed after ${f.attempt} attempts: ${f.message}`, updatedAt: new Date() }
          : { stateReason: `Attempt ${f.attempt} of ${f.maxAttempts} failed, retrying: ${f.message}`, updatedAt: new Date() },
      )
      .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.state, "provisioning")))
      .returning({ id: subscriptions.id });
    if (updated) {
      await recordAudit(tx, {
        actor: SYSTEM,
        action: f.last ? "subscription.provision_failed" : "subscription.provision_attempt_failed",
        resource: { type: "subscription", id: subscriptionId },
        result: "failure",
        details: { attempt: f.attempt, maxAttempts: f.maxAttempts, error: f.message, ...(f.step ? { step: f.step } : {}), ...(f.via ? { via: f.via } : {}) },
      });
    }
    return Boolean(updated);
  });
}

/**
 * A subscription in "provisioning" without a live credential (its principal was removed while it
 * was failed, before this fix, or by hand) gets the next generation instead of being stuck.
 */
async function reissueCredential(db: Db, subscriptionId: string) {
  return db.transaction(async (tx) => {
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for("update");
    if (!sub || sub.state !== "provisioning") return undefined;
    const existing = await currentCredential(tx, subscriptionId);
    if (existing) return existing;
    const cred = await insertNextCredential(tx, subscriptionId);
    await recordAudit(tx, {
      actor: SYSTEM,
      action: "subscription.credential_reissued",
      resource: { type: "subscription", id: subscriptionId },
      details: { principal: principalName(cred.username), why: "no live credential to provision" },
    });
    return cred;
  });
}

async function provisionLocked(
  db: Db,
  deps: ProvisioningDeps,
  payload: { subscriptionId: string },
  ctx?: Pick<JobContext, "job">,
): Promise<ProvisionOutcome> {
  const row = await loadForProvisioning(db, payload.subscriptionId);
  if (!row || row.sub.state !== "provisioning") return "skipped";
  const sub = row.sub;
  const attempt = ctx?.job.attempt ?? 1;
  const maxAttempts = ctx?.job.maxAttempts ?? 1;
  if (!sub.deliveryTopic || !sub.groupPrefix) {
    // No retry can add them: fail now with the reason, not after eight silent attempts.
    await recordProvisionFailure(db, sub.id, { attempt, maxAttempts, last: true, message: "the subscription has no delivery topic or group prefix" });
    return "failed";
  }
  const credential = (await currentCredential(db, sub.id)) ?? (await reissueCredential(db, sub.id));
  if (!credential) return "skipped";
  const grant: Grant = { principal: principalName(credential.username), topic: sub.deliveryTopic, groupPrefix: sub.groupPrefix };
  const [plan] = await db.select({ quotaBytesPerSec: plans.quotaBytesPerSec }).from(plans).where(eq(plans.id, sub.planId));
  const quotaBytesPerSec = plan?.quotaBytesPerSec ?? null;
  let quota: "set" | "removed" | "unsupported" = "removed";

  // One audit entry per step and attempt, so the trail shows how far each attempt got.
  let step = "topic";
  const stepDone = (action: string, details: Record<string, unknown> = {}, result: "success" | "failure" = "success") =>
    recordAudit(db, { actor: SYSTEM, action: `subscription.provision.${action}`, resource: { type: "subscription", id: sub.id }, result, details: { attempt, ...details } });
  try {
    const topic = await ensureDeliveryTopic(deps, grant.topic, row.sourceTopic);
    await stepDone("topic_ensured", { topic: grant.topic, ...topic });
    step = "principal";
    const throwaway = randomSecret();
    await deps.provisioner.upsertScramUser(credential.username, throwaway, "scram-sha-512");
    await stepDone("principal_created", { principal: grant.principal, mechanism: "scram-sha-512" });
    step = "acls";
    await deps.provisioner.grantSubscriptionAcls(grant);
    await stepDone("acls_granted", { principal: grant.principal, acls: [...grantKeys(grant)] });
    step = "quota";
    // The plan's throughput cap as the principal's consumer_byte_rate; no cap removes any quota
    // left from before (a plan change), so the step is idempotent either way.
    quota = await quotaApplier(deps)(credential.username, quotaBytesPerSec);
    await stepDone("quota_applied", { consumerBytesPerSec: quotaBytesPerSec, applied: quota });
    step = "probe";
    try {
      await probeAccess(deps.connection, { username: credential.username, password: throwaway }, grant);
    } catch (err) {
      await stepDone("probe_failed", { error: (err as Error).message || String(err) }, "failure");
      throw err;
    }
    await stepDone("probe_passed", { principal: grant.principal });
  } catch (err) {
    const message = (err as Error).message || String(err);
    const last = attempt >= maxAttempts;
    await recordProvisionFailure(db, sub.id, { attempt, maxAttempts, last, message, step });
    if (last) return "failed";
    throw err;
  }

  const activated = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(subscriptions)
      .set({ state: "active", stateReason: null, activatedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.state, "provisioning")))
      .returning({ id: subscriptions.id });
    if (updated) {
      // External paid plans get their Stripe subscription (a no-op job for internal orgs and free plans).
      await enqueueStripeSubscriptionCreate(tx, sub.id, Boolean(env().STRIPE_SECRET_KEY));
      await recordAudit(tx, {
        actor: SYSTEM,
        action: "subscription.provisioned",
        resource: { type: "subscription", id: sub.id },
        details: {
          principal: grant.principal,
          topic: grant.topic,
          groupPrefix: grant.groupPrefix,
          verified: true,
          quota: { consumerBytesPerSec: quotaBytesPerSec, applied: quota },
        },
      });
    }
    return Boolean(updated);
  });
  if (activated) return "active";
  // Another run of this job won the race: the grant is the same, leave it.
  const [now] = await db.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, sub.id));
  if (!now || !(ENDED_STATES as readonly string[]).includes(now.state)) return "skipped";
  // Ended while we were granting: its deprovision job may already have run, so undo ours.
  await deps.provisioner.deleteScramUser(credential.username);
  await deps.provisioner.deleteAllAcls(grant.principal);
  await quotaApplier(deps)(credential.username, null);
  return "ended-meanwhile";
}

/**
 * For the periodic loop: a subscription still in "provisioning" whose newest provision job is
 * `failed` ends "failed" with the job's last error. The handler itself marks the last attempt
 * failed, but an attempt that timed out or whose worker died never reaches that code; the queue
 * then gives up on its own (timeout, stale-lock reclaim) and without this the subscription
 * would show "provisioning" forever and never offer Retry. Returns the ids marked failed.
 */
export async function failExhaustedProvisioning(db: Db): Promise<string[]> {
  // Starts from failed jobs (few, and found through the status index), not from the jobs table.
  const rows = await db.execute<{ id: string; attempts: number; last_error: string | null }>(sql`
    select s.id, j.attempts, j.last_error
    from jobs j
    join subscriptions s on s.id::text = j.payload->>'subscriptionId'
    where j.kind = ${PROVISION_KIND} and j.status = 'failed' and s.state = 'provisioning'
      and not exists (
        select 1 from jobs k
        where k.id > j.id and k.kind = ${PROVISION_KIND} and k.payload->>'subscriptionId' = j.payload->>'subscriptionId'
      )`);
  const failed: string[] = [];
  for (const r of rows) {
    // The first line of last_error is the attempt's own message; causes follow on later lines.
    const message = (r.last_error ?? "the job was given up").split("\n")[0]!;
    const marked = await recordProvisionFailure(db, r.id, { attempt: r.attempts, maxAttempts: r.attempts, last: true, message, via: "queue" });
    if (marked) failed.push(r.id);
  }
  return failed;
}

async function removeCredential(db: Db, deps: ProvisioningDeps, cred: { id: string; username: string }) {
  // User first: deleting it closes the principal's connections and no reconnect can authenticate.
  // Removing ACLs first would let a client reconnect (and a SASL exchange begun before the user
  // went could still complete); deleting the ACLs afterwards closes any such connection again.
  await deps.provisioner.deleteScramUser(cred.username);
  // Every binding naming the principal, not only the grant's shape: a stray one must not survive it.
  await deps.provisioner.deleteAllAcls(principalName(cred.username));
  await quotaApplier(deps)(cred.username, null);
  await db.update(credentials).set({ revokedAt: new Date() }).where(and(eq(credentials.id, cred.id), isNull(credentials.revokedAt)));
}

/**
 * Writes the one "subscription.deprovisioned" entry once an ended subscription has no live
 * credential left, whoever removed the last one (the job or the reconciler).
 */
async function recordDeprovisionedIfDone(tx: Db, subscriptionId: string, via: "job" | "reconciler", principals?: string[]): Promise<boolean> {
  const [sub] = await tx.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  if (!sub || !(ENDED_STATES as readonly string[]).includes(sub.state)) return false;
  const [left] = await tx
    .select({ id: credentials.id })
    .from(credentials)
    .where(and(eq(credentials.subscriptionId, subscriptionId), isNull(credentials.revokedAt)))
    .limit(1);
  if (left) return false;
  await recordAudit(tx, {
    actor: via === "job" ? SYSTEM : RECONCILER,
    action: "subscription.deprovisioned",
    resource: { type: "subscription", id: subscriptionId },
    details: { state: sub.state, via, ...(principals ? { principals } : {}) },
  });
  return true;
}

/**
 * Job "subscription.deprovision": every live credential of an ended subscription loses ACLs, quota
 * and user. Idempotent. While the cluster refuses, each failed attempt is audited and rethrown, so
 * the queue retries with backoff; meanwhile the credential rows stay live, which is what shows the
 * subscription as "ending" rather than ended (`listAccessRemovals`). If the job runs out of
 * attempts, the reconciler removes the principal once the cluster answers again.
 */
export async function deprovisionSubscription(
  db: Db,
  deps: ProvisioningDeps,
  payload: { subscriptionId: string },
  ctx?: Pick<JobContext, "job">,
): Promise<"done" | "skipped"> {
  const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, payload.subscriptionId));
  if (!sub || !(ENDED_STATES as readonly string[]).includes(sub.state)) return "skipped";
  const live = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.subscriptionId, sub.id), isNull(credentials.revokedAt)));
  // Nothing live: an earlier run (or the reconciler) finished and recorded it.
  if (live.length === 0) return "done";
  const removed: string[] = [];
  try {
    for (const cred of live) {
      await removeCredential(db, deps, cred);
      removed.push(principalName(cred.username));
    }
  } catch (err) {
    const attempt = ctx?.job.attempt ?? 1;
    const maxAttempts = ctx?.job.maxAttempts ?? 1;
    await recordAudit(db, {
      actor: SYSTEM,
      action: "subscription.deprovision_failed",
      resource: { type: "subscription", id: sub.id },
      result: "failure",
      details: {
        state: sub.state,
        attempt,
        maxAttempts,
        willRetry: attempt < maxAttempts,
        error: (err as Error).message || String(err),
        removed,
        stillLive: live.map((c) => principalName(c.username)).filter((p) => !removed.includes(p)),
      },
    });
    throw err;
  }
  await recordDeprovisionedIfDone(db, sub.id, "job", removed);
  return "done";
}

/** Job "credential.retire": the grace period of a rotated-away credential is over. Idempotent. */
export async function retireCredential(db: Db, deps: ProvisioningDeps, payload: { credentialId: string }): Promise<"done" | "skipped"> {
  const [row] = await db
    .select({ cred: credentials, sub: subscriptions })
    .from(credentials)
    .innerJoin(subscriptions, eq(subscriptions.id, credentials.subscriptionId))
    .where(eq(credentials.id, payload.credentialId));
  if (!row || row.cred.revokedAt) return "skipped";
  await removeCredential(db, deps, row.cred);
  await recordAudit(db, {
    actor: SYSTEM,
    action: "credential.retired",
    resource: { type: "subscription", id: row.sub.id },
    details: { principal: principalName(row.cred.username) },
  });
  return "done";
}

/** Principals Tributary owns: sub-<uuid> and its rotations sub-<uuid>-r<n> (see lib/kafka/names.ts). */
const OWN_PRINCIPAL = /^User:(sub-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:-r\d+)?)$/;

export type ReconcileReport = {
  regranted: string[];
  credentialReset: string[];
  removed: string[];
  /** "<principal> <binding>" per stray ACL deleted from a subscription principal. */
  extraAclsRemoved: string[];
  /** A plan quota that had vanished from (or changed on) the cluster, set again. */
  quotaRestored: string[];
  /** A quota the plan does not have, removed from a subscription principal. */
  quotaRemoved: string[];
  /** Credentials of ended subscriptions already absent from the cluster, now marked revoked. */
  revokedAbsent: string[];
  /** Repairs the cluster refused this round: logged, not audited, tried again next round. */
  unrepaired: string[];
};

export type ReconcileDeps = Pick<ProvisioningDeps, "provisioner"> & Partial<Pick<ProvisioningDeps, "connection" | "applyQuota" | "listQuotas">>;

/** One key per binding, host included: READ from one host is not READ from everywhere. */
const aclKey = (a: { resourceType: string; patternType: string; resourceName: string; operation: string; permission: string; host?: string }) =>
  `${a.resourceType}:${a.patternType}:${a.resourceName}:${a.operation}:${a.permission}${a.host && a.host !== "*" ? `@${a.host}` : ""}`;

function grantKeys(grant: Grant): Set<string> {
  return new Set([
    aclKey({ resourceType: "topic", patternType: "literal", resourceName: grant.topic, operation: "read", permission: "allow" }),
    aclKey({ resourceType: "topic", patternType: "literal", resourceName: grant.topic, operation: "describe", permission: "allow" }),
    aclKey({ resourceType: "group", patternType: "prefixed", resourceName: grant.groupPrefix, operation: "read", permission: "allow" }),
  ]);
}

/** Quota reading and writing for the reconciler, or null when it has no way to reach the quota APIs. */
function quotaAccess(deps: ReconcileDeps) {
  const list = deps.listQuotas ?? (deps.connection ? () => listUserConsumerByteRates(deps.connection!) : null);
  const apply = deps.applyQuota ?? (deps.connection ? (u: string, r: number | null) => applyConsumerByteRate(deps.connection!, u, r) : null);
  return list && apply ? { list, apply } : null;
}

/**
 * Compares Tributary's principals on the cluster with the database and repairs both ways, each
 * repair audited once (`access.reconcile.*`; a repaired drift is gone the next round):
 * - a live credential of an active subscription gets missing grant ACLs back, a fresh throwaway
 *   secret if its user vanished (revealed_at cleared so the consumer can reveal again), every
 *   other ACL naming it deleted (any resource, operation, ALLOW or DENY, host), and its plan's
 *   quota set again if it vanished or changed;
 * - principals of anything else (ended, failed, unknown) lose every ACL, their user and quota,
 *   and their credential rows are marked revoked;
 * - credentials of ended subscriptions that the cluster no longer has are marked revoked, so a
 *   subscription whose deprovisioning ran out of retries stops showing "ending".
 * Subscriptions in "provisioning" are left to their job. Admin and other non-Tributary
 * principals are never touched.
 */
export async function reconcileAccess(db: Db, deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    regranted: [],
    credentialReset: [],
    removed: [],
    extraAclsRemoved: [],
    quotaRestored: [],
    quotaRemoved: [],
    revokedAbsent: [],
    unrepaired: [],
  };
  const startedAt = new Date();
  const listed = (await deps.provisioner.listPrincipalsAndAcls()).filter((p) => OWN_PRINCIPAL.test(p.principal));
  const quotas = quotaAccess(deps);
  const rates = quotas ? await quotas.list() : "unsupported";
  const onCluster = new Map(listed.map((p) => [p.principal, p]));
  // A principal with only a quota left is still ours to clean up.
  if (rates !== "unsupported") {
    for (const user of rates.keys()) {
      const principal = principalName(user);
      if (OWN_PRINCIPAL.test(principal) && !onCluster.has(principal)) onCluster.set(principal, { principal, scramMechanisms: [], acls: [] });
    }
  }

  const liveRows = await db
    .select({ cred: credentials, sub: subscriptions, quota: plans.quotaBytesPerSec })
    .from(credentials)
    .innerJoin(subscriptions, eq(subscriptions.id, credentials.subscriptionId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(and(isNull(credentials.revokedAt), inArray(subscriptions.state, ["active", "provisioning"])));
  const expected = new Map<string, (typeof liveRows)[number]>();
  for (const r of liveRows) expected.set(principalName(r.cred.username), r);

  const audit = (action: string, principal: string, subscriptionId: string | null, details: Record<string, unknown> = {}) =>
    recordAudit(db, {
      actor: RECONCILER,
      action,
      resource: { type: "subscription", id: subscriptionId },
      details: { principal, ...details },
    });
  const attempt = async (what: string, repair: () => Promise<void>) => {
    try {
      await repair();
    } catch (err) {
      report.unrepaired.push(`${what}: ${(err as Error).message}`);
    }
  };
  // Activated, created or revealed after the listing was taken: the listing is stale for it, not the cluster.
  const fresh = (d: Date | null) => d !== null && d.getTime() >= startedAt.getTime();

  for (const [principal, { cred, sub, quota }] of expected) {
    if (sub.state !== "active" || !sub.deliveryTopic || !sub.groupPrefix) continue;
    const grant: Grant = { principal, topic: sub.deliveryTopic, groupPrefix: sub.groupPrefix };
    const want = grantKeys(grant);
    const entry = onCluster.get(principal);
    const have = new Set((entry?.acls ?? []).map(aclKey));
    const missing = [...want].filter((k) => !have.has(k));
    if (missing.length) {
      await attempt(`regrant ${principal}`, async () => {
        await deps.provisioner.grantSubscriptionAcls(grant);
        report.regranted.push(principal);
        await audit("access.reconcile.regrant", principal, sub.id, { missing });
      });
    }
    const settled = !fresh(sub.activatedAt) && !fresh(cred.createdAt) && !fresh(cred.revealedAt);
    if ((!entry || entry.scramMechanisms.length === 0) && settled) {
      await attempt(`reset ${principal}`, async () => {
        await deps.provisioner.upsertScramUser(cred.username, randomSecret(), "scram-sha-512");
        await db.update(credentials).set({ revealedAt: null }).where(eq(credentials.id, cred.id));
        report.credentialReset.push(principal);
        await audit("access.reconcile.credential_reset", principal, sub.id);
      });
    }
    const extra = (entry?.acls ?? []).filter((acl) => !want.has(aclKey(acl)));
    if (extra.length) {
      await attempt(`strip ${principal}`, async () => {
        await deps.provisioner.deleteAcls(principal, extra);
        for (const acl of extra) {
          report.extraAclsRemoved.push(`${principal} ${aclKey(acl)}`);
          await audit("access.reconcile.extra_acl_removed", principal, sub.id, { acl: aclKey(acl) });
        }
      });
    }
    if (quotas && rates !== "unsupported" && settled) {
      const had = rates.get(cred.username) ?? null;
      if (had !== quota) {
        await attempt(`quota ${principal}`, async () => {
          await quotas.apply(cred.username, quota);
          (quota === null ? report.quotaRemoved : report.quotaRestored).push(principal);
          await audit(quota === null ? "access.reconcile.quota_removed" : "access.reconcile.quota_restored", principal, sub.id, {
            consumerBytesPerSec: quota,
            found: had,
          });
        });
      }
    }
  }

  for (const entry of onCluster.values()) {
    if (expected.has(entry.principal)) continue;
    const match = OWN_PRINCIPAL.exec(entry.principal)!;
    const username = match[1]!;
    const subscriptionId = match[2]!;
    await attempt(`remove ${entry.principal}`, async () => {
      // A rotation or resume creates its principal on the cluster before its transaction commits,
      // holding the subscription row: lock it too, then look again, so an in-flight one is kept.
      const removed = await db.transaction(async (tx) => {
        const [known] = await tx.select({ id: subscriptions.id, state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for("update");
        const [live] = await tx
          .select({ id: credentials.id })
          .from(credentials)
          .where(and(eq(credentials.username, username), isNull(credentials.revokedAt)));
        if (known && live && (known.state === "active" || known.state === "provisioning")) return false;
        // User first, then every binding naming it whatever its shape (see removeCredential).
        if (entry.scramMechanisms.length) await deps.provisioner.deleteScramUser(username);
        await deps.provisioner.deleteAllAcls(entry.principal);
        if (quotas && rates !== "unsupported" && rates.has(username)) await quotas.apply(username, null);
        await tx.update(credentials).set({ revokedAt: new Date() }).where(and(eq(credentials.username, username), isNull(credentials.revokedAt)));
        await recordAudit(tx, {
          actor: RECONCILER,
          action: "access.reconcile.remove",
          resource: { type: "subscription", id: known?.id ?? null },
          details: { principal: entry.principal, state: known?.state ?? null, acls: entry.acls.map(aclKey), user: entry.scramMechanisms.length > 0 },
        });
        if (known) await recordDeprovisionedIfDone(tx, known.id, "reconciler");
        return true;
      });
      if (removed) report.removed.push(entry.principal);
    });
  }

  // Ended subscriptions whose credentials the cluster no longer has at all (deprovisioning ran out
  // of retries after the principal went, or someone removed it by hand): nothing left to remove.
  const endedLive = await db
    .select({ cred: credentials, subId: subscriptions.id })
    .from(credentials)
    .innerJoin(subscriptions, eq(subscriptions.id, credentials.subscriptionId))
    .where(and(isNull(credentials.revokedAt), inArray(subscriptions.state, [...ENDED_STATES])));
  for (const { cred, subId } of endedLive) {
    const principal = principalName(cred.username);
    if (onCluster.has(principal) || fresh(cred.createdAt)) continue;
    await db.transaction(async (tx) => {
      const [sub] = await tx.select({ state: subscriptions.state }).from(subscriptions).where(eq(subscriptions.id, subId)).for("update");
      if (!sub || !(ENDED_STATES as readonly string[]).includes(sub.state)) return;
      const [revoked] = await tx
        .update(credentials)
        .set({ revokedAt: new Date() })
        .where(and(eq(credentials.id, cred.id), isNull(credentials.revokedAt)))
        .returning({ id: credentials.id });
      if (!revoked) return;
      report.revokedAbsent.push(principal);
      await recordAudit(tx, {
        actor: RECONCILER,
        action: "access.reconcile.revoked_absent",
        resource: { type: "subscription", id: subId },
        details: { principal, state: sub.state },
      });
      await recordDeprovisionedIfDone(tx, subId, "reconciler");
    });
  }
  return report;
}
