import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberships, organizations, teams, users } from "@/db/schema";
import type { SessionUser } from "./roles";
import { escapeLike } from "@/lib/ops/sql-like";

/** Emails are stored lower-cased and trimmed; every lookup goes through this. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The user as the guards see them, read fresh on every request: a disabled account, a removed
 * role or a lost team membership takes effect at once, not when the session token expires.
 * Returns null for unknown or disabled users.
 */
export async function loadSessionUser(db: Db, userId: string): Promise<SessionUser | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      orgId: users.orgId,
      orgKind: organizations.kind,
      roles: users.roles,
      disabled: users.disabled,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row || row.disabled) return null;
  const teamRows = await db
    .select({ id: teams.id, slug: teams.slug, name: teams.name, role: memberships.role })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.name));
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    orgId: row.orgId,
    orgKind: row.orgKind,
    roles: row.roles,
    teams: teamRows,
  };
}

export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return row ?? null;
}

export type UserListRow = {
  id: string;
  email: string;
  name: string;
  orgName: string;
  orgKind: "internal" | "external";
  roles: ("finance" | "admin")[];
  disabled: boolean;
  lastSignInAt: Date | null;
  teams: { name: string; role: "member" | "owner" }[];
};


/** Users whose email or name contains `q` (case-insensitive, literal), or everyone. */
function userSearch(q: string | undefined) {
  if (!q) return undefined;
  const like = `%${escapeLike(q)}%`;
  return or(ilike(users.email, like), ilike(users.name, like));
}

/** How many users the admin list holds for `q` (its pagination). */
export async function countUsers(db: Db, q?: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(userSearch(q));
  return row?.n ?? 0;
}

/** Users with org and team memberships, for the admin list: all, or one page of a search. */
export async function listUsers(db: Db, opts: { q?: string; limit?: number; offset?: number } = {}): Promise<UserListRow[]> {
  const query = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      orgName: organizations.name,
      orgKind: organizations.kind,
      roles: users.roles,
      disabled: users.disabled,
      lastSignInAt: users.lastSignInAt,
      teams: sql<{ name: string; role: "member" | "owner" }[]>`coalesce((
        select json_agg(json_build_object('name', ${teams.name}, 'role', ${memberships.role}) order by ${teams.name})
        from ${memberships} join ${teams} on ${teams.id} = ${memberships.teamId}
        where ${memberships.userId} = ${users.id}
      ), '[]'::json)`,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(userSearch(opts.q))
    .orderBy(asc(organizations.name), asc(users.email))
    .$dynamic();
  if (opts.limit !== undefined) query.limit(opts.limit);
  if (opts.offset) query.offset(opts.offset);
  return query;
}

export async function listOrgsWithTeams(db: Db) {
  const orgs = await db
    .select({ id: organizations.id, name: organizations.name, kind: organizations.kind })
    .from(organizations)
    // Internal orgs first: most invitations are for colleagues, so the form defaults to one.
    .orderBy(asc(organizations.kind), asc(organizations.name));
  const teamRows = await db
    .select({ id: teams.id, name: teams.name, orgId: teams.orgId })
    .from(teams)
    .orderBy(asc(teams.name));
  return orgs.map((o) => ({ ...o, teams: teamRows.filter((t) => t.orgId === o.id) }));
}

export async function teamBelongsToOrg(db: Db, teamId: string, orgId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.id, teamId), eq(teams.orgId, orgId)))
    .limit(1);
  return Boolean(row);
}
