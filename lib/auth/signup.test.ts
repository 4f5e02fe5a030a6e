import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations, teams, users } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { authorizeCredentials } from "./credentials";
import { loadSessionUser } from "./queries";
import { SIGNUPS_PER_IP, signUp } from "./signup";

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

describe("signUp rate limit", () => {
  it("stops an address after SIGNUPS_PER_IP accounts in a window", async () => {
    const now = new Date("2026-05-01T10:00:00Z");
    const ip = "203.0.113.50";
    for (let i = 0; i < SIGNUPS_PER_IP; i++) {
      await signUp(t.db, { name: `Bot ${i}`, email: `bot${i}@spam.test`, password: "a long partner passphrase", company: `Bot ${i}` }, { ip, now });
    }
    await expect(
      signUp(t.db, { name: "One more", email: "more@spam.test", password: "a long partner passphrase", company: "More" }, { ip, now }),
    ).rejects.toMatchObject({ code: "rate_limited", message: "Too many new accounts from your network. Try again in 15 minutes." });
    const other = await signUp(t.db, { name: "Elsewhere", email: "ok@elsewhere.test", password: "a long partner passphrase", company: "Fine" }, { ip: "198.51.100.9", now });
    expect(other.email).toBe("ok@elsewhere.test");
  });
});
