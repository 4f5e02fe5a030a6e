import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { auditLog, clusters, costCenters, dataProducts, memberships, organizations, teams, users } from "@/db/schema";
import { createSafeActionClient } from "@/lib/actions/safe-action";
import { createUserFixture } from "@/lib/auth/test-fixtures";
import { countUsers, listUsers, loadSessionUser } from "@/lib/auth/queries";
import type { SessionUser } from "@/lib/auth/roles";
import { openSecret } from "@/lib/crypto/secret-box";
import { getSetting } from "@/lib/settings/service";
import { createTestDatabase } from "@/lib/testing/db";
import { clusterConnection, createCluster, deleteCluster, listClusters, testClusterConnection, updateCluster } from "./clusters";
import { createOrganization, listOrganizations, updateOrganization } from "./organizations";
import { listProductsForKeyRotation, readPlatformSettings, rotateMaskingKeys, setExternalAccessDefaultExpiry } from "./platform";
import { CreateClusterSchema, ExternalExpirySchema, RotateMaskingKeysSchema, SetUserRolesSchema, UpdateClusterSchema, UserListQuerySchema } from "./schemas";
import { createCostCenter, createTeam, listCostCenters, listTeams, removeMembership, setMembership, updateCostCenter, updateTeam } from "./teams";
import { setUserRoles } from "./users";

const t = await createTestDatabase();
const key = randomBytes(32);

async function sessionOf(db: Database, userId: string): Promise<SessionUser> {
  return (await loadSessionUser(db, userId))!;
}

const adminFx = await createUserFixture(t.db, { roles: ["admin"] });
const admin = await sessionOf(t.db, adminFx.user.id);
const financeFx = await createUserFixture(t.db, { roles: ["finance"], teamRole: "owner" });
const nonAdmin = await sessionOf(t.db, financeFx.user.id);

async function audits(action: string) {
  return t.db.select().from(auditLog).where(eq(auditLog.action, action));
}

describe("admin services refuse non-admins", () => {
  const someId = "00000000-0000-4000-8000-000000000000";
  const calls: [string, (u: SessionUser) => Promise<unknown>][] = [
    ["listOrganizations", (u) => listOrganizations(t.db, u)],
    ["createOrganization", (u) => createOrganization(t.db, u, { name: "X Org", kind: "internal" })],
    ["updateOrganization", (u) => updateOrganization(t.db, u, { orgId: someId, name: "X", kind: "internal" })],
    ["listTeams", (u) => listTeams(t.db, u)],
    ["listCostCenters", (u) => listCostCenters(t.db, u)],
    ["createCostCenter", (u) => createCostCenter(t.db, u, { orgId: someId, code: "CC", name: "CC" })],
    ["updateCostCenter", (u) => updateCostCenter(t.db, u, { costCenterId: someId, code: "CC", name: "CC" })],
    ["createTeam", (u) => createTeam(t.db, u, { orgId: someId, name: "T" })],
    ["updateTeam", (u) => updateTeam(t.db, u, { teamId: someId, name: "T" })],
    ["setMembership", (u) => setMembership(t.db, u, { teamId: someId, email: "a@b.test", role: "owner" })],
    ["removeMembership", (u) => removeMembership(t.db, u, { teamId: someId, userId: someId })],
    ["setUserRoles", (u) => setUserRoles(t.db, u, { userId: u.id, finance: true, admin: true })],
    ["listClusters", (u) => listClusters(t.db, u)],
    ["createCluster", (u) => createCluster(t.db, u, CreateClusterSchema.parse({ name: "cl", bootstrapServers: "h:1", saslMechanism: "none" }), key)],
    ["updateCluster", (u) => updateCluster(t.db, u, UpdateClusterSchema.parse({ clusterId: someId, name: "cl", bootstrapServers: "h:1", saslMechanism: "none" }), key)],
    ["deleteCluster", (u) => deleteCluster(t.db, u, someId)],
    ["testClusterConnection", (u) => testClusterConnection(t.db, u, someId)],
    ["readPlatformSettings", (u) => readPlatformSettings(t.db, u)],
    ["setExternalAccessDefaultExpiry", (u) => setExternalAccessDefaultExpiry(t.db, u, 5)],
    ["listProductsForKeyRotation", (u) => listProductsForKeyRotation(t.db, u)],
    ["rotateMaskingKeys", (u) => rotateMaskingKeys(t.db, u, { scope: "all" })],
  ];
  for (const [name, call] of calls) {
    it(`${name}: forbidden for a finance user who owns a team`, async () => {
      await expect(call(nonAdmin)).rejects.toMatchObject({ code: "forbidden" });
    });
  }

  it("the action wrapper refuses a non-admin before any service runs", async () => {
    const { safeAction } = createSafeActionClient({ getUser: async () => nonAdmin, getDb: () => t.db });
    const action = safeAction({ schema: SetUserRolesSchema, role: "admin" }, async (input, { user, db }) => setUserRoles(db, user, input));
    const result = await action({ userId: nonAdmin.id, finance: true, admin: true });
    expect(result).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const [row] = await t.db.select({ roles: users.roles }).from(users).where(eq(users.id, nonAdmin.id));
    expect(row.roles).toEqual(["finance"]);
  });
});

describe("users and roles", () => {
  it("sets platform roles with an audit entry, and protects the last admin and oneself", async () => {
    const { user } = await createUserFixture(t.db);
    expect(await setUserRoles(t.db, admin, { userId: user.id, finance: true, admin: false })).toEqual(["finance"]);
    const [a] = await audits("user.roles.update");
    expect(a).toMatchObject({ actorId: admin.id, resourceId: user.id, details: { from: [], to: ["finance"] } });
    await expect(setUserRoles(t.db, admin, { userId: admin.id, finance: false, admin: false })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("organizations, cost centers and teams", () => {
  it("creates and edits with audits, and keeps a team's cost center inside its org", async () => {
    const org = await createOrganization(t.db, admin, { name: "Acme Mobile", kind: "external", billingEmail: "billing@acme.test" });
    await expect(createOrganization(t.db, admin, { name: "Acme Mobile", kind: "external" })).rejects.toMatchObject({ code: "validation", fieldErrors: { slug: [expect.stringContaining("taken")] } });
    await updateOrganization(t.db, admin, { orgId: org.id, name: "Acme Mobile GmbH", kind: "external", billingEmail: "ap@acme.test" });
    const [o] = await t.db.select().from(organizations).where(eq(organizations.id, org.id));
    const listedOrg = (await listOrganizations(t.db, admin)).find((x) => x.id === adminFx.org.id)!;
    expect(listedOrg).toMatchObject({ teamCount: 1, userCount: 1 });
    expect(o).toMatchObject({ slug: "acme-mobile", name: "Acme Mobile GmbH", billingEmail: "ap@acme.test" });

    const cc = await createCostCenter(t.db, admin, { orgId: org.id, code: "ACME-01", name: "Acme ops" });
    const otherCc = await createCostCenter(t.db, admin, { orgId: adminFx.org.id, code: "HQ-01", name: "HQ" });
    const team = await createTeam(t.db, admin, { orgId: org.id, name: "Acme Data", costCenterId: cc.id });
    await expect(updateTeam(t.db, admin, { teamId: team.id, name: "Acme Data", costCenterId: otherCc.id })).rejects.toMatchObject({
      fieldErrors: { costCenterId: [expect.stringContaining("team's organization")] },
    });
    await updateTeam(t.db, admin, { teamId: team.id, name: "Acme Data Team", contactEmail: "data@acme.test" });
    const [tm] = await t.db.select().from(teams).where(eq(teams.id, team.id));
    expect(tm).toMatchObject({ name: "Acme Data Team", costCenterId: null, contactEmail: "data@acme.test" });
    await updateCostCenter(t.db, admin, { costCenterId: cc.id, code: "ACME-02", name: "Acme ops 2" });
    expect((await t.db.select().from(costCenters).where(eq(costCenters.id, cc.id)))[0].code).toBe("ACME-02");

    for (const action of ["organization.create", "organization.update", "cost_center.create", "cost_center.update", "team.create", "team.update.cost_center"]) {
      expect((await audits(action)).length, action).toBeGreaterThan(0);
    }
  });

  it("adds members, changes their team role and removes them; only people of the team's org", async () => {
    const { user, email, team } = await createUserFixture(t.db);
    const outsider = await createUserFixture(t.db);
    await setMembership(t.db, admin, { teamId: team.id, email, role: "member" });
    await setMembership(t.db, admin, { teamId: team.id, email: email.toUpperCase(), role: "owner" });
    const [m] = await t.db.select().from(memberships).where(and(eq(memberships.teamId, team.id), eq(memberships.userId, user.id)));
    expect(m.role).toBe("owner");
    await expect(setMembership(t.db, admin, { teamId: team.id, email: outsider.email, role: "member" })).rejects.toMatchObject({ fieldErrors: { email: [expect.stringContaining("another organization")] } });
    await expect(setMembership(t.db, admin, { teamId: team.id, email: "nobody@x.test", role: "member" })).rejects.toMatchObject({ fieldErrors: { email: [expect.stringContaining("Invite")] } });
    const listed = (await listTeams(t.db, admin)).find((x) => x.id === team.id)!;
    expect(listed.members).toEqual([expect.objectContaining({ userId: user.id, role: "owner" })]);
    await removeMembership(t.db, admin, { teamId: team.id, userId: user.id });
    expect(await t.db.select().from(memberships).where(eq(memberships.teamId, team.id))).toHaveLength(0);
    expect((await audits("membership.add")).length).toBeGreaterThan(0);
    expect((await audits("membership.update")).length).toBeGreaterThan(0);
    expect((await audits("membership.remove")).length).toBeGreaterThan(0);
  });
});

describe("clusters", () => {
  it("keeps the admin secret sealed at rest, write-only, and never in the audit log", async () => {
    const input = CreateClusterSchema.parse({ name: "prod-eu", bootstrapServers: "b1.example:9093, b2.example:9093", saslMechanism: "scram-sha-512", adminUsername: "tributary", adminSecret: "hunter2-very-secret" });
    const { id } = await createCluster(t.db, admin, input, key);
    const [row] = await t.db.select().from(clusters).where(eq(clusters.id, id));
    expect(row.bootstrapServers).toBe("b1.example:9093,b2.example:9093");
    expect(row.adminSecretEnc).toMatch(/^v1:/);
    expect(row.adminSecretEnc).not.toContain("hunter2");
    expect(openSecret(row.adminSecretEnc!, key, id)).toBe("hunter2-very-secret");
    expect(clusterConnection(row, key).sasl).toEqual({ mechanism: "scram-sha-512", username: "tributary", password: "hunter2-very-secret" });
    const listed = (await listClusters(t.db, admin)).find((c) => c.id === id)!;
    expect(listed).toMatchObject({ hasSecret: true, productCount: 0 });
    expect(JSON.stringify(listed)).not.toContain("v1:");

    // An edit with an empty secret keeps it; a new one replaces it.
    await updateCluster(t.db, admin, UpdateClusterSchema.parse({ clusterId: id, name: "prod-eu", bootstrapServers: "b1.example:9093", saslMechanism: "scram-sha-512", adminUsername: "tributary", adminSecret: "" }), key);
    expect(openSecret((await t.db.select().from(clusters).where(eq(clusters.id, id)))[0].adminSecretEnc!, key, id)).toBe("hunter2-very-secret");
    await updateCluster(t.db, admin, UpdateClusterSchema.parse({ clusterId: id, name: "prod-eu", bootstrapServers: "b1.example:9093", saslMechanism: "scram-sha-512", adminUsername: "tributary", adminSecret: "new-secret" }), key);
    expect(openSecret((await t.db.select().from(clusters).where(eq(clusters.id, id)))[0].adminSecretEnc!, key, id)).toBe("new-secret");

    const all = await t.db.select().from(auditLog);
    expect(JSON.stringify(all)).not.toMatch(/hunter2|new-secret/);
    expect(all.filter((a) => a.resourceId === id).map((a) => a.action)).toEqual(["cluster.create", "cluster.update", "cluster.update"]);

    await deleteCluster(t.db, admin, id);
    expect(await t.db.select().from(clusters).where(eq(clusters.id, id))).toHaveLength(0);
  });

  it("validates cluster input with field errors", () => {
    const r = CreateClusterSchema.safeParse({ name: "x", bootstrapServers: "ok:9092, no-port", saslMechanism: "plain" });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["name", "bootstrapServers"]);
    expect(r.error!.issues[1].message).toContain("no-port");
    // SASL needs credentials (checked once the fields themselves are valid).
    const s = CreateClusterSchema.safeParse({ name: "prod", bootstrapServers: "ok:9092", saslMechanism: "plain" });
    expect(s.error!.issues.map((i) => i.path.join("."))).toEqual(["adminUsername", "adminSecret"]);
  });
});

describe("platform settings", () => {
  it("stores the default external expiry (or none) with an audit", async () => {
    expect(ExternalExpirySchema.safeParse({ days: "0" }).success).toBe(false);
    await setExternalAccessDefaultExpiry(t.db, admin, 30);
    expect(await getSetting(t.db, "external_access_default_expiry_days")).toEqual({ days: 30 });
    await setExternalAccessDefaultExpiry(t.db, admin, null);
    expect((await readPlatformSettings(t.db, admin)).externalExpiryDays).toBeNull();
    expect((await audits("settings.update")).filter((a) => a.resourceId === "external_access_default_expiry_days")).toHaveLength(2);
  });

  it("rotates one product's or all products' masking key version, audited per product", async () => {
    const ownerTeam = financeFx.team.id;
    const [p1] = await t.db.insert(dataProducts).values({ slug: "rot-a", name: "A", domain: "d", ownerTeamId: ownerTeam }).returning();
    const [p2] = await t.db.insert(dataProducts).values({ slug: "rot-b", name: "B", domain: "d", ownerTeamId: ownerTeam, maskingKeyVersion: 4 }).returning();
    expect(RotateMaskingKeysSchema.safeParse({ scope: "all", confirm: "yes" }).success).toBe(false);
    await rotateMaskingKeys(t.db, admin, { scope: "product", productId: p1.id });
    const versions = async () => Object.fromEntries((await t.db.select().from(dataProducts)).map((p) => [p.slug, p.maskingKeyVersion]));
    expect(await versions()).toEqual({ "rot-a": 2, "rot-b": 4 });
    const { rotated } = await rotateMaskingKeys(t.db, admin, { scope: "all" });
    expect(rotated).toHaveLength(2);
    expect(await versions()).toEqual({ "rot-a": 3, "rot-b": 5 });
    const entries = await audits("masking_key.rotate");
    expect(entries.filter((e) => e.resourceId === p2.id).map((e) => e.details)).toEqual([{ slug: "rot-b", from: 4, to: 5, scope: "all" }]);
    await expect(rotateMaskingKeys(t.db, admin, { scope: "product", productId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "validation" });
  });
});

describe("the users list", () => {
  it("searches email and name literally, case-insensitively, and pages", async () => {
    const tag = randomBytes(3).toString("hex");
    const { user: a } = await createUserFixture(t.db);
    const { user: b } = await createUserFixture(t.db);
    await t.db.update(users).set({ email: `zed_${tag}@example.test`, name: "Zed One" }).where(eq(users.id, a.id));
    await t.db.update(users).set({ email: `zed-${tag}@example.test`, name: `Zoe ${tag.toUpperCase()}` }).where(eq(users.id, b.id));
    expect(await countUsers(t.db, tag)).toBe(2);
    // "_" is literal, not a one-character wildcard.
    expect((await listUsers(t.db, { q: `zed_${tag}` })).map((u) => u.id)).toEqual([a.id]);
    expect((await listUsers(t.db, { q: `ZOE ${tag}` })).map((u) => u.id)).toEqual([b.id]);
    const first = await listUsers(t.db, { q: tag, limit: 1 });
    const second = await listUsers(t.db, { q: tag, limit: 1, offset: 1 });
    expect([...first, ...second].map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
    expect(await countUsers(t.db)).toBeGreaterThanOrEqual(2);
  });

  it("reads ?q and ?page leniently: blank is no search, a bad page is page 1, a long query is a field error", () => {
    expect(UserListQuerySchema.parse({ q: "  ", page: "abc" })).toEqual({ q: undefined, page: 1 });
    expect(UserListQuerySchema.parse({ q: ["ann", "bob"], page: "3" })).toEqual({ q: "ann", page: 3 });
    const long = UserListQuerySchema.safeParse({ q: "x".repeat(201) });
    expect(long.success).toBe(false);
    expect(long.error!.issues[0]!.path).toEqual(["q"]);
  });
});
