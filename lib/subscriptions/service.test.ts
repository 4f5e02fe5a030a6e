import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessRequests, auditLog, credentials, jobs, notifications, subscriptions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { createTestDatabase } from "@/lib/testing/db";
import { deprovisionDedupeKey, provisionDedupeKey } from "./jobs";
import {
  approveAccessRequest,
  bulkApproveAccessRequests,
  bulkDenyAccessRequests,
  cancelSubscription,
  denyAccessRequest,
  endProductSubscriptions,
  expireDueSubscriptions,
  listReviewQueue,
  notifyExpiringAccess,
  resumeSubscription,
  retryProvisioning,
  revokeSubscription,
  subscribe,
  suspendSubscription,
} from "./service";
import { ApproveRequestSchema, SubscribeSchema, endOfUtcDay } from "./schemas";
import { createSubscriptionWorld, subscribeToAutoPlan } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function jobFor(dedupeKey: string) {
  return (await db.select().from(jobs).where(eq(jobs.dedupeKey, dedupeKey)))[0];
}

describe("subscribe", () => {
  it("auto approval: subscription in provisioning with its credential row, provision job and audit in one go", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribe(db, w.users.consumer, {
      productId: w.product.id,
      planId: w.plans.autoPlan.id,
      teamId: w.teams.consumerTeam.id,
      purpose: "analytics",
    });
    expect(res.kind).toBe("subscription");
    if (res.kind !== "subscription") return;
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, res.subscriptionId));
    expect(sub).toMatchObject({
      state: "provisioning",
      teamId: w.teams.consumerTeam.id,
      contractMajor: 1,
      tierId: w.tiers.masked.id,
      deliveryTopic: `tributary.delivery.${w.product.slug}.v1.masked`,
      groupPrefix: `tributary.sub.${sub!.id}.`,
      principal: `User:sub-${sub!.id}`,
    });
    expect(await db.select().from(credentials).where(eq(credentials.subscriptionId, sub!.id))).toHaveLength(1);
    expect((await jobFor(provisionDedupeKey(sub!.id)))?.status).toBe("queued");
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, sub!.id), eq(auditLog.action, "subscription.create")));
    expect(audit).toHaveLength(1);
  });

  it("refuses a duplicate live subscription of the same team, product and plan (also two at once)", async () => {
    const w = await createSubscriptionWorld(db);
    const input = { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.consumerTeam.id, purpose: "analytics" };
    const results = await Promise.allSettled([subscribe(db, w.users.consumer, input), subscribe(db, w.users.colleague, input)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "conflict" });
    expect(String(refused.reason.message)).toMatch(/already has a subscription/);
    expect(await db.select().from(subscriptions).where(eq(subscriptions.productId, w.product.id))).toHaveLength(1);
  });

  it("checks purpose, team membership, plan of product, active plan and external access", async () => {
    const w = await createSubscriptionWorld(db);
    const base = { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.consumerTeam.id, purpose: "analytics" };
    const badPurpose = await rejection(subscribe(db, w.users.consumer, { ...base, purpose: "marketing" }));
    expect(badPurpose.code).toBe("validation");
    expect(badPurpose.fieldErrors?.purpose?.[0]).toMatch(/analytics, fraud-detection/);
    expect((await rejection(subscribe(db, w.users.outsider, base))).code).toBe("forbidden");
    expect((await rejection(subscribe(db, w.users.consumer, { ...base, planId: w.plans.retiredPlan.id }))).code).toBe("conflict");
    const other = await createSubscriptionWorld(db);
    expect((await rejection(subscribe(db, w.users.consumer, { ...base, planId: other.plans.autoPlan.id }))).code).toBe("not_found");

    const external = await rejection(subscribe(db, w.users.partner, { ...base, teamId: w.teams.partnerTeam.id }));
    expect(external.code).toBe("forbidden");
    expect(external.message).toMatch(/external/);
    const ok = await subscribe(db, w.users.partner, { ...base, teamId: w.teams.partnerTeam.id, planId: w.plans.externalAutoPlan.id });
    expect(ok.kind).toBe("subscription");
  });

  it("manual approval files a pending request with justification and notifies the product's owners", async () => {
    const w = await createSubscriptionWorld(db);
    const base = { productId: w.product.id, planId: w.plans.reviewPlan.id, teamId: w.teams.consumerTeam.id, purpose: "fraud-detection" };
    expect((await rejection(subscribe(db, w.users.consumer, base))).fieldErrors?.justification).toBeDefined();
    const expiry = new Date(Date.now() + 30 * 86400_000);
    const res = await subscribe(db, w.users.consumer, { ...base, justification: "Fraud model training", requestedExpiry: expiry });
    expect(res.kind).toBe("access_request");
    if (res.kind !== "access_request") return;
    const [req] = await db.select().from(accessRequests).where(eq(accessRequests.id, res.requestId));
    expect(req).toMatchObject({ status: "pending", justification: "Fraud model training", requestedExpiry: expiry });
    const notified = await db.select().from(notifications).where(eq(notifications.kind, "access_request.pending"));
    const ids = notified.map((n) => n.userId);
    expect(ids).toContain(w.users.owner.id);
    expect(ids).toContain(w.users.dualOwner.id);
    expect(ids).not.toContain(w.users.consumer.id);
    expect(await db.select().from(subscriptions).where(eq(subscriptions.productId, w.product.id))).toHaveLength(0);
    const queue = await listReviewQueue(db, w.users.owner);
    expect(queue.find((q) => q.requestId === res.requestId)).toMatchObject({
      purpose: "fraud-detection",
      team: { id: w.teams.consumerTeam.id },
      org: { kind: "internal" },
      requester: { id: w.users.consumer.id },
    });
    expect(await listReviewQueue(db, w.users.consumer)).toEqual([]);
    // A second request for the same plan while one is pending is a conflict.
    expect((await rejection(subscribe(db, w.users.colleague, { ...base, justification: "again" }))).code).toBe("conflict");
  });
});

describe("expiry dates are the end of the day in UTC", () => {
  it("today's date is accepted by requester and approver (access until tonight, UTC); yesterday is refused", async () => {
    const w = await createSubscriptionWorld(db);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const input = { productId: w.product.id, planId: w.plans.reviewPlan.id, teamId: w.teams.partnerTeam.id, purpose: "fraud-detection", justification: "Roaming" };
    const refused = await rejection(subscribe(db, w.users.partner, SubscribeSchema.parse({ ...input, requestedExpiry: yesterday })));
    expect(refused.fieldErrors).toEqual({ requestedExpiry: ["The expiry must be in the future."] });
    const res = await subscribe(db, w.users.partner, SubscribeSchema.parse({ ...input, requestedExpiry: today }));
    if (res.kind !== "access_request") throw new Error("expected a request");
    const [request] = await db.select().from(accessRequests).where(eq(accessRequests.id, res.requestId));
    expect(request!.requestedExpiry).toEqual(endOfUtcDay(today));
    const approved = await approveAccessRequest(db, w.users.owner, ApproveRequestSchema.parse({ requestId: res.requestId, expiresAt: today }));
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, approved.subscriptionId));
    expect(sub!.expiresAt).toEqual(endOfUtcDay(today));
  });
});

describe("owner review", () => {
  async function pendingRequest(w: Awaited<ReturnType<typeof createSubscriptionWorld>>) {
    const res = await subscribe(db, w.users.consumer, {
      productId: w.product.id,
      planId: w.plans.reviewPlan.id,
      teamId: w.teams.consumerTeam.id,
      purpose: "analytics",
      justification: "Dashboards",
    });
    if (res.kind !== "access_request") throw new Error("expected a request");
    return res.requestId;
  }

  it("four eyes: an owner who belongs to the requesting team cannot approve; non-owners cannot decide", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await pendingRequest(w);
    const fourEyes = await rejection(approveAccessRequest(db, w.users.dualOwner, { requestId }));
    expect(fourEyes.code).toBe("forbidden");
    expect(fourEyes.message).toMatch(/Four eyes/);
    expect((await rejection(approveAccessRequest(db, w.users.consumer, { requestId }))).code).toBe("forbidden");
    expect((await rejection(denyAccessRequest(db, w.users.outsider, { requestId, reason: "no" }))).code).toBe("forbidden");
    const [req] = await db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
    expect(req!.status).toBe("pending");
  });

  it("deny needs a reason, records it and notifies the requester", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await pendingRequest(w);
    expect((await rejection(denyAccessRequest(db, w.users.owner, { requestId, reason: "  " }))).code).toBe("validation");
    await denyAccessRequest(db, w.users.owner, { requestId, reason: "Purpose does not match the contract" });
    const [req] = await db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
    expect(req).toMatchObject({ status: "denied", decisionReason: "Purpose does not match the contract", decidedBy: w.users.owner.id });
    const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, w.users.consumer.id), eq(notifications.kind, "access_request.denied")));
    expect(note?.body).toBe("Purpose does not match the contract");
    expect((await rejection(approveAccessRequest(db, w.users.owner, { requestId }))).code).toBe("conflict");
  });

  it("approve (with another plan and an expiry) creates one subscription and job even when two owners click at once", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await pendingRequest(w);
    const expiresAt = new Date(Date.now() + 7 * 86400_000);
    const results = await Promise.allSettled([
      approveAccessRequest(db, w.users.owner, { requestId, planId: w.plans.autoPlan.id, expiresAt }),
      approveAccessRequest(db, w.users.owner, { requestId, planId: w.plans.autoPlan.id, expiresAt }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const subs = await db.select().from(subscriptions).where(eq(subscriptions.accessRequestId, requestId));
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ state: "provisioning", planId: w.plans.autoPlan.id, tierId: w.tiers.masked.id, expiresAt, createdBy: w.users.consumer.id });
    expect(await jobFor(provisionDedupeKey(subs[0]!.id))).toBeDefined();
    const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, w.users.consumer.id), eq(notifications.kind, "access_request.approved")));
    expect(note).toBeDefined();
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, requestId), eq(auditLog.action, "access_request.approve")));
    expect(audit).toHaveLength(1);
  });

  it("bulk decisions report each outcome; refusals do not stop the rest", async () => {
    const w = await createSubscriptionWorld(db);
    const a = await pendingRequest(w);
    const b = (await subscribe(db, w.users.partner, {
      productId: w.product.id,
      planId: w.plans.reviewPlan.id,
      teamId: w.teams.partnerTeam.id,
      purpose: "analytics",
      justification: "Roaming analytics",
    })) as { requestId: string };
    const approved = await bulkApproveAccessRequests(db, w.users.dualOwner, { requestIds: [a, b.requestId] });
    expect(approved).toEqual([
      { requestId: a, ok: false, code: "forbidden", message: expect.stringMatching(/Four eyes/) },
      { requestId: b.requestId, ok: true },
    ]);
    const denied = await bulkDenyAccessRequests(db, w.users.owner, { requestIds: [a, b.requestId], reason: "Not now" });
    expect(denied.map((d) => d.ok)).toEqual([true, false]);
  });
});

describe("ending access", () => {
  async function activeSub(w: Awaited<ReturnType<typeof createSubscriptionWorld>>, expiresAt?: Date) {
    const res = await subscribeToAutoPlan(db, w);
    await db.update(subscriptions).set({ state: "active", expiresAt }).where(eq(subscriptions.id, res.subscriptionId));
    return res.subscriptionId;
  }

  it("cancel by a member of the team: revoked with a deprovision job; others cannot; twice is a conflict", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await activeSub(w);
    expect((await rejection(cancelSubscription(db, w.users.outsider, { subscriptionId: id }))).code).toBe("not_found");
    expect((await rejection(revokeSubscription(db, w.users.consumer, { subscriptionId: id }))).code).toBe("forbidden");
    await cancelSubscription(db, w.users.colleague, { subscriptionId: id });
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub).toMatchObject({ state: "revoked", stateReason: "Cancelled by the consumer" });
    expect(sub!.endedAt).toBeInstanceOf(Date);
    expect((await jobFor(deprovisionDedupeKey(id, sub!.endedAt!)))?.kind).toBe("subscription.deprovision");
    expect((await rejection(cancelSubscription(db, w.users.consumer, { subscriptionId: id }))).code).toBe("conflict");
  });

  it("revoke by the product owner notifies the subscriber", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await activeSub(w);
    await revokeSubscription(db, w.users.owner, { subscriptionId: id, reason: "Contract breach" });
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub).toMatchObject({ state: "revoked", stateReason: "Contract breach" });
    const [note] = await db.select().from(notifications).where(and(eq(notifications.userId, w.users.consumer.id), eq(notifications.kind, "subscription.revoked")));
    expect(note?.body).toBe("Contract breach");
  });

  it("expireDueSubscriptions ends only subscriptions past their expiry", async () => {
    const w = await createSubscriptionWorld(db);
    const now = new Date();
    const due = await activeSub(w, new Date(now.getTime() - 1000));
    // Move it to another plan so the same team can hold a second live subscription.
    await db.update(subscriptions).set({ planId: w.plans.externalAutoPlan.id }).where(eq(subscriptions.id, due));
    const later = await activeSub(w, new Date(now.getTime() + 86400_000));
    const expired = await expireDueSubscriptions(db, now);
    expect(expired).toContain(due);
    expect(expired).not.toContain(later);
    const [a] = await db.select().from(subscriptions).where(eq(subscriptions.id, due));
    expect(a!.state).toBe("expired");
    expect(await jobFor(deprovisionDedupeKey(due, a!.endedAt!))).toBeDefined();
    expect(await expireDueSubscriptions(db, now)).not.toContain(due);
  });
});

describe("retryProvisioning", () => {
  it("puts a failed subscription back to provisioning with one new job; only failed ones, only its team or the product owners", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribeToAutoPlan(db, w);
    const id = res.subscriptionId;
    expect((await rejection(retryProvisioning(db, w.users.consumer, { subscriptionId: id }))).code).toBe("conflict");
    await db.update(subscriptions).set({ state: "failed", stateReason: "broker down" }).where(eq(subscriptions.id, id));
    expect((await rejection(retryProvisioning(db, w.users.outsider, { subscriptionId: id }))).code).toBe("not_found");
    const clicks = await Promise.allSettled([
      retryProvisioning(db, w.users.consumer, { subscriptionId: id }),
      retryProvisioning(db, w.users.colleague, { subscriptionId: id }),
    ]);
    expect(clicks.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(sub!.state).toBe("provisioning");
    const provisionJobs = await db.select().from(jobs).where(like(jobs.dedupeKey, `${provisionDedupeKey(id)}%`));
    expect(provisionJobs).toHaveLength(2);
  });
});

describe("suspend and resume", () => {
  it("each ending gets its own deprovision job; resume adds a credential generation and retires live old ones", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribeToAutoPlan(db, w);
    const id = res.subscriptionId;
    await db.update(subscriptions).set({ state: "active" }).where(eq(subscriptions.id, id));
    await suspendSubscription(db, { subscriptionId: id, reason: "Invoice overdue" });
    expect((await rejection(suspendSubscription(db, { subscriptionId: id, reason: "again" }))).code).toBe("conflict");
    await resumeSubscription(db, { subscriptionId: id });
    const [resumed] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
    expect(resumed).toMatchObject({ state: "provisioning", principal: `User:sub-${id}-r1`, endedAt: null });
    // The first suspension's deprovisioning had not run: its credential is retired by a job now.
    const [oldCred] = await db.select().from(credentials).where(eq(credentials.username, `sub-${id}`));
    expect(await jobFor(`credential.retire:${oldCred!.id}`)).toBeDefined();
    await db.update(subscriptions).set({ state: "active" }).where(eq(subscriptions.id, id));
    await suspendSubscription(db, { subscriptionId: id, reason: "Overdue again" });
    const deprovisions = await db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${id}:%`));
    expect(deprovisions).toHaveLength(2);
  });

  it("a suspended subscription past its expiry date ends expired: the sweep takes it, and a resume after the date does not bring it back", async () => {
    const w = await createSubscriptionWorld(db);
    const now = new Date();
    const suspendedSub = async (expiresAt: Date, planId: string) => {
      const res = await subscribeToAutoPlan(db, w);
      await db.update(subscriptions).set({ state: "active", expiresAt, planId }).where(eq(subscriptions.id, res.subscriptionId));
      await suspendSubscription(db, { subscriptionId: res.subscriptionId, reason: "Invoice overdue" });
      return res.subscriptionId;
    };
    const swept = await suspendedSub(new Date(now.getTime() - 1000), w.plans.externalAutoPlan.id);
    expect(await expireDueSubscriptions(db, now)).toContain(swept);
    const [a] = await db.select().from(subscriptions).where(eq(subscriptions.id, swept));
    expect(a).toMatchObject({ state: "expired", stateReason: "The subscription reached its expiry date" });
    expect((await rejection(resumeSubscription(db, { subscriptionId: swept }))).code).toBe("conflict");

    // Paid after the date but before the sweep ran: the resume ends it instead.
    const late = await suspendedSub(new Date(now.getTime() + 60_000), w.plans.autoPlan.id);
    expect(await resumeSubscription(db, { subscriptionId: late }, undefined, new Date(now.getTime() + 120_000))).toBe("expired");
    const [b] = await db.select().from(subscriptions).where(eq(subscriptions.id, late));
    expect(b!.state).toBe("expired");
    expect(await db.select().from(credentials).where(eq(credentials.subscriptionId, late))).toHaveLength(1);
    expect(await db.select().from(jobs).where(like(jobs.dedupeKey, `${provisionDedupeKey(late)}:resume:%`))).toHaveLength(0);
    expect(await jobFor(deprovisionDedupeKey(late, b!.endedAt!))).toBeDefined();
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, late), eq(auditLog.action, "subscription.expire")));
    expect(audit).toBeDefined();
  });
});

describe("endProductSubscriptions", () => {
  it("revokes every live subscription of a retired product with its deprovision job and cancels pending requests", async () => {
    const w = await createSubscriptionWorld(db);
    const auto = await subscribe(db, w.users.consumer, {
      productId: w.product.id,
      planId: w.plans.autoPlan.id,
      teamId: w.teams.consumerTeam.id,
      purpose: "analytics",
    });
    const partner = await subscribe(db, w.users.partner, {
      productId: w.product.id,
      planId: w.plans.reviewPlan.id,
      teamId: w.teams.partnerTeam.id,
      purpose: "analytics",
      justification: "Roaming",
    });
    const other = await createSubscriptionWorld(db);
    const untouched = await subscribe(db, other.users.consumer, {
      productId: other.product.id,
      planId: other.plans.autoPlan.id,
      teamId: other.teams.consumerTeam.id,
      purpose: "analytics",
    });
    if (auto.kind !== "subscription" || partner.kind !== "access_request" || untouched.kind !== "subscription") throw new Error("setup");
    expect(await endProductSubscriptions(db, w.product.id)).toEqual([auto.subscriptionId]);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, auto.subscriptionId));
    expect(sub).toMatchObject({ state: "revoked", stateReason: "The product was retired" });
    expect(await jobFor(deprovisionDedupeKey(sub!.id, sub!.endedAt!))).toBeDefined();
    const [req] = await db.select().from(accessRequests).where(eq(accessRequests.id, partner.requestId));
    expect(req!.status).toBe("cancelled");
    const cancelAudits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, partner.requestId), eq(auditLog.action, "access_request.cancel")));
    expect(cancelAudits.map((a) => [a.actorLabel, a.details])).toEqual([["retirement", { productId: w.product.id, reason: "The product was retired" }]]);
    const [told] = await db.select().from(notifications).where(and(eq(notifications.userId, w.users.partner.id), eq(notifications.kind, "access_request.cancelled")));
    expect(told).toMatchObject({ title: `Your access request for ${w.product.name} was cancelled`, link: "/subscriptions" });
    const [still] = await db.select().from(subscriptions).where(eq(subscriptions.id, untouched.subscriptionId));
    expect(still!.state).toBe("provisioning");
  });

  it("also ends a suspended subscription, which a consumer can cancel too", async () => {
    const w = await createSubscriptionWorld(db);
    const a = await subscribeToAutoPlan(db, w);
    await suspendSubscription(db, { subscriptionId: a.subscriptionId, reason: "Invoice overdue" });
    expect(await endProductSubscriptions(db, w.product.id)).toEqual([a.subscriptionId]);
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, a.subscriptionId));
    expect(sub!.state).toBe("revoked");

    const w2 = await createSubscriptionWorld(db);
    const b = await subscribeToAutoPlan(db, w2);
    await suspendSubscription(db, { subscriptionId: b.subscriptionId, reason: "Invoice overdue" });
    await cancelSubscription(db, w2.users.consumer, { subscriptionId: b.subscriptionId });
    const [cancelled] = await db.select().from(subscriptions).where(eq(subscriptions.id, b.subscriptionId));
    expect(cancelled!.state).toBe("revoked");
  });
});

describe("external access default expiry and request links", () => {
  it("external access expires after the admin's default when nobody set an expiry; internal access does not", async () => {
    const w = await createSubscriptionWorld(db);
    const ext = await subscribe(db, w.users.partner, { productId: w.product.id, planId: w.plans.externalAutoPlan.id, teamId: w.teams.partnerTeam.id, purpose: "analytics" });
    const int = await subscribe(db, w.users.consumer, { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.consumerTeam.id, purpose: "analytics" });
    if (ext.kind !== "subscription" || int.kind !== "subscription") throw new Error("setup");
    const [e] = await db.select().from(subscriptions).where(eq(subscriptions.id, ext.subscriptionId));
    const [i] = await db.select().from(subscriptions).where(eq(subscriptions.id, int.subscriptionId));
    const days = (e!.expiresAt!.getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    expect(i!.expiresAt).toBeNull();
  });

  it("the owner's notification links to the exact request", async () => {
    const w = await createSubscriptionWorld(db);
    const res = await subscribe(db, w.users.partner, {
      productId: w.product.id,
      planId: w.plans.reviewPlan.id,
      teamId: w.teams.partnerTeam.id,
      purpose: "analytics",
      justification: "Roaming",
    });
    if (res.kind !== "access_request") throw new Error("setup");
    const rows = await db.select().from(notifications).where(eq(notifications.userId, w.users.owner.id));
    expect(rows.map((r) => r.link)).toContain(`/owner/requests?request=${res.requestId}`);
  });
});

describe("expiry and rotation notices", () => {
  const day = 86_400_000;
  /** Subscribes on the auto plan, then moves it to `planId` (not the auto plan) so the team can subscribe again. */
  async function activeSub(w: Awaited<ReturnType<typeof createSubscriptionWorld>>, planId: string, expiresAt: Date | null) {
    const res = await subscribeToAutoPlan(db, w);
    await db.update(subscriptions).set({ state: "active", expiresAt, planId }).where(eq(subscriptions.id, res.subscriptionId));
    return res.subscriptionId;
  }
  const noticesOf = (kind: string, id: string) =>
    db.select().from(notifications).where(and(eq(notifications.kind, kind), eq(notifications.link, `/subscriptions/${id}`)));
  const team = (w: Awaited<ReturnType<typeof createSubscriptionWorld>>) => [w.users.consumer.id, w.users.colleague.id, w.users.dualOwner.id].sort();

  it("tells every member of the subscribing team 7 days and 1 day before expiry, once each; late starters get only the 1-day notice", async () => {
    const w = await createSubscriptionWorld(db);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 6 * day);
    const id = await activeSub(w, w.plans.retiredPlan.id, expiresAt);
    const soon = await activeSub(w, w.plans.externalAutoPlan.id, new Date(now.getTime() + 12 * 3600_000));

    const first = await notifyExpiringAccess(db, now);
    expect(first.expiring).toEqual(expect.arrayContaining([{ subscriptionId: id, days: 7, notified: 3 }, { subscriptionId: soon, days: 1, notified: 3 }]));
    const week = await noticesOf("subscription.expiring_7d", id);
    expect(week.map((n) => n.userId).sort()).toEqual(team(w));
    expect(week[0]).toMatchObject({ title: `Access to ${w.product.name} expires in 7 days` });
    expect(week[0]!.body).toContain(`${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
    expect(await noticesOf("subscription.expiring_7d", soon)).toHaveLength(0);
    expect(await noticesOf("subscription.expiring_1d", soon)).toHaveLength(3);

    // The next rounds send nothing new, until the 1-day window opens.
    expect((await notifyExpiringAccess(db, new Date(now.getTime() + 60_000))).expiring.filter((e) => [id, soon].includes(e.subscriptionId))).toEqual([]);
    const lastDay = new Date(expiresAt.getTime() - 20 * 3600_000);
    expect((await notifyExpiringAccess(db, lastDay)).expiring.filter((e) => e.subscriptionId === id)).toEqual([{ subscriptionId: id, days: 1, notified: 3 }]);
    await notifyExpiringAccess(db, new Date(lastDay.getTime() + 60_000));
    expect(await noticesOf("subscription.expiring_1d", id)).toHaveLength(3);
    expect(await noticesOf("subscription.expiring_7d", id)).toHaveLength(3);

    // Subscriptions without an expiry, or far from it, hear nothing.
    const none = await activeSub(w, w.plans.reviewPlan.id, null);
    await notifyExpiringAccess(db, now);
    expect(await noticesOf("subscription.expiring_7d", none)).toHaveLength(0);
  });

  it("tells the team when access actually ends by expiry", async () => {
    const w = await createSubscriptionWorld(db);
    const id = await activeSub(w, w.plans.retiredPlan.id, new Date(Date.now() - 1000));
    expect(await expireDueSubscriptions(db)).toContain(id);
    const ended = await noticesOf("subscription.expired", id);
    expect(ended.map((n) => n.userId).sort()).toEqual(team(w));
    expect(ended[0]!.title).toBe(`Access to ${w.product.name} has expired`);
  });

  it("tells the team once per rotation when the previous credential's grace period ends within 24 hours", async () => {
    const w = await createSubscriptionWorld(db);
    const now = new Date();
    const id = await activeSub(w, w.plans.retiredPlan.id, null);
    const far = await activeSub(w, w.plans.externalAutoPlan.id, null);
    // What rotateCredentials writes: a new generation that records when the previous stops working.
    const rotation = (subscriptionId: string, generation: number, retiresAt: Date, rotatedAt = now) =>
      db.insert(credentials).values({ subscriptionId, username: `sub-${subscriptionId}-r${generation}`, revealedAt: rotatedAt, rotatedAt, previousRetiresAt: retiresAt });
    await rotation(id, 1, new Date(now.getTime() + 20 * 3600_000));
    await rotation(far, 1, new Date(now.getTime() + 30 * 3600_000));

    const report = await notifyExpiringAccess(db, now);
    expect(report.graceEnding).toEqual([{ subscriptionId: id, notified: 3 }]);
    const notices = await noticesOf("credential.grace_ending", id);
    expect(notices.map((n) => n.userId).sort()).toEqual(team(w));
    expect(notices[0]!.title).toBe(`The previous credential for ${w.product.name} stops working soon`);
    expect((await notifyExpiringAccess(db, new Date(now.getTime() + 60_000))).graceEnding).toEqual([]);
    expect(await noticesOf("credential.grace_ending", far)).toHaveLength(0);

    // Retired early (nothing live before the new generation): no notice.
    const [old] = await db.select().from(credentials).where(eq(credentials.username, `sub-${far}`));
    await db.update(credentials).set({ revokedAt: now }).where(eq(credentials.id, old!.id));
    await notifyExpiringAccess(db, new Date(now.getTime() + 7 * 3600_000));
    expect(await noticesOf("credential.grace_ending", far)).toHaveLength(0);
  });
});
