import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, clusters, contractVersions, dataProducts, maskingTiers, memberships, organizations, plans, productDrafts, teams, users } from "@/db/schema";
import { createSafeActionClient } from "@/lib/actions/safe-action";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { kafkaFor, startTestBroker } from "@/lib/broker/test-helpers";
import { AppError } from "@/lib/errors";
import { createTestDatabase } from "@/lib/testing/db";
import { z } from "zod";
import {
  createDraft,
  inferSchemaForDraft,
  listTopicsForDraft,
  previewMasking,
  publishDraft,
  reviewDraft,
  sampleSourceForDraft,
  saveDraftStep,
  type WizardKafkaDeps,
} from "./service";

/**
 * The wizard against real PostgreSQL and the embedded broker: drafts per step with ownership
 * checks, sampling a live topic, inference, the masking preview, and the one-transaction publish.
 */

const t = await createTestDatabase();
const db = t.db;
const broker = await startTestBroker();
const deps: WizardKafkaDeps = { kafkaFor: () => kafkaFor(broker.bootstrap, "wizard-test") };
const TOPIC = "telco.cdr.test.v1";

let clusterId: string;
let owner: SessionUser;
let otherOwner: SessionUser;
let member: SessionUser;
let ownerTeamId: string;
let otherTeamId: string;

const records = Array.from({ length: 12 }, (_, i) => ({
  subscriber: { msisdn: `+49151${String(1000000 + i)}`, tariff: i % 2 ? "FLEX" : "UNLIMITED" },
  cell: `cell-${i % 3}`,
  bytes: 1000 + i * 17,
  at: new Date(Date.UTC(2026, 10, 22, 7, 0, i)).toISOString(),
}));

beforeAll(async () => {
  const tag = randomBytes(3).toString("hex");
  const [org] = await db.insert(organizations).values({ slug: `o-${tag}`, name: "Org", kind: "internal" }).returning();
  const [teamA] = await db.insert(teams).values({ slug: `a-${tag}`, name: "Team A", orgId: org.id }).returning();
  const [teamB] = await db.insert(teams).values({ slug: `b-${tag}`, name: "Team B", orgId: org.id }).returning();
  ownerTeamId = teamA.id;
  otherTeamId = teamB.id;
  const mk = async (name: string, teamId: string, role: "owner" | "member") => {
    const [u] = await db.insert(users).values({ email: `${name}-${tag}@test.tributary`, name, orgId: org.id }).returning();
    await db.insert(memberships).values({ userId: u.id, teamId, role });
    return (await loadSessionUser(db, u.id))!;
  };
  owner = await mk("owner", teamA.id, "owner");
  otherOwner = await mk("other", teamB.id, "owner");
  member = await mk("member", teamA.id, "member");
  const [c] = await db.insert(clusters).values({ name: `test-${tag}`, bootstrapServers: broker.bootstrap, saslMechanism: "none" }).returning();
  clusterId = c.id;

  const kafka = kafkaFor(broker.bootstrap, "seed");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }, { topic: "tributary.delivery.x.v1.full" }, { topic: "tributary.dlq.x" }, { topic: "raw.binary.v1" }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: records.map((r, i) => ({ key: r.cell, value: JSON.stringify(r), partition: i % 2 })) });
  await producer.send({ topic: "tributary.delivery.x.v1.full", messages: records.map((r) => ({ value: JSON.stringify(r) })) });
  await producer.send({ topic: "tributary.dlq.x", messages: [{ value: JSON.stringify(records[0]) }] });
  await producer.send({ topic: "raw.binary.v1", messages: [{ value: Buffer.from([0xff, 0xfe, 0x00, 0x01]) }, { value: "not json at all" }] });
  await producer.disconnect();
}, 60_000);

afterAll(async () => {
  await broker.cleanup();
});

let n = 0;
function basics(over: Record<string, unknown> = {}) {
  n += 1;
  return { teamId: ownerTeamId, name: `Rated calls ${n}`, slug: `rated-calls-${n}-${randomBytes(2).toString("hex")}`, summary: "Rated call records for tests.", description: "# Hi", domain: "billing", tags: ["cdr"], classification: "internal", ...over };
}

async function expectAppError(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

/** A draft taken through every step with the sampled topic, ready to publish. */
async function completeDraft(): Promise<string> {
  try {
    return await completeDraftInner();
  } catch (e) {
    // Field errors name the step that refused, which a bare "validation" would not.
    throw new Error(JSON.stringify((e as AppError).fieldErrors ?? String(e)));
  }
}

async function completeDraftInner(): Promise<string> {
  const { productId } = await createDraft(db, owner, basics());
  await sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic: TOPIC });
  const inferred = await inferSchemaForDraft(db, owner, productId);
  if (!inferred.ok) throw new Error(inferred.message);
  await saveDraftStep(db, owner, productId, "schema", { format: "json-schema", origin: "inferred", text: inferred.text });
  await saveDraftStep(db, owner, productId, "fields", {
    fields: [
      { path: "at", description: "Event time", pii: "none" },
      { path: "bytes", description: "", pii: "none" },
      { path: "cell", description: "", pii: "quasi" },
      { path: "subscriber", description: "", pii: "none" },
      { path: "subscriber.msisdn", description: "Phone number", pii: "direct" },
      { path: "subscriber.tariff", description: "", pii: "none" },
    ],
  });
  await saveDraftStep(db, owner, productId, "contract", {
    freshnessSlaSeconds: 60,
    availabilityTarget: "99.9%",
    retentionHours: 168,
    purposes: ["billing-analytics"],
    prohibitedUses: ["re-identification"],
    supportContact: "billing@test.tributary",
    qualityRules: [{ id: "r1", kind: "range", field: "bytes", params: { min: 0 } }],
  });
  await saveDraftStep(db, owner, productId, "tiers", {
    tiers: [
      { name: "full", fullAccess: true, rules: {} },
      { name: "partner", fullAccess: false, rules: { "subscriber.msisdn": { strategy: "hash" }, cell: { strategy: "drop" } } },
    ],
  });
  await saveDraftStep(db, owner, productId, "plans", {
    plans: [
      { name: "Internal", tier: "partner", approval: "auto", priceModel: "free", priceMinor: 0, currency: "EUR" },
      { name: "Full", tier: "full", approval: "manual", priceModel: "per_gb", priceMinor: 250, currency: "EUR", externalAllowed: true, monthlyCapMinor: 50000 },
    ],
  });
  return productId;
}

describe("drafts", () => {
  it("creates a draft product and saves the basics step", async () => {
    const b = basics();
    const { productId, next } = await createDraft(db, owner, b);
    expect(next).toBe("source");
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    expect(p).toMatchObject({ status: "draft", slug: b.slug, ownerTeamId, name: b.name });
    const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    expect(d.stepsDone).toEqual(["basics"]);
    expect((d.data as { basics: { slug: string } }).basics.slug).toBe(b.slug);
  });

  it("refuses a taken slug on the slug field, at create and at a later save", async () => {
    const first = basics();
    await createDraft(db, owner, first);
    const err = await expectAppError(createDraft(db, owner, basics({ slug: first.slug })), "validation");
    expect(err.fieldErrors?.["basics.slug"]?.[0]).toMatch(/already uses this slug/);
    const { productId } = await createDraft(db, owner, basics());
    const again = await expectAppError(saveDraftStep(db, owner, productId, "basics", basics({ slug: first.slug })), "validation");
    expect(Object.keys(again.fieldErrors ?? {})).toEqual(["basics.slug"]);
  });

  it("gives field-level errors for bad basics", async () => {
    const err = await expectAppError(createDraft(db, owner, basics({ name: "", slug: "Not A Slug", classification: "secret" })), "validation");
    expect(Object.keys(err.fieldErrors ?? {}).sort()).toEqual(["basics.classification", "basics.name", "basics.slug"]);
  });

  it("forbids a team member who is not an owner, and another team's owner, on every step", async () => {
    await expectAppError(createDraft(db, member, basics()), "forbidden");
    await expectAppError(createDraft(db, otherOwner, basics()), "forbidden");
    const { productId } = await createDraft(db, owner, basics());
    await expectAppError(saveDraftStep(db, otherOwner, productId, "basics", basics({ teamId: otherTeamId })), "forbidden");
    await expectAppError(saveDraftStep(db, member, productId, "contract", {}), "validation");
    await expectAppError(
      saveDraftStep(db, member, productId, "plans", { plans: [{ name: "x1", tier: "t", approval: "auto", priceModel: "free", priceMinor: 0, currency: "EUR" }] }),
      "forbidden",
    );
    await expectAppError(sampleSourceForDraft(db, otherOwner, deps, { productId, clusterId, topic: TOPIC }), "forbidden");
    await expectAppError(previewMasking(db, otherOwner, productId, { name: "p", rules: {} }), "forbidden");
    await expectAppError(publishDraft(db, otherOwner, productId), "forbidden");
    await expectAppError(reviewDraft(db, member, productId), "forbidden");
    // An owner cannot move their draft to a team they do not own.
    await expectAppError(saveDraftStep(db, owner, productId, "basics", basics({ teamId: otherTeamId })), "forbidden");
  });

  it("refuses a consumer at the action wrapper before any service runs", async () => {
    let ran = false;
    const { safeAction } = createSafeActionClient({ getUser: async () => member, getDb: () => db });
    const action = safeAction({ schema: z.object({}), role: "owner" }, async () => {
      ran = true;
    });
    const res = await action({});
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe("forbidden");
    expect(ran).toBe(false);
  });

  it("rejects an invalid schema at its step and keeps the previous one", async () => {
    const { productId } = await createDraft(db, owner, basics());
    const bad = await expectAppError(saveDraftStep(db, owner, productId, "schema", { format: "json-schema", text: '{"type": "object", ' }), "validation");
    expect(bad.fieldErrors?.["schema.text"]?.[0]).toMatch(/not valid JSON/);
    const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    expect((d.data as { schema?: unknown }).schema).toBeUndefined();
    expect(d.stepsDone).not.toContain("schema");
  });
});

describe("source topics", () => {
  it("lists live topics without the platform's own, with partition counts", async () => {
    const { productId } = await createDraft(db, owner, basics());
    const topics = await listTopicsForDraft(db, owner, deps, productId, clusterId);
    expect(topics.map((x) => x.name)).toContain(TOPIC);
    expect(topics.find((x) => x.name === TOPIC)?.partitions).toBe(2);
    expect(topics.some((x) => x.name.startsWith("tributary."))).toBe(false);
  });

  it("samples the newest messages, saves the source step, and infers a schema from them", async () => {
    const { productId } = await createDraft(db, owner, basics());
    const s = await sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic: TOPIC });
    expect(s.partitions).toBe(2);
    expect(s.samples.length).toBe(12);
    expect(s.samples.map((m) => JSON.parse(m.value!).subscriber.msisdn).sort()).toEqual(records.map((r) => r.subscriber.msisdn).sort());
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    expect(p.sourceTopic).toBe(TOPIC);
    const inferred = await inferSchemaForDraft(db, owner, productId);
    expect(inferred.ok).toBe(true);
    if (inferred.ok) {
      const schema = JSON.parse(inferred.text);
      expect(schema.properties.subscriber.properties.msisdn.type).toBe("string");
      expect(schema.properties.at.format).toBe("date-time");
      expect(schema.required).toEqual(expect.arrayContaining(["at", "bytes", "cell", "subscriber"]));
    }
  });

  it("asks for an uploaded schema when the topic's messages are not JSON, and says the router cannot deliver them", async () => {
    const { productId } = await createDraft(db, owner, basics());
    const sampled = await sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic: "raw.binary.v1" });
    expect(sampled.samples.map((m) => m.reject).sort()).toEqual(["record is not JSON", "record is not UTF-8 text"]);
    expect(sampled.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^No sampled message is JSON; the router delivers JSON records only/)]);
    const inferred = await inferSchemaForDraft(db, owner, productId);
    expect(inferred.ok).toBe(false);
    if (!inferred.ok) expect(inferred.message).toMatch(/Upload a JSON Schema or Avro schema/);
  });
});

describe("platform topics and samples are enforced server-side", () => {
  async function sourceOf(productId: string) {
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    return { topic: p.sourceTopic, source: (d.data as { source?: { topic: string; samples: { value: string | null }[] } }).source };
  }

  it("refuses to sample a delivery, DLQ or internal topic even when asked by name", async () => {
    const { productId } = await createDraft(db, owner, basics());
    for (const topic of ["tributary.delivery.x.v1.full", "tributary.dlq.x", "tributary.internal.router", "__consumer_offsets"]) {
      const err = await expectAppError(sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic }), "validation");
      expect(err.fieldErrors?.["source.topic"]?.[0], topic).toMatch(/written by Tributary itself/);
    }
    expect(await sourceOf(productId)).toEqual({ topic: null, source: undefined });
  });

  it("refuses a topic the cluster does not have", async () => {
    const { productId } = await createDraft(db, owner, basics());
    const err = await expectAppError(sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic: "no.such.topic.v1" }), "validation");
    expect(err.fieldErrors?.["source.topic"]?.[0]).toMatch(/does not exist on this cluster/);
    expect((await sourceOf(productId)).topic).toBeNull();
  });

  it("never saves a source (or samples) sent by the client", async () => {
    const { productId } = await createDraft(db, owner, basics());
    await sampleSourceForDraft(db, owner, deps, { productId, clusterId, topic: TOPIC });
    const forged = { clusterId, topic: "tributary.delivery.x.v1.full", partitions: 1, samples: [{ partition: 0, offset: "0", key: null, value: '{"forged":true}', timestamp: new Date().toISOString() }] };
    const err = await expectAppError(saveDraftStep(db, owner, productId, "source", forged), "validation");
    expect(err.fieldErrors?.["source.topic"]?.[0]).toMatch(/saved by sampling/);
    const after = await sourceOf(productId);
    expect(after.topic).toBe(TOPIC);
    expect(after.source?.samples.some((m) => m.value?.includes("forged"))).toBe(false);
    expect(after.source?.samples.length).toBe(12);
  });

  it("refuses to publish a draft whose source was set to a platform topic behind the checks' back", async () => {
    const productId = await completeDraft();
    const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    const data = d.data as { source: { topic: string } };
    data.source.topic = "tributary.delivery.x.v1.full";
    await db.update(productDrafts).set({ data }).where(eq(productDrafts.productId, productId));
    const err = await expectAppError(publishDraft(db, owner, productId), "validation");
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(["source.topic"]);
    expect(await db.select().from(contractVersions).where(eq(contractVersions.productId, productId))).toEqual([]);
  });
});

describe("masking preview", () => {
  it("masks sampled records with the product's key, side by side with the originals", async () => {
    const productId = await completeDraft();
    const tier = { name: "partner", rules: { "subscriber.msisdn": { strategy: "partial", keepLast: 3 }, cell: { strategy: "drop" } } };
    const res = await previewMasking(db, owner, productId, tier);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.records.length).toBe(5);
    for (const r of res.records) {
      const original = r.original as (typeof records)[number];
      const masked = r.masked as { subscriber: { msisdn: string }; cell?: string; bytes: number };
      expect(masked.subscriber.msisdn).toMatch(/^\*+\d{3}$/);
      expect(masked.subscriber.msisdn.slice(-3)).toBe(original.subscriber.msisdn.slice(-3));
      expect(masked.cell).toBeUndefined();
      expect(masked.bytes).toBe(original.bytes);
    }
    // Hashes are keyed per product: stable within it.
    const hashed = await previewMasking(db, owner, productId, { name: "partner", rules: { "subscriber.msisdn": { strategy: "hash" }, cell: { strategy: "drop" } } });
    const again = await previewMasking(db, owner, productId, { name: "partner", rules: { "subscriber.msisdn": { strategy: "hash" }, cell: { strategy: "drop" } } });
    expect(hashed.ok && again.ok && hashed.records[0].masked).toEqual(again.ok && again.records[0].masked);
  });

  it("answers with per-field errors when a PII field is kept in clear", async () => {
    const productId = await completeDraft();
    const res = await previewMasking(db, owner, productId, { name: "partner", rules: { cell: { strategy: "drop" } } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(Object.keys(res.fieldErrors)).toEqual(["tiers.partner.subscriber.msisdn"]);
  });
});

describe("publish", () => {
  it("publishes in one transaction: contract 1.0.0, tiers, plans, product row, audit; the draft is gone", async () => {
    const productId = await completeDraft();
    const review = await reviewDraft(db, owner, productId);
    expect(review.issues).toEqual([]);
    const res = await publishDraft(db, owner, productId);
    expect(res.version).toBe("1.0.0");
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    expect(p.status).toBe("published");
    expect(p.publishedAt).not.toBeNull();
    expect(p.fieldNames).toEqual(expect.arrayContaining(["subscriber.msisdn", "bytes", "cell"]));
    expect(p.contactEmail).toBe("billing@test.tributary");
    const [c] = await db.select().from(contractVersions).where(eq(contractVersions.productId, productId));
    expect(c).toMatchObject({ version: "1.0.0", major: 1, status: "published", purposes: ["billing-analytics"] });
    expect((c.fields as { path: string; pii: string; description: string }[]).find((f) => f.path === "subscriber.msisdn")).toMatchObject({ pii: "direct", description: "Phone number" });
    const tiers = await db.select().from(maskingTiers).where(eq(maskingTiers.productId, productId));
    expect(tiers.map((x) => [x.name, x.fullAccess]).sort()).toEqual([["full", true], ["partner", false]]);
    const ps = await db.select().from(plans).where(eq(plans.productId, productId));
    const full = ps.find((x) => x.name === "Full")!;
    expect(full).toMatchObject({ approval: "manual", priceModel: "per_gb", priceMinor: 250, currency: "EUR", monthlyCapMinor: 50000, externalAllowed: true });
    expect(full.tierId).toBe(tiers.find((x) => x.name === "full")!.id);
    expect(await db.select().from(productDrafts).where(eq(productDrafts.productId, productId))).toEqual([]);
    const audit = await db.select().from(auditLog).where(eq(auditLog.actorId, owner.id));
    const mine = audit.filter((a) => a.resourceId === productId || (a.details as { productId?: string }).productId === productId);
    expect(mine.map((a) => a.action).sort()).toEqual(["masking_tier.create", "masking_tier.create", "plan.create", "plan.create", "product.draft_create", "product.publish"]);
    // A second publish (double click) is a conflict, not a second contract.
    await expectAppError(publishDraft(db, owner, productId), "conflict");
    expect(await db.select().from(contractVersions).where(eq(contractVersions.productId, productId))).toHaveLength(1);
  });

  it("a failed check publishes nothing and records the denial", async () => {
    const productId = await completeDraft();
    // Sneak an unmasked PII tier into the draft behind the step checks' back.
    const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
    const data = d.data as { tiers: { tiers: { name: string; rules: Record<string, unknown> }[] } };
    data.tiers.tiers[1].rules = { cell: { strategy: "drop" } };
    await db.update(productDrafts).set({ data }).where(eq(productDrafts.productId, productId));

    const err = await expectAppError(publishDraft(db, owner, productId), "validation");
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(["tiers.partner.subscriber.msisdn"]);
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
    expect(p.status).toBe("draft");
    expect(p.publishedAt).toBeNull();
    expect(await db.select().from(contractVersions).where(eq(contractVersions.productId, productId))).toEqual([]);
    expect(await db.select().from(maskingTiers).where(eq(maskingTiers.productId, productId))).toEqual([]);
    expect(await db.select().from(plans).where(eq(plans.productId, productId))).toEqual([]);
    const denied = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.resourceId, productId), eq(auditLog.action, "product.publish")));
    expect(denied.map((a) => a.result)).toEqual(["denied"]);
  });

  it("rejects each kind of gap at its step with the right field error", async () => {
    const productId = await completeDraft();
    const plansErr = await expectAppError(
      saveDraftStep(db, owner, productId, "plans", { plans: [{ name: "Full", tier: "full", approval: "auto", priceModel: "per_gb", priceMinor: -3, currency: "EURO" }] }),
      "validation",
    );
    expect(Object.keys(plansErr.fieldErrors ?? {}).sort()).toEqual(["plans.0.approval", "plans.0.currency", "plans.0.priceMinor"]);
    const rulesErr = await expectAppError(
      saveDraftStep(db, owner, productId, "contract", {
        freshnessSlaSeconds: 60,
        availabilityTarget: "99.9%",
        retentionHours: 1,
        purposes: ["x"],
        supportContact: "a@b.test",
        qualityRules: [{ id: "big", kind: "range", field: "bytes", params: { min: 5000 } }],
      }),
      "validation",
    );
    expect(rulesErr.fieldErrors?.["contract.rules.big"]?.[0]).toMatch(/fails on 12 of 12 samples/);
    const tierErr = await expectAppError(
      saveDraftStep(db, owner, productId, "tiers", { tiers: [{ name: "public", rules: { "subscriber.msisdn": { strategy: "keep" }, cell: { strategy: "drop" } } }] }),
      "validation",
    );
    expect(Object.keys(tierErr.fieldErrors ?? {})).toEqual(["tiers.public.subscriber.msisdn"]);
    const fieldsErr = await expectAppError(saveDraftStep(db, owner, productId, "fields", { fields: [{ path: "nope", pii: "none" }] }), "validation");
    expect(Object.keys(fieldsErr.fieldErrors ?? {})).toEqual(["fields.nope"]);
    // The draft itself is untouched and still publishable.
    expect((await reviewDraft(db, owner, productId)).ok).toBe(true);
  });
});
