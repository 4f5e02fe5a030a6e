import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { jobs, subscriptions } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import { resetEnvCache } from "@/lib/env";
import type { KafkaConnectionOptions } from "@/lib/kafka/client";
import { deliveryTopicName, groupPrefix } from "@/lib/kafka/names";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { provisionSubscription } from "@/lib/provisioning/service";
import { createTestDatabase } from "@/lib/testing/db";
import { createStripeClient } from "./client";
import { stripeJobHandlers } from "./handlers";
import { createStripeSubscriptionDedupeKey } from "./jobs";
import { createBillingWorld } from "./test-fixtures";
import { drainJobs } from "./testing/helpers";
import { startFakeStripe } from "./testing/fake-stripe";

/**
 * The activation hook: when the provisioner (lib/provisioning/service.ts) activates a paid
 * subscription of an external organization on a real (embedded, SASL/ACL) broker, it enqueues
 * `stripe.subscription.create` in the activating transaction when Stripe is configured, and
 * nothing when it is not; the job then creates the Stripe subscription against the local fake.
 */
const t = await createTestDatabase();
const db = t.db;
const fake = await startFakeStripe();
const stripe = createStripeClient({ secretKey: fake.secretKey, apiBase: fake.url, maxNetworkRetries: 0 });
const ADMIN_PASSWORD = "stripe-activation-admin";
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "stripe-activation-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  await fake.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

/** A paid subscription of the external org waiting for the provisioner, as subscribe() leaves it. */
async function pendingSubscription(w: Awaited<ReturnType<typeof createBillingWorld>>) {
  const sub = await w.addSubscription({ teamId: w.teams.partnerTeamA.id, planId: w.plans.gbPlan.id, createdBy: w.users.partnerA.id, state: "provisioning" });
  const [row] = await db
    .update(subscriptions)
    .set({ activatedAt: null, deliveryTopic: deliveryTopicName(w.product.slug, 1, "masked"), groupPrefix: groupPrefix(sub.id) })
    .where(eq(subscriptions.id, sub.id))
    .returning();
  return row!;
}

describe("activation enqueues the Stripe subscription", () => {
  it("with Stripe configured: the job is enqueued with the activation and creates the Stripe subscription", async () => {
    vi.stubEnv("STRIPE_SECRET_KEY", fake.secretKey);
    resetEnvCache();
    const w = await createBillingWorld(db);
    const sub = await pendingSubscription(w);
    expect(await provisionSubscription(db, { provisioner, connection: adminConn, defaultPartitions: 1 }, { subscriptionId: sub.id })).toBe("active");
    const [job] = await db.select().from(jobs).where(eq(jobs.dedupeKey, createStripeSubscriptionDedupeKey(sub.id)));
    expect(job).toMatchObject({ kind: "stripe.subscription.create", status: "queued", payload: { subscriptionId: sub.id } });
    const [active] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    // Enqueued in the same transaction as the activation: the job is never older than the state.
    expect(active!.state).toBe("active");
    expect(job!.createdAt.getTime()).toBeGreaterThanOrEqual(active!.activatedAt!.getTime() - 1000);

    await drainJobs(db, stripeJobHandlers(db, stripe));
    const [billed] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(billed!.stripeSubscriptionId).toMatch(/^sub_/);
    expect(fake.subscriptions.get(billed!.stripeSubscriptionId!)!.metadata).toMatchObject({ tributary_subscription_id: sub.id });
  }, 60_000);

  it("without Stripe: activation enqueues nothing", async () => {
    vi.stubEnv("STRIPE_SECRET_KEY", undefined);
    resetEnvCache();
    const w = await createBillingWorld(db);
    const sub = await pendingSubscription(w);
    expect(await provisionSubscription(db, { provisioner, connection: adminConn, defaultPartitions: 1 }, { subscriptionId: sub.id })).toBe("active");
    expect(await db.select().from(jobs).where(eq(jobs.dedupeKey, createStripeSubscriptionDedupeKey(sub.id)))).toEqual([]);
  }, 60_000);
});
