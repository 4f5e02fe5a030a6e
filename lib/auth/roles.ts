/**
 * Who may do what, as pure functions of the signed-in user. Pages, actions and the header all
 * ask these, so a rule changes in one place. No I/O here: the guards in session.ts load the
 * user and then decide with these predicates.
 */
export type GlobalRole = "finance" | "admin";
export type TeamRole = "member" | "owner";
/** "owner" is not stored on the user: it means owner role in at least one team. */
export type RequiredRole = GlobalRole | "owner";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  orgId: string;
  orgKind: "internal" | "external";
  roles: GlobalRole[];
  teams: { id: string; slug: string; name: string; role: TeamRole }[];
};

export function isAdmin(user: SessionUser): boolean {
  return user.roles.includes("admin");
}

/** Admins see finance pages too: they run the platform and answer for its numbers. */
export function isFinance(user: SessionUser): boolean {
  return user.roles.includes("finance") || isAdmin(user);
}

export function isOwner(user: SessionUser): boolean {
  return user.teams.some((t) => t.role === "owner");
}

export function isOwnerOfTeam(user: SessionUser, teamId: string): boolean {
  return user.teams.some((t) => t.id === teamId && t.role === "owner");
}

export function isMemberOfTeam(user: SessionUser, teamId: string): boolean {
  return user.teams.some((t) => t.id === teamId);
}

export function hasRole(user: SessionUser, role: RequiredRole): boolean {
  switch (role) {
    case "admin":
      return isAdmin(user);
    case "finance":
      return isFinance(user);
    case "owner":
      return isOwner(user);
  }
}

/** The outcome of a guard, separate from how a page or action reports it (redirect, 403, result). */
export type AccessDecision = "allow" | "unauthenticated" | "forbidden";

export function decideAccess(user: SessionUser | null, role?: RequiredRole): AccessDecision {
  if (!user) return "unauthenticated";
  if (role && !hasRole(user, role)) return "forbidden";
  return "allow";
}

/** Labels shown in the header's user menu and the admin list, most powerful first. */
export function roleLabels(user: SessionUser): string[] {
  const out: string[] = [];
  if (isAdmin(user)) out.push("admin");
  if (user.roles.includes("finance")) out.push("finance");
  if (isOwner(user)) out.push("owner");
  out.push(user.orgKind === "external" ? "partner" : "consumer");
  return out;
}
