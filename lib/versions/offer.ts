/**
 * The offer of a published product: its masking tiers and plans after the first publish. Owners
 * of the product's team (or admins) edit a tier's rules, add tiers, add, edit and deactivate
 * plans. Every change runs the publish wizard's own checks (lib/publishing/checks.ts) on the
 * whole offer as it would be after the change — every PII field non-keep in every tier but the
 * full-access one, for every contract version still serving; the full-access tier only on plans
 * with owner review; sane prices; rules that mask recent records of the source topic — and
 * writes the change and its audit entry in one transaction, on the locked product row.
 *
 * What is fixed once published, and why:
 * - a tier's name and full-access flag: the name is part of its delivery topic
 *   (lib/kafka/names.ts), which subscribers read; turning a masked tier into full access would
 *   hand personal data to subscriptions approved for masked data;
 * - a plan's tier: its subscriptions were provisioned on that tier's topic;
 * - a plan's price (model, price, currency, cap) while it has live subscriptions: billing
 *   (lib/billing) prices the open period from the plan row, so a change would re-price what
 *   subscribers already agreed to. Deactivate it and add a plan with the new price instead.
 * Tier rule changes reach the router by themselves: it reloads tiers and recompiles a product
 * whose plan signature (which covers every tier's rules) changed (lib/router/plan.ts).
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dataProducts, maskingTiers, plans, subscriptions } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import type { SessionUser } from "@/lib/auth/roles";
import { compileContract, ContractCompileError, parseSamples, type ContractField, type SchemaFormat } from "@/lib/contracts";
import { maskingSecret } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { compileMaskingPolicy, deriveProductKey, MaskingPolicyError, toFieldErrors as maskingFieldErrors } from "@/lib/masking";
import { toFieldErrors } from "@/lib/actions/safe-action";
import { TierSchema } from "@/lib/publishing/schemas";
import type { MaskingPreview } from "@/lib/publishing/service";
import { checkPlans, checkTiers, type CheckIssue, type PlanInput, type TierInput } from "@/lib/publishing/checks";
import { sampleProductSource, type SourceSample } from "@/lib/publishing/live-sample";
import { LIVE_STATES } from "@/lib/subscriptions/queries";
import { listContractVersions, listServingVersions, listTiers, lockProduct, type ContractVersionRow, type MaskingTierRow, type ProductRow } from "./queries";
import type { PlanCreateInput, PlanDeactivateInput, PlanUpdateInput, TierCreateInput, TierUpdateInput } from "./schemas";
import { currentVersion, productForManager, rulesForFields, storedFields } from "./service";

export type OfferDeps = { sample(db: Db, product: ProductRow): Promise<SourceSample> };
export const defaultOfferDeps: OfferDeps = { sample: (db, product) => sampleProductSource(db, product) };

const userActor = (user: SessionUser) => ({ type: "user" as const, id: user.id, label: user.email });
type PlanRow = typeof plans.$inferSelect;

export type OfferResult = { id: string; changed: boolean; warnings: string[] };

// ---- Reading ---------------------------------------------------------------------------------

export type OfferTierField = { path: string; type: string; pii: string; container: boolean; /** Only older serving majors have it. */ olderOnly: boolean };
export type OfferTier = { id: string; name: string; description: string; fullAccess: boolean; rules: Record<string, { strategy: string } & Record<string, unknown>> };
export type OfferPlan = {
  id: string;
  name: string;
  description: string;
  tier: string;
  approval: "auto" | "manual";
  priceModel: PlanInput["priceModel"];
  priceMinor: number;
  currency: string;
  externalAllowed: boolean;
  quotaBytesPerSec: number | null;
  monthlyCapMinor: number | null;
  active: boolean;
  liveSubscriptions: number;
};
export type OfferView = { tiers: OfferTier[]; plans: OfferPlan[]; fields: OfferTierField[]; editable: boolean; canAdd: boolean };

/** For the manage page (the caller has checked the user may manage the product). */
export async function loadOffer(db: Db, product: ProductRow): Promise<OfferView> {
  const [tiers, planRows, versions] = await Promise.all([listTiers(db, product.id), listPlansWithCounts(db, product.id), checkedVersions(db, product.id)]);
  const tierName = new Map(tiers.map((t) => [t.id, t.name]));
  return {
    tiers: tiers.map((t) => ({ id: t.id, name: t.name, description: t.description, fullAccess: t.fullAccess, rules: asRules(t.rules) as OfferTier["rules"] })),
    plans: planRows.map(({ plan: p, live }) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      tier: tierName.get(p.tierId) ?? "",
      approval: p.approval,
      priceModel: p.priceModel,
      priceMinor: p.priceMinor,
      currency: p.currency,
      externalAllowed: p.externalAllowed,
      quotaBytesPerSec: p.quotaBytesPerSec,
      monthlyCapMinor: p.monthlyCapMinor,
      active: p.active,
      liveSubscriptions: live,
    })),
    fields: editorFields(versions),
    editable: editProblem(product, "edit") === null,
    canAdd: editProblem(product, "add") === null,
  };
}

async function listPlansWithCounts(db: Db, productId: string): Promise<{ plan: PlanRow; live: number }[]> {
  return db
    .select({
      plan: plans,
      // Qualified by hand: drizzle leaves columns unqualified in a one-table select.
      live: sql<number>`(select count(*)::int from ${subscriptions} s where s.plan_id = "plans"."id" and s.state in (${sql.join(
        LIVE_STATES.map((s) => sql`${s}`),
        sql`, `,
      )}))`,
    })
    .from(plans)
    .where(eq(plans.productId, productId))
    .orderBy(sql`${plans.active} desc`, asc(plans.createdAt), asc(plans.name));
}

/** The fields of every version the tiers must cover (newest first); containers take keep/drop only. */
function editorFields(versions: readonly ContractVersionRow[]): OfferTierField[] {
  const out: OfferTierField[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const fields = storedFields(v.fields).filter((f) => f.path !== "");
    for (const f of fields) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push({ path: f.path, type: f.type, pii: f.pii, container: fields.some((o) => o.path.startsWith(`${f.path}.`) || o.path.startsWith(`${f.path}[]`)), olderOnly: i > 0 });
    }
  });
  return out;
}

/** JSON with sorted keys: jsonb hands objects back in its own key order. */
function canonical(v: unknown): string {
  if (v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

function asRules(rules: unknown): Record<string, unknown> {
  return rules && typeof rules === "object" && !Array.isArray(rules) ? (rules as Record<string, unknown>) : {};
}

// ---- Checks ----------------------------------------------------------------------------------

/** The versions whose delivery the tiers shape: every serving one, else the current one. */
async function checkedVersions(db: Db, productId: string): Promise<ContractVersionRow[]> {
  const serving = await listServingVersions(db, productId);
  if (serving.length) return serving;
  const current = currentVersion(await listContractVersions(db, productId));
  return current ? [current] : [];
}

function editProblem(product: ProductRow, what: "edit" | "add"): string | null {
  if (product.status === "draft") return "This product is still a draft: set its tiers and plans in the publish wizard.";
  if (product.status === "retired") return "This product is retired: its tiers and plans can no longer change.";
  if (what === "add" && product.status !== "published") return "This product is deprecated and closed to new subscriptions: it takes no new tiers or plans.";
  return null;
}

function assertEditable(product: ProductRow, what: "edit" | "add"): void {
  const problem = editProblem(product, what);
  if (problem) throw new AppError("conflict", problem);
}

/** Sampled records (JSON only) that a version's contract accepts: the ones the router would mask for it. */
function recordsFor(version: ContractVersionRow, values: readonly unknown[]): unknown[] {
  if (values.length === 0) return [];
  try {
    const validate = compileContract({ schemaFormat: version.schemaFormat as SchemaFormat, schema: version.schema, qualityRules: version.qualityRules as unknown[] });
    return values.filter((v) => validate(v).ok);
  } catch (e) {
    if (e instanceof ContractCompileError) return [];
    throw e;
  }
}

type CheckContext = { product: ProductRow; versions: ContractVersionRow[]; samples: unknown[] };

/** The publish checks on the offer as it would be: tiers against every checked version, plans against the tiers. */
function offerIssues(ctx: CheckContext, tiers: readonly TierInput[], activePlans: readonly PlanInput[]): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const key = deriveProductKey(maskingSecret(), ctx.product.id, ctx.product.maskingKeyVersion);
  const known = new Set(ctx.versions.flatMap((v) => storedFields(v.fields).map((f) => f.path)));
  for (const t of tiers) {
    for (const path of Object.keys(t.rules)) {
      if (!known.has(path)) issues.push({ step: "tiers", field: `tiers.${t.name}.${path}`, message: `No serving contract version has a field ${path}.` });
    }
  }
  for (const v of ctx.versions) {
    const fields: ContractField[] = storedFields(v.fields);
    issues.push(...checkTiers(fields, tiers.map((t) => ({ ...t, rules: rulesForFields(t.rules, fields) })), recordsFor(v, ctx.samples), key));
  }
  issues.push(...checkPlans(activePlans, tiers));
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.field}\u0000${i.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/**
 * Field errors for one form: the edited tier keeps the wizard's keys (tiers.<tier>.<path>, so the
 * shared rule editor shows them per field); the edited plan's become its own field names
 * (priceMinor, currency, …). Anything about the rest of the offer goes under _form, named.
 */
function formErrors(issues: readonly CheckIssue[], focus: { tier?: string; planIndex?: number; planNames?: string[] }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (k: string, m: string) => (out[k] ??= []).push(m);
  for (const i of issues) {
    const plan = /^plans\.(\d+)\.(.+)$/.exec(i.field);
    if (plan && focus.planIndex !== undefined && Number(plan[1]) === focus.planIndex) add(plan[2]!, i.message);
    else if (plan) add("_form", `Plan ${focus.planNames?.[Number(plan[1])] ?? Number(plan[1]) + 1}: ${i.message}`);
    else if (focus.tier !== undefined && (i.field === `tiers.${focus.tier}` || i.field.startsWith(`tiers.${focus.tier}.`))) add(i.field, i.message);
    else add("_form", i.message);
  }
  return out;
}

function refuse(issues: readonly CheckIssue[], focus: Parameters<typeof formErrors>[1]): AppError {
  return new AppError("validation", `${issues.length} ${issues.length === 1 ? "problem" : "problems"} to fix; nothing was changed.`, { fieldErrors: formErrors(issues, focus) });
}

async function loadContext(tx: Db, product: ProductRow, sample: SourceSample | null): Promise<{ ctx: CheckContext; warnings: string[] }> {
  const versions = await checkedVersions(tx, product.id);
  if (versions.length === 0) throw new AppError("conflict", "This product has no contract version to check its tiers against.");
  const warnings: string[] = [];
  let samples: unknown[] = [];
  if (sample) {
    if (!sample.ok) warnings.push(`Not tried on live records: ${sample.message}`);
    else {
      samples = parseSamples(sample.records.filter((r) => r.reject === null).map((r) => r.value)).values;
      if (samples.length === 0) warnings.push("The source topic has no recent JSON records: the rules were not tried on live data.");
    }
  }
  return { ctx: { product, versions, samples }, warnings };
}

const tierInput = (t: Pick<MaskingTierRow, "name" | "fullAccess" | "rules">): TierInput => ({ name: t.name, fullAccess: t.fullAccess, rules: asRules(t.rules) });

function planInput(p: PlanRow, tierName: Map<string, string>): PlanInput {
  return {
    name: p.name,
    tier: tierName.get(p.tierId) ?? "",
    approval: p.approval,
    priceModel: p.priceModel,
    priceMinor: p.priceMinor,
    currency: p.currency,
    externalAllowed: p.externalAllowed,
    quotaBytesPerSec: p.quotaBytesPerSec,
    monthlyCapMinor: p.monthlyCapMinor,
  };
}

async function offerRows(tx: Db, productId: string) {
  const [tiers, planRows] = await Promise.all([listTiers(tx, productId), tx.select().from(plans).where(eq(plans.productId, productId)).orderBy(asc(plans.createdAt), asc(plans.name))]);
  return { tiers, planRows, tierName: new Map(tiers.map((t) => [t.id, t.name])) };
}

const MAX_TIERS = 10;

// ---- Tiers -----------------------------------------------------------------------------------

/** New rules (and description) for one tier; checked on the whole offer and on recent source records. */
export async function updateTier(db: Db, user: SessionUser, input: TierUpdateInput, deps: OfferDeps = defaultOfferDeps): Promise<OfferResult> {
  const before = await productForManager(db, user, input.productId, "masking_tier.update");
  assertEditable(before, "edit");
  const sample = await deps.sample(db, before);
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    assertEditable(product, "edit");
    const { tiers, planRows, tierName } = await offerRows(tx, product.id);
    const tier = tiers.find((t) => t.id === input.tierId);
    if (!tier) throw new AppError("not_found", "This tier does not belong to the product.");
    const { ctx, warnings } = await loadContext(tx, product, sample);
    const next = tiers.map((t) => (t.id === tier.id ? { ...tierInput(t), rules: input.rules } : tierInput(t)));
    const issues = offerIssues(ctx, next, planRows.filter((p) => p.active).map((p) => planInput(p, tierName)));
    if (issues.length) throw refuse(issues, { tier: tier.name, planNames: planRows.filter((p) => p.active).map((p) => p.name) });
    const oldRules = asRules(tier.rules);
    const changedPaths = [...new Set([...Object.keys(oldRules), ...Object.keys(input.rules)])].filter((p) => canonical(oldRules[p]) !== canonical(input.rules[p])).sort();
    if (changedPaths.length === 0 && tier.description === input.description) return { id: tier.id, changed: false, warnings };
    await tx.update(maskingTiers).set({ rules: input.rules, description: input.description }).where(eq(maskingTiers.id, tier.id));
    await tx.update(dataProducts).set({ updatedAt: new Date() }).where(eq(dataProducts.id, product.id));
    await recordAudit(tx, {
      actor: userActor(user),
      action: "masking_tier.update",
      resource: { type: "masking_tier", id: tier.id },
      details: {
        productId: product.id,
        tier: tier.name,
        changed: Object.fromEntries(changedPaths.map((p) => [p, { from: oldRules[p] ?? { strategy: "keep" }, to: input.rules[p] ?? { strategy: "keep" } }])),
        description: tier.description === input.description ? undefined : { from: tier.description, to: input.description },
        sampled: ctx.samples.length,
      },
    });
    return { id: tier.id, changed: true, warnings };
  });
}

/** A new tier (its delivery topic is created by the router once the tier exists). */
export async function createTier(db: Db, user: SessionUser, input: TierCreateInput, deps: OfferDeps = defaultOfferDeps): Promise<OfferResult> {
  const before = await productForManager(db, user, input.productId, "masking_tier.create");
  assertEditable(before, "add");
  const sample = await deps.sample(db, before);
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    assertEditable(product, "add");
    const { tiers, planRows, tierName } = await offerRows(tx, product.id);
    if (tiers.some((t) => t.name === input.name)) throw new AppError("validation", undefined, { fieldErrors: { name: [`There is already a tier named ${input.name}.`] } });
    if (tiers.length >= MAX_TIERS) throw new AppError("validation", undefined, { fieldErrors: { _form: [`A product has at most ${MAX_TIERS} tiers.`] } });
    const { ctx, warnings } = await loadContext(tx, product, sample);
    const added: TierInput = { name: input.name, fullAccess: input.fullAccess, rules: input.rules };
    const issues = offerIssues(ctx, [...tiers.map(tierInput), added], planRows.filter((p) => p.active).map((p) => planInput(p, tierName)));
    if (issues.length) throw refuse(issues, { tier: input.name, planNames: planRows.filter((p) => p.active).map((p) => p.name) });
    const [row] = await tx
      .insert(maskingTiers)
      .values({ productId: product.id, name: input.name, description: input.description, fullAccess: input.fullAccess, rules: input.rules })
      .returning({ id: maskingTiers.id });
    await tx.update(dataProducts).set({ updatedAt: new Date() }).where(eq(dataProducts.id, product.id));
    await recordAudit(tx, {
      actor: userActor(user),
      action: "masking_tier.create",
      resource: { type: "masking_tier", id: row!.id },
      details: { productId: product.id, name: input.name, fullAccess: input.fullAccess, rules: input.rules, sampled: ctx.samples.length },
    });
    return { id: row!.id, changed: true, warnings };
  });
}

// ---- Plans -----------------------------------------------------------------------------------

function planValues(p: Omit<PlanInput, "tier"> & { description: string }) {
  return {
    name: p.name,
    description: p.description,
    approval: p.approval,
    priceModel: p.priceModel,
    priceMinor: p.priceMinor,
    currency: p.currency,
    externalAllowed: p.externalAllowed ?? false,
    quotaBytesPerSec: p.quotaBytesPerSec ?? null,
    monthlyCapMinor: p.monthlyCapMinor ?? null,
  };
}

export async function createPlan(db: Db, user: SessionUser, input: PlanCreateInput): Promise<OfferResult> {
  assertEditable(await productForManager(db, user, input.productId, "plan.create"), "add");
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    assertEditable(product, "add");
    const { tiers, planRows, tierName } = await offerRows(tx, product.id);
    const active = planRows.filter((p) => p.active);
    const added: PlanInput = { ...input };
    const { ctx } = await loadContext(tx, product, null);
    const issues = offerIssues(ctx, tiers.map(tierInput), [...active.map((p) => planInput(p, tierName)), added]);
    if (issues.length) throw refuse(issues, { planIndex: active.length, planNames: [...active.map((p) => p.name), input.name] });
    const tier = tiers.find((t) => t.name === input.tier)!;
    const [row] = await tx
      .insert(plans)
      .values({ productId: product.id, tierId: tier.id, ...planValues(input) })
      .returning({ id: plans.id });
    await recordAudit(tx, {
      actor: userActor(user),
      action: "plan.create",
      resource: { type: "plan", id: row!.id },
      details: { productId: product.id, tier: tier.name, ...planValues(input) },
    });
    return { id: row!.id, changed: true, warnings: [] };
  });
}

const PRICE_KEYS = ["priceModel", "priceMinor", "currency", "monthlyCapMinor"] as const;

export async function updatePlan(db: Db, user: SessionUser, input: PlanUpdateInput): Promise<OfferResult> {
  assertEditable(await productForManager(db, user, input.productId, "plan.update"), "edit");
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    assertEditable(product, "edit");
    const { tiers, planRows, tierName } = await offerRows(tx, product.id);
    const plan = planRows.find((p) => p.id === input.planId);
    if (!plan) throw new AppError("not_found", "This plan does not belong to the product.");
    if (!plan.active) throw new AppError("conflict", "This plan is no longer offered; add a new plan instead.");
    const next = { ...planInput(plan, tierName), ...planValues({ ...input }) };
    const before = planValues({ ...planInput(plan, tierName), description: plan.description });
    const after = planValues({ ...next, description: input.description });
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== before[k]);
    if (changed.length === 0) return { id: plan.id, changed: false, warnings: [] };

    const fieldErrors: Record<string, string[]> = {};
    const priceChanged = PRICE_KEYS.filter((k) => changed.includes(k));
    if (priceChanged.length) {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(subscriptions)
        .where(and(eq(subscriptions.planId, plan.id), inArray(subscriptions.state, [...LIVE_STATES])));
      if (n > 0) {
        const msg = `${n} live subscription${n === 1 ? " pays" : "s pay"} this price; deactivate the plan and add one with the new price, so they keep the terms they agreed to.`;
        for (const k of priceChanged) fieldErrors[k] = [msg];
      }
    }
    const active = planRows.filter((p) => p.active);
    const index = active.findIndex((p) => p.id === plan.id);
    const { ctx } = await loadContext(tx, product, null);
    const issues = offerIssues(ctx, tiers.map(tierInput), active.map((p, i) => (i === index ? next : planInput(p, tierName))));
    for (const [k, v] of Object.entries(formErrors(issues, { planIndex: index, planNames: active.map((p) => p.name) }))) (fieldErrors[k] ??= []).push(...v);
    if (Object.keys(fieldErrors).length) throw new AppError("validation", "Some fields need attention; nothing was changed.", { fieldErrors });

    await tx
      .update(plans)
      // A Stripe price is immutable: a new price gets a new one the next time Stripe bills the plan.
      .set({ ...after, ...(priceChanged.length ? { stripePriceId: null } : {}) })
      .where(eq(plans.id, plan.id));
    await recordAudit(tx, {
      actor: userActor(user),
      action: "plan.update",
      resource: { type: "plan", id: plan.id },
      details: { productId: product.id, name: after.name, changed: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: after[k] }])) },
    });
    return { id: plan.id, changed: true, warnings: [] };
  });
}

/**
 * Stops offering a plan: no new subscriptions or requests on it, while existing subscriptions
 * keep their plan, tier and price. A published product keeps at least one active plan.
 */
export async function deactivatePlan(db: Db, user: SessionUser, input: PlanDeactivateInput): Promise<OfferResult & { liveSubscriptions: number }> {
  assertEditable(await productForManager(db, user, input.productId, "plan.deactivate"), "edit");
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    assertEditable(product, "edit");
    const rows = await listPlansWithCounts(tx, product.id);
    const row = rows.find((r) => r.plan.id === input.planId);
    if (!row) throw new AppError("not_found", "This plan does not belong to the product.");
    if (!row.plan.active) return { id: row.plan.id, changed: false, warnings: [], liveSubscriptions: row.live };
    if (product.status === "published" && rows.filter((r) => r.plan.active).length === 1) {
      throw new AppError("conflict", "This is the product's only active plan: add another plan first, or deprecate the product.");
    }
    await tx.update(plans).set({ active: false }).where(eq(plans.id, row.plan.id));
    await recordAudit(tx, {
      actor: userActor(user),
      action: "plan.deactivate",
      resource: { type: "plan", id: row.plan.id },
      details: { productId: product.id, name: row.plan.name, liveSubscriptions: row.live },
    });
    return { id: row.plan.id, changed: true, warnings: [], liveSubscriptions: row.live };
  });
}

// ---- Preview ---------------------------------------------------------------------------------

/**
 * The tier editor's live preview: recent source records masked with a tier as the router would
 * (the product's own key, the current version's fields), side by side with the originals, for
 * the product's managers only. Invalid rules come back per field, like the wizard's preview.
 */
export async function previewTier(db: Db, user: SessionUser, input: { productId: string; tier: unknown }, deps: OfferDeps = defaultOfferDeps, opts: { limit?: number } = {}): Promise<MaskingPreview> {
  const product = await productForManager(db, user, input.productId, "masking_tier.preview");
  const parsed = TierSchema.safeParse(input.tier);
  if (!parsed.success) return { ok: false, message: "The tier is not valid.", fieldErrors: toFieldErrors(parsed.error) };
  const [version] = await checkedVersions(db, product.id);
  if (!version) return { ok: false, message: "This product has no contract version yet.", fieldErrors: {} };
  const fields = storedFields(version.fields);
  const tier = { ...parsed.data, rules: rulesForFields(parsed.data.rules, fields) };
  let mask;
  try {
    mask = compileMaskingPolicy({ fields, rules: tier.rules, fullAccess: tier.fullAccess, key: deriveProductKey(maskingSecret(), product.id, product.maskingKeyVersion), tier: tier.name });
  } catch (e) {
    if (e instanceof MaskingPolicyError) return { ok: false, message: "Some rules need attention before the preview can run.", fieldErrors: maskingFieldErrors(e.issues) };
    throw e;
  }
  const sample = await deps.sample(db, product);
  if (!sample.ok) return { ok: false, message: sample.message, fieldErrors: {} };
  const records = parseSamples(sample.records.filter((r) => r.reject === null).map((r) => r.value)).values.slice(0, opts.limit ?? 5);
  return {
    ok: true,
    tier: tier.name,
    records: records.map((original) => {
      const r = mask(original);
      return r.ok ? { original, masked: r.value, reason: null } : { original, masked: null, reason: r.reason };
    }),
  };
}
