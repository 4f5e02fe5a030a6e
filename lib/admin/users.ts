import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import type { GlobalRole, SessionUser } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { assertAdmin, auditAdmin } from "./guard";

/**
 * Platform roles of one user. An admin cannot take their own admin role away, and the last
 * enabled admin keeps theirs, so the platform always has someone who can administer it.
 */
export async function setUserRoles(db: Db, actor: SessionUser, input: { userId: string; finance: boolean; admin: boolean }): Promise<GlobalRole[]> {
  assertAdmin(actor);
  const roles: GlobalRole[] = [...(input.finance ? (["finance"] as const) : []), ...(input.admin ? (["admin"] as const) : [])];
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ roles: users.roles, email: users.email }).from(users).where(eq(users.id, input.userId)).for("update");
    if (!before) throw new AppError("not_found", "No such user.");
    if (before.roles.includes("admin") && !input.admin) {
      if (input.userId === actor.id) throw new AppError("conflict", "You cannot remove your own admin role.");
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(ne(users.id, input.userId), eq(users.disabled, false), sql`'admin' = any(${users.roles})`));
      if (n === 0) throw new AppError("conflict", "This is the last admin; make someone else admin first.");
    }
    if ([...before.roles].sort().join() === [...roles].sort().join()) return roles;
    await tx.update(users).set({ roles }).where(eq(users.id, input.userId));
    await auditAdmin(tx, actor, { action: "user.roles.update", resource: { type: "user", id: input.userId }, details: { email: before.email, from: before.roles, to: roles } });
    return roles;
  });
}
