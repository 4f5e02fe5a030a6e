/**
 * What an export document is built from, read with the product page's visibility rules: a
 * signed-out visitor only when the catalog is public; listed products (published, deprecated)
 * only, and for external organizations only products with a plan open to them (and only those
 * plans' tiers); owners of the product's team and admins see every status and every tier.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters, maskingTiers, organizations, plans, teams } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { getCatalogProduct } from "@/lib/catalog/queries";
import { catalogViewerFor } from "@/lib/catalog/service";
import { parseSemver, type ContractField } from "@/lib/contracts";
import { findProductBySlug, listContractVersions, listServingVersions, type ContractVersionRow, type ProductRow } from "@/lib/versions/queries";
import { canManageProduct, currentVersion, storedFields } from "@/lib/versions/service";

export type ExportViewer = { user: SessionUser | null; publicCatalog: boolean };

export type ExportPlan = {
  name: string;
  tier: string;
  priceModel: "free" | "per_gb" | "per_million_messages" | "flat_monthly";
  priceMinor: number;
  currency: string;
  approval: "auto" | "manual";
  externalAllowed: boolean;
};

export type ExportTier = { name: string; description: string; fullAccess: boolean; rules: Record<string, unknown> };

export type ExportVersion = {
  version: string;
  major: number;
  status: ContractVersionRow["status"];
  schemaFormat: "json-schema" | "avro";
  schema: unknown;
  fields: ContractField[];
  freshnessSlaSeconds: number | null;
  availabilityTarget: string | null;
  retentionHours: number | null;
  purposes: string[];
  prohibitedUses: string[];
  qualityRules: unknown[];
  supportContact: string | null;
  changelog: string | null;
  publishedAt: Date | null;
  sunsetAt: Date | null;
};

export type ExportSource = {
  product: Pick<ProductRow, "id" | "slug" | "name" | "summary" | "description" | "domain" | "tags" | "status" | "classification" | "compatibility" | "sourceTopic" | "contactEmail" | "sunsetAt">;
  team: { slug: string; name: string; contactEmail: string | null };
  org: { name: string };
  /** The version the document describes (?version=, else the current one). */
  version: ExportVersion;
  /** Versions with a delivery topic now, one per major (just `version` when one was asked for). */
  serving: ExportVersion[];
  tiers: ExportTier[];
  plans: ExportPlan[];
  cluster: { name: string; bootstrap: string[] };
};

function toExportVersion(v: ContractVersionRow): ExportVersion {
  return {
    version: v.version,
    major: v.major,
    status: v.status,
    schemaFormat: v.schemaFormat,
    schema: v.schema,
    fields: storedFields(v.fields),
    freshnessSlaSeconds: v.freshnessSlaSeconds,
    availabilityTarget: v.availabilityTarget,
    retentionHours: v.retentionHours,
    purposes: v.purposes,
    prohibitedUses: v.prohibitedUses,
    qualityRules: Array.isArray(v.qualityRules) ? (v.qualityRules as unknown[]) : [],
    supportContact: v.supportContact,
    changelog: v.changelog,
    publishedAt: v.publishedAt,
    sunsetAt: v.sunsetAt,
  };
}

/**
 * The export source, or null when the viewer may not see the product or the asked version (the
 * route answers 404 either way, so a hidden product is indistinguishable from a missing one).
 * `embeddedBrokers` is the embedded broker's address from env (its cluster row is a placeholder).
 */
export async function loadExportSource(
  db: Db,
  slug: string,
  viewer: ExportViewer,
  opts: { version?: string; embeddedBrokers: string[]; now?: Date },
): Promise<ExportSource | null> {
  const row = await findProductBySlug(db, slug);
  if (!row) return null;
  const product = row.product;
  const manager = viewer.user !== null && canManageProduct(viewer.user, product);
  let visiblePlanIds: Set<string> | null = null;
  if (!manager) {
    if (!viewer.user && !viewer.publicCatalog) return null;
    const listed = await getCatalogProduct(db, slug, catalogViewerFor(viewer.user));
    if (!listed) return null;
    visiblePlanIds = new Set(listed.plans.map((p) => p.id));
  }

  const all = await listContractVersions(db, product.id);
  const visible = manager ? all : all.filter((v) => v.status === "published" || v.status === "deprecated");
  let selected: ContractVersionRow | undefined;
  if (opts.version) {
    if (!parseSemver(opts.version)) return null;
    selected = visible.find((v) => v.version === opts.version);
  } else {
    selected = currentVersion(visible) ?? visible[0];
  }
  if (!selected) return null;

  const [teamRow] = await db
    .select({ slug: teams.slug, name: teams.name, contactEmail: teams.contactEmail, orgName: organizations.name })
    .from(teams)
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(eq(teams.id, product.ownerTeamId));
  const planRows = await db
    .select({ plan: plans, tier: maskingTiers })
    .from(plans)
    .innerJoin(maskingTiers, eq(maskingTiers.id, plans.tierId))
    .where(and(eq(plans.productId, product.id), eq(plans.active, true)))
    .orderBy(asc(plans.priceMinor), asc(plans.name));
  const shownPlans = planRows.filter((r) => !visiblePlanIds || visiblePlanIds.has(r.plan.id));
  let tierRows: (typeof maskingTiers.$inferSelect)[];
  if (manager) {
    tierRows = await db.select().from(maskingTiers).where(eq(maskingTiers.productId, product.id)).orderBy(asc(maskingTiers.name));
  } else {
    const byId = new Map(shownPlans.map((r) => [r.tier.id, r.tier]));
    tierRows = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  let cluster = { name: "kafka", bootstrap: opts.embeddedBrokers };
  if (product.clusterId) {
    const [c] = await db.select().from(clusters).where(eq(clusters.id, product.clusterId));
    if (c && !c.embedded) cluster = { name: c.name, bootstrap: c.bootstrapServers.split(",").map((s) => s.trim()).filter(Boolean) };
    else if (c) cluster = { name: c.name, bootstrap: opts.embeddedBrokers };
  }

  let serving: ExportVersion[];
  if (opts.version) serving = [toExportVersion(selected)];
  else {
    const live = await listServingVersions(db, product.id, opts.now ?? new Date());
    serving = (live.length ? live : [selected]).map(toExportVersion);
  }

  return {
    product: {
      id: product.id,
      slug: product.slug,
      name: product.name,
      summary: product.summary,
      description: product.description,
      domain: product.domain,
      tags: product.tags,
      status: product.status,
      classification: product.classification,
      compatibility: product.compatibility,
      sourceTopic: product.sourceTopic,
      contactEmail: product.contactEmail,
      sunsetAt: product.sunsetAt,
    },
    team: { slug: teamRow!.slug, name: teamRow!.name, contactEmail: teamRow!.contactEmail },
    org: { name: teamRow!.orgName },
    version: toExportVersion(selected),
    serving,
    tiers: tierRows.map((t) => ({ name: t.name, description: t.description, fullAccess: t.fullAccess, rules: (t.rules ?? {}) as Record<string, unknown> })),
    plans: shownPlans.map(({ plan, tier }) => ({
      name: plan.name,
      tier: tier.name,
      priceModel: plan.priceModel,
      priceMinor: plan.priceMinor,
      currency: plan.currency,
      approval: plan.approval,
      externalAllowed: plan.externalAllowed,
    })),
    cluster,
  };
}
