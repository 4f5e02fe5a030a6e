import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, plans } from "@/db/schema";
import { startBroker, type RunningBroker } from "@/lib/broker";
import { silentLogger } from "@/lib/broker/config";
import { securityBrokerOptions } from "@/lib/broker/security";
import type { KafkaConnectionOptions } from "@/lib/kafka/client";
import { subscriptionUsername } from "@/lib/kafka/names";
import { createProvisioner, type KafkaAccessProvisioner } from "@/lib/kafka/provisioning";
import { applyConsumerByteRate, QuotaAdminClient } from "@/lib/kafka/quota-admin";
import { cancelSubscription } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { rotateCredentials } from "./credentials";
import { deprovisionSubscription, provisionSubscription, type ProvisioningDeps } from "./service";

/**
 * The quota step of provisioning: a plan's quota_bytes_per_sec becomes the principal's
 * consumer_byte_rate on the cluster (enforced by the embedded broker, lib/broker/quotas.test.ts),
 * re-provisioning is idempotent, deprovisioning removes it, and a cluster without the quota APIs
 * still provisions (recorded in the audit details).
 */

const t = await createTestDatabase();
const db = t.db;
const ADMIN_PASSWORD = "quota-step-admin";
let broker: RunningBroker;
let dataDir: string;
let adminConn: KafkaConnectionOptions;
let provisioner: KafkaAccessProvisioner;

async function quotasOf(username: string) {
  const client = await QuotaAdminClient.connect({ connection: adminConn });
  try {
    return await client.describe({ user: username });
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "quota-step-"));
  broker = await startBroker({ dataDir, port: 0, log: silentLogger, ...securityBrokerOptions(ADMIN_PASSWORD) });
  adminConn = { brokers: [broker.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } };
  provisioner = createProvisioner(adminConn);
}, 60_000);

afterAll(async () => {
  await provisioner?.close();
  await broker?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("quota step", () => {
  it("a rotated credential is a new principal and gets the plan's quota too", async () => {
    const deps: ProvisioningDeps = { provisioner, connection: adminConn };
    const w = await createSubscriptionWorld(db);
    await db.update(plans).set({ quotaBytesPerSec: 125_000 }).where(eq(plans.id, w.plans.autoPlan.id));
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
    const rotated = await rotateCredentials(
      db,
      { provisioner, bootstrap: [broker.bootstrap], applyQuota: (u, r) => applyConsumerByteRate(adminConn, u, r) },
      w.users.consumer,
      subscriptionId,
    );
    expect(rotated.username).toBe(subscriptionUsername(subscriptionId, 1));
    expect(await quotasOf(rotated.username)).toEqual([{ entity: { user: rotated.username }, values: { consumer_byte_rate: 125_000 } }]);
  }, 60_000);

  it("applies the plan's quota to the principal when provisioned and removes it when deprovisioned", async () => {
    const deps: ProvisioningDeps = { provisioner, connection: adminConn };
    const w = await createSubscriptionWorld(db);
    await db.update(plans).set({ quotaBytesPerSec: 250_000 }).where(eq(plans.id, w.plans.autoPlan.id));
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
    const username = subscriptionUsername(subscriptionId);
    expect(await quotasOf(username)).toEqual([{ entity: { user: username }, values: { consumer_byte_rate: 250_000 } }]);
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, subscriptionId), eq(auditLog.action, "subscription.provisioned")));
    expect(audit!.details).toMatchObject({ quota: { consumerBytesPerSec: 250_000, applied: "set" } });

    await cancelSubscription(db, w.users.consumer, { subscriptionId });
    expect(await deprovisionSubscription(db, deps, { subscriptionId })).toBe("done");
    expect(await quotasOf(username)).toEqual([]);
    // Idempotent: a second deprovision finds nothing to remove and does not fail.
    await deprovisionSubscription(db, deps, { subscriptionId });
  }, 60_000);

  it("a plan without a quota leaves none, and a cluster without quota APIs still provisions", async () => {
    const calls: [string, number | null][] = [];
    const deps: ProvisioningDeps = {
      provisioner,
      connection: adminConn,
      applyQuota: async (username, rate) => {
        calls.push([username, rate]);
        return "unsupported";
      },
    };
    const w = await createSubscriptionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
    expect(calls).toEqual([[subscriptionUsername(subscriptionId), null]]);
    const [audit] = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, subscriptionId), eq(auditLog.action, "subscription.provisioned")));
    expect(audit!.details).toMatchObject({ quota: { consumerBytesPerSec: null, applied: "unsupported" } });
    expect(await quotasOf(subscriptionUsername(subscriptionId))).toEqual([]);
  }, 60_000);
});
