import { randomBytes } from "node:crypto";
import type { Db } from "@/db/client";
import { contractVersions, dataProducts, maskingTiers, organizations, plans, teams } from "@/db/schema";

/** Minimal catalog rows for tests: each test file builds exactly the products it asserts on. */
export async function createTeam(db: Db, name: string, kind: "internal" | "external" = "internal") {
  const suffix = randomBytes(3).toString("hex");
  const [org] = await db
    .insert(organizations)
    .values({ slug: `org-${suffix}`, name: `Org ${suffix}`, kind })
    .returning();
  const [team] = await db
    .insert(teams)
    .values({ orgId: org.id, slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${suffix}`, name, contactEmail: `team-${suffix}@example.test` })
    .returning();
  return team;
}

export type ProductSpec = {
  slug: string;
  name: string;
  summary?: string;
  description?: string;
  domain?: string;
  tags?: string[];
  fieldNames?: string[];
  status?: "draft" | "published" | "deprecated" | "retired";
  classification?: "public" | "internal" | "confidential" | "restricted";
  teamId: string;
  publishedAt?: Date;
  plans?: {
    name?: string;
    priceModel?: "free" | "per_gb" | "per_million_messages" | "flat_monthly";
    priceMinor?: number;
    approval?: "auto" | "manual";
    externalAllowed?: boolean;
  }[];
  schema?: unknown;
  schemaFormat?: "json-schema" | "avro";
  fields?: unknown[];
};

export async function createProduct(db: Db, s: ProductSpec) {
  const [p] = await db
    .insert(dataProducts)
    .values({
      slug: s.slug,
      name: s.name,
      summary: s.summary ?? "",
      description: s.description ?? "",
      domain: s.domain ?? "general",
      tags: s.tags ?? [],
      fieldNames: s.fieldNames ?? [],
      status: s.status ?? "published",
      classification: s.classification ?? "internal",
      ownerTeamId: s.teamId,
      publishedAt: s.publishedAt ?? new Date("2026-01-01T00:00:00Z"),
    })
    .returning();
  const [tier] = await db.insert(maskingTiers).values({ productId: p.id, name: "standard" }).returning();
  for (const [i, pl] of (s.plans ?? [{}]).entries()) {
    await db.insert(plans).values({
      productId: p.id,
      tierId: tier.id,
      name: pl.name ?? `Plan ${i + 1}`,
      priceModel: pl.priceModel ?? "free",
      priceMinor: pl.priceMinor ?? 0,
      approval: pl.approval ?? "auto",
      externalAllowed: pl.externalAllowed ?? false,
    });
  }
  await db.insert(contractVersions).values({
    productId: p.id,
    version: "1.0.0",
    major: 1,
    minor: 0,
    patch: 0,
    status: "published",
    schemaFormat: s.schemaFormat ?? "json-schema",
    schema: s.schema ?? { type: "object", properties: {} },
    fields: s.fields ?? [],
    freshnessSlaSeconds: 60,
    retentionHours: 168,
    purposes: ["network-optimisation"],
    qualityRules: [{ id: "r1", kind: "range", field: "x", params: { min: 0, max: 10 } }],
  });
  return p;
}
