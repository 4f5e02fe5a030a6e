import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { clusters, contractVersions, dataProducts, maskingTiers } from "@/db/schema";
import { createTeam } from "@/lib/catalog/test-fixtures";
import { flattenSchema, type ContractField } from "@/lib/contracts";

/** A small payments-like contract for router tests: two direct identifiers, one quasi, rules. */
export const PAYMENT_SCHEMA_V1 = {
  type: "object",
  required: ["id", "msisdn", "amount", "ts"],
  properties: {
    id: { type: "string" },
    msisdn: { type: "string" },
    email: { type: "string" },
    amount: { type: "number" },
    ts: { type: "string", format: "date-time" },
    country: { type: "string" },
    note: { type: "string" },
  },
};

/** 1.1.0: adds optional `channel` (compatible). */
export const PAYMENT_SCHEMA_V1_1 = {
  ...PAYMENT_SCHEMA_V1,
  properties: { ...PAYMENT_SCHEMA_V1.properties, channel: { type: "string" } },
};

/** 2.0.0: `amount` becomes `amount_minor` (integer, required): breaking. */
export const PAYMENT_SCHEMA_V2 = {
  type: "object",
  required: ["id", "msisdn", "amount_minor", "ts"],
  properties: {
    id: { type: "string" },
    msisdn: { type: "string" },
    email: { type: "string" },
    amount_minor: { type: "integer" },
    ts: { type: "string", format: "date-time" },
    country: { type: "string" },
    note: { type: "string" },
  },
};

export const PII: Record<string, ContractField["pii"]> = { msisdn: "direct", email: "direct", note: "sensitive" };

export function contractFields(schema: unknown): ContractField[] {
  return flattenSchema("json-schema", schema).map((f) => ({ ...f, pii: PII[f.path] ?? "none" }));
}

export const PAYMENT_RULES = [{ id: "r1", kind: "range", field: "amount", params: { min: 0, max: 10_000 } }];

export const PAYMENT_TIERS = [
  { name: "full", fullAccess: true, rules: {} },
  {
    name: "internal",
    fullAccess: false,
    rules: { msisdn: { strategy: "hash" }, email: { strategy: "tokenize" }, note: { strategy: "drop" }, ts: { strategy: "generalize", truncate: "hour" } },
  },
  {
    name: "public",
    fullAccess: false,
    rules: { msisdn: { strategy: "drop" }, email: { strategy: "redact" }, note: { strategy: "drop" }, amount: { strategy: "generalize", bucket: 100 } },
  },
];

export type VersionSpec = { version: string; schema: unknown; status?: "draft" | "published" | "deprecated" | "retired"; qualityRules?: unknown[] };

export async function addContractVersion(db: Db, productId: string, v: VersionSpec) {
  const [major, minor, patch] = v.version.split(".").map(Number);
  const [row] = await db
    .insert(contractVersions)
    .values({
      productId,
      version: v.version,
      major,
      minor,
      patch,
      status: v.status ?? "published",
      schemaFormat: "json-schema",
      schema: v.schema,
      fields: contractFields(v.schema),
      qualityRules: v.qualityRules ?? (major === 1 ? PAYMENT_RULES : []),
      publishedAt: new Date(),
    })
    .returning();
  return row;
}

/**
 * A routable product (cluster, source topic, contract, tiers). `status: "draft"` makes one the
 * router must ignore until it is published.
 */
export async function createRoutedProduct(
  db: Db,
  opts: { slug?: string; sourceTopic?: string; status?: "draft" | "published" | "deprecated"; versions?: VersionSpec[]; tiers?: typeof PAYMENT_TIERS } = {},
) {
  const suffix = randomBytes(3).toString("hex");
  const slug = opts.slug ?? `payments-${suffix}`;
  const team = await createTeam(db, `Router team ${suffix}`);
  const [cluster] = await db.insert(clusters).values({ name: `embedded-${suffix}`, bootstrapServers: "localhost:9092", embedded: true }).returning();
  const [product] = await db
    .insert(dataProducts)
    .values({ slug, name: `Payments ${suffix}`, domain: "payments", ownerTeamId: team.id, clusterId: cluster.id, sourceTopic: opts.sourceTopic ?? `src.${slug}`, status: opts.status ?? "published", publishedAt: new Date() })
    .returning();
  for (const v of opts.versions ?? [{ version: "1.0.0", schema: PAYMENT_SCHEMA_V1 }]) await addContractVersion(db, product.id, v);
  for (const t of opts.tiers ?? PAYMENT_TIERS) await db.insert(maskingTiers).values({ productId: product.id, name: t.name, fullAccess: t.fullAccess, rules: t.rules });
  return product;
}

export async function setProductStatus(db: Db, productId: string, status: "draft" | "published" | "deprecated" | "retired") {
  await db.update(dataProducts).set({ status }).where(eq(dataProducts.id, productId));
}

export function paymentRecord(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `pay-${i}`,
    msisdn: `PIIMSISDN${String(100000 + i)}`,
    email: `PIIMAIL${i}@example.test`,
    amount: (i * 7) % 9_000,
    ts: new Date(Date.UTC(2026, 10, 22, 8, i % 60, 0)).toISOString(),
    country: "DE",
    note: `PIINOTE${i}`,
    ...over,
  };
}
