import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, clusters, dataProducts, maskingTiers, plans, subscriptions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { toSampledRecords } from "@/lib/publishing/checks";
import { planSignature } from "@/lib/router/plan";
import { loadRoutableProducts } from "@/lib/router/queries";
import { subscribe } from "@/lib/subscriptions/service";
import { subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { createPlan, createTier, deactivatePlan, loadOffer, previewTier, updatePlan, updateTier, type OfferDeps } from "./offer";
import { publishNewVersion } from "./service";
import { createVersionWorld, schemaWith, type VersionWorld } from "./test-fixtures";

/**
 * Tiers and plans after publishing, against real PostgreSQL: the publish checks on every change,
 * field-level refusals that write nothing, audit entries, ownership, and the router seeing tier
 * changes. The source topic is replaced by fixed records (the live sampler is tested in
 * lib/publishing with a real broker).
 */
const t = await createTestDatabase();
const db = t.db;

const RECORDS = [
  { id: "c-1", msisdn: "+4915112345678", duration: 30, status: "ok" },
  { id: "c-2", msisdn: "+4915187654321", duration: 95, status: "dropped", cell: { pci: 12 } },
];
const deps: OfferDeps = { sample: async () => ({ ok: true, records: toSampledRecords(RECORDS.map((r) => JSON.stringify(r))) }) };

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function audits(action: string, resourceId: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.resourceId, resourceId)));
}

async function tierRow(id: string) {
  return (await db.select().from(maskingTiers).where(eq(maskingTiers.id, id)))[0]!;
}

const planFields = (w: VersionWorld, over: Record<string, unknown> = {}) => ({
  productId: w.product.id,
  name: "Partner per GB",
  description: "",
  tier: "masked",
  approval: "auto" as const,
  priceModel: "per_gb" as const,
  priceMinor: 150,
  currency: "EUR",
  externalAllowed: true,
  quotaBytesPerSec: null,
  monthlyCapMinor: null,
  ...over,
});

describe("tiers", () => {
  it("changes a tier's rules, audits the change, and the router's plan signature follows", async () => {
    const w = await createVersionWorld(db);
    const [c] = await db.insert(clusters).values({ name: `offer-${w.tag}`, bootstrapServers: "localhost:1", saslMechanism: "none" }).returning();
    await db.update(dataProducts).set({ clusterId: c!.id }).where(eq(dataProducts.id, w.product.id));
    const signature = async () => {
      const p = (await loadRoutableProducts(db)).find((x) => x.id === w.product.id)!;
      return planSignature(p, Date.now());
    };
    const before = await signature();
    const rules = { msisdn: { strategy: "partial", keepLast: 4 }, id: { strategy: "hash" } };
    const res = await updateTier(db, w.users.owner, { productId: w.product.id, tierId: w.tiers.masked.id, description: "Partner view", rules }, deps);
    expect(res).toMatchObject({ changed: true, warnings: [] });
    expect(await tierRow(w.tiers.masked.id)).toMatchObject({ rules, description: "Partner view" });
    const [entry] = await audits("masking_tier.update", w.tiers.masked.id);
    expect(entry!.details).toMatchObject({
      tier: "masked",
      changed: { msisdn: { from: { strategy: "hash" }, to: { strategy: "partial", keepLast: 4 } }, id: { from: { strategy: "keep" }, to: { strategy: "hash" } } },
      sampled: 2,
    });
    expect(await signature()).not.toBe(before);
    // The same rules again change nothing and write no second entry.
    expect((await updateTier(db, w.users.owner, { productId: w.product.id, tierId: w.tiers.masked.id, description: "Partner view", rules }, deps)).changed).toBe(false);
    expect(await audits("masking_tier.update", w.tiers.masked.id)).toHaveLength(1);
  });

  it("refuses a PII field kept in clear, a rule that does not parse, and one failing on live records, per field, writing nothing", async () => {
    const w = await createVersionWorld(db);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{}, "tiers.masked.msisdn", /personal data/],
      [{ msisdn: { strategy: "partial", keepLast: -2 } }, "tiers.masked.msisdn", /./],
      [{ msisdn: { strategy: "hash" }, duration: { strategy: "generalize", truncate: "fortnight" } }, "tiers.masked.duration", /./],
      [{ msisdn: { strategy: "hash" }, id: { strategy: "generalize", prefixBits: 24 } }, "tiers.masked", /cannot mask 2 of 2 sampled records \(id: prefixBits needs an IPv4 address\)/],
      [{ msisdn: { strategy: "hash" }, imsi: { strategy: "drop" } }, "tiers.masked.imsi", /No serving contract version has a field imsi/],
    ];
    for (const [rules, key, message] of cases) {
      const err = await rejection(updateTier(db, w.users.owner, { productId: w.product.id, tierId: w.tiers.masked.id, description: "", rules: rules as never }, deps));
      expect(err.code).toBe("validation");
      expect(Object.keys(err.fieldErrors ?? {}), JSON.stringify(rules)).toEqual([key]);
      expect(err.fieldErrors![key]![0]).toMatch(message);
    }
    expect((await tierRow(w.tiers.masked.id)).rules).toEqual({ msisdn: { strategy: "hash" } });
    expect(await audits("masking_tier.update", w.tiers.masked.id)).toEqual([]);
  });

  it("keeps a field covered while an older major that has it still serves", async () => {
    const w = await createVersionWorld(db);
    const noMsisdn = schemaWith((p, s) => {
      delete p.msisdn;
      s.required = ["id", "duration"];
    });
    await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: JSON.stringify(noMsisdn), version: "2.0.0", changelog: "msisdn removed" });
    const err = await rejection(updateTier(db, w.users.owner, { productId: w.product.id, tierId: w.tiers.masked.id, description: "", rules: {} }, deps));
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(["tiers.masked.msisdn"]);
    const offer = await loadOffer(db, (await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id)))[0]!);
    expect(offer.fields.find((f) => f.path === "msisdn")).toMatchObject({ pii: "direct", olderOnly: true });
  });

  it("adds a tier with the same checks; a second full-access tier is refused", async () => {
    const w = await createVersionWorld(db);
    const res = await createTier(db, w.users.owner, { productId: w.product.id, name: "public", description: "No personal data", fullAccess: false, rules: { msisdn: { strategy: "drop" } } }, deps);
    expect((await tierRow(res.id)).name).toBe("public");
    expect(await audits("masking_tier.create", res.id)).toHaveLength(1);
    const dup = await rejection(createTier(db, w.users.owner, { productId: w.product.id, name: "public", description: "", fullAccess: false, rules: { msisdn: { strategy: "drop" } } }, deps));
    expect(Object.keys(dup.fieldErrors ?? {})).toEqual(["name"]);
    const full = await rejection(createTier(db, w.users.owner, { productId: w.product.id, name: "raw", description: "", fullAccess: true, rules: {} }, deps));
    expect(full.fieldErrors?.["tiers.raw"]?.[0]).toMatch(/Only one tier may be full access/);
    expect((await db.select().from(maskingTiers).where(eq(maskingTiers.productId, w.product.id))).map((x) => x.name).sort()).toEqual(["full", "masked", "public"]);
  });

  it("previews a tier on live records with the product's key, and answers bad rules per field", async () => {
    const w = await createVersionWorld(db);
    const ok = await previewTier(db, w.users.owner, { productId: w.product.id, tier: { name: "masked", rules: { msisdn: { strategy: "partial", keepLast: 3 } } } }, deps);
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.records.map((r) => (r.masked as { msisdn: string }).msisdn)).toEqual(["***********678", "***********321"]);
    const bad = await previewTier(db, w.users.owner, { productId: w.product.id, tier: { name: "masked", rules: {} } }, deps);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.fieldErrors)).toEqual(["tiers.masked.msisdn"]);
  });
});

describe("plans", () => {
  it("adds a plan after the checks: full access only with owner review, sane price and currency", async () => {
    const w = await createVersionWorld(db);
    const bad = await rejection(createPlan(db, w.users.owner, planFields(w, { tier: "full", approval: "auto", priceMinor: -1, currency: "EURO" })));
    expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["approval", "currency", "priceMinor"]);
    const free = await rejection(createPlan(db, w.users.owner, planFields(w, { priceModel: "free", priceMinor: 100 })));
    expect(free.fieldErrors?.priceMinor?.[0]).toMatch(/free plan has a price of 0/);
    const dupName = await rejection(createPlan(db, w.users.owner, planFields(w, { name: "Internal free" })));
    expect(Object.keys(dupName.fieldErrors ?? {})).toEqual(["name"]);
    expect(await db.select().from(plans).where(and(eq(plans.productId, w.product.id), eq(plans.name, "Partner per GB")))).toEqual([]);

    const res = await createPlan(db, w.users.owner, planFields(w, { currency: "JPY", priceMinor: 20 }));
    const [row] = await db.select().from(plans).where(eq(plans.id, res.id));
    expect(row).toMatchObject({ tierId: w.tiers.masked.id, priceModel: "per_gb", priceMinor: 20, currency: "JPY", externalAllowed: true, active: true });
    expect((await audits("plan.create", res.id))[0]!.details).toMatchObject({ tier: "masked", priceMinor: 20, currency: "JPY" });
  });

  it("edits approval, external buyers and quota; a price change is refused while subscriptions pay it", async () => {
    const w = await createVersionWorld(db);
    await subscribeToAutoPlan(db, w);
    const p = w.plans.autoPlan;
    const base = { productId: w.product.id, planId: p.id, name: p.name, description: p.description, approval: "manual" as const, priceModel: p.priceModel, priceMinor: p.priceMinor, currency: p.currency, externalAllowed: true, quotaBytesPerSec: 65536, monthlyCapMinor: null };
    await updatePlan(db, w.users.owner, base);
    expect((await db.select().from(plans).where(eq(plans.id, p.id)))[0]).toMatchObject({ approval: "manual", externalAllowed: true, quotaBytesPerSec: 65536 });
    expect((await audits("plan.update", p.id))[0]!.details).toMatchObject({ changed: { approval: { from: "auto", to: "manual" }, externalAllowed: { from: false, to: true }, quotaBytesPerSec: { from: null, to: 65536 } } });

    const priced = await rejection(updatePlan(db, w.users.owner, { ...base, priceModel: "per_gb", priceMinor: 300 }));
    expect(Object.keys(priced.fieldErrors ?? {}).sort()).toEqual(["priceMinor", "priceModel"]);
    expect(priced.fieldErrors!.priceMinor![0]).toMatch(/1 live subscription pays this price/);
    const quota = await rejection(updatePlan(db, w.users.owner, { ...base, quotaBytesPerSec: 10 }));
    expect(Object.keys(quota.fieldErrors ?? {})).toEqual(["quotaBytesPerSec"]);
    expect((await db.select().from(plans).where(eq(plans.id, p.id)))[0]).toMatchObject({ priceModel: "free", priceMinor: 0, quotaBytesPerSec: 65536 });
  });

  it("re-prices a plan nobody is on, and drops its Stripe price so a new one is made", async () => {
    const w = await createVersionWorld(db);
    const p = w.plans.reviewPlan;
    await db.update(plans).set({ priceModel: "per_gb", priceMinor: 250, stripePriceId: "price_old" }).where(eq(plans.id, p.id));
    const input = { productId: w.product.id, planId: p.id, name: p.name, description: "", approval: "manual" as const, priceModel: "per_gb" as const, priceMinor: 400, currency: "EUR", externalAllowed: true, quotaBytesPerSec: null, monthlyCapMinor: null };
    await updatePlan(db, w.users.owner, input);
    expect((await db.select().from(plans).where(eq(plans.id, p.id)))[0]).toMatchObject({ priceMinor: 400, stripePriceId: null });
    // Full access stays on owner review.
    const auto = await rejection(updatePlan(db, w.users.owner, { ...input, approval: "auto" }));
    expect(auto.fieldErrors?.approval?.[0]).toMatch(/full-access tier/);
  });

  it("deactivates a plan: existing subscriptions keep it, nobody new can take it, the last plan stays", async () => {
    const w = await createVersionWorld(db);
    const { subscriptionId } = await subscribeToAutoPlan(db, w);
    const res = await deactivatePlan(db, w.users.owner, { productId: w.product.id, planId: w.plans.autoPlan.id, confirm: true });
    expect(res).toMatchObject({ changed: true, liveSubscriptions: 1 });
    expect((await db.select().from(plans).where(eq(plans.id, w.plans.autoPlan.id)))[0]!.active).toBe(false);
    expect((await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)))[0]).toMatchObject({ planId: w.plans.autoPlan.id, state: "provisioning" });
    expect((await audits("plan.deactivate", w.plans.autoPlan.id))[0]!.details).toMatchObject({ liveSubscriptions: 1 });
    const again = await rejection(subscribe(db, w.users.colleague, { productId: w.product.id, planId: w.plans.autoPlan.id, teamId: w.teams.consumerTeam.id, purpose: "analytics" }));
    expect(again.code).toBe("conflict");
    await deactivatePlan(db, w.users.owner, { productId: w.product.id, planId: w.plans.externalAutoPlan.id, confirm: true });
    const last = await rejection(deactivatePlan(db, w.users.owner, { productId: w.product.id, planId: w.plans.reviewPlan.id, confirm: true }));
    expect(last.message).toMatch(/only active plan/);
  });
});

describe("who may change the offer", () => {
  it("refuses anyone but the owning team's owners (audited) and lets an admin in", async () => {
    const w = await createVersionWorld(db);
    const other = await createVersionWorld(db);
    const rules = { msisdn: { strategy: "drop" } };
    for (const u of [w.users.consumer, w.users.outsider, w.users.partner, other.users.owner]) {
      const err = await rejection(updateTier(db, u, { productId: w.product.id, tierId: w.tiers.masked.id, description: "", rules }, deps));
      expect(err.code).toBe("forbidden");
      expect((await rejection(createPlan(db, u, planFields(w)))).code).toBe("forbidden");
      expect((await rejection(deactivatePlan(db, u, { productId: w.product.id, planId: w.plans.autoPlan.id, confirm: true }))).code).toBe("forbidden");
    }
    const denied = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, w.product.id), eq(auditLog.result, "denied")));
    expect(new Set(denied.map((a) => a.action))).toEqual(new Set(["masking_tier.update", "plan.create", "plan.deactivate"]));
    expect((await tierRow(w.tiers.masked.id)).rules).toEqual({ msisdn: { strategy: "hash" } });
    await updateTier(db, w.admin, { productId: w.product.id, tierId: w.tiers.masked.id, description: "", rules }, deps);
    expect((await tierRow(w.tiers.masked.id)).rules).toEqual(rules);
  });

  it("refuses a tier of another product, and changes to a retired product", async () => {
    const w = await createVersionWorld(db);
    const other = await createVersionWorld(db);
    const err = await rejection(updateTier(db, w.users.owner, { productId: w.product.id, tierId: other.tiers.masked.id, description: "", rules: { msisdn: { strategy: "drop" } } }, deps));
    expect(err.code).toBe("not_found");
    await db.update(dataProducts).set({ status: "retired" }).where(eq(dataProducts.id, w.product.id));
    expect((await rejection(createPlan(db, w.users.owner, planFields(w)))).code).toBe("conflict");
  });
});
