import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { credentials, plans, subscriptions } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { isMemberOfTeam, type SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs";
import type { KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { principalName, subscriptionUsername } from "@/lib/kafka/names";
import { retireCredentialJob, retireDedupeKey } from "@/lib/subscriptions/jobs";
import { randomSecret } from "./service";
import { buildConnectionSnippets, type ConnectionSnippets } from "./snippets";

/**
 * Reveal and rotation. The password is generated here, sent to the cluster (which stores only
 * SCRAM salted material) and returned to the caller once; it is never written to the database,
 * the audit log or a log line. The cluster call happens inside the transaction that records the
 * reveal, so a cluster failure leaves the credential unrevealed and the user can simply retry.
 */

export type CredentialDeps = {
  provisioner: KafkaAccessProvisioner;
  /** What consumers connect to (may differ from the internal admin address). */
  bootstrap: string[];
  ssl?: boolean;
  /** Applies the plan's throughput quota to a new principal (rotation makes a new one). */
  applyQuota?: (username: string, bytesPerSec: number | null) => Promise<"set" | "removed" | "unsupported">;
};

export type RevealedCredential = {
  subscriptionId: string;
  username: string;
  password: string;
  mechanism: "SCRAM-SHA-512";
  bootstrap: string[];
  topic: string;
  groupPrefix: string;
  snippets: ConnectionSnippets;
  /** After a rotation: when the previous credential stops working. */
  previousRetiresAt: Date | null;
};

/** After a rotation the old credential keeps working this long, so consumers can roll over. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

async function lockActiveSubscriptionOfMember(tx: Db, user: SessionUser, subscriptionId: string) {
  const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for("update");
  // Not a member: answer as if it did not exist, so ids of other teams' subscriptions leak nothing.
  if (!sub || !isMemberOfTeam(user, sub.teamId)) throw new AppError("not_found", "This subscription does not exist.");
  if (sub.state !== "active" || !sub.deliveryTopic || !sub.groupPrefix) {
    throw new AppError("conflict", `Credentials are available once the subscription is active (it is ${sub.state}).`);
  }
  return { ...sub, deliveryTopic: sub.deliveryTopic, groupPrefix: sub.groupPrefix };
}

function result(deps: CredentialDeps, sub: { id: string; deliveryTopic: string; groupPrefix: string }, username: string, password: string, previousRetiresAt: Date | null): RevealedCredential {
  return {
    subscriptionId: sub.id,
    username,
    password,
    mechanism: "SCRAM-SHA-512",
    bootstrap: deps.bootstrap,
    topic: sub.deliveryTopic,
    groupPrefix: sub.groupPrefix,
    previousRetiresAt,
    snippets: buildConnectionSnippets({
      bootstrap: deps.bootstrap,
      username,
      password,
      topic: sub.deliveryTopic,
      groupPrefix: sub.groupPrefix,
      mechanism: "SCRAM-SHA-512",
      ssl: deps.ssl ?? false,
    }),
  };
}

/** Shows the current credential's password once. A second reveal is refused: rotate instead. */
export async function revealCredentials(db: Db, deps: CredentialDeps, user: SessionUser, subscriptionId: string): Promise<RevealedCredential> {
  return db.transaction(async (tx) => {
    const sub = await lockActiveSubscriptionOfMember(tx, user, subscriptionId);
    const live = await tx
      .select()
      .from(credentials)
      .where(and(eq(credentials.subscriptionId, sub.id), isNull(credentials.revokedAt)))
      .orderBy(credentials.createdAt);
    const current = live.at(-1);
    if (!current) throw new AppError("conflict", "This subscription has no credential.");
    if (current.revealedAt) throw new AppError("conflict", "This credential was already revealed. Rotate it to get a new password.");
    const password = randomSecret();
    await tx.update(credentials).set({ revealedAt: new Date() }).where(eq(credentials.id, current.id));
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email },
      action: "credential.reveal",
      resource: { type: "subscription", id: sub.id },
      details: { principal: principalName(current.username) },
    });
    await deps.provisioner.upsertScramUser(current.username, password, "scram-sha-512");
    return result(deps, sub, current.username, password, null);
  });
}

/**
 * A new principal generation with a new password and the same grant; the previous principals
 * keep working until the grace period ends, then a delayed "credential.retire" job removes them.
 */
export async function rotateCredentials(
  db: Db,
  deps: CredentialDeps,
  user: SessionUser,
  subscriptionId: string,
  opts: { graceMs?: number; now?: Date } = {},
): Promise<RevealedCredential> {
  const now = opts.now ?? new Date();
  const retiresAt = new Date(now.getTime() + (opts.graceMs ?? DEFAULT_ROTATION_GRACE_MS));
  return db.transaction(async (tx) => {
    const sub = await lockActiveSubscriptionOfMember(tx, user, subscriptionId);
    const previous = await tx.select().from(credentials).where(and(eq(credentials.subscriptionId, sub.id), isNull(credentials.revokedAt)));
    const [{ generations }] = (await tx.select({ generations: count() }).from(credentials).where(eq(credentials.subscriptionId, sub.id))) as [{ generations: number }];
    const username = subscriptionUsername(sub.id, generations);
    const principal = principalName(username);
    const [cred] = await tx
      .insert(credentials)
      .values({ subscriptionId: sub.id, username, mechanism: "scram-sha-512", revealedAt: now, rotatedAt: now, previousRetiresAt: retiresAt })
      .returning();
    await tx.update(subscriptions).set({ principal, updatedAt: now }).where(eq(subscriptions.id, sub.id));
    for (const old of previous) {
      await enqueue(tx, retireCredentialJob, { credentialId: old.id }, { dedupeKey: retireDedupeKey(old.id), runAt: retiresAt });
    }
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email },
      action: "credential.rotate",
      resource: { type: "subscription", id: sub.id },
      details: { principal, previous: previous.map((c) => principalName(c.username)), previousRetiresAt: retiresAt.toISOString() },
    });
    // Cluster last: if it fails the rows roll back; a half-made principal is an orphan reconcile removes.
    const password = randomSecret();
    await deps.provisioner.upsertScramUser(username, password, "scram-sha-512");
    await deps.provisioner.grantSubscriptionAcls({ principal, topic: sub.deliveryTopic, groupPrefix: sub.groupPrefix });
    if (deps.applyQuota) {
      const [plan] = await tx.select({ quota: plans.quotaBytesPerSec }).from(plans).where(eq(plans.id, sub.planId));
      if (plan?.quota) await deps.applyQuota(username, plan.quota);
    }
    return result(deps, sub, cred!.username, password, retiresAt);
  });
}
