import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contractVersions, dataProducts, jobs, maskingTiers, notifications, subscriptions } from "@/db/schema";
import type { ContractField } from "@/lib/contracts";
import { AppError } from "@/lib/errors";
import { subscribeToAutoPlan } from "@/lib/subscriptions/test-fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import { transitionProblem } from "./lifecycle";
import { listServingVersions } from "./queries";
import { changeProductStatus, loadManageView, previewNewVersion, publishNewVersion, retireDueProducts, setCompatibilityMode } from "./service";
import { createVersionWorld, schemaWith, SCHEMA_V1, type VersionWorld } from "./test-fixtures";

const t = await createTestDatabase();
const db = t.db;

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const text = (s: unknown) => JSON.stringify(s);
const withImei = schemaWith((p) => (p.imei = { type: "string" }));
// integer -> string: breaks both directions, so breaking in every mode but "none".
const durationAsString = schemaWith((p) => (p.duration = { type: "string" }));

async function versionsOf(w: VersionWorld) {
  return db.select().from(contractVersions).where(eq(contractVersions.productId, w.product.id));
}
async function audits(action: string, resourceId?: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), resourceId ? eq(auditLog.resourceId, resourceId) : undefined));
}
async function noticesFor(userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId));
}

describe("previewNewVersion", () => {
  it("lists an added optional field as a compatible change and proposes a minor version", async () => {
    const w = await createVersionWorld(db);
    const p = await previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei) });
    expect(p).toMatchObject({ currentVersion: "1.2.0", mode: "backward", breakingCount: 0, requiredBump: "minor", proposedVersion: "1.3.0", newMajor: false, blockers: [] });
    expect(p.changes).toEqual([expect.objectContaining({ path: "imei", kind: "field_added", label: "added", breaking: false, before: null, after: expect.objectContaining({ type: "string", required: false }) })]);
    // imei looks like a device identifier: the suggestion is shown; the owner must tag it before publishing.
    expect(p.newFields).toEqual([expect.objectContaining({ path: "imei", type: "string" })]);
    expect(p.newFields[0]!.suggestedPii).not.toBe("none");
  });

  it("highlights breaking changes with old and new type, and proposes a major", async () => {
    const w = await createVersionWorld(db);
    const p = await previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(durationAsString) });
    expect(p.breakingCount).toBe(1);
    expect(p.proposedVersion).toBe("2.0.0");
    expect(p.newMajor).toBe(true);
    expect(p.changes[0]).toMatchObject({ path: "duration", label: "type changed", breaking: true, before: { type: "integer" }, after: { type: "string" } });
    // The range rule no longer fits a string field: that blocks publishing with a clear message.
    expect(p.blockers.join(" ")).toMatch(/duration-range/);
  });

  it("answers a malformed or invalid schema with field errors", async () => {
    const w = await createVersionWorld(db);
    const bad = await rejection(previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: "{ not json" }));
    expect(bad.code).toBe("validation");
    expect(bad.fieldErrors?.schemaText?.[0]).toMatch(/not valid JSON/);
    const avro = await rejection(previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "avro", schemaText: text({ type: "record" }) }));
    expect(avro.fieldErrors?.schemaText?.length).toBeGreaterThan(0);
  });
});

describe("publishNewVersion", () => {
  it("minor: new published row, previous version of the major superseded now, fields and docs carried over, audited", async () => {
    const w = await createVersionWorld(db);
    const now = new Date();
    // A new field is never published untagged: the answer names it with the suggestion.
    const untagged = await rejection(publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.3.0" }, now));
    expect(Object.keys(untagged.fieldErrors ?? {})).toEqual(["fieldDocs.imei.pii"]);
    expect(untagged.fieldErrors!["fieldDocs.imei.pii"]![0]).toMatch(/^imei is new: tag whether it is personal data \(suggested: (direct|quasi|sensitive)/);
    expect(await versionsOf(w)).toHaveLength(1);
    // The owner decides it is not personal.
    const res = await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.3.0", fieldDocs: { imei: { pii: "none" } } }, now);
    expect(res).toMatchObject({ version: "1.3.0", bump: "minor", breakingCount: 0, notified: 0 });
    const rows = await versionsOf(w);
    const v13 = rows.find((r) => r.version === "1.3.0")!;
    const v12 = rows.find((r) => r.version === "1.2.0")!;
    expect(v13).toMatchObject({ status: "published", major: 1, minor: 3, patch: 0, freshnessSlaSeconds: 60, retentionHours: 168, purposes: ["analytics", "fraud-detection"] });
    expect(v12.status).toBe("deprecated");
    expect(v12.sunsetAt!.getTime()).toBe(now.getTime());
    const fields = v13.fields as ContractField[];
    expect(fields.find((f) => f.path === "msisdn")).toMatchObject({ pii: "direct", description: "About msisdn" });
    expect(fields.find((f) => f.path === "imei")).toMatchObject({ pii: "none" });
    const [product] = await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id));
    expect(product!.fieldNames).toContain("imei");
    expect(await audits("contract_version.publish", v13.id)).toHaveLength(1);
    // Latest per major: only 1.3.0 serves.
    expect((await listServingVersions(db, w.product.id)).map((v) => v.version)).toEqual(["1.3.0"]);
  });

  it("refuses a version below the required bump or not greater than the latest", async () => {
    const w = await createVersionWorld(db);
    const patch = await rejection(publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.2.1" }));
    expect(patch.fieldErrors?.version?.[0]).toMatch(/minor version \(1\.3\.0\)/);
    const older = await rejection(publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.1.0" }));
    expect(older.fieldErrors?.version?.[0]).toMatch(/greater than 1\.2\.0/);
    const same = await rejection(publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(SCHEMA_V1), version: "1.2.1" }));
    expect(same.fieldErrors?.schemaText?.[0]).toMatch(/nothing to publish/);
    expect(await versionsOf(w)).toHaveLength(1);
  });

  it("breaking: needs a major and a changelog, notifies subscribers, keeps the old major serving until its sunset", async () => {
    const w = await createVersionWorld(db);
    await subscribeToAutoPlan(db, w);
    // Without the range rule the type change is publishable; drop it via a schema that removes nothing else.
    await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    const base = { productId: w.product.id, schemaFormat: "json-schema" as const, schemaText: text(durationAsString) };

    const minor = await rejection(publishNewVersion(db, w.users.owner, { ...base, version: "1.3.0", changelog: "x" }));
    expect(minor.fieldErrors?.version?.[0]).toMatch(/major version \(2\.0\.0\)/);
    const noLog = await rejection(publishNewVersion(db, w.users.owner, { ...base, version: "2.0.0" }));
    expect(noLog.fieldErrors?.changelog?.[0]).toMatch(/1 breaking change/);

    const sunset = new Date(Date.now() + 30 * 86_400_000);
    const res = await publishNewVersion(db, w.users.owner, { ...base, version: "2.0.0", changelog: "duration is now an ISO 8601 duration string.", previousSunsetAt: sunset });
    expect(res).toMatchObject({ bump: "major", breakingCount: 1, deprecated: [{ version: "1.2.0", sunsetAt: sunset.toISOString() }] });
    // consumer, colleague and dualOwner are members of the subscribing team.
    expect(res.notified).toBe(3);
    for (const u of [w.users.consumer, w.users.colleague]) {
      const [n] = await noticesFor(u.id);
      expect(n).toMatchObject({ kind: "contract.breaking_change", link: `/products/${w.product.slug}` });
      expect(n!.body).toContain("duration is now");
      expect(n!.body).toContain(sunset.toISOString().slice(0, 10));
    }
    expect(await noticesFor(w.users.outsider.id)).toHaveLength(0);
    const v1 = (await versionsOf(w)).find((v) => v.version === "1.2.0")!;
    expect(v1).toMatchObject({ status: "deprecated" });
    expect(v1.sunsetAt!.toISOString()).toBe(sunset.toISOString());
    expect((await listServingVersions(db, w.product.id)).map((v) => v.version)).toEqual(["2.0.0", "1.2.0"]);
    // After the sunset only the new major serves.
    expect((await listServingVersions(db, w.product.id, new Date(sunset.getTime() + 1000))).map((v) => v.version)).toEqual(["2.0.0"]);
  });

  it("defaults the previous major's sunset to 90 days", async () => {
    const w = await createVersionWorld(db);
    await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    const now = new Date("2026-06-01T00:00:00Z");
    await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(durationAsString), version: "2.0.0", changelog: "c" }, now);
    const v1 = (await versionsOf(w)).find((v) => v.version === "1.2.0")!;
    expect(v1.sunsetAt!.toISOString()).toBe("2026-08-30T00:00:00.000Z");
  });

  it("the same change is not breaking with compatibility none: a minor is enough", async () => {
    const w = await createVersionWorld(db);
    await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    await setCompatibilityMode(db, w.users.owner, { productId: w.product.id, mode: "none" });
    const res = await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(durationAsString), version: "1.3.0" });
    expect(res).toMatchObject({ bump: "minor", breakingCount: 0 });
    const [a] = await audits("data_product.compatibility", w.product.id);
    expect(a!.details).toEqual({ from: "backward", to: "none" });
  });

  it("drops quality rules on removed fields and says so", async () => {
    const w = await createVersionWorld(db);
    const noStatus = schemaWith((p) => delete p.status);
    const p = await previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(noStatus) });
    expect(p.droppedRules).toEqual([{ id: "status-known", field: "status" }]);
    await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(noStatus), version: "1.3.0" });
    const v = (await versionsOf(w)).find((r) => r.version === "1.3.0")!;
    expect((v.qualityRules as { id: string }[]).map((r) => r.id)).toEqual(["duration-range"]);
  });

  it("a new field tagged personal gets a drop rule in every masked tier, audited", async () => {
    const w = await createVersionWorld(db);
    await publishNewVersion(db, w.users.owner, {
      productId: w.product.id,
      schemaFormat: "json-schema",
      schemaText: text(withImei),
      version: "1.3.0",
      fieldDocs: { imei: { pii: "direct", description: "Handset identity" } },
    });
    const [masked] = await db.select().from(maskingTiers).where(eq(maskingTiers.id, w.tiers.masked.id));
    expect(masked!.rules).toEqual({ msisdn: { strategy: "hash" }, imei: { strategy: "drop" } });
    const [full] = await db.select().from(maskingTiers).where(eq(maskingTiers.id, w.tiers.full.id));
    expect(full!.rules).toEqual({});
    const v = (await versionsOf(w)).find((r) => r.version === "1.3.0")!;
    expect((v.fields as ContractField[]).find((f) => f.path === "imei")).toMatchObject({ pii: "direct", description: "Handset identity" });
    expect(await audits("masking_tier.update", w.tiers.masked.id)).toHaveLength(1);
  });

  it("refuses a schema the masking tiers no longer fit, with the tier's message", async () => {
    const w = await createVersionWorld(db);
    // msisdn is hashed in the masked tier; a boolean cannot be hashed (two possible outputs).
    const boolMsisdn = schemaWith((p) => (p.msisdn = { type: "boolean" }));
    const p = await previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(boolMsisdn) });
    expect(p.blockers).toContain("Masking tier masked, field msisdn: hash of a true/false value still reveals it (two possible outputs); drop or redact it.");
    const err = await rejection(publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(boolMsisdn), version: "2.0.0", changelog: "bool" }));
    expect(err.fieldErrors?._form?.length).toBeGreaterThan(0);
    expect(await versionsOf(w)).toHaveLength(1);
  });

  it("handles Avro products: an added field with a default is a minor change", async () => {
    const w = await createVersionWorld(db);
    const avro = (extra: object[] = []) => ({
      type: "record",
      name: "Call",
      fields: [{ name: "id", type: "string" }, { name: "msisdn", type: "string" }, { name: "duration", type: "int" }, { name: "status", type: "string" }, ...extra],
    });
    // Switch the product to an Avro contract first (a format change is a major).
    await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    const first = await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "avro", schemaText: text(avro()), version: "2.0.0", changelog: "Avro" });
    expect(first.bump).toBe("major");
    const p = await previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "avro", schemaText: text(avro([{ name: "imei", type: ["null", "string"], default: null }])) });
    expect(p).toMatchObject({ currentVersion: "2.0.0", requiredBump: "minor", proposedVersion: "2.1.0", breakingCount: 0 });
  });

  it("is refused for products that are not published", async () => {
    const w = await createVersionWorld(db);
    await db.update(dataProducts).set({ status: "deprecated", sunsetAt: new Date(Date.now() + 86_400_000) }).where(eq(dataProducts.id, w.product.id));
    const err = await rejection(previewNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei) }));
    expect(err.code).toBe("conflict");
  });
});

describe("lifecycle", () => {
  it("allows draft → published → deprecated → retired and deprecated → published only", () => {
    expect(transitionProblem("published", "deprecated")).toBeNull();
    expect(transitionProblem("deprecated", "retired")).toBeNull();
    expect(transitionProblem("deprecated", "published")).toBeNull();
    expect(transitionProblem("draft", "published")).toBeNull();
    expect(transitionProblem("published", "retired")).toMatch(/Deprecate the product first/);
    expect(transitionProblem("retired", "published")).toMatch(/final/);
    expect(transitionProblem("published", "draft")).toMatch(/cannot go back to draft/);
    expect(transitionProblem("draft", "deprecated")).toMatch(/never published/);
    expect(transitionProblem("published", "published")).toMatch(/already published/);
  });

  it("deprecates with a future sunset date, notifies subscribers and audits", async () => {
    const w = await createVersionWorld(db);
    await subscribeToAutoPlan(db, w);
    const missing = await rejection(changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated" }));
    expect(missing.fieldErrors?.sunsetAt).toBeDefined();
    const past = await rejection(changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated", sunsetAt: new Date(Date.now() - 1000) }));
    expect(past.fieldErrors?.sunsetAt?.[0]).toMatch(/future/);
    const sunset = new Date(Date.now() + 10 * 86_400_000);
    const res = await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated", sunsetAt: sunset });
    expect(res).toMatchObject({ status: "deprecated", notified: 3 });
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id));
    expect(p).toMatchObject({ status: "deprecated" });
    expect(p!.sunsetAt!.toISOString()).toBe(sunset.toISOString());
    expect((await noticesFor(w.users.consumer.id))[0]).toMatchObject({ kind: "product.deprecated", link: `/products/${w.product.slug}` });
    expect(await audits("data_product.deprecate", w.product.id)).toHaveLength(1);
    // Withdrawing the deprecation clears the sunset.
    await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "published" });
    const [q] = await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id));
    expect(q).toMatchObject({ status: "published", sunsetAt: null });
  });

  it("refuses invalid transitions with a clear message and changes nothing", async () => {
    const w = await createVersionWorld(db);
    const err = await rejection(changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "retired", confirm: true }));
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/Deprecate the product first/);
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id));
    expect(p!.status).toBe("published");
  });

  it("retiring needs confirmation, ends every subscription (revocation jobs) and retires the versions", async () => {
    const w = await createVersionWorld(db);
    const sub = await subscribeToAutoPlan(db, w);
    await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated", sunsetAt: new Date(Date.now() + 86_400_000) });
    const unconfirmed = await rejection(changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "retired" }));
    expect(unconfirmed.fieldErrors?.confirm).toBeDefined();
    const res = await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "retired", confirm: true, reason: "Replaced by v2 feed" });
    expect(res).toMatchObject({ status: "retired", endedSubscriptions: 1 });
    const [s] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.subscriptionId));
    expect(s!.state).toBe("revoked");
    expect(await db.select().from(jobs).where(like(jobs.dedupeKey, `subscription.deprovision:${sub.subscriptionId}:%`))).toHaveLength(1);
    expect((await versionsOf(w)).every((v) => v.status === "retired")).toBe(true);
    expect(await listServingVersions(db, w.product.id)).toEqual([]);
    const [a] = await audits("data_product.retire", w.product.id);
    expect(a!.details).toMatchObject({ endedSubscriptions: [sub.subscriptionId], reason: "Replaced by v2 feed" });
    expect((await noticesFor(w.users.consumer.id)).map((n) => n.kind)).toContain("product.retired");
    const again = await rejection(changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "published" }));
    expect(again.message).toMatch(/final/);
  });

  it("tells a stopped major's subscribers, once, which major replaces it; a superseded minor tells nobody", async () => {
    const w = await createVersionWorld(db);
    await subscribeToAutoPlan(db, w);
    const now = new Date();
    await publishNewVersion(db, w.users.owner, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.3.0", fieldDocs: { imei: { pii: "none" } } }, now);
    const sunset = new Date(now.getTime() + 86_400_000);
    const v2 = schemaWith((p) => {
      p.imei = { type: "string" };
      p.duration = { type: "string" };
    });
    await db.update(contractVersions).set({ qualityRules: [] }).where(eq(contractVersions.productId, w.product.id));
    await publishNewVersion(
      db,
      w.users.owner,
      { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(v2), version: "2.0.0", changelog: "duration is text", previousSunsetAt: sunset },
      new Date(now.getTime() + 1000),
    );
    const sunsetKinds = async () => (await noticesFor(w.users.consumer.id)).filter((n) => n.kind === "contract.major_sunset");
    // 1.2.0 (superseded by 1.3.0 at once) passes its sunset now: v1 still serves, nobody is told.
    expect((await retireDueProducts(db, new Date(now.getTime() + 2000))).length).toBe(0);
    expect(await sunsetKinds()).toEqual([]);
    expect((await versionsOf(w)).find((v) => v.version === "1.2.0")!.status).toBe("retired");

    const after = new Date(sunset.getTime() + 1000);
    await retireDueProducts(db, after);
    const notices = await sunsetKinds();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ title: `${w.product.name} v1 reached its sunset`, link: `/products/${w.product.slug}` });
    expect(notices[0]!.body).toMatch(/version 1\.x no longer receive records\. Version 2\.0\.0 \(major 2\) replaces it/);
    // The owner team (no subscription) is not told; a second sweep tells nobody again.
    expect((await noticesFor(w.users.owner.id)).filter((n) => n.kind === "contract.major_sunset")).toEqual([]);
    await retireDueProducts(db, new Date(after.getTime() + 1000));
    expect(await sunsetKinds()).toHaveLength(1);
    expect(await audits("contract_version.sunset", w.product.id)).toHaveLength(1);
  });

  it("retireDueProducts retires deprecated products past their sunset, once", async () => {
    const w = await createVersionWorld(db);
    const sub = await subscribeToAutoPlan(db, w);
    const sunset = new Date(Date.now() + 86_400_000);
    await changeProductStatus(db, w.users.owner, { productId: w.product.id, to: "deprecated", sunsetAt: sunset });
    expect(await retireDueProducts(db, new Date())).not.toContain(w.product.id);
    const later = new Date(sunset.getTime() + 1000);
    expect(await retireDueProducts(db, later)).toContain(w.product.id);
    expect(await retireDueProducts(db, later)).not.toContain(w.product.id);
    const [s] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.subscriptionId));
    expect(s!.state).toBe("revoked");
    const [a] = await audits("data_product.retire", w.product.id);
    expect(a).toMatchObject({ actorType: "system", actorLabel: "sunset" });
  });
});

describe("authorization", () => {
  it("refuses members of other teams, consumers and partners, and audits the refusal", async () => {
    const w = await createVersionWorld(db);
    for (const u of [w.users.outsider, w.users.consumer, w.users.partner]) {
      const calls = [
        () => previewNewVersion(db, u, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei) }),
        () => publishNewVersion(db, u, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.3.0" }),
        () => changeProductStatus(db, u, { productId: w.product.id, to: "deprecated", sunsetAt: new Date(Date.now() + 86_400_000) }),
        () => setCompatibilityMode(db, u, { productId: w.product.id, mode: "none" }),
      ];
      for (const c of calls) expect((await rejection(c())).code).toBe("forbidden");
    }
    const denied = await db.select().from(auditLog).where(and(eq(auditLog.resourceId, w.product.id), eq(auditLog.result, "denied")));
    expect(denied.length).toBe(12);
    expect(await versionsOf(w)).toHaveLength(1);
    const [p] = await db.select().from(dataProducts).where(eq(dataProducts.id, w.product.id));
    expect(p).toMatchObject({ status: "published", compatibility: "backward" });
  });

  it("lets an admin manage any product; the manage view is not_found / forbidden / ok", async () => {
    const w = await createVersionWorld(db);
    const res = await publishNewVersion(db, w.admin, { productId: w.product.id, schemaFormat: "json-schema", schemaText: text(withImei), version: "1.3.0", fieldDocs: { imei: { pii: "direct" } } });
    expect(res.version).toBe("1.3.0");
    expect((await loadManageView(db, w.users.owner, "no-such-product")).kind).toBe("not_found");
    expect((await loadManageView(db, w.users.outsider, w.product.slug)).kind).toBe("forbidden");
    const ok = await loadManageView(db, w.users.owner, w.product.slug);
    expect(ok.kind).toBe("ok");
    if (ok.kind !== "ok") return;
    expect(ok.view.versions.map((v) => [v.version, v.status, v.serving])).toEqual([
      ["1.3.0", "published", true],
      ["1.2.0", "deprecated", false],
    ]);
    expect(ok.view.current?.version).toBe("1.3.0");
    expect(ok.view.transitions).toEqual(["deprecated"]);
  });
});
