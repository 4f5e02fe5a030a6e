import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dataProducts } from "@/db/schema";
import { isAdmin, isMemberOfTeam, isOwnerOfTeam, type SessionUser } from "@/lib/auth/roles";

/**
 * What a viewer may see of a product's operations (health, consumers, every tier's samples):
 * members of the owning team and admins. Revoking a subscription stays with the team's owners,
 * as revokeSubscription enforces.
 */
export type ProductOpsAccess = { canViewOps: boolean; canRevoke: boolean };

export function productOpsAccess(user: SessionUser | null, ownerTeamId: string): ProductOpsAccess {
  if (!user) return { canViewOps: false, canRevoke: false };
  return {
    canViewOps: isAdmin(user) || isMemberOfTeam(user, ownerTeamId),
    canRevoke: isOwnerOfTeam(user, ownerTeamId),
  };
}

export async function findProductOwnerTeam(db: Db, productId: string): Promise<string | undefined> {
  const [row] = await db.select({ ownerTeamId: dataProducts.ownerTeamId }).from(dataProducts).where(eq(dataProducts.id, productId));
  return row?.ownerTeamId;
}

/** The product ids of `productIds` whose operations `user` may see, in the given order. */
export async function filterOpsVisibleProducts(db: Db, user: SessionUser | null, productIds: string[]): Promise<string[]> {
  if (!user || productIds.length === 0) return [];
  if (isAdmin(user)) return productIds;
  const rows = await db
    .select({ id: dataProducts.id, ownerTeamId: dataProducts.ownerTeamId })
    .from(dataProducts)
    .where(inArray(dataProducts.id, productIds));
  const allowed = new Set(rows.filter((r) => isMemberOfTeam(user, r.ownerTeamId)).map((r) => r.id));
  return productIds.filter((id) => allowed.has(id));
}
