import { and, asc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { costCenters, memberships, organizations, teams, users } from "@/db/schema";
import type { SessionUser } from "@/lib/auth/roles";
import { normalizeEmail } from "@/lib/auth/queries";
import { AppError } from "@/lib/errors";
import { assertAdmin, auditAdmin, isUniqueViolation, slugify } from "./guard";
import type { CreateCostCenterSchema, CreateTeamSchema, SetMembershipSchema, UpdateCostCenterSchema, UpdateTeamSchema } from "./schemas";

export type TeamRow = {
  id: string;
  slug: string;
  name: string;
  orgId: string;
  orgName: string;
  contactEmail: string | null;
  costCenterId: string | null;
  costCenterCode: string | null;
  members: { userId: string; name: string; email: string; role: "member" | "owner" }[];
};

export async function listTeams(db: Db, actor: SessionUser): Promise<TeamRow[]> {
  assertAdmin(actor);
  return db
    .select({
      id: teams.id,
      slug: teams.slug,
      name: teams.name,
      orgId: teams.orgId,
      orgName: organizations.name,
      contactEmail: teams.contactEmail,
      costCenterId: teams.costCenterId,
      costCenterCode: costCenters.code,
      members: sql<TeamRow["members"]>`coalesce((
        select json_agg(json_build_object('userId', ${users.id}, 'name', ${users.name}, 'email', ${users.email}, 'role', ${memberships.role}) order by ${memberships.role} desc, ${users.name})
        from ${memberships} join ${users} on ${users.id} = ${memberships.userId}
        where ${memberships.teamId} = ${teams.id}
      ), '[]'::json)`,
    })
    .from(teams)
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .leftJoin(costCenters, eq(costCenters.id, teams.costCenterId))
    .orderBy(asc(organizations.name), asc(teams.name));
}

export type CostCenterRow = { id: string; orgId: string; orgName: string; code: string; name: string; teamCount: number };

export async function listCostCenters(db: Db, actor: SessionUser): Promise<CostCenterRow[]> {
  assertAdmin(actor);
  return db
    .select({
      id: costCenters.id,
      orgId: costCenters.orgId,
      orgName: organizations.name,
      code: costCenters.code,
      name: costCenters.name,
      teamCount: sql<number>`(select count(*)::int from ${teams} where ${teams.costCenterId} = ${costCenters.id})`,
    })
    .from(costCenters)
    .innerJoin(organizations, eq(organizations.id, costCenters.orgId))
    .orderBy(asc(organizations.name), asc(costCenters.code));
}

/** A team's cost center must belong to the team's organization: chargeback never crosses orgs. */
async function checkCostCenter(db: Db, costCenterId: string | undefined, orgId: string): Promise<void> {
  if (!costCenterId) return;
  const [cc] = await db.select({ orgId: costCenters.orgId }).from(costCenters).where(eq(costCenters.id, costCenterId));
  if (!cc) throw new AppError("validation", undefined, { fieldErrors: { costCenterId: ["Unknown cost center."] } });
  if (cc.orgId !== orgId) throw new AppError("validation", undefined, { fieldErrors: { costCenterId: ["Choose a cost center of the team's organization."] } });
}

export async function createCostCenter(db: Db, actor: SessionUser, input: z.output<typeof CreateCostCenterSchema>): Promise<{ id: string }> {
  assertAdmin(actor);
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, input.orgId));
      if (!org) throw new AppError("validation", undefined, { fieldErrors: { orgId: ["Unknown organization."] } });
      const [row] = await tx.insert(costCenters).values(input).returning({ id: costCenters.id });
      await auditAdmin(tx, actor, { action: "cost_center.create", resource: { type: "cost_center", id: row.id }, details: input });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("validation", undefined, { fieldErrors: { code: [`The code "${input.code}" is taken.`] } });
    throw err;
  }
}

export async function updateCostCenter(db: Db, actor: SessionUser, input: z.output<typeof UpdateCostCenterSchema>): Promise<void> {
  assertAdmin(actor);
  try {
    await db.transaction(async (tx) => {
      const [before] = await tx.select().from(costCenters).where(eq(costCenters.id, input.costCenterId)).for("update");
      if (!before) throw new AppError("not_found", "No such cost center.");
      await tx.update(costCenters).set({ code: input.code, name: input.name }).where(eq(costCenters.id, input.costCenterId));
      await auditAdmin(tx, actor, {
        action: "cost_center.update",
        resource: { type: "cost_center", id: input.costCenterId },
        details: { from: { code: before.code, name: before.name }, to: { code: input.code, name: input.name } },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("validation", undefined, { fieldErrors: { code: [`The code "${input.code}" is taken.`] } });
    throw err;
  }
}

export async function createTeam(db: Db, actor: SessionUser, input: z.output<typeof CreateTeamSchema>): Promise<{ id: string }> {
  assertAdmin(actor);
  const slug = input.slug ?? slugify(input.name);
  if (!slug) throw new AppError("validation", undefined, { fieldErrors: { slug: ["Enter a slug (letters or digits)."] } });
  try {
    return await db.transaction(async (tx) => {
      const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, input.orgId));
      if (!org) throw new AppError("validation", undefined, { fieldErrors: { orgId: ["Unknown organization."] } });
      await checkCostCenter(tx, input.costCenterId, input.orgId);
      const values = { orgId: input.orgId, slug, name: input.name, costCenterId: input.costCenterId ?? null, contactEmail: input.contactEmail ?? null };
      const [row] = await tx.insert(teams).values(values).returning({ id: teams.id });
      await auditAdmin(tx, actor, { action: "team.create", resource: { type: "team", id: row.id }, details: values });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("validation", undefined, { fieldErrors: { slug: [`The slug "${slug}" is taken.`] } });
    throw err;
  }
}

export async function updateTeam(db: Db, actor: SessionUser, input: z.output<typeof UpdateTeamSchema>): Promise<void> {
  assertAdmin(actor);
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(teams).where(eq(teams.id, input.teamId)).for("update");
    if (!before) throw new AppError("not_found", "No such team.");
    await checkCostCenter(tx, input.costCenterId, before.orgId);
    const next = { name: input.name, costCenterId: input.costCenterId ?? null, contactEmail: input.contactEmail ?? null };
    await tx.update(teams).set(next).where(eq(teams.id, input.teamId));
    await auditAdmin(tx, actor, {
      action: before.costCenterId !== next.costCenterId ? "team.update.cost_center" : "team.update",
      resource: { type: "team", id: input.teamId },
      details: { from: { name: before.name, costCenterId: before.costCenterId, contactEmail: before.contactEmail }, to: next },
    });
  });
}

/** Adds the person to the team or changes their team role. */
export async function setMembership(db: Db, actor: SessionUser, input: z.output<typeof SetMembershipSchema>): Promise<{ userId: string }> {
  assertAdmin(actor);
  return db.transaction(async (tx) => {
    const [team] = await tx.select({ id: teams.id, orgId: teams.orgId }).from(teams).where(eq(teams.id, input.teamId));
    if (!team) throw new AppError("not_found", "No such team.");
    const [user] = await tx.select({ id: users.id, orgId: users.orgId }).from(users).where(eq(users.email, normalizeEmail(input.email)));
    if (!user) throw new AppError("validation", undefined, { fieldErrors: { email: ["No user with this email. Invite them first."] } });
    if (user.orgId !== team.orgId) throw new AppError("validation", undefined, { fieldErrors: { email: ["This person belongs to another organization."] } });
    const [before] = await tx.select({ role: memberships.role }).from(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, user.id)));
    if (before?.role === input.role) return { userId: user.id };
    await tx
      .insert(memberships)
      .values({ teamId: team.id, userId: user.id, role: input.role })
      .onConflictDoUpdate({ target: [memberships.userId, memberships.teamId], set: { role: input.role } });
    await auditAdmin(tx, actor, {
      action: before ? "membership.update" : "membership.add",
      resource: { type: "team", id: team.id },
      details: { userId: user.id, email: normalizeEmail(input.email), from: before?.role ?? null, to: input.role },
    });
    return { userId: user.id };
  });
}

export async function removeMembership(db: Db, actor: SessionUser, input: { teamId: string; userId: string }): Promise<void> {
  assertAdmin(actor);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(memberships)
      .where(and(eq(memberships.teamId, input.teamId), eq(memberships.userId, input.userId)))
      .returning({ role: memberships.role });
    if (!row) throw new AppError("not_found", "This person is not in the team.");
    await auditAdmin(tx, actor, { action: "membership.remove", resource: { type: "team", id: input.teamId }, details: { userId: input.userId, role: row.role } });
  });
}
