import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import type { Actor } from "./invitations";

/**
 * Disabling takes effect on the user's next request: getSessionUser() re-reads the row, so
 * their session stops working without waiting for the JWT to expire. An admin cannot disable
 * themselves, so the platform never loses its last admin by accident.
 */
export async function setUserDisabled(db: Db, actor: Actor, userId: string, disabled: boolean): Promise<void> {
  if (actor.id === userId) throw new AppError("conflict", "You cannot disable your own account.");
  await db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ disabled }).where(eq(users.id, userId)).returning({ id: users.id, email: users.email });
    if (!row) throw new AppError("not_found", "No such user.");
    await recordAudit(tx, {
      actor: { type: "user", id: actor.id, label: actor.email },
      action: disabled ? "user.disable" : "user.enable",
      resource: { type: "user", id: row.id },
      details: { email: row.email },
    });
  });
}
