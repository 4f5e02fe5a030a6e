import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dataProducts } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { getSetting, setSetting } from "@/lib/settings/service";
import { assertAdmin, auditAdmin } from "./guard";

export async function setExternalAccessDefaultExpiry(db: Db, actor: SessionUser, days: number | null): Promise<void> {
  assertAdmin(actor);
  await setSetting(db, "external_access_default_expiry_days", { days }, actor);
}

export async function readPlatformSettings(db: Db, actor: SessionUser) {
  assertAdmin(actor);
  const [publicCatalog, externalExpiryDays] = await Promise.all([getSetting(db, "public_catalog"), getSetting(db, "external_access_default_expiry_days")]);
  return { publicCatalog, externalExpiryDays: externalExpiryDays.days };
}

export async function listProductsForKeyRotation(db: Db, actor: SessionUser) {
  assertAdmin(actor);
  return db
    .select({ id: dataProducts.id, slug: dataProducts.slug, name: dataProducts.name, status: dataProducts.status, maskingKeyVersion: dataProducts.maskingKeyVersion })
    .from(dataProducts)
    .orderBy(asc(dataProducts.name));
}

/**
 * Rotates the hash/tokenize masking key of one product or of every product by bumping
 * data_products.masking_key_version; the router derives keys from it (lib/masking/keys.ts) and
 * picks the new version up with the product, so hashed values change from then on (joins across
 * the rotation break: that is the point of rotating). One audit entry per product.
 */
export async function rotateMaskingKeys(
  db: Db,
  actor: SessionUser,
  input: { scope: "product"; productId: string } | { scope: "all" },
): Promise<{ rotated: { id: string; slug: string; from: number; to: number }[] }> {
  assertAdmin(actor);
  return db.transaction(async (tx) => {
    const where = input.scope === "product" ? eq(dataProducts.id, input.productId) : undefined;
    const before = await tx
      .select({ id: dataProducts.id, slug: dataProducts.slug, version: dataProducts.maskingKeyVersion })
      .from(dataProducts)
      .where(where)
      .for("update");
    if (input.scope === "product" && !before.length) throw new AppError("validation", undefined, { fieldErrors: { productId: ["Unknown product."] } });
    if (!before.length) return { rotated: [] };
    await tx
      .update(dataProducts)
      .set({ maskingKeyVersion: sql`${dataProducts.maskingKeyVersion} + 1` })
      .where(inArray(dataProducts.id, before.map((p) => p.id)));
    const rotated = before.map((p) => ({ id: p.id, slug: p.slug, from: p.version, to: p.version + 1 }));
    for (const r of rotated) {
      await auditAdmin(tx, actor, {
        action: "masking_key.rotate",
        resource: { type: "data_product", id: r.id },
        details: { slug: r.slug, from: r.from, to: r.to, scope: input.scope },
      });
    }
    return { rotated };
  });
}
