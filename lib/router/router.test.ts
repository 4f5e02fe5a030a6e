import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractVersions, maskingTiers, productThroughput, qualityIncidents } from "@/db/schema";
import { startTestBroker, waitFor } from "@/lib/broker/test-helpers";
import { createKafka } from "@/lib/kafka/client";
import { deliveryTopicName, dlqTopicName } from "@/lib/kafka/names";
import { createTestDatabase } from "@/lib/testing/db";
import { bytesBefore, readIndexTail, recordSize } from "./byte-index";
import { startRouter, type RunningRouter } from "./router";
import { addContractVersion, createRoutedProduct, paymentRecord, PAYMENT_SCHEMA_V1_1, PAYMENT_SCHEMA_V2, setProductStatus } from "./test-fixtures";
import { consumeUntil, header, highWatermarks, type Consumed } from "./test-helpers";

const t = await createTestDatabase();
const broker = await startTestBroker();
const connection = { brokers: [broker.bootstrap] };
const kafka = createKafka({ clientId: "router-test", connection, logLevel: "nothing", retries: 3 });
const SECRET = "router-test-masking-secret-0123456789";
const SLUG = "payments-main";
const SOURCE = "src.payments-main";
const topic = (major: number, tier: string) => deliveryTopicName(SLUG, major, tier);

let router: RunningRouter;
let productId: string;
const logs: string[] = [];
const producer = kafka.producer();

async function send(messages: { key: string | null; value: string | Buffer; headers?: Record<string, string> }[]) {
  await producer.send({ topic: SOURCE, acks: -1, messages: messages.map((m) => ({ ...m, timestamp: String(Date.now()) })) });
}

async function refreshes(n: number) {
  const start = router.stats().refreshes;
  await waitFor(() => router.stats().refreshes >= start + n, 10_000, `${n} router refreshes`);
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  // 8 MB allowed on the source so a 5 MB record can be produced at all.
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: SOURCE, numPartitions: 3, configEntries: [{ name: "max.message.bytes", value: String(8 * 1024 * 1024) }] }] });
  await admin.disconnect();
  await producer.connect();
  const product = await createRoutedProduct(t.db, { slug: SLUG, sourceTopic: SOURCE });
  productId = product.id;
  router = await startRouter({ db: t.db, connection, maskingSecret: SECRET, refreshMs: 300, flushMs: 200, sessionTimeoutMs: 6_000, log: (level, msg, data) => logs.push(`${level} ${msg} ${data ? JSON.stringify(data) : ""}`) });
}, 30_000);

afterAll(async () => {
  await router?.stop();
  await producer.disconnect();
  await broker.cleanup();
});

const PII_VALUES = (i: number) => [`PIIMSISDN${100000 + i}`, `PIIMAIL${i}@example.test`, `PIINOTE${i}`];

describe("router: source → delivery per tier", () => {
  const N = 60;
  let byTier: Record<string, Consumed[]> = {};

  beforeAll(async () => {
    await send(Array.from({ length: N }, (_, i) => ({ key: `k${i % 6}`, value: JSON.stringify(paymentRecord(i)) })));
    const all = await consumeUntil(kafka, [topic(1, "full"), topic(1, "internal"), topic(1, "public")], (a) => a.length >= 3 * N);
    byTier = { full: [], internal: [], public: [] };
    for (const m of all) byTier[m.topic.split(".").pop()!].push(m);
  }, 30_000);

  it("delivers every valid record to every tier with the key and the contract version", () => {
    for (const tier of ["full", "internal", "public"]) {
      expect(byTier[tier]).toHaveLength(N);
      for (const m of byTier[tier]) {
        expect(m.key?.toString()).toMatch(/^k[0-5]$/);
        expect(header(m, "x-contract-version")).toBe("1.0.0");
      }
    }
    const full = byTier.full.map((m) => JSON.parse(m.value!.toString()));
    expect(full.map((r) => r.id).sort()).toEqual(Array.from({ length: N }, (_, i) => `pay-${i}`).sort());
    expect(full.find((r) => r.id === "pay-7")).toEqual(paymentRecord(7));
  });

  it("masks per tier: no PII value of the record in the internal or public output, hash stable", () => {
    for (const tier of ["internal", "public"]) {
      for (const m of byTier[tier]) {
        const text = m.value!.toString();
        const id = Number(JSON.parse(text).id.slice(4));
        for (const pii of PII_VALUES(id)) expect(text).not.toContain(pii);
      }
    }
    const internal = byTier.internal.map((m) => JSON.parse(m.value!.toString()));
    expect(internal[0].msisdn).toMatch(/^[0-9a-f]{64}$/);
    expect(internal[0].email).toMatch(/^tok_/);
    expect(internal[0]).not.toHaveProperty("note");
    const publicRows = byTier.public.map((m) => JSON.parse(m.value!.toString()));
    for (const r of publicRows) {
      expect(r).not.toHaveProperty("msisdn");
      expect(r.email).toBe("[REDACTED]");
      expect(r.amount % 100).toBe(0);
    }
  });

  it("keeps per-key order in every tier", () => {
    for (const tier of ["full", "internal", "public"]) {
      const perKey = new Map<string, number[]>();
      for (const m of byTier[tier]) {
        const i = Number(JSON.parse(m.value!.toString()).id.slice(4));
        (perKey.get(m.key!.toString()) ?? perKey.set(m.key!.toString(), []).get(m.key!.toString())!).push(i);
      }
      // Consumption interleaves partitions; within a key (one partition) order must be produce order.
      for (const seq of perKey.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it("indexes delivered bytes exactly per partition", async () => {
    for (const tier of ["full", "public"]) {
      const hw = await highWatermarks(kafka, topic(1, tier));
      const msgs = await consumeUntil(kafka, topic(1, tier), (a) => a.length >= [...hw.values()].reduce((s, x) => s + x, 0));
      for (const [partition, high] of hw) {
        const inPartition = msgs.filter((m) => m.partition === partition).sort((a, b) => Number(a.offset) - Number(b.offset));
        expect(inPartition).toHaveLength(high);
        // The index row of a batch is written just after its records are produced (while the
        // next batch is routed): wait for it to cover the partition, as the meter does.
        await waitFor(async () => (await readIndexTail(t.db, topic(1, tier), partition)).offset >= high, 10_000, `the index of ${tier}/${partition}`);
        let cumulative = 0;
        for (const m of inPartition) {
          expect(await bytesBefore(t.db, topic(1, tier), partition, Number(m.offset))).toBe(cumulative);
          cumulative += recordSize(m.key, m.value, m.headers as Record<string, Buffer>);
        }
        expect(await bytesBefore(t.db, topic(1, tier), partition, high)).toBe(cumulative);
      }
    }
  });

  it("writes throughput rows for the product", async () => {
    await waitFor(async () => {
      const [row] = await t.db
        .select({ recordsIn: sql<number>`sum(${productThroughput.recordsIn})::int`, recordsOut: sql<number>`sum(${productThroughput.recordsOut})::int` })
        .from(productThroughput)
        .where(eq(productThroughput.productId, productId));
      return (row?.recordsIn ?? 0) >= N && (row?.recordsOut ?? 0) >= 3 * N;
    }, 10_000, "throughput rows");
    const rows = await t.db.select().from(productThroughput).where(eq(productThroughput.productId, productId));
    expect(rows[0].instance).toBe(router.stats().instance);
    expect(rows.some((r) => r.lastRecordAt !== null && r.maxDelayMs !== null && r.bytesIn > 0 && r.bytesOut > 0)).toBe(true);
  });
});

describe("router: bad records → DLQ", () => {
  const deep = () => {
    let v: unknown = 1;
    for (let i = 0; i < 1_000; i++) v = { d: v };
    return v;
  };
  const cases: { name: string; key: string | null; value: string | Buffer; reason: RegExp }[] = [
    { name: "not-json", key: "b1", value: Buffer.from([0x7b, 0x22, 0x69, 0x64]), reason: /not JSON/ },
    { name: "not-utf8", key: "b2", value: Buffer.from([0xff, 0xfe, 0x00]), reason: /not UTF-8|not JSON/ },
    { name: "wrong-type", key: "b3", value: JSON.stringify(paymentRecord(1, { amount: "ten" })), reason: /amount/ },
    { name: "null-value", key: "b4", value: JSON.stringify(paymentRecord(2, { msisdn: null })), reason: /msisdn/ },
    { name: "rule", key: "b5", value: JSON.stringify(paymentRecord(3, { amount: 99_999 })), reason: /rule r1/ },
    { name: "five-mb", key: "b6", value: JSON.stringify(paymentRecord(4, { note: "x".repeat(5 * 1024 * 1024) })), reason: /larger than/ },
    { name: "deep", key: "b7", value: JSON.stringify({ ...paymentRecord(5), deep: deep() }), reason: /nested deeper/ },
    { name: "no-key", key: null, value: JSON.stringify(paymentRecord(6)), reason: /no key/ },
    { name: "missing-field", key: "b9", value: JSON.stringify(paymentRecord(8, { ts: undefined })), reason: /ts: is required/ },
  ];
  let dlq: Consumed[] = [];

  beforeAll(async () => {
    for (const c of cases) await send([{ key: c.key, value: c.value, headers: { "x-test-case": c.name } }]);
    await send([{ key: "after-bad", value: JSON.stringify(paymentRecord(999)) }]);
    dlq = await consumeUntil(kafka, dlqTopicName(SLUG), (a) => a.length >= cases.length, 20_000);
  }, 40_000);

  it("sends each bad record to the DLQ with its reason and source position", () => {
    expect(dlq).toHaveLength(cases.length);
    for (const c of cases) {
      const m = dlq.find((x) => header(x, "x-test-case") === c.name);
      expect(m, c.name).toBeDefined();
      expect(header(m!, "x-dlq-reason"), c.name).toMatch(c.reason);
      expect(header(m!, "x-source-topic")).toBe(SOURCE);
      expect(Number(header(m!, "x-source-offset"))).toBeGreaterThanOrEqual(0);
      expect(header(m!, "x-source-partition")).toMatch(/^[0-2]$/);
      expect(JSON.parse(header(m!, "x-dlq-reasons")!).length).toBeGreaterThan(0);
    }
    const big = dlq.find((x) => header(x, "x-test-case") === "five-mb")!;
    expect(Number(header(big, "x-dlq-truncated"))).toBeGreaterThan(5 * 1024 * 1024);
    expect(big.value!.byteLength).toBeLessThan(1024 * 1024);
    expect(header(dlq.find((x) => header(x, "x-test-case") === "rule")!, "x-dlq-rule")).toBe("r1");
    expect(header(dlq.find((x) => header(x, "x-test-case") === "wrong-type")!, "x-dlq-field")).toBe("amount");
  });

  it("keeps running: a valid record after the bad ones is delivered", async () => {
    const got = await consumeUntil(kafka, topic(1, "public"), (a) => a.some((m) => m.key?.toString() === "after-bad"));
    expect(got.some((m) => m.key?.toString() === "after-bad")).toBe(true);
    expect(router.stats().recordsDlq).toBeGreaterThanOrEqual(cases.length);
  });

  it("counts them in quality_incidents per reason with a locator sample", async () => {
    // Incidents are written with the batch's index rows, just after its DLQ records are produced.
    const load = () => t.db.select().from(qualityIncidents).where(eq(qualityIncidents.productId, productId));
    await waitFor(async () => (await load()).reduce((s, r) => s + r.count, 0) >= cases.length, 10_000, "the incidents written");
    const rows = await load();
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(cases.length);
    const rule = rows.find((r) => r.reason.startsWith("rule r1"))!;
    expect(rule.contractVersion).toBe("1.0.0");
    expect(JSON.parse(rule.sample!)).toMatchObject({ topic: SOURCE });
    expect(rule.sample).not.toContain("PIIMSISDN");
  });
});

describe("router: contract changes mid-stream", () => {
  it("drops a field the contract does not list, then delivers it once a minor version lists it", async () => {
    await send([{ key: "c1", value: JSON.stringify(paymentRecord(1001, { channel: "app" })) }]);
    const before = await consumeUntil(kafka, topic(1, "full"), (a) => a.some((m) => m.key?.toString() === "c1"));
    const first = JSON.parse(before.find((m) => m.key?.toString() === "c1")!.value!.toString());
    expect(first.id).toBe("pay-1001");
    expect(first).not.toHaveProperty("channel");

    await addContractVersion(t.db, productId, { version: "1.1.0", schema: PAYMENT_SCHEMA_V1_1 });
    await refreshes(2);
    await send([{ key: "c2", value: JSON.stringify(paymentRecord(1002, { channel: "web" })) }]);
    const after = await consumeUntil(kafka, topic(1, "full"), (a) => a.some((m) => m.key?.toString() === "c2"));
    const m = after.find((x) => x.key?.toString() === "c2")!;
    expect(JSON.parse(m.value!.toString()).channel).toBe("web");
    expect(header(m, "x-contract-version")).toBe("1.1.0");
  }, 40_000);

  it("routes by shape while two majors serve: v1 records to v1, v2 records to v2, both when valid for both", async () => {
    await t.db.update(contractVersions).set({ status: "deprecated" }).where(and(eq(contractVersions.productId, productId), eq(contractVersions.major, 1)));
    await addContractVersion(t.db, productId, { version: "2.0.0", schema: PAYMENT_SCHEMA_V2 });
    await refreshes(2);
    const v1 = paymentRecord(2001);
    const { amount, ...rest } = paymentRecord(2002);
    const v2 = { ...rest, amount_minor: Math.round(Number(amount) * 100) };
    const both = { ...paymentRecord(2003), amount_minor: 5 };
    const neither = { id: "pay-2004", msisdn: "PIIMSISDN2004", ts: new Date().toISOString() };
    await send([
      { key: "m1", value: JSON.stringify(v1) },
      { key: "m2", value: JSON.stringify(v2) },
      { key: "m3", value: JSON.stringify(both) },
      { key: "m4", value: JSON.stringify(neither) },
    ]);
    const keys = (ms: Consumed[]) => new Set(ms.map((m) => m.key?.toString()).filter((k) => k?.startsWith("m")));
    const onV2 = await consumeUntil(kafka, topic(2, "internal"), (a) => keys(a).has("m3") && keys(a).has("m2"));
    const onV1 = await consumeUntil(kafka, topic(1, "internal"), (a) => keys(a).has("m3") && keys(a).has("m1"));
    expect([...keys(onV2)].sort()).toEqual(["m2", "m3"]);
    expect([...keys(onV1)].sort()).toEqual(["m1", "m3"]);
    expect(header(onV2.find((m) => m.key?.toString() === "m2")!, "x-contract-version")).toBe("2.0.0");
    expect(header(onV1.find((m) => m.key?.toString() === "m1")!, "x-contract-version")).toBe("1.1.0");
    // v2's masked output only carries v2's fields
    const m2 = JSON.parse(onV2.find((m) => m.key?.toString() === "m2")!.value!.toString());
    expect(m2.amount_minor).toBe(v2.amount_minor);
    expect(m2).not.toHaveProperty("amount");
    const dlq = await consumeUntil(kafka, dlqTopicName(SLUG), (a) => a.some((m) => m.key?.toString() === "m4"));
    const bad = dlq.find((m) => m.key?.toString() === "m4")!;
    expect(header(bad, "x-contract-version")).toBe("2.0.0");
    expect(header(bad, "x-dlq-reason")).toMatch(/amount_minor: is required/);
  }, 40_000);
});

describe("router: products change while it runs", () => {
  it("applies a changed tier rule and a new tier without a restart", async () => {
    const restarts = router.stats().consumerRestarts;
    const [pub] = await t.db.select().from(maskingTiers).where(and(eq(maskingTiers.productId, productId), eq(maskingTiers.name, "public")));
    await t.db.update(maskingTiers).set({ rules: { ...(pub.rules as Record<string, unknown>), country: { strategy: "drop" } } }).where(eq(maskingTiers.id, pub.id));
    await t.db.insert(maskingTiers).values({ productId, name: "partner", fullAccess: false, rules: { msisdn: { strategy: "hash" }, email: { strategy: "drop" }, note: { strategy: "drop" } } });
    await refreshes(2);
    await send([{ key: "tier-change", value: JSON.stringify(paymentRecord(4100)) }]);
    const isIt = (m: Consumed) => m.key?.toString() === "tier-change";
    // paymentRecord has the v1 shape (v2 needs amount_minor): it reaches the v1 topics.
    const [onPublic, onPartner, onInternal] = await Promise.all([
      consumeUntil(kafka, topic(1, "public"), (a) => a.some(isIt), 20_000),
      consumeUntil(kafka, topic(1, "partner"), (a) => a.some(isIt), 20_000),
      consumeUntil(kafka, topic(1, "internal"), (a) => a.some(isIt), 20_000),
    ]);
    const pubRec = JSON.parse(onPublic.find(isIt)!.value!.toString());
    expect(pubRec).not.toHaveProperty("country");
    const partner = JSON.parse(onPartner.find(isIt)!.value!.toString());
    const internal = JSON.parse(onInternal.find(isIt)!.value!.toString());
    expect(partner.msisdn).toMatch(/^[0-9a-f]{64}$/);
    // One key per product: the same hash in every tier that hashes the field.
    expect(partner.msisdn).toBe(internal.msisdn);
    expect(partner).not.toHaveProperty("email");
    expect(router.stats().consumerRestarts).toBe(restarts);
  }, 60_000);

  it("picks up a product published while it runs, creating its topics", async () => {
    const source = "src.payments-late";
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: source, numPartitions: 2 }] });
    const late = await createRoutedProduct(t.db, { slug: "payments-late", sourceTopic: source, status: "draft" });
    await producer.send({ topic: source, acks: -1, messages: [{ key: "l1", value: JSON.stringify(paymentRecord(3001)) }] });
    await refreshes(2);
    expect(router.stats().sourceTopics).not.toContain(source);
    await setProductStatus(t.db, late.id, "published");
    await waitFor(() => router.stats().sourceTopics.includes(source), 10_000, "the new source topic consumed");
    const got = await consumeUntil(kafka, deliveryTopicName("payments-late", 1, "public"), (a) => a.length >= 1, 20_000);
    expect(got.map((m) => m.key?.toString())).toEqual(["l1"]);
    const meta = await admin.fetchTopicMetadata({ topics: [deliveryTopicName("payments-late", 1, "public"), dlqTopicName("payments-late")] });
    await admin.disconnect();
    expect(meta.topics.map((x) => x.partitions.length)).toEqual([2, 2]);
    expect(router.stats().sourceTopics).toContain(source);
    expect(router.stats().lastError).toBeNull();
    expect(router.stats().errors).toBe(0);
  }, 40_000);
});
