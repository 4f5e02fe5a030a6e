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
import { applyConsumerByteRate, QuotaAdminClient, setUserByteRates } from "@/lib/kafka/quota-admin";
import { cancelSubscription } from "@/lib/subscriptions/service";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { rotateCredentials } from "./credentials";
import { deprovisionSubscription, provisionSubscription, reconcileAccess, type ProvisioningDeps } from "./service";

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

  it("reconciliation restores a plan quota that vanished or changed on the cluster and removes quotas of orphans, each audited once", async () => {
    const deps: ProvisioningDeps = { provisioner, connection: adminConn };
    const w = await createSubscriptionWorld(db);
    await db.update(plans).set({ quotaBytesPerSec: 300_000 }).where(eq(plans.id, w.plans.autoPlan.id));
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    expect(await provisionSubscription(db, deps, { subscriptionId })).toBe("active");
    const username = subscriptionUsername(subscriptionId);
    const principal = `User:${username}`;

    // Deleted behind our back: restored.
    await setUserByteRates(adminConn, username, { consumer_byte_rate: null });
    expect(await quotasOf(username)).toEqual([]);
    // An orphan principal that only has a quota left.
    const orphan = subscriptionUsername("2d3e4f50-6172-4839-8a41-5c6d7e8f9012");
    await setUserByteRates(adminConn, orphan, { consumer_byte_rate: 1_000 });
    let report = await reconcileAccess(db, deps);
    expect(report.quotaRestored).toEqual([principal]);
    expect(report.removed).toEqual([`User:${orphan}`]);
    expect(await quotasOf(username)).toEqual([{ entity: { user: username }, values: { consumer_byte_rate: 300_000 } }]);
    expect(await quotasOf(orphan)).toEqual([]);

    // Changed by hand: set back to the plan's value.
    await setUserByteRates(adminConn, username, { consumer_byte_rate: 5_000_000 });
    report = await reconcileAccess(db, deps);
    expect(report.quotaRestored).toEqual([principal]);
    expect(await quotasOf(username)).toEqual([{ entity: { user: username }, values: { consumer_byte_rate: 300_000 } }]);

    report = await reconcileAccess(db, deps);
    expect(report).toMatchObject({ quotaRestored: [], quotaRemoved: [], removed: [], unrepaired: [] });
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, subscriptionId), eq(auditLog.action, "access.reconcile.quota_restored")));
    expect(audits.map((a) => a.details)).toEqual([
      { principal, consumerBytesPerSec: 300_000, found: null },
      { principal, consumerBytesPerSec: 300_000, found: 5_000_000 },
    ]);

    // A cluster without the quota APIs: the rest of reconciliation still runs.
    await setUserByteRates(adminConn, username, { consumer_byte_rate: null });
    const noQuotas = await reconcileAccess(db, { provisioner, listQuotas: async () => "unsupported", applyQuota: async () => "unsupported" });
    expect(noQuotas).toMatchObject({ quotaRestored: [], unrepaired: [] });
  }, 60_000);
});
