import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contractVersions, maskingTiers, organizations, users } from "@/db/schema";
import { loadSessionUser } from "@/lib/auth/queries";
import { buildFieldList } from "@/lib/contracts";
import { createSubscriptionWorld } from "@/lib/subscriptions/test-fixtures";

/** Version 1.2.0 of the test product: a call record with one direct identifier. */
export const SCHEMA_V1 = {
  type: "object",
  required: ["id", "msisdn", "duration"],
  properties: {
    id: { type: "string" },
    msisdn: { type: "string" },
    duration: { type: "integer", minimum: 0 },
    status: { enum: ["ok", "dropped"] },
    cell: { type: "object", properties: { pci: { type: "integer" } } },
  },
};

export function schemaWith(mut: (props: Record<string, unknown>, s: Record<string, unknown>) => void): Record<string, unknown> {
  const s = structuredClone(SCHEMA_V1) as Record<string, unknown>;
  mut(s.properties as Record<string, unknown>, s);
  return s;
}

/**
 * The subscription world (lib/subscriptions/test-fixtures) with a real contract: SCHEMA_V1 with
 * documented fields (msisdn tagged direct), the masked tier hashing msisdn, a quality rule on
 * `duration`, plus an admin of another org.
 */
export async function createVersionWorld(db: Db) {
  const w = await createSubscriptionWorld(db);
  const { fields } = buildFieldList("json-schema", SCHEMA_V1);
  for (const f of fields) {
    f.description = `About ${f.path}`;
    f.pii = f.path === "msisdn" ? "direct" : "none";
  }
  await db
    .update(contractVersions)
    .set({
      schema: SCHEMA_V1,
      fields,
      freshnessSlaSeconds: 60,
      retentionHours: 168,
      availabilityTarget: "99.9%",
      qualityRules: [
        { id: "duration-range", kind: "range", field: "duration", params: { min: 0, max: 86400 } },
        { id: "status-known", kind: "enum", field: "status", params: { values: ["ok", "dropped"] } },
      ],
      publishedAt: new Date("2026-01-01T00:00:00Z"),
    })
    .where(eq(contractVersions.productId, w.product.id));
  await db.update(maskingTiers).set({ rules: { msisdn: { strategy: "hash" } } }).where(eq(maskingTiers.id, w.tiers.masked.id));
  const [org] = await db.insert(organizations).values({ slug: `platform-${w.tag}`, name: `Platform ${w.tag}`, kind: "internal" }).returning();
  const [u] = await db.insert(users).values({ email: `admin-${w.tag}@test.tributary`, name: "admin", orgId: org!.id, roles: ["admin"] }).returning();
  const admin = (await loadSessionUser(db, u!.id))!;
  return { ...w, admin };
}

export type VersionWorld = Awaited<ReturnType<typeof createVersionWorld>>;
