import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { createInvitation } from "./invitations";
import { resolveOidcUser } from "./oidc";
import { createUserFixture } from "./test-fixtures";

const t = await createTestDatabase();

describe("resolveOidcUser", () => {
  it("links an existing user by verified email, then finds them by subject", async () => {
    const { user, email } = await createUserFixture(t.db, { password: "some password 1" });
    expect(await resolveOidcUser(t.db, { sub: "sub-1", email: email.toUpperCase(), emailVerified: true })).toBe(user.id);
    const [row] = await t.db.select().from(users).where(eq(users.id, user.id));
    expect(row.oidcSubject).toBe("sub-1");
    expect(await resolveOidcUser(t.db, { sub: "sub-1", email: "changed@elsewhere.test" })).toBe(user.id);
  });

  it("refuses strangers, unverified emails and disabled users: no open sign-up", async () => {
    expect(await resolveOidcUser(t.db, { sub: "stranger", email: "stranger@example.test", emailVerified: true })).toBeNull();
    const { email } = await createUserFixture(t.db);
    expect(await resolveOidcUser(t.db, { sub: "sub-unverified", email, emailVerified: false })).toBeNull();
    const disabled = await createUserFixture(t.db, { disabled: true });
    expect(await resolveOidcUser(t.db, { sub: "sub-disabled", email: disabled.email })).toBeNull();
    expect(await t.db.select().from(users).where(eq(users.email, "stranger@example.test"))).toEqual([]);
  });

  it("does not relink a user already bound to another subject", async () => {
    const { email } = await createUserFixture(t.db);
    expect(await resolveOidcUser(t.db, { sub: "first-sub", email })).not.toBeNull();
    expect(await resolveOidcUser(t.db, { sub: "second-sub", email })).toBeNull();
  });

  it("accepts a live invitation for the email", async () => {
    const admin = await createUserFixture(t.db, { roles: ["admin"] });
    await createInvitation(t.db, { id: admin.user.id, email: admin.email }, { email: "sso-invitee@example.test", orgId: admin.org.id, teamId: admin.team.id });
    const id = await resolveOidcUser(t.db, { sub: "sub-invitee", email: "sso-invitee@example.test", emailVerified: true, name: "Sso Invitee" });
    expect(id).not.toBeNull();
    const [row] = await t.db.select().from(users).where(eq(users.email, "sso-invitee@example.test"));
    expect(row).toMatchObject({ id, name: "Sso Invitee", oidcSubject: "sub-invitee", passwordHash: null });
  });
});
