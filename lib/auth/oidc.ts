import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { acceptInvitationForOidc } from "./invitations";
import { findUserByEmail, normalizeEmail } from "./queries";

export type OidcIdentity = { sub: string; email?: string | null; emailVerified?: boolean | null; name?: string | null };

/**
 * Maps an OIDC identity to a Tributary user; there is no open sign-up. In order: the user
 * already linked to this subject; an existing user with the same (verified) email, which gets
 * linked; a live invitation for the email, which is accepted. Anyone else is refused (null).
 * An email the provider marks unverified is never trusted for linking.
 */
export async function resolveOidcUser(db: Db, identity: OidcIdentity, opts: { now?: Date; ip?: string | null } = {}): Promise<string | null> {
  const now = opts.now ?? new Date();
  const email = identity.email ? normalizeEmail(identity.email) : null;
  const audit = (result: "success" | "denied", userId: string | null, reason: string) =>
    recordAudit(db, {
      actor: userId ? { type: "user", id: userId, label: email } : { type: "anonymous", label: email ?? identity.sub },
      action: "auth.sign_in",
      resource: { type: "user", id: userId },
      result,
      ip: opts.ip ?? null,
      details: { method: "oidc", reason },
    });

  const [bySubject] = await db.select().from(users).where(eq(users.oidcSubject, identity.sub)).limit(1);
  let user = bySubject ?? null;
  let reason = "subject";
  if (!user && email && identity.emailVerified !== false) {
    const byEmail = await findUserByEmail(db, email);
    if (byEmail && !byEmail.oidcSubject) {
      await db.update(users).set({ oidcSubject: identity.sub }).where(eq(users.id, byEmail.id));
      user = byEmail;
      reason = "linked_by_email";
    } else if (!byEmail) {
      const accepted = await acceptInvitationForOidc(db, email, { name: identity.name?.trim() || email, oidcSubject: identity.sub }, { now });
      if (accepted) {
        const [created] = await db.select().from(users).where(eq(users.id, accepted.userId)).limit(1);
        user = created ?? null;
        reason = "invitation";
      }
    }
  }
  if (!user) {
    await audit("denied", null, "no_account");
    return null;
  }
  if (user.disabled) {
    await audit("denied", user.id, "disabled");
    return null;
  }
  await db.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  await audit("success", user.id, reason);
  return user.id;
}
