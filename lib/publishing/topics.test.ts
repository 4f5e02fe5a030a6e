import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusters } from "@/db/schema";
import { createCluster } from "@/lib/admin/clusters";
import { CreateClusterSchema } from "@/lib/admin/schemas";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { securityBrokerOptions } from "@/lib/broker/security";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { sealSecret } from "@/lib/crypto/secret-box";
import { AppError } from "@/lib/errors";
import { createKafka } from "@/lib/kafka/client";
import { createTestDatabase } from "@/lib/testing/db";
import { createDraft, defaultWizardKafka, listTopicsForDraft, sampleSourceForDraft } from "./service";

/**
 * A cluster an admin registered with SASL/SCRAM: the wizard connects with the admin's sealed
 * credentials (opened by lib/admin/clusters), exactly as the production path does.
 */
const t = await createTestDatabase();
const PASSWORD = "wizard-sasl-admin";
const secured = await startTestBroker(securityBrokerOptions(PASSWORD));
const TOPIC = "secured.events.v1";
let owner: SessionUser;
let ownerTeamId: string;
let clusterId: string;

beforeAll(async () => {
  const adminFx = await createUserFixture(t.db, { roles: ["admin"] });
  const ownerFx = await createUserFixture(t.db, { teamRole: "owner" });
  owner = (await loadSessionUser(t.db, ownerFx.user.id))!;
  ownerTeamId = ownerFx.team.id;
  const admin = (await loadSessionUser(t.db, adminFx.user.id))!;
  ({ id: clusterId } = await createCluster(
    t.db,
    admin,
    CreateClusterSchema.parse({ name: "secured", bootstrapServers: secured.bootstrap, saslMechanism: "scram-sha-512", adminUsername: "admin", adminSecret: PASSWORD }),
  ));
  const kafka = createKafka({ clientId: "seed", connection: { brokers: [secured.bootstrap], sasl: { mechanism: "scram-sha-512", username: "admin", password: PASSWORD } } });
  const a = kafka.admin();
  await a.connect();
  await a.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
  await a.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: [{ value: JSON.stringify({ id: 1, at: "2026-01-01T00:00:00Z" }) }] });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await secured.cleanup();
});

async function draft(): Promise<string> {
  const slug = `secured-${randomBytes(3).toString("hex")}`;
  return (await createDraft(t.db, owner, { teamId: ownerTeamId, name: "Secured events", slug, summary: "Events from a SASL cluster.", domain: "testing", classification: "internal" })).productId;
}

describe("SASL clusters registered by an admin", () => {
  it("lists and samples topics with the admin's stored credentials", async () => {
    const productId = await draft();
    const topics = await listTopicsForDraft(t.db, owner, defaultWizardKafka, productId, clusterId);
    expect(topics).toContainEqual({ name: TOPIC, partitions: 3 });
    const sample = await sampleSourceForDraft(t.db, owner, defaultWizardKafka, { productId, clusterId, topic: TOPIC });
    expect(sample.samples.map((m) => JSON.parse(m.value!).id)).toEqual([1]);
  });

  it("says to re-enter the credentials when the stored secret cannot be opened", async () => {
    const productId = await draft();
    await t.db.update(clusters).set({ adminSecretEnc: sealSecret(PASSWORD, randomBytes(32), clusterId) }).where(eq(clusters.id, clusterId));
    const err = await listTopicsForDraft(t.db, owner, defaultWizardKafka, productId, clusterId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("unavailable");
    expect((err as AppError).message).toMatch(/stored credentials of secured cannot be used/);
  });
});
