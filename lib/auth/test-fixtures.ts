import type { Database } from "@/db/client";
import { memberships, organizations, teams, users } from "@/db/schema";
import { hashPassword } from "./password";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** An org, a team and a user with a password, for auth tests against a real database. */
export async function createUserFixture(
  db: Database,
  opts: { password?: string; roles?: ("finance" | "admin")[]; teamRole?: "member" | "owner"; disabled?: boolean; orgKind?: "internal" | "external" } = {},
) {
  const id = unique();
  const [org] = await db.insert(organizations).values({ slug: `org-${id}`, name: `Org ${id}`, kind: opts.orgKind ?? "internal" }).returning();
  const [team] = await db.insert(teams).values({ slug: `team-${id}`, name: `Team ${id}`, orgId: org.id }).returning();
  const email = `user-${id}@example.test`;
  const [user] = await db
    .insert(users)
    .values({
      email,
      name: `User ${id}`,
      orgId: org.id,
      roles: opts.roles ?? [],
      disabled: opts.disabled ?? false,
      passwordHash: opts.password ? await hashPassword(opts.password) : null,
    })
    .returning();
  if (opts.teamRole) await db.insert(memberships).values({ userId: user.id, teamId: team.id, role: opts.teamRole });
  return { org, team, user, email };
}
