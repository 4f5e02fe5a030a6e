import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations, teams, users } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { authorizeCredentials } from "./credentials";
import { loadSessionUser } from "./queries";
import { signUp } from "./signup";

const t = await createTestDatabase();

describe("signUp", () => {
  it("creates an external org and team with the person as a plain member who can sign in", async () => {
    const { userId, email } = await signUp(t.db, { name: "Pat Partner", email: "Pat@Partner.test", password: "a long partner passphrase", company: "Partnér & Co" });
    expect(email).toBe("pat@partner.test");
    const user = await loadSessionUser(t.db, userId);
    expect(user).toMatchObject({ orgKind: "external", roles: [] });
    expect(user?.teams).toHaveLength(1);
    expect(user?.teams[0]).toMatchObject({ name: "Partnér & Co", role: "member" });
    expect(user?.teams[0].slug).toMatch(/^partner-co-[0-9a-f]{6}$/);
    const [org] = await t.db.select().from(organizations).where(eq(organizations.id, user!.orgId));
    expect(org).toMatchObject({ kind: "external", name: "Partnér & Co", billingEmail: "pat@partner.test" });
    expect((await authorizeCredentials(t.db, email, "a long partner passphrase", null)).ok).toBe(true);
  });

  it("refuses an email that already has an account and leaves nothing half-created", async () => {
    await signUp(t.db, { name: "A", email: "dup@partner.test", password: "a long partner passphrase", company: "Dup Ltd" });
    const orgsBefore = (await t.db.select().from(organizations)).length;
    await expect(signUp(t.db, { name: "B", email: "DUP@partner.test", password: "another long passphrase", company: "Dup Two" })).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { email: ["An account with this email already exists. Sign in instead."] },
    });
    expect((await t.db.select().from(organizations)).length).toBe(orgsBefore);
    expect(await t.db.select().from(teams).where(eq(teams.name, "Dup Two"))).toEqual([]);
    expect(await t.db.select().from(users).where(eq(users.name, "B"))).toEqual([]);
  });
});
