import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auditLog, clusters, contractVersions, dataProducts, productDrafts } from "@/db/schema";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { kafkaFor, startTestBroker } from "@/lib/broker/test-helpers";
import { createTestDatabase } from "@/lib/testing/db";

/**
 * The wizard's server actions as the browser calls them: the next-auth session and the database
 * handle are replaced, everything else (the action wrapper, the services, kafkajs against a real
 * broker) is the production code. What the browser sends is never trusted: platform topics,
 * forged samples and other people's drafts are refused here, not only hidden in the UI.
 */
const t = await createTestDatabase();
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock("next-auth", () => ({ getServerSession: async () => (session.userId ? { user: { id: session.userId } } : null) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers() }));
vi.mock("@/db/client", async (importOriginal) => ({ ...(await importOriginal<object>()), getDb: () => t.db }));

const actions = await import("./actions");

const broker = await startTestBroker();
const TOPIC = "actions.test.events.v1";
const DELIVERY = "tributary.delivery.someone-else.v1.full";
const owner = await createUserFixture(t.db, { teamRole: "owner" });
const otherOwner = await createUserFixture(t.db, { teamRole: "owner" });
const consumer = await createUserFixture(t.db, { teamRole: "member" });
let clusterId: string;

beforeAll(async () => {
  const [c] = await t.db.insert(clusters).values({ name: `actions-${Date.now()}`, bootstrapServers: broker.bootstrap, saslMechanism: "none" }).returning();
  clusterId = c.id;
  const kafka = kafkaFor(broker.bootstrap, "seed");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC }, { topic: DELIVERY }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = (i: number) => JSON.stringify({ id: i, email: `p${i}@example.test`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 5 }, (_, i) => ({ value: value(i) })) });
  await producer.send({ topic: DELIVERY, messages: Array.from({ length: 5 }, (_, i) => ({ value: value(i) })) });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await broker.cleanup();
});

beforeEach(() => {
  session.userId = owner.user.id;
});

let n = 0;
async function newDraft(): Promise<string> {
  n += 1;
  const res = await actions.createDraftAction({
    basics: { teamId: owner.team.id, name: `Action draft ${n}`, slug: `action-draft-${n}-${Date.now().toString(36)}`, summary: "A draft made through the actions.", domain: "testing", classification: "internal" },
  });
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.data.productId;
}

async function draftSource(productId: string) {
  const [d] = await t.db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
  return (d?.data as { source?: { topic: string; samples: { value: string | null }[] } } | undefined)?.source;
}

describe("source step actions", () => {
  it("samples a real topic server-side", async () => {
    const productId = await newDraft();
    const res = await actions.sampleSourceAction({ productId, clusterId, topic: TOPIC });
    expect(res.ok).toBe(true);
    const source = await draftSource(productId);
    expect(source?.topic).toBe(TOPIC);
    expect(source?.samples).toHaveLength(5);
  });

  it("refuses to sample a delivery topic typed in by hand", async () => {
    const productId = await newDraft();
    const res = await actions.sampleSourceAction({ productId, clusterId, topic: DELIVERY });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe("validation");
      expect(res.error.fieldErrors?.["source.topic"]?.[0]).toMatch(/written by Tributary itself/);
    }
    expect(await draftSource(productId)).toBeUndefined();
  });

  it("refuses a source step with client-sent samples and keeps the server's", async () => {
    const productId = await newDraft();
    await actions.sampleSourceAction({ productId, clusterId, topic: TOPIC });
    const forged = { clusterId, topic: TOPIC, partitions: 1, samples: [{ partition: 0, offset: "0", key: null, value: '{"forged":"<script>"}', timestamp: new Date().toISOString() }] };
    const res = await actions.saveDraftStepAction({ productId, step: "source" as never, data: forged });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("validation");
    const source = await draftSource(productId);
    expect(source?.samples).toHaveLength(5);
    expect(source?.samples.some((m) => m.value?.includes("forged"))).toBe(false);
  });

  it("refuses to publish a draft whose source is a delivery topic", async () => {
    const productId = await newDraft();
    await actions.sampleSourceAction({ productId, clusterId, topic: TOPIC });
    // However it got there (an old draft, a bug elsewhere), the publish checks refuse it.
    const [d] = await t.db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    await t.db
      .update(productDrafts)
      .set({ data: { ...(d.data as object), source: { ...(d.data as { source: object }).source, topic: DELIVERY } } })
      .where(eq(productDrafts.productId, productId));
    const res = await actions.publishDraftAction({ productId });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.fieldErrors?.["source.topic"]?.[0]).toMatch(/written by Tributary itself/);
    expect(await t.db.select().from(contractVersions).where(eq(contractVersions.productId, productId))).toEqual([]);
  });
});

describe("who may call the wizard's actions", () => {
  it("refuses a consumer on every action, before any service runs", async () => {
    const productId = await newDraft();
    session.userId = consumer.user.id;
    const calls: [string, () => Promise<{ ok: boolean; error?: { code: string } }>][] = [
      ["create", () => actions.createDraftAction({ basics: { teamId: consumer.team.id } })],
      ["save", () => actions.saveDraftStepAction({ productId, step: "contract", data: {} })],
      ["topics", () => actions.listTopicsAction({ productId, clusterId })],
      ["sample", () => actions.sampleSourceAction({ productId, clusterId, topic: TOPIC })],
      ["infer", () => actions.inferSchemaAction({ productId })],
      ["preview", () => actions.previewMaskingAction({ productId, tier: { name: "x" } })],
      ["review", () => actions.reviewDraftAction({ productId })],
      ["publish", () => actions.publishDraftAction({ productId })],
      ["discard", () => actions.discardDraftAction({ productId })],
    ];
    for (const [name, call] of calls) {
      const res = await call();
      expect(`${name}:${res.ok ? "ok" : res.error?.code}`).toBe(`${name}:forbidden`);
    }
    expect(await draftSource(productId)).toBeUndefined();
  });

  it("refuses another team's owner on someone else's draft", async () => {
    const productId = await newDraft();
    session.userId = otherOwner.user.id;
    for (const res of [
      await actions.sampleSourceAction({ productId, clusterId, topic: TOPIC }),
      await actions.saveDraftStepAction({ productId, step: "basics", data: { teamId: otherOwner.team.id, name: "Hijacked", slug: `hijacked-${n}`, summary: "Taken over by someone else.", domain: "hijack", classification: "public" } }),
      await actions.reviewDraftAction({ productId }),
      await actions.publishDraftAction({ productId }),
      await actions.discardDraftAction({ productId }),
    ]) {
      expect(res.ok ? "ok" : res.error.code).toBe("forbidden");
    }
    const [p] = await t.db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    expect(p).toMatchObject({ ownerTeamId: owner.team.id, status: "draft" });
    const denied = await t.db.select().from(auditLog).where(eq(auditLog.resourceId, productId));
    expect(denied.some((a) => a.action === "product.publish" && a.result === "success")).toBe(false);
  });
});
