import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, clusters, contractVersions, dataProducts, maskingTiers, plans, productDrafts } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { AppError } from "@/lib/errors";
import { createTestDatabase } from "@/lib/testing/db";
import type { DraftData } from "./schemas";
import { publishDraft } from "./service";

/**
 * publishDraft itself, table-driven: a complete draft with one gap at a time, written straight
 * into product_drafts (as an old draft, a bug elsewhere or a raced step save could leave it).
 * Each gap is refused with its field-level error, and nothing is written but the denied audit
 * entry: no contract, tier or plan, the product still a draft, the draft untouched.
 */
const t = await createTestDatabase();
const db = t.db;
let owner: SessionUser;
let teamId: string;
let clusterId: string;

beforeAll(async () => {
  const fx = await createUserFixture(db, { teamRole: "owner" });
  owner = (await loadSessionUser(db, fx.user.id))!;
  teamId = fx.team.id;
  const [c] = await db.insert(clusters).values({ name: `gaps-${randomBytes(3).toString("hex")}`, bootstrapServers: "localhost:1", saslMechanism: "none" }).returning();
  clusterId = c!.id;
});

const RECORDS = Array.from({ length: 4 }, (_, i) => ({ msisdn: `+49151000000${i}`, cell: `c-${i}`, bytes: 100 + i, at: `2026-11-22T07:00:0${i}Z` }));
const SCHEMA = {
  type: "object",
  required: ["msisdn", "cell", "bytes", "at"],
  properties: { msisdn: { type: "string" }, cell: { type: "string" }, bytes: { type: "integer" }, at: { type: "string", format: "date-time" } },
};

function completeDraft(slug: string): DraftData {
  return {
    basics: { teamId, name: `Gaps ${slug}`, slug, summary: "A draft with one gap at a time.", description: "", domain: "testing", tags: [], classification: "internal" },
    source: {
      clusterId,
      topic: "gaps.records.v1",
      partitions: 1,
      samples: RECORDS.map((r, i) => ({ partition: 0, offset: String(i), key: null, value: JSON.stringify(r), timestamp: r.at, reject: null })),
    },
    schema: { format: "json-schema", origin: "uploaded", text: JSON.stringify(SCHEMA) },
    fields: {
      fields: [
        { path: "msisdn", description: "Phone number", pii: "direct" },
        { path: "cell", description: "", pii: "quasi" },
        { path: "bytes", description: "", pii: "none" },
        { path: "at", description: "", pii: "none" },
      ],
    },
    contract: {
      freshnessSlaSeconds: 60,
      availabilityTarget: "99.9%",
      retentionHours: 24,
      purposes: ["analytics"],
      prohibitedUses: [],
      supportContact: "gaps@test.tributary",
      qualityRules: [{ id: "bytes-positive", kind: "range", field: "bytes", params: { min: 0 } }],
    },
    tiers: {
      tiers: [
        { name: "full", description: "", fullAccess: true, rules: {} },
        { name: "partner", description: "", fullAccess: false, rules: { msisdn: { strategy: "hash" }, cell: { strategy: "drop" } } },
      ],
    },
    plans: {
      plans: [
        { name: "Internal", description: "", tier: "partner", approval: "auto", priceModel: "free", priceMinor: 0, currency: "EUR", externalAllowed: false, quotaBytesPerSec: null, monthlyCapMinor: null },
        { name: "Full", description: "", tier: "full", approval: "manual", priceModel: "per_gb", priceMinor: 250, currency: "EUR", externalAllowed: false, quotaBytesPerSec: null, monthlyCapMinor: null },
      ],
    },
  };
}

async function draftWith(gap: (d: DraftData) => void): Promise<{ productId: string; data: DraftData }> {
  const slug = `gaps-${randomBytes(4).toString("hex")}`;
  const data = completeDraft(slug);
  gap(data);
  const [p] = await db.insert(dataProducts).values({ slug, name: data.basics!.name, domain: "testing", ownerTeamId: teamId, status: "draft" }).returning();
  await db.insert(productDrafts).values({ productId: p!.id, data, stepsDone: ["basics", "source", "schema", "fields", "contract", "tiers", "plans"], updatedBy: owner.id });
  return { productId: p!.id, data };
}

async function refusal(productId: string): Promise<AppError> {
  const err = await publishDraft(db, owner, productId).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("validation");
  return err as AppError;
}

async function expectNothingWritten(productId: string, data: DraftData) {
  const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
  expect(p).toMatchObject({ status: "draft", publishedAt: null, clusterId: null, fieldNames: [] });
  expect(await db.select().from(contractVersions).where(eq(contractVersions.productId, productId))).toEqual([]);
  expect(await db.select().from(maskingTiers).where(eq(maskingTiers.productId, productId))).toEqual([]);
  expect(await db.select().from(plans).where(eq(plans.productId, productId))).toEqual([]);
  const [d] = await db.select().from(productDrafts).where(eq(productDrafts.productId, productId));
  expect(d!.data).toEqual(data);
  const audit = await db.select().from(auditLog).where(eq(auditLog.resourceId, productId));
  expect(audit.map((a) => [a.action, a.result])).toEqual([["product.publish", "denied"]]);
}

type Gap = { gap: string; mutate: (d: DraftData) => void; fields: string[]; message: RegExp };

const GAPS: Gap[] = [
  { gap: "schema invalid", mutate: (d) => (d.schema!.text = JSON.stringify({ type: "object", properties: { msisdn: { type: "strnig" } } })), fields: ["schema.text"], message: /./ },
  { gap: "schema not JSON", mutate: (d) => (d.schema!.text = '{"type": "object",'), fields: ["schema.text"], message: /not valid JSON/ },
  { gap: "PII field keep in a non-full tier", mutate: (d) => (d.tiers!.tiers[1]!.rules = { cell: { strategy: "drop" } }), fields: ["tiers.partner.msisdn"], message: /personal data/ },
  { gap: "full-access tier on an automatic plan", mutate: (d) => (d.plans!.plans[1]!.approval = "auto"), fields: ["plans.1.approval"], message: /need owner review/ },
  { gap: "rule that does not parse", mutate: (d) => (d.contract!.qualityRules = [{ id: "odd", kind: "range", field: "bytes", params: { min: "lots" } }]), fields: ["contract.rules.odd"], message: /./ },
  { gap: "rule failing on the sample", mutate: (d) => (d.contract!.qualityRules = [{ id: "big", kind: "range", field: "bytes", params: { min: 5000 } }]), fields: ["contract.rules.big"], message: /fails on 4 of 4 samples/ },
  { gap: "rule on an unknown field", mutate: (d) => (d.contract!.qualityRules = [{ id: "ghost", kind: "required", field: "imsi" }]), fields: ["contract.rules.ghost"], message: /imsi/ },
  { gap: "masking rule failing on the sample", mutate: (d) => (d.tiers!.tiers[1]!.rules = { msisdn: { strategy: "generalize", prefixBits: 24 }, cell: { strategy: "drop" } }), fields: ["tiers.partner"], message: /cannot mask 4 of 4 sampled records/ },
  {
    gap: "bad price and currency",
    mutate: (d) => Object.assign(d.plans!.plans[1]!, { priceMinor: -3, currency: "EURO" }),
    fields: ["plans.1.currency", "plans.1.priceMinor"],
    message: /./,
  },
  { gap: "fractional price", mutate: (d) => (d.plans!.plans[1]!.priceMinor = 2.5), fields: ["plans.1.priceMinor"], message: /whole, non-negative number of minor units/ },
  { gap: "paid price on a free plan", mutate: (d) => (d.plans!.plans[0]!.priceMinor = 100), fields: ["plans.0.priceMinor"], message: /free plan has a price of 0/ },
  { gap: "untagged field", mutate: (d) => (d.fields!.fields = d.fields!.fields.filter((f) => f.path !== "cell")), fields: ["fields.cell"], message: /no PII category/ },
  { gap: "fields step never done", mutate: (d) => delete d.fields, fields: ["fields"], message: /tag personal data/ },
  {
    gap: "non-JSON topic",
    mutate: (d) => (d.source!.samples = d.source!.samples.map((m) => ({ ...m, value: `<cdr id="${m.offset}"/>`, reject: "record is not JSON" }))),
    fields: ["source.topic"],
    message: /^No sampled message is JSON; the router delivers JSON records only/,
  },
  { gap: "platform topic as source", mutate: (d) => (d.source!.topic = "tributary.dlq.other-product"), fields: ["source.topic"], message: /written by Tributary itself/ },
  { gap: "no plans", mutate: (d) => delete d.plans, fields: ["plans"], message: /at least one plan/ },
];

describe("publishDraft refuses each kind of gap, writing nothing but the denial", () => {
  it("publishes the complete draft the gaps start from", async () => {
    const { productId } = await draftWith(() => undefined);
    expect(await publishDraft(db, owner, productId)).toMatchObject({ version: "1.0.0" });
  });

  it.each(GAPS)("$gap", async ({ mutate, fields, message }) => {
    const { productId, data } = await draftWith(mutate);
    const err = await refusal(productId);
    expect(Object.keys(err.fieldErrors ?? {}).sort()).toEqual(fields);
    expect(err.fieldErrors![fields[0]!]![0]).toMatch(message);
    await expectNothingWritten(productId, data);
  });

  // Last in the file: it drops the slug's unique index in this file's throwaway database, the
  // only way two products can share a slug — every basics save refuses a taken one first.
  it("duplicate slug", async () => {
    const { productId, data } = await draftWith(() => undefined);
    const slug = data.basics!.slug;
    await db.execute(sql`alter table data_products drop constraint data_products_slug_unique`);
    try {
      const [dup] = await db.insert(dataProducts).values({ slug, name: "Same slug", domain: "testing", ownerTeamId: teamId, status: "published" }).returning();
      const err = await refusal(productId);
      expect(Object.keys(err.fieldErrors ?? {})).toEqual(["basics.slug"]);
      await expectNothingWritten(productId, data);
      await db.delete(dataProducts).where(eq(dataProducts.id, dup!.id));
    } finally {
      await db.execute(sql`alter table data_products add constraint data_products_slug_unique unique (slug)`);
    }
  });
});
