import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { maskingTiers, plans, subscriptions, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { deliveryTopicName } from "@/lib/kafka/names";
import { createKafka } from "@/lib/kafka/client";
import { createSubscriptionWorld, subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { clearSampleCache, readDeliverySamples, resolveSampleSource } from "./samples";

const t = await createTestDatabase();
const db = t.db;

describe("resolveSampleSource", () => {
  it("picks the tier each viewer would get, never an unmasked one they do not hold", async () => {
    const w = await createSubscriptionWorld(db);
    const slug = w.product.slug;

    expect(await resolveSampleSource(db, null, w.product.id)).toEqual({ kind: "signed_out" });

    // No subscription: the first masked plan in catalog order.
    const plain = await resolveSampleSource(db, w.users.outsider, w.product.id);
    expect(plain).toMatchObject({ kind: "tier", basis: "default_plan", tier: { name: "masked" }, topic: deliveryTopicName(slug, 1, "masked"), tiers: [] });

    // An active subscription on the full tier: that is what they get.
    const res = await subscribeToAutoPlan(db, w);
    await db.update(subscriptions).set({ state: "active", tierId: w.tiers.full.id, activatedAt: new Date() }).where(eq(subscriptions.id, res.subscriptionId));
    const subscribed = await resolveSampleSource(db, w.users.colleague, w.product.id);
    expect(subscribed).toMatchObject({ kind: "tier", basis: "subscription", tier: { name: "full", fullAccess: true }, topic: deliveryTopicName(slug, 1, "full") });

    // Owners pick any tier; an unknown name falls back to the default plan's tier.
    const owner = await resolveSampleSource(db, w.users.owner, w.product.id, "full");
    expect(owner).toMatchObject({ kind: "tier", basis: "owner", tier: { name: "full" } });
    if (owner.kind === "tier") expect(owner.tiers.map((x) => x.name)).toEqual(["full", "masked"]);
    expect(await resolveSampleSource(db, w.users.owner, w.product.id, "nope")).toMatchObject({ tier: { name: "masked" } });

    // Admins too.
    const [a] = await db.insert(users).values({ email: `adm-${w.tag}@test.tributary`, name: "Admin", orgId: w.users.outsider.orgId, roles: ["admin"] }).returning();
    const admin = (await loadSessionUser(db, a.id))!;
    expect(await resolveSampleSource(db, admin, w.product.id, "full")).toMatchObject({ basis: "owner", tier: { name: "full" } });
  });

  it("shows nothing when every plan open to the viewer is unmasked", async () => {
    const w = await createSubscriptionWorld(db);
    // The partner sees only external plans; make the masked one internal-only.
    await db.update(plans).set({ externalAllowed: false }).where(eq(plans.id, w.plans.externalAutoPlan.id));
    const partner = await resolveSampleSource(db, w.users.partner, w.product.id);
    expect(partner.kind).toBe("unavailable");
    // An internal viewer still sees the masked default.
    expect(await resolveSampleSource(db, w.users.outsider, w.product.id)).toMatchObject({ tier: { name: "masked" } });
    await db.update(maskingTiers).set({ fullAccess: true }).where(eq(maskingTiers.id, w.tiers.masked.id));
    expect((await resolveSampleSource(db, w.users.outsider, w.product.id)).kind).toBe("unavailable");
  });
});

describe("readDeliverySamples against a broker", () => {
  let broker: Awaited<ReturnType<typeof startTestBroker>>;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker.cleanup();
  });
  const connection = () => ({ brokers: [broker.bootstrap] });

  it("returns the latest delivery records and never the source topic's", async () => {
    const delivery = deliveryTopicName("cell-events", 1, "masked");
    const source = "src.cell-events";
    const kafka = createKafka({ connection: connection(), logLevel: "nothing" });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: delivery, numPartitions: 2 }, { topic: source, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 60_000;
    await producer.send({
      topic: delivery,
      messages: Array.from({ length: 12 }, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({ seq: i, msisdn: "***masked***" }),
        partition: i % 2,
        timestamp: String(base + i * 1000),
        headers: { "contract-version": "1.2.0" },
      })),
    });
    await producer.send({ topic: source, messages: Array.from({ length: 20 }, (_, i) => ({ key: `s${i}`, value: JSON.stringify({ secret: `SOURCE-${i}` }) })) });
    await producer.disconnect();

    const res = await readDeliverySamples(connection(), delivery, { limit: 5, cacheMs: 0, timeoutMs: 15_000 });
    expect(res.status).toBe("ok");
    if (res.status !== "ok") return;
    expect(res.records.map((r) => JSON.parse(r.value).seq)).toEqual([11, 10, 9, 8, 7]);
    expect(res.records[0].key).toBe("k11");
    expect(res.records[0].headers["contract-version"]).toBe("1.2.0");
    expect(JSON.stringify(res.records)).not.toContain("SOURCE-");
    // The throwaway group it read through is gone again.
    const check = kafka.admin();
    await check.connect();
    const { groups } = await check.listGroups();
    await check.disconnect();
    expect(groups.map((g) => g.groupId).filter((g) => g.includes("samples-"))).toEqual([]);

    await expect(readDeliverySamples(connection(), source, { cacheMs: 0 })).rejects.toThrow(/delivery topics only/);
  });

  it("says missing, empty or unreachable instead of failing", async () => {
    clearSampleCache();
    expect((await readDeliverySamples(connection(), deliveryTopicName("nothing-here", 1, "masked"), { cacheMs: 0 })).status).toBe("missing");
    const empty = deliveryTopicName("quiet", 1, "masked");
    const admin = createKafka({ connection: connection(), logLevel: "nothing" }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: empty, numPartitions: 1 }] });
    await admin.disconnect();
    expect((await readDeliverySamples(connection(), empty, { cacheMs: 0 })).status).toBe("empty");
    const down = await readDeliverySamples({ brokers: ["127.0.0.1:1"] }, empty, { cacheMs: 0, timeoutMs: 3000 });
    expect(down.status).toBe("error");
  });
});
