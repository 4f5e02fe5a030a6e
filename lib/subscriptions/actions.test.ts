import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { accessRequests, auditLog, credentials, subscriptions } from "@/db/schema";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import type { KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { createTestDatabase } from "@/lib/testing/db";
import { createSubscriptionWorld, subscribeToAutoPlan, type SubscriptionWorld } from "./test-fixtures";

/**
 * Authorization of the subscription server actions as the browser calls them: the real
 * actions.ts through the real safeAction wrapper and session guard, with only the request-bound
 * pieces replaced, as in lib/auth/session.test.ts (who the next-auth cookie says, next/headers,
 * the database handle) plus the Kafka cluster (a recording fake), so a refused call can be
 * shown to have touched nothing.
 */
const t = await createTestDatabase();
const session = vi.hoisted(() => ({ userId: null as string | null }));
const cluster = vi.hoisted(() => ({ calls: [] as string[] }));

vi.mock("next-auth", () => ({ getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-tributary-path": "/subscriptions" }) }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));
vi.mock("@/lib/provisioning/credential-deps", () => ({
  withCredentialDeps: async <T,>(run: (deps: unknown) => Promise<T>) => {
    const provisioner: KafkaAccessProvisioner = {
      kind: "fake",
      upsertScramUser: async (username) => void cluster.calls.push(`upsert:${username}`),
      deleteScramUser: async (username) => void cluster.calls.push(`delete:${username}`),
      grantSubscriptionAcls: async (grant) => void cluster.calls.push(`grant:${grant.principal}`),
      revokeSubscriptionAcls: async (grant) => void cluster.calls.push(`revoke:${grant.principal}`),
      deleteAcls: async (principal) => (cluster.calls.push(`delete-acls:${principal}`), 0),
      deleteAllAcls: async (principal) => (cluster.calls.push(`delete-all-acls:${principal}`), 0),
      listPrincipalsAndAcls: async () => [],
      close: async () => {},
    };
    return run({ provisioner, bootstrap: ["localhost:9092"] });
  },
}));

const actions = await import("./actions");
const db = t.db;

beforeEach(() => {
  session.userId = null;
  cluster.calls = [];
});

function as(user: { id: string } | null) {
  session.userId = user?.id ?? null;
}

/** The error code of a refused action (or "ok"), so a table of cases reads as one line each. */
function outcome(res: { ok: true } | { ok: false; error: { code: string } }): string {
  return res.ok ? "ok" : res.error.code;
}

async function activeSubscription(w: SubscriptionWorld) {
  const { subscriptionId } = await subscribeToAutoPlan(db, w);
  await db.update(subscriptions).set({ state: "active", activatedAt: new Date() }).where(eq(subscriptions.id, subscriptionId));
  return subscriptionId;
}

async function credentialRows(subscriptionId: string) {
  return db.select().from(credentials).where(eq(credentials.subscriptionId, subscriptionId));
}

async function fileReviewedRequest(w: SubscriptionWorld, requester = w.users.consumer) {
  as(requester);
  const res = await actions.subscribeAction({
    productId: w.product.id,
    planId: w.plans.reviewPlan.id,
    teamId: w.teams.consumerTeam.id,
    purpose: "fraud-detection",
    justification: "Investigating a fraud ring",
  });
  if (!res.ok || res.data.kind !== "access_request") throw new Error(`expected an access request, got ${JSON.stringify(res)}`);
  return res.data.requestId;
}

const unrelatedOwner = async () => (await createUserFixture(db, { teamRole: "owner" })).user;
const admin = async () => (await createUserFixture(db, { roles: ["admin"] })).user;

describe("reveal and rotate credentials", () => {
  it("refuse everyone outside the subscribing team, as if the subscription did not exist, and touch nothing", async () => {
    const w = await createSubscriptionWorld(db);
    const subscriptionId = await activeSubscription(w);
    const outsiders = [w.users.outsider, w.users.partner, w.users.owner, await unrelatedOwner(), await admin()];
    for (const user of outsiders) {
      as(user);
      expect(`${user.id}:reveal:${outcome(await actions.revealCredentialsAction({ subscriptionId }))}`).toBe(`${user.id}:reveal:not_found`);
      expect(`${user.id}:rotate:${outcome(await actions.rotateCredentialsAction({ subscriptionId }))}`).toBe(`${user.id}:rotate:not_found`);
    }
    as(null);
    expect(outcome(await actions.revealCredentialsAction({ subscriptionId }))).toBe("unauthenticated");

    expect(cluster.calls).toEqual([]);
    const rows = await credentialRows(subscriptionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revealedAt).toBeNull();
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, subscriptionId), eq(auditLog.action, "credential.reveal")));
    expect(audits).toHaveLength(0);
  });

  it("work for members of the subscribing team", async () => {
    const w = await createSubscriptionWorld(db);
    const subscriptionId = await activeSubscription(w);
    as(w.users.consumer);
    const revealed = await actions.revealCredentialsAction({ subscriptionId });
    expect(revealed.ok && revealed.data.username).toBe(`sub-${subscriptionId}`);
    expect(revealed.ok && revealed.data.password.length).toBeGreaterThanOrEqual(16);
    as(w.users.colleague);
    const rotated = await actions.rotateCredentialsAction({ subscriptionId });
    expect(rotated.ok && rotated.data.username).toBe(`sub-${subscriptionId}-r1`);
    expect(cluster.calls).toEqual([`upsert:sub-${subscriptionId}`, `upsert:sub-${subscriptionId}-r1`, `grant:User:sub-${subscriptionId}-r1`]);
  });
});

describe("cancel and retry", () => {
  it("refuse another team's subscription and leave its state alone", async () => {
    const w = await createSubscriptionWorld(db);
    const subscriptionId = await activeSubscription(w);
    for (const user of [w.users.outsider, w.users.partner]) {
      as(user);
      expect(outcome(await actions.cancelSubscriptionAction({ subscriptionId }))).toBe("not_found");
      expect(outcome(await actions.retryProvisioningAction({ subscriptionId }))).toBe("not_found");
    }
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    expect(sub!.state).toBe("active");
  });

  it("revoking is for owners of the product's team only", async () => {
    const w = await createSubscriptionWorld(db);
    const subscriptionId = await activeSubscription(w);
    as(w.users.consumer);
    expect(outcome(await actions.revokeSubscriptionAction({ subscriptionId }))).toBe("forbidden");
    as(await unrelatedOwner());
    expect(outcome(await actions.revokeSubscriptionAction({ subscriptionId }))).toBe("forbidden");
    expect((await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)))[0]!.state).toBe("active");
    as(w.users.owner);
    expect(outcome(await actions.revokeSubscriptionAction({ subscriptionId }))).toBe("ok");
  });
});

describe("approving access requests", () => {
  it("refuses non-owners, owners of other teams and (four eyes) owners in the requesting team; the request stays pending", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await fileReviewedRequest(w);
    const cases = [
      [w.users.consumer, "forbidden"], // no owner role at all: the wrapper refuses before the service runs
      [w.users.partner, "forbidden"],
      [await unrelatedOwner(), "forbidden"], // an owner, but not of the product's team
      [w.users.dualOwner, "forbidden"], // owner of the product's team and member of the requesting team
    ] as const;
    for (const [user, code] of cases) {
      as(user);
      expect(`${user.id}:${outcome(await actions.approveAccessRequestAction({ requestId }))}`).toBe(`${user.id}:${code}`);
      const bulk = await actions.bulkApproveAccessRequestsAction({ requestIds: [requestId] });
      // The wrapper refuses non-owners outright; an owner gets a per-request refusal.
      expect(bulk.ok ? bulk.data.map((o) => (o.ok ? "ok" : o.code)) : [bulk.error.code]).toEqual(["forbidden"]);
    }
    as(w.users.dualOwner);
    const fourEyes = await actions.approveAccessRequestAction({ requestId });
    expect(!fourEyes.ok && fourEyes.error.message).toMatch(/Four eyes/);

    const [request] = await db.select().from(accessRequests).where(eq(accessRequests.id, requestId));
    expect(request!.status).toBe("pending");
    expect(await db.select().from(subscriptions).where(eq(subscriptions.accessRequestId, requestId))).toHaveLength(0);
  });

  it("refuses a requester who owns the product's team, even on their own request", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await fileReviewedRequest(w, w.users.dualOwner);
    as(w.users.dualOwner);
    expect(outcome(await actions.approveAccessRequestAction({ requestId }))).toBe("forbidden");
    // Denying is not a grant: four eyes does not apply, so the requester's own owner may withdraw it this way.
    expect(outcome(await actions.denyAccessRequestAction({ requestId, reason: "Filed by mistake" }))).toBe("ok");
  });

  it("lets another owner of the product's team approve, once", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await fileReviewedRequest(w);
    as(w.users.owner);
    const approved = await actions.approveAccessRequestAction({ requestId, planId: w.plans.externalAutoPlan.id });
    expect(outcome(approved)).toBe("ok");
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.accessRequestId, requestId));
    expect(sub).toMatchObject({ teamId: w.teams.consumerTeam.id, planId: w.plans.externalAutoPlan.id, tierId: w.tiers.masked.id, state: "provisioning" });
    expect(outcome(await actions.approveAccessRequestAction({ requestId }))).toBe("conflict");
  });

  it("denying, single or bulk, is refused to non-owners and owners of other teams", async () => {
    const w = await createSubscriptionWorld(db);
    const requestId = await fileReviewedRequest(w);
    for (const user of [w.users.consumer, w.users.outsider]) {
      as(user);
      expect(outcome(await actions.denyAccessRequestAction({ requestId, reason: "no" }))).toBe("forbidden");
      expect(outcome(await actions.bulkDenyAccessRequestsAction({ requestIds: [requestId], reason: "no" }))).toBe("forbidden");
    }
    as(await unrelatedOwner());
    const bulk = await actions.bulkDenyAccessRequestsAction({ requestIds: [requestId], reason: "no" });
    expect(bulk.ok && bulk.data).toEqual([{ requestId, ok: false, code: "forbidden", message: expect.stringMatching(/Only owners/) }]);
    expect((await db.select().from(accessRequests).where(eq(accessRequests.id, requestId)))[0]!.status).toBe("pending");
  });
});
