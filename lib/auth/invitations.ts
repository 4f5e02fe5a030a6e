import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invitations, memberships, organizations, teams, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./password";
import { findUserByEmail, normalizeEmail, teamBelongsToOrg } from "./queries";

/**
 * Invitations are how people get accounts while sign-up is off. The link carries a random
 * 256-bit token; only its sha256 is stored, so a database leak cannot be turned into accounts.
 * The token is returned once, to the inviting admin, and never again.
 */
export const INVITATION_TTL_DAYS = 7;

export function hashInvitationToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export type InviteInput = {
  email: string;
  orgId: string;
  teamId?: string | null;
  teamRole?: "member" | "owner";
  roles?: ("finance" | "admin")[];
};

export type Actor = { id: string; email: string };

export async function createInvitation(
  db: Db,
  actor: Actor,
  input: InviteInput,
  opts: { now?: Date; ttlDays?: number } = {},
): Promise<{ id: string; token: string; path: string; expiresAt: Date }> {
  const now = opts.now ?? new Date();
  const email = normalizeEmail(input.email);
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, email)) {
      throw new AppError("conflict", "A user with this email already exists.", {
        fieldErrors: { email: ["A user with this email already exists."] },
      });
    }
    const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, input.orgId));
    if (!org) throw new AppError("validation", undefined, { fieldErrors: { orgId: ["Choose an organization."] } });
    if (input.teamId && !(await teamBelongsToOrg(tx, input.teamId, input.orgId))) {
      throw new AppError("validation", undefined, { fieldErrors: { teamId: ["This team is not part of the chosen organization."] } });
    }
    // One live invitation per address: a new one replaces any pending one, so an old link
    // with different roles cannot be used after the admin changed their mind.
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + (opts.ttlDays ?? INVITATION_TTL_DAYS) * 86_400_000);
    const [row] = await tx
      .insert(invitations)
      .values({
        email,
        orgId: input.orgId,
        teamId: input.teamId ?? null,
        teamRole: input.teamRole ?? "member",
        roles: input.roles ?? [],
        tokenHash: hashInvitationToken(token),
        invitedBy: actor.id,
        expiresAt,
        createdAt: now,
      })
      .returning({ id: invitations.id });
    await recordAudit(tx, {
      actor: { type: "user", id: actor.id, label: actor.email },
      action: "invitation.create",
      resource: { type: "invitation", id: row.id },
      details: { email, orgId: input.orgId, teamId: input.teamId ?? null, teamRole: input.teamRole ?? "member", roles: input.roles ?? [] },
    });
    return { id: row.id, token, path: `/invite/${token}`, expiresAt };
  });
}

export type InvitationStatus = "valid" | "expired" | "revoked" | "used" | "not_found";

export type InvitationView = {
  status: InvitationStatus;
  invitation?: { id: string; email: string; orgName: string; teamName: string | null; expiresAt: Date };
};

export async function lookupInvitation(db: Db, token: string, now = new Date()): Promise<InvitationView> {
  if (!token || token.length > 200) return { status: "not_found" };
  const [row] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      orgName: organizations.name,
      teamName: teams.name,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      revokedAt: invitations.revokedAt,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(teams, eq(teams.id, invitations.teamId))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)))
    .limit(1);
  if (!row) return { status: "not_found" };
  const invitation = { id: row.id, email: row.email, orgName: row.orgName, teamName: row.teamName, expiresAt: row.expiresAt };
  if (row.acceptedAt) return { status: "used", invitation };
  if (row.revokedAt) return { status: "revoked", invitation };
  if (row.expiresAt <= now) return { status: "expired", invitation };
  return { status: "valid", invitation };
}

const refusal: Record<Exclude<InvitationStatus, "valid">, string> = {
  not_found: "This invitation link is not valid.",
  used: "This invitation has already been used. Sign in instead.",
  revoked: "This invitation was revoked. Ask an administrator for a new one.",
  expired: "This invitation has expired. Ask an administrator for a new one.",
};

type Acceptance = { name: string; password?: string; oidcSubject?: string };

/**
 * Turns a valid invitation into a user, its team membership and global roles, in one
 * transaction. The invitation row is locked FOR UPDATE so two clicks on the same link cannot
 * create two accounts.
 */
async function acceptWhere(
  db: Db,
  where: { tokenHash: string } | { email: string },
  acceptance: Acceptance,
  now: Date,
): Promise<{ userId: string; email: string }> {
  return db.transaction(async (tx) => {
    const cond =
      "tokenHash" in where
        ? eq(invitations.tokenHash, where.tokenHash)
        : and(eq(invitations.email, where.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));
    const [inv] = await tx.select().from(invitations).where(cond).orderBy(desc(invitations.createdAt)).limit(1).for("update");
    if (!inv) throw new AppError("not_found", refusal.not_found);
    if (inv.acceptedAt) throw new AppError("conflict", refusal.used);
    if (inv.revokedAt) throw new AppError("forbidden", refusal.revoked);
    if (inv.expiresAt <= now) throw new AppError("forbidden", refusal.expired);
    if (await findUserByEmail(tx, inv.email)) throw new AppError("conflict", refusal.used);

    const [user] = await tx
      .insert(users)
      .values({
        email: inv.email,
        name: acceptance.name.trim(),
        passwordHash: acceptance.password ? await hashPassword(acceptance.password) : null,
        oidcSubject: acceptance.oidcSubject ?? null,
        orgId: inv.orgId,
        roles: inv.roles,
      })
      .returning({ id: users.id, email: users.email });
    if (inv.teamId) {
      await tx.insert(memberships).values({ userId: user.id, teamId: inv.teamId, role: inv.teamRole });
    }
    await tx.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, inv.id));
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, label: user.email },
      action: "invitation.accept",
      resource: { type: "invitation", id: inv.id },
      details: { method: acceptance.oidcSubject ? "oidc" : "password" },
    });
    return { userId: user.id, email: user.email };
  });
}

export async function acceptInvitation(
  db: Db,
  token: string,
  input: { name: string; password: string },
  opts: { now?: Date } = {},
): Promise<{ userId: string; email: string }> {
  return acceptWhere(db, { tokenHash: hashInvitationToken(token) }, input, opts.now ?? new Date());
}

/** An OIDC sign-in by an invited address accepts the newest live invitation for it. */
export async function acceptInvitationForOidc(
  db: Db,
  email: string,
  input: { name: string; oidcSubject: string },
  opts: { now?: Date } = {},
): Promise<{ userId: string; email: string } | null> {
  try {
    return await acceptWhere(db, { email: normalizeEmail(email) }, input, opts.now ?? new Date());
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

export async function revokeInvitation(db: Db, actor: Actor, invitationId: string, opts: { now?: Date } = {}): Promise<void> {
  const now = opts.now ?? new Date();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id, email: invitations.email });
    if (!row) throw new AppError("not_found", "No pending invitation with this id.");
    await recordAudit(tx, {
      actor: { type: "user", id: actor.id, label: actor.email },
      action: "invitation.revoke",
      resource: { type: "invitation", id: row.id },
      details: { email: row.email },
    });
  });
}

export type PendingInvitation = {
  id: string;
  email: string;
  orgName: string;
  teamName: string | null;
  teamRole: "member" | "owner";
  roles: ("finance" | "admin")[];
  expiresAt: Date;
  createdAt: Date;
};

/** Invitations not yet accepted or revoked, expired ones included so an admin sees them lapse. */
export async function listPendingInvitations(db: Db): Promise<PendingInvitation[]> {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      orgName: organizations.name,
      teamName: teams.name,
      teamRole: invitations.teamRole,
      roles: invitations.roles,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(teams, eq(teams.id, invitations.teamId))
    .where(and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt));
}
