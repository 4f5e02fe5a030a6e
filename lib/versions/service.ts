/**
 * Contract versioning and product lifecycle for owners (see README.md for the rules).
 * Every service re-checks that the caller owns the product's team or is an admin, and writes its
 * audit entry and notifications in the same transaction as the change.
 */
import { and, eq, gt, inArray, isNull, lt, lte, ne, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { isAdmin, isOwnerOfTeam, type SessionUser } from "@/lib/auth/roles";
import {
  bumpSemver,
  checkCompatibility,
  checkRules,
  checkSchema,
  checkVersionBump,
  formatSemver,
  parseSchemaText,
  parseSemver,
  buildFieldList,
  type Bump,
  type ChangeKind,
  type CompatibilityMode,
  type ContractField,
  type PiiCategory,
  type SchemaChange,
  type SchemaFormat,
} from "@/lib/contracts";
import { AppError } from "@/lib/errors";
import { validateTierRules } from "@/lib/masking";
import { notifyUsers } from "@/lib/notifications/notify";
import { checkTiers } from "@/lib/publishing/checks";
import { endProductSubscriptions } from "@/lib/subscriptions/service";
import { defaultSunset, LIFECYCLE, transitionProblem, type ProductStatus } from "./lifecycle";
import {
  countActivePlans,
  countLiveSubscriptionsByMajor,
  findProductBySlug,
  listContractVersions,
  listServingVersions,
  listSubscriberUserIds,
  listTiers,
  lockProduct,
  type ContractVersionRow,
  type MaskingTierRow,
  type ProductRow,
} from "./queries";
import type { CompatibilityInput, LifecycleInput, PublishVersionInput, VersionDraftInput } from "./schemas";

type Actor = { type: "user" | "system"; id?: string; label: string };
const userActor = (user: SessionUser): Actor => ({ type: "user", id: user.id, label: user.email });

export function canManageProduct(user: SessionUser, product: { ownerTeamId: string }): boolean {
  return isAdmin(user) || isOwnerOfTeam(user, product.ownerTeamId);
}

/** Looks the product up and refuses (audited) anyone who does not own it. Shared with offer.ts. */
export async function productForManager(db: Db, user: SessionUser, productId: string, action: string): Promise<ProductRow> {
  const [product] = await db.select().from(dataProducts).where(eq(dataProducts.id, productId));
  if (!product) throw new AppError("not_found", "This product does not exist.");
  if (!canManageProduct(user, product)) {
    await recordAudit(db, { actor: userActor(user), action, resource: { type: "data_product", id: productId }, result: "denied", details: { reason: "not an owner of the product's team" } });
    throw new AppError("forbidden", "Only owners of the product's team (or an admin) can change this product.");
  }
  return product;
}

const productLink = (slug: string) => `/products/${slug}`;
const day = (d: Date) => d.toISOString().slice(0, 10);

// ---- Reading the manage page ---------------------------------------------------------------

export type ManagedVersion = {
  id: string;
  version: string;
  major: number;
  status: "draft" | "published" | "deprecated" | "retired";
  schemaFormat: SchemaFormat;
  changelog: string | null;
  publishedAt: Date | null;
  sunsetAt: Date | null;
  /** Delivered by the router now (see listServingVersions). */
  serving: boolean;
  fieldCount: number;
};

export type ManageView = {
  product: ProductRow;
  team: { id: string; slug: string; name: string };
  versions: ManagedVersion[];
  current: ContractVersionRow | null;
  /** The current schema, pretty-printed for "edit the current one". */
  currentSchemaText: string;
  currentFields: ContractField[];
  tiers: { name: string; fullAccess: boolean }[];
  activePlans: number;
  liveSubscriptions: number;
  subscriptionsByMajor: Record<number, number>;
  transitions: ProductStatus[];
};

export type ManageLookup = { kind: "not_found" } | { kind: "forbidden" } | { kind: "ok"; view: ManageView };

function isServing(v: ContractVersionRow, product: ProductRow, now: Date): boolean {
  const productLive = (product.status === "published" || product.status === "deprecated") && (!product.sunsetAt || product.sunsetAt > now);
  return productLive && (v.status === "published" || v.status === "deprecated") && (!v.sunsetAt || v.sunsetAt > now);
}

/** The newest version that is not a draft: the one new versions are compared with. */
export function currentVersion(versions: readonly ContractVersionRow[]): ContractVersionRow | undefined {
  return versions.find((v) => v.status === "published") ?? versions.find((v) => v.status === "deprecated") ?? versions.find((v) => v.status !== "draft");
}

/** The highest non-draft version: a new one must be greater. */
function latestVersion(versions: readonly ContractVersionRow[]): ContractVersionRow | undefined {
  return versions.find((v) => v.status !== "draft" && parseSemver(v.version));
}

export function storedFields(raw: unknown): ContractField[] {
  return Array.isArray(raw) ? (raw.filter((f) => f && typeof f === "object" && typeof (f as ContractField).path === "string") as ContractField[]) : [];
}

export async function loadManageView(db: Db, user: SessionUser, slug: string, now: Date = new Date()): Promise<ManageLookup> {
  const row = await findProductBySlug(db, slug);
  if (!row) return { kind: "not_found" };
  if (!canManageProduct(user, row.product)) return { kind: "forbidden" };
  const product = row.product;
  const [versions, tiers, activePlans, byMajor] = await Promise.all([
    listContractVersions(db, product.id),
    listTiers(db, product.id),
    countActivePlans(db, product.id),
    countLiveSubscriptionsByMajor(db, product.id),
  ]);
  const current = currentVersion(versions) ?? null;
  const seenMajor = new Set<number>();
  return {
    kind: "ok",
    view: {
      product,
      team: row.team,
      versions: versions.map((v) => {
        // Latest per major only: an older version of a major never serves even if its row says so.
        const serving = !seenMajor.has(v.major) && isServing(v, product, now);
        if (isServing(v, product, now)) seenMajor.add(v.major);
        return {
          id: v.id,
          version: v.version,
          major: v.major,
          status: v.status,
          schemaFormat: v.schemaFormat,
          changelog: v.changelog,
          publishedAt: v.publishedAt,
          sunsetAt: v.sunsetAt,
          serving,
          fieldCount: storedFields(v.fields).length,
        };
      }),
      current,
      currentSchemaText: current ? JSON.stringify(current.schema, null, 2) : "",
      currentFields: current ? storedFields(current.fields) : [],
      tiers: tiers.map((t) => ({ name: t.name, fullAccess: t.fullAccess })),
      activePlans,
      liveSubscriptions: [...byMajor.values()].reduce((a, b) => a + b, 0),
      subscriptionsByMajor: Object.fromEntries(byMajor),
      transitions: [...LIFECYCLE[product.status]],
    },
  };
}

// ---- New versions --------------------------------------------------------------------------

export type FieldSummary = { type: string; required: boolean; nullable: boolean; format?: string };

export type DiffRow = {
  path: string;
  kind: ChangeKind;
  /** added / removed / type changed / enum changed / required changed / … */
  label: string;
  message: string;
  breaking: boolean;
  breaksBackward: boolean;
  breaksForward: boolean;
  before: FieldSummary | null;
  after: FieldSummary | null;
};

export type NewFieldInfo = { path: string; type: string; suggestedPii: PiiCategory; suggestion: string };

export type VersionPreview = {
  currentVersion: string;
  mode: CompatibilityMode;
  changes: DiffRow[];
  breakingCount: number;
  requiredBump: Bump;
  proposedVersion: string;
  /** True when the proposal starts a new major (the previous one gets a sunset). */
  newMajor: boolean;
  newFields: NewFieldInfo[];
  /** Quality rules on fields the new schema no longer has: they are left out of the new version. */
  droppedRules: { id: string; field: string }[];
  /** Problems that block publishing whatever version is chosen (rules, masking). */
  blockers: string[];
  subscriberCount: number;
};

const KIND_LABELS: Partial<Record<ChangeKind, string>> = {
  field_added: "added",
  field_removed: "removed",
  type_changed: "type changed",
  type_widened: "type widened",
  type_narrowed: "type narrowed",
  nullable_added: "now nullable",
  nullable_removed: "no longer nullable",
  required_added: "required changed",
  required_removed: "required changed",
  enum_value_added: "enum changed",
  enum_value_removed: "enum changed",
  enum_added: "enum changed",
  enum_removed: "enum changed",
  constraint_tightened: "constraint tightened",
  constraint_relaxed: "constraint relaxed",
  constraint_changed: "constraint changed",
  additional_properties_tightened: "closed to extra fields",
  additional_properties_relaxed: "open to extra fields",
  variant_added: "variant added",
  variant_removed: "variant removed",
  name_changed: "renamed",
  size_changed: "size changed",
  logical_type_changed: "logical type changed",
  default_changed: "default changed",
  doc_changed: "documentation",
  schema_format_changed: "format changed",
};

export function changeLabel(kind: ChangeKind): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, " ");
}

function summarize(f: ContractField | undefined): FieldSummary | null {
  if (!f) return null;
  const out: FieldSummary = { type: f.type, required: f.required, nullable: f.nullable };
  if (f.format) out.format = f.format;
  return out;
}

/** Tier rules restricted to paths the version has: rules for removed fields stay for older majors. */
export function rulesForFields(rules: unknown, fields: readonly ContractField[]): Record<string, unknown> {
  if (!rules || typeof rules !== "object" || Array.isArray(rules)) return {};
  const paths = new Set(fields.map((f) => f.path));
  return Object.fromEntries(Object.entries(rules as Record<string, unknown>).filter(([p]) => paths.has(p)));
}

type Analysis = {
  preview: VersionPreview;
  schema: unknown;
  fields: ContractField[];
  newPaths: Set<string>;
  keptRules: unknown[];
  report: ReturnType<typeof checkCompatibility>;
  current: ContractVersionRow;
  /** New fields the owner sent no tag for: publishing refuses them. */
  untagged: NewFieldInfo[];
};

/** Everything about a proposed schema that does not depend on the version number the owner picks. */
function analyze(product: ProductRow, versions: ContractVersionRow[], tiers: MaskingTierRow[], draft: VersionDraftInput, subscriberCount: number, fieldDocs: PublishVersionInput["fieldDocs"] = {}): Analysis {
  if (product.status !== "published") {
    throw new AppError(
      "conflict",
      product.status === "draft"
        ? "This product is a draft: finish it in the publish wizard before adding versions."
        : `New versions can only be added to a published product; this one is ${product.status}.`,
    );
  }
  const current = currentVersion(versions);
  if (!current) throw new AppError("conflict", "This product has no published contract to version from.");
  const parsed = parseSchemaText(draft.schemaText);
  if (!parsed.ok) throw new AppError("validation", undefined, { fieldErrors: { schemaText: [parsed.message] } });
  const check = checkSchema(draft.schemaFormat, parsed.schema);
  if (!check.ok) {
    throw new AppError("validation", undefined, {
      fieldErrors: { schemaText: check.issues.slice(0, 10).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)) },
    });
  }
  const mode = product.compatibility;
  const report = checkCompatibility({ schemaFormat: current.schemaFormat, schema: current.schema }, { schemaFormat: draft.schemaFormat, schema: parsed.schema }, mode);
  const previousFields = storedFields(current.fields);
  const prevByPath = new Map(previousFields.map((f) => [f.path, f]));
  const { fields, suggestions } = buildFieldList(draft.schemaFormat, parsed.schema, { previous: previousFields });
  const newPaths = new Set(fields.filter((f) => !prevByPath.has(f.path)).map((f) => f.path));
  const newFields: NewFieldInfo[] = [];
  const untagged: NewFieldInfo[] = [];
  for (const f of fields) {
    if (!newPaths.has(f.path)) continue;
    const info = { path: f.path, type: f.type, suggestedPii: f.pii, suggestion: suggestions[f.path] ?? "" };
    newFields.push(info);
    // Like the wizard's fields step, a new field is published only once the owner tagged it
    // (the form starts from the suggestion); nothing silently becomes "not personal".
    const doc = fieldDocs[f.path];
    if (!doc) untagged.push(info);
    f.pii = doc?.pii ?? f.pii;
    if (doc?.description) f.description = doc.description;
  }
  const newByPath = new Map(fields.map((f) => [f.path, f]));

  const blockers: string[] = [];
  const keptRules: unknown[] = [];
  const droppedRules: { id: string; field: string }[] = [];
  const rules = Array.isArray(current.qualityRules) ? (current.qualityRules as unknown[]) : [];
  for (const rule of rules) {
    const res = checkRules([rule], fields);
    if (res.ok) keptRules.push(rule);
    else if (res.errors.every((e) => e.message.includes("does not exist"))) {
      const r = rule as { id?: unknown; field?: unknown };
      droppedRules.push({ id: String(r.id ?? "?"), field: String(r.field ?? "") });
    } else blockers.push(...res.errors.map((e) => `Quality ${e.message}`));
  }

  const latest = latestVersion(versions) ?? current;
  const proposed = formatSemver(bumpSemver(latest.version, report.requiredBump));
  const preview: VersionPreview = {
    currentVersion: current.version,
    mode,
    changes: report.changes.map((c: SchemaChange) => ({
      path: c.path,
      kind: c.kind,
      label: changeLabel(c.kind),
      message: c.message,
      breaking: c.breaking,
      breaksBackward: c.breaksBackward,
      breaksForward: c.breaksForward,
      before: summarize(prevByPath.get(c.path)),
      after: summarize(newByPath.get(c.path)),
    })),
    breakingCount: report.breaking.length,
    requiredBump: report.requiredBump,
    proposedVersion: proposed,
    newMajor: parseSemver(proposed)!.major > current.major,
    newFields,
    droppedRules,
    blockers,
    subscriberCount,
  };
  const maskingIssues = validateTierRules(
    fields,
    tiers.map((t) => ({ name: t.name, fullAccess: t.fullAccess, rules: rulesForFields(t.rules, fields) })),
  );
  // Rules for new PII fields are added at publish (drop in every masked tier), so only other problems block.
  for (const i of maskingIssues) {
    if (newPaths.has(i.path) && i.message.includes("is personal data")) continue;
    blockers.push(`Masking tier ${i.tier ?? "(all)"}${i.path ? `, field ${i.path}` : ""}: ${i.message}`);
  }
  return { preview, schema: parsed.schema, fields, newPaths, keptRules, report, current, untagged };
}

/** The diff, proposed version and problems of a proposed schema, without writing anything. */
export async function previewNewVersion(db: Db, user: SessionUser, input: VersionDraftInput): Promise<VersionPreview> {
  const product = await productForManager(db, user, input.productId, "contract_version.preview");
  const [versions, tiers, subscribers] = await Promise.all([
    listContractVersions(db, product.id),
    listTiers(db, product.id),
    listSubscriberUserIds(db, product.id),
  ]);
  return analyze(product, versions, tiers, input, subscribers.length).preview;
}

export type PublishVersionResult = {
  versionId: string;
  version: string;
  bump: Bump;
  breakingCount: number;
  deprecated: { version: string; sunsetAt: string }[];
  notified: number;
  tiersUpdated: string[];
};

/**
 * Publishes a new contract version. Rules: version > every existing one and at least the bump the
 * changes need (breaking in the product's mode → major); a major needs a changelog; a new major
 * deprecates the previous majors' published versions with a sunset (default 90 days); a
 * minor/patch supersedes the same major's previous version at once (deprecated, sunset = now).
 * Every new field must be tagged by the owner (fieldDocs; the form starts from the suggestion);
 * a new personal field gets a drop rule in every masked tier that has none, so tiers still
 * cover every PII field.
 */
export async function publishNewVersion(db: Db, user: SessionUser, input: PublishVersionInput, now: Date = new Date()): Promise<PublishVersionResult> {
  await productForManager(db, user, input.productId, "contract_version.publish");
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    const [versions, tiers, subscriberIds] = await Promise.all([listContractVersions(tx, product.id), listTiers(tx, product.id), listSubscriberUserIds(tx, product.id)]);
    const a = analyze(product, versions, tiers, input, subscriberIds.length, input.fieldDocs ?? {});
    const fieldErrors: Record<string, string[]> = {};
    if (a.preview.changes.length === 0 && a.newPaths.size === 0 && input.schemaFormat === a.current.schemaFormat) {
      fieldErrors.schemaText = [`This schema is the same as version ${a.current.version}: there is nothing to publish.`];
    }
    const latest = latestVersion(versions) ?? a.current;
    const next = parseSemver(input.version);
    const versionProblem = checkVersionBump(latest.version, input.version, a.report.requiredBump);
    if (versionProblem) fieldErrors.version = [versionProblem.charAt(0).toUpperCase() + versionProblem.slice(1) + "."];
    else if (versions.some((v) => v.version === input.version)) fieldErrors.version = [`Version ${input.version} already exists.`];
    const bump: Bump = next && next.major > a.current.major ? "major" : next && next.minor !== parseSemver(latest.version)?.minor ? "minor" : "patch";
    const changelog = input.changelog?.trim() ?? "";
    if (!changelog && (a.preview.breakingCount > 0 || bump === "major")) {
      fieldErrors.changelog = [
        a.preview.breakingCount > 0
          ? `${a.preview.breakingCount} breaking change${a.preview.breakingCount === 1 ? "" : "s"}: tell subscribers what changed and what to do in the changelog.`
          : "A new major version needs a changelog entry for its subscribers.",
      ];
    }
    const sunsetAt = input.previousSunsetAt ?? defaultSunset(now);
    if (bump === "major" && sunsetAt.getTime() <= now.getTime()) fieldErrors.previousSunsetAt = ["The previous major's sunset must be in the future."];
    for (const f of a.untagged) {
      fieldErrors[`fieldDocs.${f.path}.pii`] = [
        `${f.path} is new: tag whether it is personal data${f.suggestedPii !== "none" ? ` (suggested: ${f.suggestedPii}${f.suggestion ? `, ${f.suggestion}` : ""})` : ""}.`,
      ];
    }
    if (a.preview.blockers.length) fieldErrors._form = a.preview.blockers;
    if (Object.keys(fieldErrors).length) throw new AppError("validation", undefined, { fieldErrors });

    // A new personal field: drop it in every masked tier that has no rule for it yet.
    const tiersUpdated: string[] = [];
    for (const tier of tiers) {
      if (tier.fullAccess) continue;
      const rules = { ...((tier.rules as Record<string, unknown>) ?? {}) };
      const added = a.fields.filter((f) => a.newPaths.has(f.path) && f.pii !== "none" && !(f.path in rules)).map((f) => f.path);
      if (!added.length) continue;
      for (const p of added) rules[p] = { strategy: "drop" };
      await tx.update(maskingTiers).set({ rules }).where(eq(maskingTiers.id, tier.id));
      await recordAudit(tx, {
        actor: userActor(user),
        action: "masking_tier.update",
        resource: { type: "masking_tier", id: tier.id },
        details: { productId: product.id, tier: tier.name, reason: `new personal fields in ${input.version}`, added: Object.fromEntries(added.map((p) => [p, "drop"])) },
      });
      tier.rules = rules;
      tiersUpdated.push(tier.name);
    }
    // The publish wizard's tier check: every PII field covered outside the one full-access tier.
    const maskingIssues = checkTiers(
      a.fields,
      tiers.map((t) => ({ name: t.name, fullAccess: t.fullAccess, rules: rulesForFields(t.rules, a.fields) })),
    );
    if (maskingIssues.length) {
      throw new AppError("validation", undefined, { fieldErrors: { _form: maskingIssues.map((i) => `Masking (${i.field}): ${i.message}`) } });
    }

    const c = a.current;
    const [row] = await tx
      .insert(contractVersions)
      .values({
        productId: product.id,
        version: input.version,
        major: next!.major,
        minor: next!.minor,
        patch: next!.patch,
        status: "published",
        schemaFormat: input.schemaFormat,
        schema: a.schema,
        fields: a.fields,
        freshnessSlaSeconds: c.freshnessSlaSeconds,
        availabilityTarget: c.availabilityTarget,
        retentionHours: c.retentionHours,
        purposes: c.purposes,
        prohibitedUses: c.prohibitedUses,
        qualityRules: a.keptRules,
        supportContact: c.supportContact,
        changelog: changelog || null,
        publishedAt: now,
      })
      .returning({ id: contractVersions.id });

    const deprecated =
      bump === "major"
        ? await tx
            .update(contractVersions)
            .set({ status: "deprecated", sunsetAt })
            .where(and(eq(contractVersions.productId, product.id), lt(contractVersions.major, next!.major), eq(contractVersions.status, "published")))
            .returning({ version: contractVersions.version, major: contractVersions.major, sunsetAt: contractVersions.sunsetAt })
        : await tx
            .update(contractVersions)
            .set({ status: "deprecated", sunsetAt: now })
            .where(
              and(
                eq(contractVersions.productId, product.id),
                eq(contractVersions.major, next!.major),
                inArray(contractVersions.status, ["published", "deprecated"]),
                ne(contractVersions.id, row!.id),
                or(isNull(contractVersions.sunsetAt), gt(contractVersions.sunsetAt, now)),
              ),
            )
            .returning({ version: contractVersions.version, major: contractVersions.major, sunsetAt: contractVersions.sunsetAt });

    await tx.update(dataProducts).set({ fieldNames: a.fields.map((f) => f.path), updatedAt: now }).where(eq(dataProducts.id, product.id));

    await recordAudit(tx, {
      actor: userActor(user),
      action: "contract_version.publish",
      resource: { type: "contract_version", id: row!.id },
      details: {
        productId: product.id,
        version: input.version,
        previous: c.version,
        bump,
        requiredBump: a.report.requiredBump,
        mode: product.compatibility,
        changes: a.preview.changes.length,
        breaking: a.report.breaking.map((b) => ({ path: b.path, kind: b.kind })),
        newFields: [...a.newPaths],
        droppedRules: a.preview.droppedRules,
        deprecated: deprecated.map((d) => ({ version: d.version, sunsetAt: d.sunsetAt?.toISOString() ?? null })),
      },
    });

    let notified = 0;
    if (a.preview.breakingCount > 0 || bump === "major") {
      const oldMajors = deprecated.filter((d) => d.major < next!.major);
      const sunsetText = oldMajors.length ? ` Version ${[...new Set(oldMajors.map((d) => d.major))].join(", ")}.x keeps serving until ${day(sunsetAt)}.` : "";
      const what = a.preview.breakingCount > 0 ? `${a.preview.breakingCount} breaking change${a.preview.breakingCount === 1 ? "" : "s"}` : "a new major version";
      notified = await notifyUsers(tx, subscriberIds, {
        kind: a.preview.breakingCount > 0 ? "contract.breaking_change" : "contract.new_major",
        title: `${product.name} ${input.version}: ${what}`,
        body: `${changelog}${sunsetText}`.trim(),
        link: productLink(product.slug),
      });
    }
    return {
      versionId: row!.id,
      version: input.version,
      bump,
      breakingCount: a.preview.breakingCount,
      deprecated: deprecated.map((d) => ({ version: d.version, sunsetAt: (d.sunsetAt ?? now).toISOString() })),
      notified,
      tiersUpdated,
    };
  });
}

// ---- Compatibility mode --------------------------------------------------------------------

export async function setCompatibilityMode(db: Db, user: SessionUser, input: CompatibilityInput): Promise<{ mode: CompatibilityMode }> {
  await productForManager(db, user, input.productId, "data_product.compatibility");
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    if (product.compatibility === input.mode) return { mode: input.mode };
    await tx.update(dataProducts).set({ compatibility: input.mode, updatedAt: new Date() }).where(eq(dataProducts.id, product.id));
    await recordAudit(tx, {
      actor: userActor(user),
      action: "data_product.compatibility",
      resource: { type: "data_product", id: product.id },
      details: { from: product.compatibility, to: input.mode },
    });
    return { mode: input.mode };
  });
}

// ---- Lifecycle -----------------------------------------------------------------------------

export type LifecycleResult = { status: ProductStatus; sunsetAt: string | null; notified: number; endedSubscriptions: number };

/** Retires a locked product inside `tx`: versions retired, subscriptions ended (revocation jobs), subscribers told. */
async function retireLocked(tx: Db, product: ProductRow, actor: Actor, now: Date, reason?: string): Promise<LifecycleResult> {
  const subscriberIds = await listSubscriberUserIds(tx, product.id);
  const sunsetAt = product.sunsetAt && product.sunsetAt <= now ? product.sunsetAt : now;
  await tx.update(dataProducts).set({ status: "retired", sunsetAt, updatedAt: now }).where(eq(dataProducts.id, product.id));
  await tx
    .update(contractVersions)
    .set({ status: "retired", sunsetAt: now })
    .where(and(eq(contractVersions.productId, product.id), inArray(contractVersions.status, ["published", "deprecated"]), or(isNull(contractVersions.sunsetAt), gt(contractVersions.sunsetAt, now))));
  await tx
    .update(contractVersions)
    .set({ status: "retired" })
    .where(and(eq(contractVersions.productId, product.id), inArray(contractVersions.status, ["published", "deprecated", "draft"])));
  const ended = await endProductSubscriptions(tx, product.id, reason ? `The product was retired: ${reason}` : "The product was retired");
  await recordAudit(tx, {
    actor,
    action: "data_product.retire",
    resource: { type: "data_product", id: product.id },
    details: { from: product.status, sunsetAt: sunsetAt.toISOString(), endedSubscriptions: ended, reason: reason ?? null },
  });
  const notified = await notifyUsers(tx, subscriberIds, {
    kind: "product.retired",
    title: `${product.name} was retired`,
    body: `Your subscriptions to ${product.name} have ended and their credentials are being revoked.${reason ? ` ${reason}` : ""}`,
    link: "/subscriptions",
  });
  return { status: "retired", sunsetAt: sunsetAt.toISOString(), notified, endedSubscriptions: ended.length };
}

/**
 * Moves a product through its lifecycle (lifecycle.ts). Deprecating needs a future sunset date
 * and tells subscribers; withdrawing a deprecation clears it; retiring needs `confirm` and ends
 * every subscription. Publishing a draft belongs to the publish wizard (it runs the publish checks).
 */
export async function changeProductStatus(db: Db, user: SessionUser, input: LifecycleInput, now: Date = new Date()): Promise<LifecycleResult> {
  await productForManager(db, user, input.productId, `data_product.${input.to === "published" ? "reinstate" : input.to === "deprecated" ? "deprecate" : "retire"}`);
  return db.transaction(async (tx) => {
    const product = (await lockProduct(tx, input.productId))!;
    const problem = transitionProblem(product.status, input.to);
    if (problem) throw new AppError("conflict", problem);
    const actor = userActor(user);
    if (input.to === "published") {
      if (product.status === "draft") throw new AppError("conflict", "Publish a draft from the publish wizard: it runs the publish checks first.");
      // deprecated → published: the deprecation is withdrawn.
      await tx.update(dataProducts).set({ status: "published", sunsetAt: null, updatedAt: now }).where(eq(dataProducts.id, product.id));
      await recordAudit(tx, { actor, action: "data_product.reinstate", resource: { type: "data_product", id: product.id }, details: { from: product.status, previousSunsetAt: product.sunsetAt?.toISOString() ?? null, reason: input.reason ?? null } });
      const notified = await notifyUsers(tx, await listSubscriberUserIds(tx, product.id), {
        kind: "product.reinstated",
        title: `${product.name} is no longer deprecated`,
        body: "The owners withdrew the deprecation: the product keeps serving without a sunset date.",
        link: productLink(product.slug),
      });
      return { status: "published", sunsetAt: null, notified, endedSubscriptions: 0 };
    }
    if (input.to === "deprecated") {
      if (!input.sunsetAt) throw new AppError("validation", undefined, { fieldErrors: { sunsetAt: ["Choose the sunset date: the day the product stops serving."] } });
      if (input.sunsetAt.getTime() <= now.getTime()) throw new AppError("validation", undefined, { fieldErrors: { sunsetAt: ["The sunset date must be in the future."] } });
      await tx.update(dataProducts).set({ status: "deprecated", sunsetAt: input.sunsetAt, updatedAt: now }).where(eq(dataProducts.id, product.id));
      await recordAudit(tx, { actor, action: "data_product.deprecate", resource: { type: "data_product", id: product.id }, details: { from: product.status, sunsetAt: input.sunsetAt.toISOString(), reason: input.reason ?? null } });
      const notified = await notifyUsers(tx, await listSubscriberUserIds(tx, product.id), {
        kind: "product.deprecated",
        title: `${product.name} is deprecated: sunset ${day(input.sunsetAt)}`,
        body: `Your subscriptions keep working until ${day(input.sunsetAt)}; after that the product is retired and access ends.${input.reason ? ` ${input.reason}` : ""}`,
        link: productLink(product.slug),
      });
      return { status: "deprecated", sunsetAt: input.sunsetAt.toISOString(), notified, endedSubscriptions: 0 };
    }
    if (!input.confirm) throw new AppError("validation", undefined, { fieldErrors: { confirm: ["Confirm that every subscription ends now."] } });
    return retireLocked(tx, product, actor, now, input.reason);
  });
}

/**
 * Housekeeping for a periodic worker: retires deprecated products whose sunset has passed and
 * marks deprecated versions past their sunset as retired. Idempotent. Returns retired product ids.
 */
export async function retireDueProducts(db: Db, now: Date = new Date()): Promise<string[]> {
  const due = await db
    .select({ id: dataProducts.id })
    .from(dataProducts)
    .where(and(eq(dataProducts.status, "deprecated"), lte(dataProducts.sunsetAt, now)));
  const retired: string[] = [];
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const product = await lockProduct(tx, id);
      if (!product || product.status !== "deprecated" || !product.sunsetAt || product.sunsetAt > now) return;
      await retireLocked(tx, product, { type: "system", label: "sunset" }, now);
      retired.push(id);
    });
  }
  await retireSunsetVersions(db, now);
  return retired;
}

/**
 * Marks deprecated versions past their sunset `retired`, and tells the subscribers of a major
 * that stopped (in the app) that its delivery topics no longer receive records and which major
 * replaces it. A version superseded by a minor or patch of its own major also passes its sunset
 * here, but its topics keep serving the newer version: nobody is told. Once per version: the
 * notices go out in the transaction that retires it, so a second sweep finds nothing to do.
 * Returns the majors that stopped, per product.
 */
export async function retireSunsetVersions(db: Db, now: Date = new Date()): Promise<{ productId: string; major: number; replacedBy: number | null; notified: number }[]> {
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(contractVersions)
      .set({ status: "retired" })
      .where(and(eq(contractVersions.status, "deprecated"), lte(contractVersions.sunsetAt, now)))
      .returning({ productId: contractVersions.productId, major: contractVersions.major, version: contractVersions.version });
    const out: { productId: string; major: number; replacedBy: number | null; notified: number }[] = [];
    const seen = new Set<string>();
    for (const v of ended) {
      const key = `${v.productId}:${v.major}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const [product] = await tx.select().from(dataProducts).where(eq(dataProducts.id, v.productId));
      // A retired product's subscribers were told when it retired.
      if (!product || (product.status !== "published" && product.status !== "deprecated")) continue;
      const serving = await listServingVersions(tx, v.productId, now);
      if (serving.some((s) => s.major === v.major)) continue;
      const replacement = serving.find((s) => s.major > v.major) ?? null;
      const subscribers = await listSubscriberUserIds(tx, v.productId, [v.major]);
      const notified = await notifyUsers(tx, subscribers, {
        kind: "contract.major_sunset",
        title: `${product.name} v${v.major} reached its sunset`,
        body: `The delivery topics of version ${v.major}.x no longer receive records.${
          replacement ? ` Version ${replacement.version} (major ${replacement.major}) replaces it: subscribe to it to keep receiving ${product.name}.` : ""
        }`,
        link: productLink(product.slug),
      });
      await recordAudit(tx, {
        actor: { type: "system", label: "sunset" },
        action: "contract_version.sunset",
        resource: { type: "data_product", id: product.id },
        details: { major: v.major, lastVersion: v.version, replacedBy: replacement?.version ?? null, notified },
      });
      out.push({ productId: v.productId, major: v.major, replacedBy: replacement?.major ?? null, notified });
    }
    return out;
  });
}
