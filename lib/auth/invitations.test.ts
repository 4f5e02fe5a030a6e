import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, invitations, memberships, organizations, teams, users } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { authorizeCredentials } from "./credentials";
import { acceptInvitation, createInvitation, hashInvitationToken, listPendingInvitations, lookupInvitation, revokeInvitation } from "./invitations";
import { loadSessionUser } from "./queries";
import { createUserFixture } from "./test-fixtures";

const t = await createTestDatabase();
const admin = await createUserFixture(t.db, { password: "admin password 123", roles: ["admin"] });
const actor = { id: admin.user.id, email: admin.email };
const NEW_PASSWORD = "a long new passphrase";
let n = 0;
const nextEmail = () => `invitee-${n++}@example.test`;

describe("invitations", () => {
  it("create -> accept -> the invitee can sign in with team role and global roles", async () => {
    const email = nextEmail();
    const inv = await createInvitation(t.db, actor, { email: email.toUpperCase(), orgId: admin.org.id, teamId: admin.team.id, teamRole: "owner", roles: ["finance"] });
    expect(inv.path).toBe(`/invite/${inv.token}`);
    expect((await lookupInvitation(t.db, inv.token)).status).toBe("valid");

    const accepted = await acceptInvitation(t.db, inv.token, { name: "  Ada Invitee ", password: NEW_PASSWORD });
    expect(accepted.email).toBe(email);
    const signIn = await authorizeCredentials(t.db, email, NEW_PASSWORD, null);
    expect(signIn.ok).toBe(true);
    const sessionUser = await loadSessionUser(t.db, accepted.userId);
    expect(sessionUser).toMatchObject({ email, name: "Ada Invitee", roles: ["finance"], orgId: admin.org.id });
    expect(sessionUser?.teams).toEqual([{ id: admin.team.id, slug: admin.team.slug, name: admin.team.name, role: "owner" }]);
    const actions = (await t.db.select({ a: auditLog.action }).from(auditLog)).map((r) => r.a);
    expect(actions).toEqual(expect.arrayContaining(["invitation.create", "invitation.accept"]));
  });

  it("stores only a hash of the token", async () => {
    const inv = await createInvitation(t.db, actor, { email: nextEmail(), orgId: admin.org.id });
    const [row] = await t.db.select().from(invitations).where(eq(invitations.id, inv.id));
    expect(row.tokenHash).toBe(hashInvitationToken(inv.token));
    expect(row.tokenHash).not.toContain(inv.token);
    expect(JSON.stringify(row)).not.toContain(inv.token);
    expect(inv.token.length).toBeGreaterThanOrEqual(43);
  });

  it("refuses a used token", async () => {
    const inv = await createInvitation(t.db, actor, { email: nextEmail(), orgId: admin.org.id });
    await acceptInvitation(t.db, inv.token, { name: "Once", password: NEW_PASSWORD });
    await expect(acceptInvitation(t.db, inv.token, { name: "Twice", password: NEW_PASSWORD })).rejects.toMatchObject({ code: "conflict" });
    expect((await lookupInvitation(t.db, inv.token)).status).toBe("used");
  });

  it("refuses an expired token", async () => {
    const email = nextEmail();
    const inv = await createInvitation(t.db, actor, { email, orgId: admin.org.id }, { now: new Date(Date.now() - 8 * 86_400_000) });
    expect((await lookupInvitation(t.db, inv.token)).status).toBe("expired");
    await expect(acceptInvitation(t.db, inv.token, { name: "Late", password: NEW_PASSWORD })).rejects.toMatchObject({ code: "forbidden" });
    expect(await t.db.select().from(users).where(eq(users.email, email))).toEqual([]);
  });

  it("refuses a revoked token and an unknown token", async () => {
    const inv = await createInvitation(t.db, actor, { email: nextEmail(), orgId: admin.org.id });
    await revokeInvitation(t.db, actor, inv.id);
    expect((await lookupInvitation(t.db, inv.token)).status).toBe("revoked");
    await expect(acceptInvitation(t.db, inv.token, { name: "X", password: NEW_PASSWORD })).rejects.toMatchObject({ code: "forbidden" });
    await expect(revokeInvitation(t.db, actor, inv.id)).rejects.toMatchObject({ code: "not_found" });
    expect((await lookupInvitation(t.db, "made-up-token")).status).toBe("not_found");
    await expect(acceptInvitation(t.db, "made-up-token", { name: "X", password: NEW_PASSWORD })).rejects.toMatchObject({ code: "not_found" });
  });

  it("replaces a pending invitation for the same address and lists only live ones", async () => {
    const email = nextEmail();
    const first = await createInvitation(t.db, actor, { email, orgId: admin.org.id });
    const second = await createInvitation(t.db, actor, { email, orgId: admin.org.id, roles: ["admin"] });
    expect((await lookupInvitation(t.db, first.token)).status).toBe("revoked");
    const pending = (await listPendingInvitations(t.db)).filter((p) => p.email === email);
    expect(pending.map((p) => [p.id, p.roles])).toEqual([[second.id, ["admin"]]]);
  });

  it("refuses an existing user's email and a team from another org", async () => {
    await expect(createInvitation(t.db, actor, { email: admin.email, orgId: admin.org.id })).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { email: ["A user with this email already exists."] },
    });
    const [otherOrg] = await t.db.insert(organizations).values({ slug: "other-org", name: "Other", kind: "external" }).returning();
    const [otherTeam] = await t.db.insert(teams).values({ slug: "other-team", name: "Other team", orgId: otherOrg.id }).returning();
    await expect(createInvitation(t.db, actor, { email: nextEmail(), orgId: admin.org.id, teamId: otherTeam.id })).rejects.toMatchObject({
      code: "validation",
    });
  });

  it("lets only one of two concurrent accepts create the account", async () => {
    const email = nextEmail();
    const inv = await createInvitation(t.db, actor, { email, orgId: admin.org.id, teamId: admin.team.id });
    const results = await Promise.allSettled([
      acceptInvitation(t.db, inv.token, { name: "A", password: NEW_PASSWORD }),
      acceptInvitation(t.db, inv.token, { name: "B", password: NEW_PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const created = await t.db.select().from(users).where(eq(users.email, email));
    expect(created).toHaveLength(1);
    const member = await t.db.select().from(memberships).where(eq(memberships.userId, created[0].id));
    expect(member).toHaveLength(1);
  });
});
