import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { securityBrokerOptions } from "@/lib/broker/security";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { loadSessionUser } from "@/lib/auth/queries";
import { createTestDatabase } from "@/lib/testing/db";
import { createCluster, testClusterConnection } from "./clusters";
import { testKafkaConnection } from "./connection-test";
import { CreateClusterSchema } from "./schemas";

const t = await createTestDatabase();
const key = randomBytes(32);
const ADMIN_PASSWORD = "conn-test-admin";
let secured: Awaited<ReturnType<typeof startTestBroker>>;
let plain: Awaited<ReturnType<typeof startTestBroker>>;

beforeAll(async () => {
  secured = await startTestBroker(securityBrokerOptions(ADMIN_PASSWORD));
  plain = await startTestBroker();
});
afterAll(async () => {
  await secured?.cleanup();
  await plain?.cleanup();
});

const statuses = (r: { steps: { id: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.id, s.status]));

describe("test connection", () => {
  it("reports every step as working against a secured broker with the right password", async () => {
    const r = await testKafkaConnection({ brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } }, { timeoutMs: 4000 });
    expect(statuses(r)).toEqual({ tcp: "ok", sasl: "ok", metadata: "ok", topics: "ok", acls: "ok" });
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.id === "metadata")!.detail).toMatch(/^1 broker /);
    expect(r.steps.find((s) => s.id === "sasl")!.detail).toContain("Authenticated as admin with SCRAM-SHA-512");
  });

  it("fails at the authentication step with a clear message for a wrong password, and tries nothing after it", async () => {
    const r = await testKafkaConnection({ brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: "wrong" } }, { timeoutMs: 4000 });
    expect(r.ok).toBe(false);
    expect(statuses(r)).toEqual({ tcp: "ok", sasl: "failed", metadata: "skipped", topics: "skipped", acls: "skipped" });
    expect(r.steps.find((s) => s.id === "sasl")!.detail).toMatch(/Authentication as admin with SCRAM-SHA-512 failed: .*(SASL|[Aa]uthenticat)/);
  });

  it("fails at the TCP step when nothing listens", async () => {
    const r = await testKafkaConnection({ brokers: ["127.0.0.1:1"] }, { timeoutMs: 2000 });
    expect(statuses(r)).toEqual({ tcp: "failed", sasl: "skipped", metadata: "skipped", topics: "skipped", acls: "skipped" });
    expect(r.steps[0].detail).toContain("127.0.0.1:1");
  });

  it("skips SASL for a plaintext broker and still lists topics", async () => {
    const r = await testKafkaConnection({ brokers: [plain.bootstrap] }, { timeoutMs: 4000 });
    expect(statuses(r)).toMatchObject({ tcp: "ok", sasl: "skipped", metadata: "ok", topics: "ok" });
  });

  it("tests a stored cluster with its sealed secret and audits the outcome", async () => {
    const { user } = await createUserFixture(t.db, { roles: ["admin"] });
    const admin = (await loadSessionUser(t.db, user.id))!;
    const good = await createCluster(t.db, admin, CreateClusterSchema.parse({ name: "secured", bootstrapServers: secured.bootstrap, saslMechanism: "scram-sha-512", adminUsername: "admin", adminSecret: ADMIN_PASSWORD }), key);
    const bad = await createCluster(t.db, admin, CreateClusterSchema.parse({ name: "secured-wrong", bootstrapServers: secured.bootstrap, saslMechanism: "scram-sha-512", adminUsername: "admin", adminSecret: "nope" }), key);
    expect((await testClusterConnection(t.db, admin, good.id, { key, timeoutMs: 4000 })).ok).toBe(true);
    const failed = await testClusterConnection(t.db, admin, bad.id, { key, timeoutMs: 4000 });
    expect(statuses(failed).sasl).toBe("failed");
    // A secret sealed under another key is reported, not thrown.
    const otherKey = await testClusterConnection(t.db, admin, good.id, { key: randomBytes(32), timeoutMs: 4000 });
    expect(otherKey.ok).toBe(false);
    expect(otherKey.steps[0].detail).toContain("Enter it again");
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, "cluster.test_connection"));
    expect(entries.map((e) => [e.resourceId, e.result])).toEqual([
      [good.id, "success"],
      [bad.id, "failure"],
      [good.id, "failure"],
    ]);
  });
});
