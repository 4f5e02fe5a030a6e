import { and, eq } from "drizzle-orm";
import type { KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusters, contractVersions, dataProducts } from "@/db/schema";
import { DEMO_PRODUCTS, seedDemoWorld } from "@/db/seed/demo";
import { startTestBroker } from "@/lib/broker/test-helpers";
import { compileContract, decodeRecord } from "@/lib/contracts";
import { createKafka } from "@/lib/kafka/client";
import { freePort } from "@/lib/net/free-port";
import { createTestDatabase } from "@/lib/testing/db";
import { BAD_HEADER } from "./generators";
import { runDemoProducers, type DemoProducerStats } from "./producers";
import { listDemoProducts } from "./queries";

const t = await createTestDatabase();
const broker = await startTestBroker();
const kafka = createKafka({ clientId: "demo-test", connection: { brokers: [broker.bootstrap] }, logLevel: "nothing", retries: 3 });
const CELL_TOPIC = "telco.network.cell-kpis.v1";
const DRAFT = DEMO_PRODUCTS.find((p) => p.slug === "smart-meter-readings")!;

let stats: DemoProducerStats;
const logs: string[] = [];
let stopMs = 0;

beforeAll(async () => {
  await seedDemoWorld(t.db);
  const controller = new AbortController();
  const running = runDemoProducers({ kafka, db: t.db, signal: controller.signal, ratePerProduct: 20, badShare: 0.2, tickMs: 100, refreshMs: 500, seed: 42, log: (m) => logs.push(m) });
  await new Promise((r) => setTimeout(r, 1_200));
  // Publishing a draft while the producers run: it must be picked up at the next refresh.
  const [draft] = await t.db.update(dataProducts).set({ status: "published", publishedAt: new Date() }).where(eq(dataProducts.slug, DRAFT.slug)).returning({ id: dataProducts.id });
  await t.db.update(contractVersions).set({ status: "published" }).where(eq(contractVersions.productId, draft.id));
  await new Promise((r) => setTimeout(r, 1_800));
  const stopAt = Date.now();
  controller.abort();
  stats = await running;
  stopMs = Date.now() - stopAt;
}, 20_000);

afterAll(async () => {
  await broker.cleanup();
});

async function highWatermark(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((s, o) => s + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function consumeAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `demo-test-${topic}`, sessionTimeout: 6_000, heartbeatInterval: 500 });
  const out: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${out.length} of ${count} records`)), 12_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          out.push(message);
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

describe("runDemoProducers against the embedded broker", () => {
  it("creates every live product's source topic with 3 partitions and stops promptly", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const live = DEMO_PRODUCTS.filter((p) => p.status !== "draft").map((p) => p.sourceTopic);
      const metadata = await admin.fetchTopicMetadata({ topics: live });
      for (const topic of metadata.topics) expect(topic.partitions.length, topic.name).toBe(3);
      expect(metadata.topics.map((x) => x.name).sort()).toEqual([...live].sort());
    } finally {
      await admin.disconnect();
    }
    expect(stats.products).toBe(14);
    expect(stats.failedBatches).toBe(0);
    expect(stopMs).toBeLessThan(3_000);
    expect(logs.some((l) => l.includes(`producing ${DRAFT.slug}`))).toBe(true);
  });

  it("produces contract-valid cell KPIs keyed by cell id, plus marked bad records that fail the contract", async () => {
    const count = await highWatermark(CELL_TOPIC);
    // 20 records/s for the ~2 s left after creating 14 topics
    expect(count).toBeGreaterThan(15);
    const messages = await consumeAll(CELL_TOPIC, count);
    const [row] = await t.db
      .select({ schema: contractVersions.schema, qualityRules: contractVersions.qualityRules })
      .from(contractVersions)
      .innerJoin(dataProducts, eq(dataProducts.id, contractVersions.productId))
      .where(and(eq(dataProducts.slug, "cell-network-kpis"), eq(contractVersions.status, "published")));
    const validate = compileContract({ schemaFormat: "json-schema", schema: row.schema, qualityRules: row.qualityRules });
    let bad = 0;
    for (const m of messages) {
      const marked = m.headers?.[BAD_HEADER]?.toString();
      const decoded = decodeRecord(m.value);
      const result = decoded.ok ? validate(decoded.value, Number(m.timestamp)) : { ok: false };
      if (marked) {
        bad++;
        expect(result.ok).toBe(false);
      } else {
        expect(result).toEqual({ ok: true });
        expect(m.key?.toString()).toBe((decoded.ok ? (decoded.value as { cell: { id: string } }) : undefined)?.cell.id);
      }
    }
    expect(bad).toBeGreaterThan(0);
    expect(bad).toBeLessThan(messages.length / 2);
  }, 20_000);

  it("feeds a product published while running", async () => {
    expect(await highWatermark(DRAFT.sourceTopic)).toBeGreaterThan(5);
  });

  it("waits for an unreachable Kafka and returns cleanly when aborted", async () => {
    const nowhere = createKafka({ connection: { brokers: [`localhost:${await freePort()}`] }, logLevel: "nothing", retries: 0, connectionTimeoutMs: 200 });
    const controller = new AbortController();
    const seen: string[] = [];
    const running = runDemoProducers({ kafka: nowhere, db: t.db, signal: controller.signal, log: (m) => seen.push(m) });
    await new Promise((r) => setTimeout(r, 700));
    controller.abort();
    const result = await running;
    expect(result.produced).toBe(0);
    expect(seen.some((m) => m.startsWith("waiting for Kafka"))).toBe(true);
  }, 10_000);

  it("lists flavoured products first, up to the limit, and never products on an owner's own cluster", async () => {
    const [external] = await t.db.insert(clusters).values({ name: "owner-msk", bootstrapServers: "b-1.example:9096" }).returning({ id: clusters.id });
    await t.db.update(dataProducts).set({ clusterId: external.id }).where(eq(dataProducts.slug, "aml-alerts"));
    const all = await listDemoProducts(t.db, { limit: 100, preferredSlugs: ["grid-frequency"] });
    expect(all[0].slug).toBe("grid-frequency");
    expect(all.map((p) => p.slug)).not.toContain("aml-alerts");
    expect(all.map((p) => p.slug)).not.toContain("5g-slice-sla-events");
    expect(all.find((p) => p.slug === "cell-network-kpis")?.contractVersion).toBe("2.1.0");
    expect(await listDemoProducts(t.db, { limit: 3, preferredSlugs: [] })).toHaveLength(3);
  });
});
