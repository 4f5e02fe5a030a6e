import { randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { securityBrokerOptions } from "@/lib/broker/security";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "@/lib/crypto/testing/self-signed";
import { createKafka } from "@/lib/kafka/client";
import { freePort } from "@/lib/net/free-port";
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
/** A SASL_SSL endpoint: TLS terminated in front of a secured broker that advertises this port. */
let tlsBroker: Awaited<ReturnType<typeof startTestBroker>>;
let tlsProxy: tls.Server;
let tlsBootstrap: string;

beforeAll(async () => {
  secured = await startTestBroker(securityBrokerOptions(ADMIN_PASSWORD));
  plain = await startTestBroker();
  const proxyPort = await freePort();
  tlsBroker = await startTestBroker({ ...securityBrokerOptions(ADMIN_PASSWORD), advertisedHost: "localhost", advertisedPort: proxyPort });
  const brokerPort = tlsBroker.port;
  tlsProxy = tls.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: brokerPort });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => tlsProxy.listen(proxyPort, "127.0.0.1", resolve));
  tlsBootstrap = `localhost:${proxyPort}`;
});
afterAll(async () => {
  await secured?.cleanup();
  await plain?.cleanup();
  await new Promise<void>((resolve) => (tlsProxy ? tlsProxy.close(() => resolve()) : resolve()));
  await tlsBroker?.cleanup();
});

const statuses = (r: { steps: { id: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.id, s.status]));

describe("test connection", () => {
  it("reports every step as working against a secured broker with the right password", async () => {
    const r = await testKafkaConnection({ brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: ADMIN_PASSWORD } }, { timeoutMs: 4000 });
    expect(statuses(r)).toEqual({ tcp: "ok", tls: "skipped", sasl: "ok", metadata: "ok", topics: "ok", acls: "ok" });
    expect(r.ok).toBe(true);
    expect(r.steps.find((s) => s.id === "metadata")!.detail).toMatch(/^1 broker /);
    expect(r.steps.find((s) => s.id === "sasl")!.detail).toContain("Authenticated as admin with SCRAM-SHA-512");
  });

  it("fails at the authentication step with a clear message for a wrong password, and tries nothing after it", async () => {
    const r = await testKafkaConnection({ brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: "wrong" } }, { timeoutMs: 4000 });
    expect(r.ok).toBe(false);
    expect(statuses(r)).toEqual({ tcp: "ok", tls: "skipped", sasl: "failed", metadata: "skipped", topics: "skipped", acls: "skipped" });
    expect(r.steps.find((s) => s.id === "sasl")!.detail).toMatch(/Authentication as admin with SCRAM-SHA-512 failed: .*(SASL|[Aa]uthenticat)/);
  });

  it("fails at the TCP step when nothing listens", async () => {
    const r = await testKafkaConnection({ brokers: ["127.0.0.1:1"] }, { timeoutMs: 2000 });
    expect(statuses(r)).toEqual({ tcp: "failed", tls: "skipped", sasl: "skipped", metadata: "skipped", topics: "skipped", acls: "skipped" });
    expect(r.steps[0].detail).toContain("127.0.0.1:1");
  });

  it("skips SASL for a plaintext broker and still lists topics", async () => {
    const r = await testKafkaConnection({ brokers: [plain.bootstrap] }, { timeoutMs: 4000 });
    expect(statuses(r)).toMatchObject({ tcp: "ok", sasl: "skipped", metadata: "ok", topics: "ok" });
  });

  it("reports the TLS handshake and authenticates over TLS when the cluster's CA is given", async () => {
    const sasl = { mechanism: "scram-sha-512" as const, username: "admin", password: ADMIN_PASSWORD };
    const r = await testKafkaConnection({ brokers: [tlsBootstrap], sasl, ssl: true, tlsCa: TEST_TLS_CERT }, { timeoutMs: 5000 });
    expect(statuses(r)).toEqual({ tcp: "ok", tls: "ok", sasl: "ok", metadata: "ok", topics: "ok", acls: "ok" });
    expect(r.steps.find((s) => s.id === "tls")!.detail).toMatch(/^TLSv1\.[23] with localhost:\d+: certificate for localhost, issued by localhost, valid until /);
    // The same connection options work for the app's own kafkajs clients.
    const admin = createKafka({ connection: { brokers: [tlsBootstrap], sasl, ssl: true, tlsCa: TEST_TLS_CERT }, logLevel: "nothing", retries: 0 }).admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();
  });

  it("fails at the TLS step for an untrusted certificate and for a plaintext listener, trying nothing after it", async () => {
    const untrusted = await testKafkaConnection({ brokers: [tlsBootstrap], ssl: true }, { timeoutMs: 3000 });
    expect(statuses(untrusted)).toEqual({ tcp: "ok", tls: "failed", sasl: "skipped", metadata: "skipped", topics: "skipped", acls: "skipped" });
    expect(untrusted.steps.find((s) => s.id === "tls")!.detail).toMatch(/self.signed certificate.*add its certificate to the cluster/i);
    const plaintext = await testKafkaConnection({ brokers: [plain.bootstrap], ssl: true, tlsCa: TEST_TLS_CERT }, { timeoutMs: 2000 });
    expect(statuses(plaintext)).toMatchObject({ tcp: "ok", tls: "failed", sasl: "skipped" });
  });

  it("stores a cluster's TLS flag and CA, and refuses a CA that is not a certificate", async () => {
    const { user } = await createUserFixture(t.db, { roles: ["admin"] });
    const admin = (await loadSessionUser(t.db, user.id))!;
    const bad = CreateClusterSchema.safeParse({ name: "tls-bad", bootstrapServers: tlsBootstrap, saslMechanism: "none", tls: "on", tlsCaCert: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["tlsCaCert"]);
    const created = await createCluster(
      t.db,
      admin,
      CreateClusterSchema.parse({ name: "tls", bootstrapServers: tlsBootstrap, saslMechanism: "scram-sha-512", adminUsername: "admin", adminSecret: ADMIN_PASSWORD, tls: "on", tlsCaCert: TEST_TLS_CERT }),
      key,
    );
    const report = await testClusterConnection(t.db, admin, created.id, { key, timeoutMs: 5000 });
    expect(statuses(report)).toMatchObject({ tls: "ok", sasl: "ok" });
    expect(report.ok).toBe(true);
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
    expect(entries.filter((e) => e.resourceId === good.id || e.resourceId === bad.id).map((e) => [e.resourceId, e.result])).toEqual([
      [good.id, "success"],
      [bad.id, "failure"],
      [good.id, "failure"],
    ]);
  });
});
