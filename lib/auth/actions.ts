"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { publicAction, safeAction } from "@/lib/actions/safe-action";
import { mailInvitation } from "@/lib/notifications/invitation-email";
import { smtpSettingsFromEnv } from "@/lib/notifications/settings";
import { currentRequestContext } from "@/lib/ops/context";
import { createLogger } from "@/lib/ops/log";
import { acceptInvitation, createInvitation, revokeInvitation } from "./invitations";
import { clientIp } from "./options";
import { AcceptInvitationSchema, InviteSchema, RevokeInvitationSchema, SetUserDisabledSchema, SignUpSchema } from "./schemas";
import { signUp } from "./signup";
import { setUserDisabled } from "./users";

/**
 * Returns the invitation path once; the token is not stored and cannot be shown again. With
 * SMTP configured the invitee also gets it by e-mail (after the commit; a failed send is
 * reported, and the admin still has the link).
 */
export const inviteUserAction = safeAction({ schema: InviteSchema, role: "admin" }, async (input, { user, db }) => {
  const created = await createInvitation(db, user, input);
  revalidatePath("/admin/users");
  const email = input.email.toLowerCase();
  const smtp = await smtpSettingsFromEnv();
  const mail = smtp
    ? await mailInvitation(smtp, { email, url: new URL(created.path, env().appUrl).toString(), expiresAt: created.expiresAt, invitedBy: user.name || user.email })
    : null;
  if (mail && !mail.emailed) createLogger("invitations").warn("invitation e-mail not sent", { invitation: created.id, error: mail.reason, request_id: currentRequestContext()?.correlationId });
  return { email, path: created.path, expiresAt: created.expiresAt.toISOString(), emailed: mail ? mail.emailed : null };
});

export const revokeInvitationAction = safeAction({ schema: RevokeInvitationSchema, role: "admin" }, async (input, { user, db }) => {
  await revokeInvitation(db, user, input.invitationId);
  revalidatePath("/admin/users");
  return { invitationId: input.invitationId };
});

/** The invitee is signed out; the token itself is the authorization. */
export const acceptInvitationAction = publicAction({ schema: AcceptInvitationSchema }, async (input, { db }) => {
  const { email } = await acceptInvitation(db, input.token, { name: input.name, password: input.password });
  return { email };
});

export const setUserDisabledAction = safeAction({ schema: SetUserDisabledSchema, role: "admin" }, async (input, { user, db }) => {
  await setUserDisabled(db, user, input.userId, input.disabled);
  revalidatePath("/admin/users");
  return { userId: input.userId, disabled: input.disabled };
});

/** Only with ALLOW_SIGNUP on; otherwise accounts come from invitations alone. */
export const signUpAction = publicAction({ schema: SignUpSchema }, async (input, { db }) => {
  if (!env().ALLOW_SIGNUP) throw new AppError("forbidden", "Sign-up is closed. Ask an administrator for an invitation.");
  const ip = clientIp(Object.fromEntries(await headers()));
  const { email } = await signUp(db, input, { ip });
  return { email };
});
