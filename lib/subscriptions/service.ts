import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessRequests, credentials, dataProducts, notifications, subscriptions } from "@/db/schema";
import { getSetting } from "@/lib/settings/service";
import { recordAudit } from "@/lib/audit/service";
import { isMemberOfTeam, isOwnerOfTeam, type SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs";
import { notifyUsers } from "@/lib/notifications/notify";
import { deliveryTopicName, groupPrefix, principalName, subscriptionUsername } from "@/lib/kafka/names";
import {
  deprovisionDedupeKey,
  deprovisionSubscriptionJob,
  provisionDedupeKey,
  provisionSubscriptionJob,
  retireCredentialJob,
  retireDedupeKey,
} from "./jobs";
import {
  LIVE_STATES,
  findCurrentContract,
  findPlanWithTier,
  findProduct,
  findSubscription,
  insertNextCredential,
  listLiveCredentials,
  listPendingRequestsForOwnerTeams,
  listRotationGracesEndingBetween,
  listSubscriptionsExpiringBetween,
  listTeamMemberIds,
  listTeamOwnerIds,
  listUsersNotifiedSince,
  type ReviewQueueItem,
} from "./queries";
import type { ApproveRequestInput, DenyRequestInput, SubscribeInput } from "./schemas";

/**
 * Subscriptions: subscribe, owner review, ending access. Every function re-checks who is asking
 * (a server action, an API route or a test may call it) and writes the state change, its job
 * and its audit entry in one transaction, so Kafka work exists exactly when the change commits.
 */

const actor = (user: SessionUser) => ({ type: "user" as const, id: user.id, label: user.email });

/**
 * Serializes subscribe/approve for one team and product, so a double click or two owners
 * approving at once cannot create two subscriptions. Held until the transaction ends.
 */
async function lockTeamProduct(tx: Db, teamId: string, productId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`subscription:${teamId}:${productId}`}))`);
}

async function assertNoDuplicate(tx: Db, teamId: string, productId: string, planId: string): Promise<void> {
  const [live] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.teamId, teamId),
        eq(subscriptions.productId, productId),
        eq(subscriptions.planId, planId),
        inArray(subscriptions.state, [...LIVE_STATES]),
      ),
    )
    .limit(1);
  if (live) throw new AppError("conflict", "Your team already has a subscription to this product on this plan.");
  const [pending] = await tx
    .select({ id: accessRequests.id })
    .from(accessRequests)
    .where(
      and(
        eq(accessRequests.teamId, teamId),
        eq(accessRequests.productId, productId),
        eq(accessRequests.planId, planId),
        eq(accessRequests.status, "pending"),
      ),
    )
    .limit(1);
  if (pending) throw new AppError("conflict", "Your team already has a pending access request for this product and plan.");
}

type PlanRow = NonNullable<Awaited<ReturnType<typeof findPlanWithTier>>>;

/** The plan must be active, of this product, and open to external orgs when the subscriber is external. */
function assertPlanUsable(planRow: PlanRow | undefined, productId: string, orgKind: "internal" | "external"): PlanRow {
  if (!planRow || planRow.plan.productId !== productId) throw new AppError("not_found", "This plan does not exist for this product.");
  if (!planRow.plan.active) throw new AppError("conflict", "This plan is no longer offered.");
  if (orgKind === "external" && !planRow.plan.externalAllowed) {
    throw new AppError("forbidden", "This plan is not available to external organizations.");
  }
  return planRow;
}

/** Inserts a subscription in "provisioning" with its first credential row and the provision job. */
async function createProvisioningSubscription(
  tx: Db,
  args: {
    product: { id: string; slug: string };
    planRow: PlanRow;
    contractMajor: number;
    teamId: string;
    createdBy: string;
    purpose: string;
    expiresAt: Date | null;
    accessRequestId: string | null;
  },
) {
  const id = randomUUID();
  const username = subscriptionUsername(id, 0);
  const [row] = await tx
    .insert(subscriptions)
    .values({
      id,
      productId: args.product.id,
      planId: args.planRow.plan.id,
      tierId: args.planRow.tier.id,
      contractMajor: args.contractMajor,
      teamId: args.teamId,
      createdBy: args.createdBy,
      accessRequestId: args.accessRequestId,
      state: "provisioning",
      purpose: args.purpose,
      deliveryTopic: deliveryTopicName(args.product.slug, args.contractMajor, args.planRow.tier.name),
      groupPrefix: groupPrefix(id),
      principal: principalName(username),
      expiresAt: args.expiresAt,
    })
    .returning();
  await tx.insert(credentials).values({ subscriptionId: id, username, mechanism: "scram-sha-512" });
  await enqueue(tx, provisionSubscriptionJob, { subscriptionId: id }, { dedupeKey: provisionDedupeKey(id) });
  return row!;
}

export type SubscribeResult =
  | { kind: "subscription"; subscriptionId: string; state: "provisioning" }
  | { kind: "access_request"; requestId: string };

/**
 * External organizations' access ends by default after the platform's configured number of days
 * (admin setting) when neither the requester nor the approver set an expiry; internal access does not.
 */
export async function defaultExpiryFor(db: Db, orgKind: "internal" | "external", now = new Date()): Promise<Date | null> {
  if (orgKind !== "external") return null;
  const { days } = await getSetting(db, "external_access_default_expiry_days");
  return days ? new Date(now.getTime() + days * 86400_000) : null;
}

export async function subscribe(db: Db, user: SessionUser, input: SubscribeInput): Promise<SubscribeResult> {
  if (!isMemberOfTeam(user, input.teamId)) throw new AppError("forbidden", "You can only subscribe on behalf of a team you belong to.");
  const product = await findProduct(db, input.productId);
  if (!product || product.status !== "published") throw new AppError("not_found", "This product is not available for subscription.");
  const planRow = assertPlanUsable(await findPlanWithTier(db, input.planId), product.id, user.orgKind);
  const contract = await findCurrentContract(db, product.id);
  if (!contract) throw new AppError("conflict", "This product has no published contract yet.");
  if (!contract.purposes.includes(input.purpose)) {
    throw new AppError("validation", undefined, {
      fieldErrors: { purpose: [`The contract allows these purposes only: ${contract.purposes.join(", ") || "none"}.`] },
    });
  }
  if (input.requestedExpiry && input.requestedExpiry.getTime() <= Date.now()) {
    throw new AppError("validation", undefined, { fieldErrors: { requestedExpiry: ["The expiry must be in the future."] } });
  }

  return db.transaction(async (tx) => {
    await lockTeamProduct(tx, input.teamId, product.id);
    await assertNoDuplicate(tx, input.teamId, product.id, planRow.plan.id);

    if (planRow.plan.approval === "auto") {
      const sub = await createProvisioningSubscription(tx, {
        product,
        planRow,
        contractMajor: contract.major,
        teamId: input.teamId,
        createdBy: user.id,
        purpose: input.purpose,
        expiresAt: input.requestedExpiry ?? (await defaultExpiryFor(tx, user.orgKind)),
        accessRequestId: null,
      });
      await recordAudit(tx, {
        actor: actor(user),
        action: "subscription.create",
        resource: { type: "subscription", id: sub.id },
        details: { productId: product.id, planId: planRow.plan.id, teamId: input.teamId, purpose: input.purpose, approval: "auto" },
      });
      return { kind: "subscription" as const, subscriptionId: sub.id, state: "provisioning" as const };
    }

    const justification = input.justification?.trim() ?? "";
    if (!justification) {
      throw new AppError("validation", undefined, { fieldErrors: { justification: ["Explain why your team needs this data."] } });
    }
    const [request] = await tx
      .insert(accessRequests)
      .values({
        productId: product.id,
        planId: planRow.plan.id,
        requesterId: user.id,
        teamId: input.teamId,
        purpose: input.purpose,
        justification,
        requestedExpiry: input.requestedExpiry ?? null,
      })
      .returning({ id: accessRequests.id });
    await recordAudit(tx, {
      actor: actor(user),
      action: "access_request.create",
      resource: { type: "access_request", id: request!.id },
      details: { productId: product.id, planId: planRow.plan.id, teamId: input.teamId, purpose: input.purpose },
    });
    const owners = await listTeamOwnerIds(tx, product.ownerTeamId);
    if (owners.length) {
      await tx.insert(notifications).values(
        owners.map((userId) => ({
          userId,
          kind: "access_request.pending",
          title: `Access request for ${product.name}`,
          body: `${user.name} asks for the ${planRow.plan.name} plan: ${input.purpose}.`,
          link: `/owner/requests?request=${request!.id}`,
        })),
      );
    }
    return { kind: "access_request" as const, requestId: request!.id };
  });
}

/** Owner teams of the user: the only products whose requests they may see or decide. */
function ownedTeamIds(user: SessionUser): string[] {
  return user.teams.filter((t) => t.role === "owner").map((t) => t.id);
}

export async function listReviewQueue(db: Db, owner: SessionUser): Promise<ReviewQueueItem[]> {
  return listPendingRequestsForOwnerTeams(db, ownedTeamIds(owner));
}

/** Loads a request and checks the decider owns the product; four eyes for approvals. */
async function loadDecidableRequest(tx: Db, owner: SessionUser, requestId: string, forApproval: boolean) {
  const [request] = await tx.select().from(accessRequests).where(eq(accessRequests.id, requestId)).for("update");
  if (!request) throw new AppError("not_found", "This access request does not exist.");
  const product = await findProduct(tx, request.productId);
  if (!product || !isOwnerOfTeam(owner, product.ownerTeamId)) {
    throw new AppError("forbidden", "Only owners of the product's team can decide its access requests.");
  }
  if (forApproval && (request.requesterId === owner.id || isMemberOfTeam(owner, request.teamId))) {
    throw new AppError(
      "forbidden",
      "Four eyes: you cannot approve a request filed by your own team. Another owner outside that team must approve it.",
    );
  }
  if (request.status !== "pending") throw new AppError("conflict", `This request was already ${request.status}.`);
  return { request, product };
}

export async function approveAccessRequest(
  db: Db,
  owner: SessionUser,
  input: ApproveRequestInput,
): Promise<{ requestId: string; subscriptionId: string }> {
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new AppError("validation", undefined, { fieldErrors: { expiresAt: ["The expiry must be in the future."] } });
  }
  return db.transaction(async (tx) => {
    const { request, product } = await loadDecidableRequest(tx, owner, input.requestId, true);
    const [requesterOrg] = await tx.execute<{ kind: "internal" | "external" }>(
      sql`select o.kind from teams t join organizations o on o.id = t.org_id where t.id = ${request.teamId}`,
    );
    const planRow = assertPlanUsable(await findPlanWithTier(tx, input.planId ?? request.planId), product.id, requesterOrg?.kind ?? "external");
    const contract = await findCurrentContract(tx, product.id);
    if (!contract) throw new AppError("conflict", "This product has no published contract.");
    await lockTeamProduct(tx, request.teamId, product.id);
    const expiresAt = input.expiresAt ?? request.requestedExpiry ?? (await defaultExpiryFor(tx, requesterOrg?.kind ?? "external"));

    await tx
      .update(accessRequests)
      .set({ status: "approved", decidedBy: owner.id, decidedAt: new Date(), grantedPlanId: planRow.plan.id, grantedExpiry: expiresAt })
      .where(eq(accessRequests.id, request.id));
    await assertNoDuplicate(tx, request.teamId, product.id, planRow.plan.id);
    const sub = await createProvisioningSubscription(tx, {
      product,
      planRow,
      contractMajor: contract.major,
      teamId: request.teamId,
      createdBy: request.requesterId,
      purpose: request.purpose,
      expiresAt,
      accessRequestId: request.id,
    });
    await recordAudit(tx, {
      actor: actor(owner),
      action: "access_request.approve",
      resource: { type: "access_request", id: request.id },
      details: { subscriptionId: sub.id, planId: planRow.plan.id, requestedPlanId: request.planId, expiresAt: expiresAt?.toISOString() ?? null },
    });
    await tx.insert(notifications).values({
      userId: request.requesterId,
      kind: "access_request.approved",
      title: `Access to ${product.name} approved`,
      body: `Your request was approved on the ${planRow.plan.name} plan. Your credentials are being set up.`,
      link: `/subscriptions/${sub.id}`,
    });
    return { requestId: request.id, subscriptionId: sub.id };
  });
}

export async function denyAccessRequest(db: Db, owner: SessionUser, input: DenyRequestInput): Promise<{ requestId: string }> {
  const reason = input.reason?.trim();
  if (!reason) throw new AppError("validation", undefined, { fieldErrors: { reason: ["A reason is required to deny a request."] } });
  return db.transaction(async (tx) => {
    const { request, product } = await loadDecidableRequest(tx, owner, input.requestId, false);
    await tx
      .update(accessRequests)
      .set({ status: "denied", decidedBy: owner.id, decidedAt: new Date(), decisionReason: reason })
      .where(eq(accessRequests.id, request.id));
    await recordAudit(tx, {
      actor: actor(owner),
      action: "access_request.deny",
      resource: { type: "access_request", id: request.id },
      details: { reason },
    });
    await tx.insert(notifications).values({
      userId: request.requesterId,
      kind: "access_request.denied",
      title: `Access to ${product.name} denied`,
      body: reason,
      link: `/products/${product.slug}`,
    });
    return { requestId: request.id };
  });
}

export type BulkOutcome = { requestId: string; ok: true } | { requestId: string; ok: false; code: string; message: string };

/** Each request decided in its own transaction: one refusal (four eyes, already decided) does not block the rest. */
async function bulk(requestIds: string[], run: (id: string) => Promise<unknown>): Promise<BulkOutcome[]> {
  const out: BulkOutcome[] = [];
  for (const requestId of [...new Set(requestIds)]) {
    try {
      await run(requestId);
      out.push({ requestId, ok: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      out.push({ requestId, ok: false, code: err.code, message: err.message });
    }
  }
  return out;
}

export function bulkApproveAccessRequests(db: Db, owner: SessionUser, input: { requestIds: string[]; expiresAt?: Date }) {
  return bulk(input.requestIds, (requestId) => approveAccessRequest(db, owner, { requestId, expiresAt: input.expiresAt }));
}

export function bulkDenyAccessRequests(db: Db, owner: SessionUser, input: { requestIds: string[]; reason: string }) {
  return bulk(input.requestIds, (requestId) => denyAccessRequest(db, owner, { requestId, reason: input.reason }));
}

type EndState = "revoked" | "expired" | "suspended";

/**
 * Ends a subscription and enqueues its deprovisioning in one transaction. Only states that may
 * hold access can end; ending twice is a conflict, not a second job.
 */
const ENDABLE_STATES: ("requested" | "provisioning" | "active" | "failed" | "suspended")[] = ["requested", "provisioning", "active", "failed", "suspended"];

async function endSubscription(
  tx: Db,
  subscriptionId: string,
  state: EndState,
  reason: string,
  audit: { actor: { type: "user" | "system"; id?: string; label?: string }; action: string },
): Promise<void> {
  const endedAt = new Date();
  const [updated] = await tx
    .update(subscriptions)
    .set({ state, stateReason: reason, endedAt, updatedAt: endedAt })
    // A suspended subscription can still be cancelled, revoked, expired or retired; not suspended twice.
    .where(and(eq(subscriptions.id, subscriptionId), inArray(subscriptions.state, state === "suspended" ? ENDABLE_STATES.slice(0, 4) : ENDABLE_STATES)))
    .returning({ id: subscriptions.id });
  if (!updated) throw new AppError("conflict", "This subscription has already ended.");
  await enqueue(tx, deprovisionSubscriptionJob, { subscriptionId }, { dedupeKey: deprovisionDedupeKey(subscriptionId, endedAt) });
  await recordAudit(tx, { actor: audit.actor, action: audit.action, resource: { type: "subscription", id: subscriptionId }, details: { state, reason } });
}

export async function cancelSubscription(db: Db, user: SessionUser, input: { subscriptionId: string; reason?: string }): Promise<void> {
  const sub = await findSubscription(db, input.subscriptionId);
  if (!sub || !isMemberOfTeam(user, sub.teamId)) throw new AppError("not_found", "This subscription does not exist.");
  await db.transaction((tx) =>
    endSubscription(tx, sub.id, "revoked", input.reason?.trim() || "Cancelled by the consumer", {
      actor: actor(user),
      action: "subscription.cancel",
    }),
  );
}

export async function revokeSubscription(db: Db, owner: SessionUser, input: { subscriptionId: string; reason?: string }): Promise<void> {
  const sub = await findSubscription(db, input.subscriptionId);
  if (!sub) throw new AppError("not_found", "This subscription does not exist.");
  const product = await findProduct(db, sub.productId);
  if (!product || !isOwnerOfTeam(owner, product.ownerTeamId)) {
    throw new AppError("forbidden", "Only owners of the product's team can revoke its subscriptions.");
  }
  await db.transaction(async (tx) => {
    await endSubscription(tx, sub.id, "revoked", input.reason?.trim() || "Revoked by the product owner", {
      actor: actor(owner),
      action: "subscription.revoke",
    });
    await tx.insert(notifications).values({
      userId: sub.createdBy,
      kind: "subscription.revoked",
      title: `Access to ${product.name} revoked`,
      body: input.reason?.trim() || "The product owner revoked this subscription.",
      link: `/subscriptions/${sub.id}`,
    });
  });
}

/** For a periodic job: every subscription past its expiry ends and is deprovisioned. Returns the ids. */
export async function expireDueSubscriptions(db: Db, now: Date = new Date()): Promise<string[]> {
  const due = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    // Suspended ones too: otherwise paying the invoice after the expiry date would bring them back.
    .where(and(lte(subscriptions.expiresAt, now), inArray(subscriptions.state, ["requested", "provisioning", "active", "failed", "suspended"])));
  const expired: string[] = [];
  for (const { id } of due) {
    try {
      await db.transaction(async (tx) => {
        await endSubscription(tx, id, "expired", "The subscription reached its expiry date", {
          actor: { type: "system", label: "expiry" },
          action: "subscription.expire",
        });
        await notifyExpired(tx, id);
      });
      expired.push(id);
    } catch (err) {
      // Ended concurrently (cancelled or expired by another worker): nothing left to do.
      if (!(err instanceof AppError && err.code === "conflict")) throw err;
    }
  }
  return expired;
}

const subscriptionLink = (id: string) => `/subscriptions/${id}`;

/** "2026-06-30 23:59 UTC": notices name instants in UTC, the zone expiry dates are defined in. */
function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

async function notifyExpired(tx: Db, subscriptionId: string): Promise<void> {
  const [row] = await tx
    .select({ teamId: subscriptions.teamId, productName: dataProducts.name })
    .from(subscriptions)
    .innerJoin(dataProducts, eq(dataProducts.id, subscriptions.productId))
    .where(eq(subscriptions.id, subscriptionId));
  if (!row) return;
  await notifyUsers(tx, await listTeamMemberIds(tx, row.teamId), {
    kind: "subscription.expired",
    title: `Access to ${row.productName} has expired`,
    body: "The subscription reached its expiry date: its credentials are being revoked. Subscribe again or ask the owners for a new expiry to keep reading.",
    link: subscriptionLink(subscriptionId),
  });
}

/** Days before `expiresAt` at which the subscribing team is told, longest first. */
export const EXPIRY_NOTICE_DAYS = [7, 1] as const;
/** How long before a rotated credential stops working its team is told. */
export const GRACE_NOTICE_MS = 24 * 60 * 60 * 1000;

export type ExpiryNoticeReport = { expiring: { subscriptionId: string; days: number; notified: number }[]; graceEnding: { subscriptionId: string; notified: number }[] };

/**
 * For the provisioner's periodic loop: tells the subscribing team, in the app (and by email when
 * SMTP is set), that access expires within 7 days and again within 1 day, and that a rotated
 * credential's grace period ends within 24 hours. Each notice goes once per member and per
 * expiry date or rotation (a notice of the same kind and link since the window opened counts);
 * a subscription first seen inside the 1-day window gets only the 1-day notice. Idempotent, and
 * safe with several workers: each subscription's check and insert run under an advisory lock.
 */
export async function notifyExpiringAccess(db: Db, now: Date = new Date()): Promise<ExpiryNoticeReport> {
  const report: ExpiryNoticeReport = { expiring: [], graceEnding: [] };
  const day = 86_400_000;
  const longest = Math.max(...EXPIRY_NOTICE_DAYS);
  for (const sub of await listSubscriptionsExpiringBetween(db, now, new Date(now.getTime() + longest * day))) {
    const left = sub.expiresAt!.getTime() - now.getTime();
    // The tightest window it is in: 7 > left > 1 day gives the 7-day notice, left <= 1 day the 1-day one.
    const days = [...EXPIRY_NOTICE_DAYS].sort((a, b) => a - b).find((d) => left <= d * day)!;
    const kind = `subscription.expiring_${days}d`;
    const link = subscriptionLink(sub.id);
    const notified = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${kind}:${sub.id}`}))`);
      const members = await listTeamMemberIds(tx, sub.teamId);
      // Any such notice since a day before the longest window opened for this expiry date: an
      // expiry moved later by more than that gets its notices again.
      const already = await listUsersNotifiedSince(tx, members, kind, link, new Date(sub.expiresAt!.getTime() - (longest + 1) * day));
      return notifyUsers(tx, members.filter((m) => !already.has(m)), {
        kind,
        title: `Access to ${sub.productName} expires ${days === 1 ? "within a day" : `in ${days} days`}`,
        body: `This subscription ends on ${utc(sub.expiresAt!)}; its credentials stop working then. Ask the product's owners for a later expiry if you still need the data.`,
        link,
      });
    });
    if (notified) report.expiring.push({ subscriptionId: sub.id, days, notified });
  }
  for (const g of await listRotationGracesEndingBetween(db, now, new Date(now.getTime() + GRACE_NOTICE_MS))) {
    const kind = "credential.grace_ending";
    const link = subscriptionLink(g.subscriptionId);
    const notified = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${kind}:${g.subscriptionId}`}))`);
      const members = await listTeamMemberIds(tx, g.teamId);
      // Once per rotation: a later rotation is news again.
      const already = await listUsersNotifiedSince(tx, members, kind, link, g.rotatedAt ?? new Date(g.retiresAt!.getTime() - GRACE_NOTICE_MS));
      return notifyUsers(tx, members.filter((m) => !already.has(m)), {
        kind,
        title: `The previous credential for ${g.productName} stops working soon`,
        body: `After the rotation, the previous credential keeps working until ${utc(g.retiresAt!)}. Move every consumer to the new credential before then.`,
        link,
      });
    });
    if (notified) report.graceEnding.push({ subscriptionId: g.subscriptionId, notified });
  }
  return report;
}

/**
 * After provisioning gave up ("failed"): a member of the subscribing team or an owner of the
 * product puts it back to "provisioning" with a fresh job. The dedupe key names the failure it
 * answers, so a double click retries once.
 */
export async function retryProvisioning(db: Db, user: SessionUser, input: { subscriptionId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, input.subscriptionId)).for("update");
    const product = sub ? await findProduct(tx, sub.productId) : undefined;
    if (!sub || !product || !(isMemberOfTeam(user, sub.teamId) || isOwnerOfTeam(user, product.ownerTeamId))) {
      throw new AppError("not_found", "This subscription does not exist.");
    }
    if (sub.state !== "failed") throw new AppError("conflict", `Only a failed subscription can be retried (it is ${sub.state}).`);
    // The reconciler removes the principal of a failed subscription and revokes its credential
    // (a failed one must hold no access): the retry then provisions the next generation.
    const [live] = await listLiveCredentials(tx, sub.id);
    const credential = live ?? (await insertNextCredential(tx, sub.id));
    await tx
      .update(subscriptions)
      .set({ state: "provisioning", stateReason: "Retrying after a failure", updatedAt: new Date() })
      .where(eq(subscriptions.id, sub.id));
    await enqueue(tx, provisionSubscriptionJob, { subscriptionId: sub.id }, {
      dedupeKey: `${provisionDedupeKey(sub.id)}:after:${sub.updatedAt.getTime()}`,
    });
    await recordAudit(tx, {
      actor: actor(user),
      action: "subscription.retry_provisioning",
      resource: { type: "subscription", id: sub.id },
      details: { principal: principalName(credential.username), newGeneration: !live },
    });
  });
}

/**
 * For billing (non-payment) and platform stewards: access ends like a revocation, but the
 * subscription can come back with resumeSubscription. `by` is recorded in the audit log.
 */
export async function suspendSubscription(
  db: Db,
  input: { subscriptionId: string; reason: string },
  by: { type: "user" | "system"; id?: string; label?: string } = { type: "system", label: "billing" },
): Promise<void> {
  await db.transaction((tx) => endSubscription(tx, input.subscriptionId, "suspended", input.reason, { actor: by, action: "subscription.suspend" }));
}

/**
 * Suspended -> provisioning with a new credential generation: the suspension revoked the old
 * principals, and a fresh one means no secret from before the suspension works again.
 * A subscription whose expiry date passed while it was suspended does not come back: it ends
 * "expired" instead (in the caller's transaction, like a resume), and the result says so.
 */
export async function resumeSubscription(
  db: Db,
  input: { subscriptionId: string },
  by: { type: "user" | "system"; id?: string; label?: string } = { type: "system", label: "billing" },
  now: Date = new Date(),
): Promise<"resumed" | "expired"> {
  return db.transaction(async (tx) => {
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, input.subscriptionId)).for("update");
    if (!sub) throw new AppError("not_found", "This subscription does not exist.");
    if (sub.state !== "suspended") throw new AppError("conflict", `Only a suspended subscription can be resumed (it is ${sub.state}).`);
    if (sub.expiresAt && sub.expiresAt.getTime() <= now.getTime()) {
      await endSubscription(tx, sub.id, "expired", "The subscription reached its expiry date while suspended", {
        actor: by,
        action: "subscription.expire",
      });
      await notifyExpired(tx, sub.id);
      return "expired";
    }
    // If the suspension's deprovisioning has not run yet, the old principals still go, now.
    const stillLive = await tx.select({ id: credentials.id }).from(credentials).where(and(eq(credentials.subscriptionId, sub.id), isNull(credentials.revokedAt)));
    for (const old of stillLive) await enqueue(tx, retireCredentialJob, { credentialId: old.id }, { dedupeKey: retireDedupeKey(old.id) });
    const cred = await insertNextCredential(tx, sub.id);
    await tx
      .update(subscriptions)
      .set({ state: "provisioning", stateReason: null, endedAt: null, updatedAt: new Date() })
      .where(eq(subscriptions.id, sub.id));
    await enqueue(tx, provisionSubscriptionJob, { subscriptionId: sub.id }, { dedupeKey: `${provisionDedupeKey(sub.id)}:resume:${cred.generation}` });
    await recordAudit(tx, { actor: by, action: "subscription.resume", resource: { type: "subscription", id: sub.id }, details: { principal: principalName(cred.username) } });
    return "resumed";
  });
}

/**
 * Product retirement (called by the publishing flow, in its own transaction or after it): every
 * subscription that still holds access ends as "revoked" and pending requests are cancelled.
 */
export async function endProductSubscriptions(db: Db, productId: string, reason = "The product was retired"): Promise<string[]> {
  return db.transaction(async (tx) => {
    const live = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.productId, productId), inArray(subscriptions.state, ["requested", "provisioning", "active", "failed", "suspended"])))
      .for("update");
    for (const { id } of live) {
      await endSubscription(tx, id, "revoked", reason, { actor: { type: "system", label: "retirement" }, action: "subscription.revoke" });
    }
    const cancelled = await tx
      .update(accessRequests)
      .set({ status: "cancelled", decidedAt: new Date(), decisionReason: reason })
      .where(and(eq(accessRequests.productId, productId), eq(accessRequests.status, "pending")))
      .returning({ id: accessRequests.id, requesterId: accessRequests.requesterId });
    const product = cancelled.length ? await findProduct(tx, productId) : undefined;
    for (const request of cancelled) {
      await recordAudit(tx, {
        actor: { type: "system", label: "retirement" },
        action: "access_request.cancel",
        resource: { type: "access_request", id: request.id },
        details: { productId, reason },
      });
      // The requester's page lists cancelled requests with the reason for a while.
      await notifyUsers(tx, [request.requesterId], {
        kind: "access_request.cancelled",
        title: `Your access request for ${product?.name ?? "a product"} was cancelled`,
        body: `${reason}. Nothing was granted.`,
        link: "/subscriptions",
      });
    }
    return live.map((r) => r.id);
  });
}
