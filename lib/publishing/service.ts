import { eq, sql } from "drizzle-orm";
import type { Kafka } from "kafkajs";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, plans, productDrafts } from "@/db/schema";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { recordAudit } from "@/lib/audit/service";
import { isOwnerOfTeam, type SessionUser } from "@/lib/auth/roles";
import { buildFieldList, parseSamples, proposeContract, valuesAt, type ContractField } from "@/lib/contracts";
import { maskingSecret } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { compileMaskingPolicy, deriveProductKey, MaskingPolicyError, toFieldErrors as maskingFieldErrors, validateTierRules } from "@/lib/masking";
import {
  checkPlans,
  checkQualityRules,
  isSourceCandidate,
  NOT_A_SOURCE_MESSAGE,
  checkSchemaText,
  checkTiers,
  classifyFields,
  checkSampleDecoding,
  runPublishChecks,
  toFieldErrorMap,
  toSampledRecords,
  type CheckIssue,
  type SampledRecord,
  type PublishCheckResult,
} from "./checks";
import { findCluster, findDraft, findProductForWizard, isSlugTaken, listClusters } from "./queries";
import {
  BasicsSchema,
  STEPS,
  StepSchemas,
  TierSchema,
  type BasicsData,
  type DataStep,
  type DraftData,
  type Step,
  type TierData,
} from "./schemas";
import { kafkaForCluster, listSourceTopics, sampleTopic, type ClusterRow, type TopicInfo } from "./topics";
import { currentRequestContext } from "@/lib/ops/context";
import { createLogger } from "@/lib/ops/log";

/**
 * The publish wizard: each step saves into product_drafts (the product row stays "draft"), and
 * publishing turns the draft into a contract version, masking tiers and plans in one
 * transaction. Every function re-checks that the caller is an owner of the product's team and
 * that the product is still a draft: actions, pages and tests all come through here.
 */

const actor = (user: SessionUser) => ({ type: "user" as const, id: user.id, label: user.email });

export type WizardKafkaDeps = { kafkaFor(cluster: ClusterRow): Kafka };
export const defaultWizardKafka: WizardKafkaDeps = { kafkaFor: kafkaForCluster };

type ProductRow = NonNullable<Awaited<ReturnType<typeof findProductForWizard>>>;

function assertOwner(user: SessionUser, product: ProductRow | undefined): ProductRow {
  if (!product) throw new AppError("not_found", "This draft does not exist.");
  if (!isOwnerOfTeam(user, product.ownerTeamId)) throw new AppError("forbidden", "Only owners of the product's team can edit it.");
  return product;
}

function assertDraft(product: ProductRow): void {
  if (product.status !== "draft") throw new AppError("conflict", "This product is already published; manage it from its owner page.");
}

export type WizardState = {
  product: { id: string; slug: string; name: string; status: ProductRow["status"]; ownerTeamId: string; maskingKeyVersion: number };
  data: DraftData;
  stepsDone: Step[];
};

/** For the wizard pages: the draft of a product the user owns (404 / 403 / 409 otherwise). */
export async function loadWizard(db: Db, user: SessionUser, productId: string): Promise<WizardState> {
  const product = assertOwner(user, await findProductForWizard(db, productId));
  assertDraft(product);
  const draft = await findDraft(db, productId);
  return {
    product: {
      id: product.id,
      slug: product.slug,
      name: product.name,
      status: product.status,
      ownerTeamId: product.ownerTeamId,
      maskingKeyVersion: product.maskingKeyVersion,
    },
    data: draft?.data ?? {},
    stepsDone: draft?.stepsDone ?? [],
  };
}

function nextStep(step: Step): Step {
  return STEPS[Math.min(STEPS.indexOf(step) + 1, STEPS.length - 1)];
}

function validation(message: string, fieldErrors: Record<string, string[]>): AppError {
  return new AppError("validation", message, { fieldErrors });
}

/** Zod keys are relative to the step's object; field errors carry the step prefix like the checks do. */
function stepFieldErrors(step: DataStep, error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(toFieldErrors(error))) {
    const key = k === "_form" ? step : k === step || k.startsWith(`${step}.`) ? k : `${step}.${k}`;
    (out[key] ??= []).push(...v);
  }
  return out;
}

function parseStep<S extends DataStep>(step: S, raw: unknown): z.output<(typeof StepSchemas)[S]> {
  const parsed = StepSchemas[step].safeParse(raw);
  if (!parsed.success) throw validation("Some fields need attention.", stepFieldErrors(step, parsed.error));
  return parsed.data as z.output<(typeof StepSchemas)[S]>;
}

async function writeDraft(tx: Db, user: SessionUser, productId: string, step: DataStep, data: DraftData, stepsDone: Step[]): Promise<void> {
  const done = [...new Set([...stepsDone, step])];
  await tx
    .insert(productDrafts)
    .values({ productId, data, stepsDone: done, updatedBy: user.id })
    .onConflictDoUpdate({ target: productDrafts.productId, set: { data, stepsDone: done, updatedAt: new Date(), updatedBy: user.id } });
}

function slugConflict(): AppError {
  return validation("Another product already uses this slug.", { "basics.slug": ["Another product already uses this slug; choose another."] });
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === "23505" || err?.cause?.code === "23505";
}

// ---- basics ---------------------------------------------------------------------------------

/** The first save: a draft product owned by one of the caller's teams. */
export async function createDraft(db: Db, user: SessionUser, raw: unknown): Promise<{ productId: string; next: Step }> {
  const basics = parseStep("basics", raw);
  if (!isOwnerOfTeam(user, basics.teamId)) throw new AppError("forbidden", "You can publish only for teams you own.");
  try {
    return await db.transaction(async (tx) => {
      if (await isSlugTaken(tx, basics.slug)) throw slugConflict();
      const [product] = await tx
        .insert(dataProducts)
        .values({ ...basicsColumns(basics), ownerTeamId: basics.teamId, status: "draft" })
        .returning({ id: dataProducts.id });
      await writeDraft(tx, user, product.id, "basics", { basics }, []);
      await recordAudit(tx, { actor: actor(user), action: "product.draft_create", resource: { type: "data_product", id: product.id }, details: { slug: basics.slug, teamId: basics.teamId } });
      return { productId: product.id, next: nextStep("basics") };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw slugConflict();
    throw e;
  }
}

function basicsColumns(b: BasicsData) {
  return { slug: b.slug, name: b.name, summary: b.summary, description: b.description, domain: b.domain, tags: b.tags, classification: b.classification };
}

export async function checkSlugAvailability(db: Db, slug: string, productId?: string): Promise<{ available: boolean; message: string }> {
  const parsed = BasicsSchema.shape.slug.safeParse(slug);
  if (!parsed.success) return { available: false, message: parsed.error.issues[0]?.message ?? "Not a valid slug" };
  if (await isSlugTaken(db, parsed.data, productId)) return { available: false, message: "Another product already uses this slug." };
  return { available: true, message: "This slug is available." };
}

// ---- any step -------------------------------------------------------------------------------

export type SaveResult = { productId: string; step: Step; next: Step; warnings: CheckIssue[] };

/**
 * Saves one step of a draft after its own checks (zod shape, then what the step can check by
 * itself: slug, schema validity, field paths, rules against schema and sample, tier rules, plan
 * prices). A step that fails is not saved; the answer names each field that needs attention.
 */
export async function saveDraftStep(db: Db, user: SessionUser, productId: string, step: DataStep, raw: unknown): Promise<SaveResult> {
  // Samples decide inference, PII suggestions and the rule and masking checks, so they are only
  // ever read by the server (sampleSourceForDraft); a browser-sent source is refused outright.
  if (step === "source") {
    throw validation("Sample the topic to save the source.", { "source.topic": ["The source is saved by sampling its topic; choose the topic and sample it."] });
  }
  return saveStep(db, user, productId, step, parseStep(step, raw));
}

/** The step save proper; `input` is already parsed, and for "source" holds server-read samples. */
async function saveStep(db: Db, user: SessionUser, productId: string, step: DataStep, input: z.output<(typeof StepSchemas)[DataStep]>): Promise<SaveResult> {
  try {
    return await db.transaction(async (tx) => {
      const product = assertOwner(user, await findProductForWizard(tx, productId, { lock: true }));
      assertDraft(product);
      const draft = (await findDraft(tx, productId)) ?? { data: {}, stepsDone: [] as Step[] };
      const data: DraftData = { ...draft.data };
      let warnings: CheckIssue[] = [];
      switch (step) {
        case "basics": {
          const b = input as BasicsData;
          if (b.teamId !== product.ownerTeamId && !isOwnerOfTeam(user, b.teamId)) throw new AppError("forbidden", "You can publish only for teams you own.");
          if (await isSlugTaken(tx, b.slug, productId)) throw slugConflict();
          await tx.update(dataProducts).set({ ...basicsColumns(b), ownerTeamId: b.teamId, updatedAt: new Date() }).where(eq(dataProducts.id, productId));
          data.basics = b;
          break;
        }
        case "source": {
          const s = input as NonNullable<DraftData["source"]>;
          if (!isSourceCandidate(s.topic)) throw validation(NOT_A_SOURCE_MESSAGE, { "source.topic": [NOT_A_SOURCE_MESSAGE] });
          if (!(await findCluster(tx, s.clusterId))) throw validation("Choose a cluster.", { "source.clusterId": ["This cluster does not exist."] });
          await tx.update(dataProducts).set({ clusterId: s.clusterId, sourceTopic: s.topic, updatedAt: new Date() }).where(eq(dataProducts.id, productId));
          data.source = s;
          // Saved either way (the owner sees why); publishing refuses a topic with no JSON record.
          const decoding = checkSampleDecoding(sampleRecords(data));
          warnings = [...decoding.issues, ...decoding.warnings];
          break;
        }
        case "schema": {
          const s = input as NonNullable<DraftData["schema"]>;
          const check = checkSchemaText(s.format, s.text);
          if (!check.ok) throw validation("The schema needs attention.", toFieldErrorMap(check.issues));
          data.schema = s;
          break;
        }
        case "fields": {
          const f = input as NonNullable<DraftData["fields"]>;
          const schemaFields = requireSchemaFields(data);
          const classified = classifyFields(schemaFields, f.fields);
          const stale = classified.issues.filter((i) => !schemaFields.some((sf) => `fields.${sf.path}` === i.field));
          if (stale.length) throw validation("Some fields are not in the schema.", toFieldErrorMap(stale));
          data.fields = f;
          break;
        }
        case "contract": {
          const c = input as NonNullable<DraftData["contract"]>;
          const fields = contractFields(data);
          const r = checkQualityRules(c.qualityRules, fields, parsedSamples(data));
          if (r.issues.length) throw validation("Some quality rules need attention.", toFieldErrorMap(r.issues));
          warnings = r.warnings;
          data.contract = c;
          break;
        }
        case "tiers": {
          const t = input as NonNullable<DraftData["tiers"]>;
          const issues = checkTiers(contractFields(data), t.tiers, parsedSamples(data), productKey(product));
          if (issues.length) throw validation("Some masking rules need attention.", toFieldErrorMap(issues));
          data.tiers = t;
          break;
        }
        case "plans": {
          const p = input as NonNullable<DraftData["plans"]>;
          const issues = checkPlans(p.plans, data.tiers?.tiers ?? []);
          if (issues.length) throw validation("Some plans need attention.", toFieldErrorMap(issues));
          data.plans = p;
          break;
        }
      }
      await writeDraft(tx, user, productId, step, data, draft.stepsDone);
      await tx.update(dataProducts).set({ updatedAt: new Date() }).where(eq(dataProducts.id, productId));
      return { productId, step, next: nextStep(step), warnings };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw slugConflict();
    throw e;
  }
}

function requireSchemaFields(data: DraftData): ContractField[] {
  if (!data.schema) throw validation("Add a schema first.", { schema: ["Add a schema first (the schema step)."] });
  const check = checkSchemaText(data.schema.format, data.schema.text);
  if (!check.ok) throw validation("The saved schema is not valid.", toFieldErrorMap(check.issues));
  return check.fields;
}

/** The schema's fields with the owner's docs and tags (untagged fields count as not personal until the fields step). */
function contractFields(data: DraftData): ContractField[] {
  return classifyFields(requireSchemaFields(data), data.fields?.fields).fields;
}

/** The sampled records with the router's verdict (recorded at sampling; recomputed for older drafts). */
function sampleRecords(data: DraftData): SampledRecord[] {
  return (data.source?.samples ?? []).map((m) => (m.reject !== undefined ? { value: m.value, reject: m.reject } : toSampledRecords([m.value])[0]));
}

/** The values the router would decode, for inference, suggestions, rules and masking. */
function sampleValues(data: DraftData): (string | null)[] {
  return sampleRecords(data)
    .filter((r) => r.reject === null)
    .map((r) => r.value);
}

function parsedSamples(data: DraftData): unknown[] {
  return parseSamples(sampleValues(data)).values;
}

function productKey(product: { id: string; maskingKeyVersion: number }): Buffer {
  return deriveProductKey(maskingSecret(), product.id, product.maskingKeyVersion);
}

// ---- source ---------------------------------------------------------------------------------

export async function listWizardClusters(db: Db) {
  return (await listClusters(db)).map((c) => ({ id: c.id, name: c.name, embedded: c.embedded }));
}

async function clusterOrThrow(db: Db, clusterId: string): Promise<ClusterRow> {
  const cluster = await findCluster(db, clusterId);
  if (!cluster) throw validation("Choose a cluster.", { "source.clusterId": ["This cluster does not exist."] });
  return cluster;
}

async function withKafka<T>(deps: WizardKafkaDeps, cluster: ClusterRow, run: (kafka: Kafka) => Promise<T>): Promise<T> {
  try {
    return await run(deps.kafkaFor(cluster));
  } catch (e) {
    if (e instanceof AppError) throw e;
    createLogger("publishing").warn("cluster call failed", { cluster: cluster.name, error: e instanceof Error ? e.message : String(e), request_id: currentRequestContext()?.correlationId });
    throw new AppError("unavailable", `The cluster ${cluster.name} did not answer. Try again in a moment.`, { cause: e });
  }
}

/** Live topics of a cluster an owner may publish from (platform topics hidden). */
export async function listTopicsForDraft(db: Db, user: SessionUser, deps: WizardKafkaDeps, productId: string, clusterId: string): Promise<TopicInfo[]> {
  assertDraft(assertOwner(user, await findProductForWizard(db, productId)));
  const cluster = await clusterOrThrow(db, clusterId);
  return withKafka(deps, cluster, listSourceTopics);
}

/**
 * Picks the source and is the only way to save the source step: refuses the platform's own
 * topics and topics the cluster does not have, samples the newest messages server-side
 * (owner-only: they may hold personal data, and they stay in the draft, which only the team's
 * owners can open) and saves them with the topic.
 */
export async function sampleSourceForDraft(
  db: Db,
  user: SessionUser,
  deps: WizardKafkaDeps,
  input: { productId: string; clusterId: string; topic: string },
): Promise<SaveResult & { partitions: number; samples: NonNullable<DraftData["source"]>["samples"] }> {
  assertDraft(assertOwner(user, await findProductForWizard(db, input.productId)));
  const topic = input.topic.trim();
  if (!isSourceCandidate(topic)) throw validation(NOT_A_SOURCE_MESSAGE, { "source.topic": [NOT_A_SOURCE_MESSAGE] });
  const cluster = await clusterOrThrow(db, input.clusterId);
  // sampleTopic refuses a topic the cluster does not list, so a saved source always existed.
  const sample = await withKafka(deps, cluster, (kafka) => sampleTopic(kafka, topic, { max: 20 }));
  const saved = await saveStep(db, user, input.productId, "source", parseStep("source", { clusterId: cluster.id, topic, partitions: sample.partitions, samples: sample.messages }));
  return { ...saved, partitions: sample.partitions, samples: sample.messages };
}

// ---- schema ---------------------------------------------------------------------------------

export type InferredSchema = { ok: true; text: string; warnings: string[]; sampleCount: number } | { ok: false; message: string };

/** A JSON Schema inferred from the draft's sample; non-JSON topics get a message asking for an upload. */
export async function inferSchemaForDraft(db: Db, user: SessionUser, productId: string): Promise<InferredSchema> {
  const state = await loadWizard(db, user, productId);
  // Every sampled value: inference itself says which are not JSON and asks for an upload.
  const values = (state.data.source?.samples ?? []).map((m) => m.value);
  if (!state.data.source) return { ok: false, message: "Pick the source topic first; the schema is inferred from its recent messages." };
  const p = proposeContract(values, { title: state.data.basics?.name ?? state.product.name });
  if (!p.ok) return { ok: false, message: p.message };
  return { ok: true, text: JSON.stringify(p.schema, null, 2), warnings: p.warnings, sampleCount: p.sampleCount };
}

// ---- fields ---------------------------------------------------------------------------------

export type FieldRow = ContractField & { suggestion: string | null; examples: string[] };

/** The fields step's table: schema fields with saved docs, or PII suggestions from names and sampled values. */
export function fieldRows(data: DraftData): { ok: true; rows: FieldRow[] } | { ok: false; message: string } {
  if (!data.schema) return { ok: false, message: "Add a schema first." };
  const check = checkSchemaText(data.schema.format, data.schema.text);
  if (!check.ok) return { ok: false, message: check.issues[0]?.message ?? "The saved schema is not valid." };
  const samples = parseSamples(sampleValues(data)).values;
  const previous = (data.fields?.fields ?? []).map((d) => ({ path: d.path, description: d.description, pii: d.pii }) as ContractField);
  const { fields, suggestions } = buildFieldList(data.schema.format, check.schema, { samples, previous });
  return {
    ok: true,
    rows: fields
      .filter((f) => f.path !== "")
      .map((f) => ({
        ...f,
        // Only real suggestions: "no identifying name or value pattern found" is noise on every row.
        suggestion: f.pii !== "none" ? (suggestions[f.path] ?? null) : null,
        examples: [...new Set(samples.flatMap((s) => valuesAt(s, f.path)).filter((v) => v !== undefined && (typeof v !== "object" || v === null)).map((v) => clip(JSON.stringify(v))))].slice(0, 3),
      })),
  };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

// ---- masking preview ------------------------------------------------------------------------

export type MaskingPreview =
  | { ok: true; tier: string; records: { original: unknown; masked: unknown; reason: string | null }[] }
  | { ok: false; fieldErrors: Record<string, string[]>; message: string };

/**
 * Masks the draft's sampled records with a tier as the router would (same engine, the product's
 * own key), for the owner's side-by-side preview. Invalid rules come back per field.
 */
export async function previewMasking(db: Db, user: SessionUser, productId: string, rawTier: unknown, opts: { limit?: number } = {}): Promise<MaskingPreview> {
  const state = await loadWizard(db, user, productId);
  const parsed = TierSchema.safeParse(rawTier);
  if (!parsed.success) return { ok: false, message: "The tier is not valid.", fieldErrors: toFieldErrors(parsed.error) };
  const tier: TierData = parsed.data;
  const fields = contractFields(state.data);
  const issues = validateTierRules(fields, [tier]);
  if (issues.length) return { ok: false, message: "Some rules need attention before the preview can run.", fieldErrors: maskingFieldErrors(issues) };
  let mask;
  try {
    mask = compileMaskingPolicy({ fields, rules: tier.rules, fullAccess: tier.fullAccess, key: productKey(state.product), tier: tier.name });
  } catch (e) {
    if (e instanceof MaskingPolicyError) return { ok: false, message: "Some rules need attention.", fieldErrors: maskingFieldErrors(e.issues) };
    throw e;
  }
  const samples = parseSamples(sampleValues(state.data)).values.slice(0, opts.limit ?? 5);
  return {
    ok: true,
    tier: tier.name,
    records: samples.map((original) => {
      const r = mask(original);
      return r.ok ? { original, masked: r.value, reason: null } : { original, masked: null, reason: r.reason };
    }),
  };
}

// ---- review and publish ---------------------------------------------------------------------

async function checkDraft(db: Db, product: ProductRow, data: DraftData): Promise<PublishCheckResult> {
  return runPublishChecks({
    slugTaken: await isSlugTaken(db, product.slug, product.id),
    source: data.source ? { topic: data.source.topic, clusterId: data.source.clusterId } : null,
    schema: data.schema ? { format: data.schema.format, text: data.schema.text } : null,
    fieldDocs: data.fields?.fields ?? null,
    contract: data.contract ? { purposes: data.contract.purposes, qualityRules: data.contract.qualityRules } : null,
    tiers: data.tiers?.tiers ?? null,
    plans: data.plans?.plans ?? null,
    samples: sampleRecords(data),
    maskingKey: productKey(product),
  });
}

export type ReviewResult = { ok: boolean; issues: CheckIssue[]; warnings: CheckIssue[]; fieldCount: number; piiCount: number };

/** The review step: every publish check, without publishing. */
export async function reviewDraft(db: Db, user: SessionUser, productId: string): Promise<ReviewResult> {
  const product = assertOwner(user, await findProductForWizard(db, productId));
  assertDraft(product);
  const draft = await findDraft(db, productId);
  const r = await checkDraft(db, product, draft?.data ?? {});
  return { ok: r.ok, issues: r.issues, warnings: r.warnings, fieldCount: r.fields.filter((f) => f.path).length, piiCount: r.fields.filter((f) => f.pii !== "none").length };
}

/**
 * Publishes a draft in ONE transaction: contract 1.0.0 (published), masking tiers, plans, the
 * product row (published, field names), the audit entries; the wizard state is removed. If any
 * check fails nothing is written but a denied audit entry, and the caller gets field errors.
 */
export async function publishDraft(db: Db, user: SessionUser, productId: string): Promise<{ productId: string; slug: string; version: string }> {
  const outcome = await db.transaction(async (tx) => {
    const product = assertOwner(user, await findProductForWizard(tx, productId, { lock: true }));
    assertDraft(product);
    const draft = await findDraft(tx, productId);
    const data = draft?.data ?? {};
    const check = await checkDraft(tx, product, data);
    if (!check.ok || !data.schema || !data.contract || !data.tiers || !data.plans || !data.source) {
      return { ok: false as const, check };
    }
    const now = new Date();
    const { fields } = buildFieldList(data.schema.format, check.schema, { previous: check.fields });
    const contract = data.contract;
    const [version] = await tx
      .insert(contractVersions)
      .values({
        productId,
        version: "1.0.0",
        major: 1,
        minor: 0,
        patch: 0,
        status: "published",
        schemaFormat: data.schema.format,
        schema: check.schema as object,
        fields,
        freshnessSlaSeconds: contract.freshnessSlaSeconds,
        availabilityTarget: contract.availabilityTarget,
        retentionHours: contract.retentionHours,
        purposes: contract.purposes,
        prohibitedUses: contract.prohibitedUses,
        qualityRules: contract.qualityRules,
        supportContact: contract.supportContact,
        changelog: "First published version.",
        publishedAt: now,
      })
      .returning({ id: contractVersions.id });
    const tierRows = await tx
      .insert(maskingTiers)
      .values(data.tiers.tiers.map((t) => ({ productId, name: t.name, description: t.description, fullAccess: t.fullAccess, rules: t.rules })))
      .returning({ id: maskingTiers.id, name: maskingTiers.name, fullAccess: maskingTiers.fullAccess });
    const tierId = new Map(tierRows.map((t) => [t.name, t.id]));
    const planRows = await tx
      .insert(plans)
      .values(
        data.plans.plans.map((p) => ({
          productId,
          tierId: tierId.get(p.tier)!,
          name: p.name,
          description: p.description,
          approval: p.approval,
          priceModel: p.priceModel,
          priceMinor: p.priceMinor,
          currency: p.currency,
          monthlyCapMinor: p.monthlyCapMinor,
          externalAllowed: p.externalAllowed,
          quotaBytesPerSec: p.quotaBytesPerSec,
        })),
      )
      .returning({ id: plans.id, name: plans.name, approval: plans.approval, priceModel: plans.priceModel, tierId: plans.tierId });
    await tx
      .update(dataProducts)
      .set({
        status: "published",
        publishedAt: now,
        updatedAt: now,
        fieldNames: fields.map((f) => f.path).filter(Boolean),
        contactEmail: contract.supportContact,
        clusterId: data.source.clusterId,
        sourceTopic: data.source.topic,
      })
      .where(eq(dataProducts.id, productId));
    await tx.delete(productDrafts).where(eq(productDrafts.productId, productId));

    const who = actor(user);
    await recordAudit(tx, {
      actor: who,
      action: "product.publish",
      resource: { type: "data_product", id: productId },
      details: { slug: product.slug, version: "1.0.0", contractVersionId: version.id, sourceTopic: data.source.topic, tiers: tierRows.map((t) => t.name), plans: planRows.map((p) => p.name), warnings: check.warnings.length },
    });
    for (const t of tierRows) {
      await recordAudit(tx, { actor: who, action: "masking_tier.create", resource: { type: "masking_tier", id: t.id }, details: { productId, name: t.name, fullAccess: t.fullAccess } });
    }
    for (const p of planRows) {
      await recordAudit(tx, { actor: who, action: "plan.create", resource: { type: "plan", id: p.id }, details: { productId, name: p.name, approval: p.approval, priceModel: p.priceModel, tierId: p.tierId } });
    }
    return { ok: true as const, slug: product.slug };
  });
  if (!outcome.ok) {
    await recordAudit(db, {
      actor: actor(user),
      action: "product.publish",
      resource: { type: "data_product", id: productId },
      result: "denied",
      details: { issues: outcome.check.issues.slice(0, 20).map((i) => `${i.field}: ${i.message}`) },
    });
    throw validation(`The product is not ready to publish: ${outcome.check.issues.length} ${outcome.check.issues.length === 1 ? "problem" : "problems"} to fix.`, outcome.check.fieldErrors);
  }
  return { productId, slug: outcome.slug, version: "1.0.0" };
}

/** Throws away a draft (the product row and its wizard state). Published products are retired, never deleted. */
export async function discardDraft(db: Db, user: SessionUser, productId: string): Promise<{ productId: string }> {
  return db.transaction(async (tx) => {
    const product = assertOwner(user, await findProductForWizard(tx, productId, { lock: true }));
    assertDraft(product);
    const [refs] = await tx.execute<{ n: number }>(sql`select (select count(*) from access_requests where product_id = ${productId}) + (select count(*) from subscriptions where product_id = ${productId}) as n`);
    if (Number(refs?.n ?? 0) > 0) throw new AppError("conflict", "This draft has access history and cannot be discarded.");
    await tx.delete(dataProducts).where(eq(dataProducts.id, productId));
    await recordAudit(tx, { actor: actor(user), action: "product.draft_discard", resource: { type: "data_product", id: productId }, details: { slug: product.slug } });
    return { productId };
  });
}

// ---- page helpers -----------------------------------------------------------------------------

/** What the saved sample means for publishing (no JSON record, some undecodable, empty topic). */
export function sourceWarnings(data: DraftData): string[] {
  if (!data.source) return [];
  const r = checkSampleDecoding(sampleRecords(data));
  return [...r.issues, ...r.warnings].map((i) => i.message);
}

export type TierFieldRow = { path: string; type: string; pii: string; container: boolean };

/** The fields the tiers step lists (containers take keep/drop only), or why there are none yet. */
export function tierFieldRows(data: DraftData): { ok: true; rows: TierFieldRow[] } | { ok: false; message: string } {
  if (!data.schema) return { ok: false, message: "Add a schema first." };
  const check = checkSchemaText(data.schema.format, data.schema.text);
  if (!check.ok) return { ok: false, message: check.issues[0]?.message ?? "The saved schema is not valid." };
  const fields = classifyFields(check.fields, data.fields?.fields).fields.filter((f) => f.path !== "");
  return {
    ok: true,
    rows: fields.map((f) => ({
      path: f.path,
      type: f.type,
      pii: f.pii,
      container: fields.some((o) => o.path.startsWith(`${f.path}.`) || o.path.startsWith(`${f.path}[]`)),
    })),
  };
}
